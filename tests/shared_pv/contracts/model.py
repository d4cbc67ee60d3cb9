"""Python reference model of a shared PV plant's portions: what the contract must agree with.

Deliberately naive — one number per (owner, slot), no rows, no runs, no ring — so that it
shares nothing with the contract's representation. Slots a transfer never touched hold
the owner's default share. Only slots after the current one are ever compared (the
contract answers for the transfer window only; the past is in the events).
"""

from __future__ import annotations

from dataclasses import dataclass, field

ROW = 128
RING = 32
FULL = 10_000


class Refused(Exception):
    """The model refuses the operation; the contract must revert with `error(*args)`."""

    def __init__(self, error: str, *args: object) -> None:
        super().__init__(error, *args)
        self.error = error
        self.args_ = args


def window(current: int) -> tuple[int, int]:
    """First and last slot transfers may change while ``current`` is the current slot."""
    return current + 1, (current // ROW + RING) * ROW - 1


@dataclass
class PlantModel:
    #: current members -> default share (basis points)
    defaults: dict[str, int]
    #: owner -> slot -> basis points, for slots a transfer or revocation touched
    explicit: dict[str, dict[int, int]] = field(default_factory=dict)

    def holding(self, owner: str, slot: int) -> int:
        if owner not in self.defaults:
            return 0
        return self.explicit.get(owner, {}).get(slot, self.defaults[owner])

    def members(self) -> list[str]:
        return list(self.defaults)

    # -- actions -------------------------------------------------------------------------
    def move(self, sender: str, to: str, first: int, last: int, amount: int, current: int) -> None:
        if amount == 0:
            raise Refused("SharesZeroAmount")
        if last < first:
            raise Refused("SharesEmptyRange", first, last)
        if first <= current:
            raise Refused("SharesSlotNotFuture", first, current)
        horizon = window(current)[1]
        if last > horizon:
            raise Refused("SharesBeyondHorizon", last, horizon)
        if to == sender:
            raise Refused("SharesSelfTransfer", sender)
        # the contract works row by row: the sender's row (membership, then holdings), then
        # the receiver's (membership) — the first failing check of that order is the refusal
        for row in range(first // ROW, last // ROW + 1):
            lo, hi = max(first, row * ROW), min(last, row * ROW + ROW - 1)
            if sender not in self.defaults:
                raise Refused("SharesNotMember", sender)
            for slot in range(lo, hi + 1):
                held = self.holding(sender, slot)
                if held < amount:
                    raise Refused("SharesInsufficient", sender, slot, held, amount)
            if to not in self.defaults:
                raise Refused("SharesNotMember", to)
        for slot in range(first, last + 1):
            self._set(sender, slot, self.holding(sender, slot) - amount)
            self._set(to, slot, self.holding(to, slot) + amount)

    def admit(self, owner: str) -> None:
        if owner in self.defaults:
            raise Refused("SharesAlreadyMember", owner)
        self.defaults[owner] = 0
        self.explicit.pop(owner, None)

    def revoke(self, owner: str, successor: str, current: int) -> None:
        if owner not in self.defaults:
            raise Refused("SharesNotMember", owner)
        if successor == owner or successor not in self.defaults:
            raise Refused("SharesInvalidSuccessor", owner, successor)
        touched = {s for s in self.explicit.get(owner, {}) | self.explicit.get(successor, {}) if s > current}
        merged = {s: self.holding(successor, s) + self.holding(owner, s) for s in touched}
        self.defaults[successor] += self.defaults.pop(owner)
        self.explicit.pop(owner, None)
        self.explicit.setdefault(successor, {}).update(merged)

    def _set(self, owner: str, slot: int, value: int) -> None:
        assert value >= 0, (owner, slot, value)
        self.explicit.setdefault(owner, {})[slot] = value
