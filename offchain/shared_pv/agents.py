"""Co-owner agents: an owner's app that gives portions away (a tenant on holiday gives its
portion of those days to a neighbour — the paper's use case) and never gives twice.

The agent drives the plant only through :class:`~offchain.shared_pv.client.PlantClient`
(the API users call) and keeps its gifts in a JSON file written atomically after every
change, so a restarted agent picks up where it stopped:

* a gift is journaled (``PLANNED``) before its transaction exists, and its hash is
  journaled (``SENT``) as soon as the node accepted it — before the receipt;
* on restart, a ``SENT`` gift is settled by looking its transaction up on chain (mined:
  ``CONFIRMED`` or ``REFUSED``); a ``PLANNED`` gift whose transfer shows up in the plant's
  events from this owner (same recipient, range and amount, after the journal entry's
  block) is ``CONFIRMED`` — else it is sent again. So a crash between broadcast and
  journal never gives a portion twice;
* a refusal (``SharesInsufficient`` …) is recorded with the contract's error and not retried.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from eth_account.signers.local import LocalAccount

from ..kernel.errors import TransactionFailedError
from ..kernel.fs import atomic_write
from .client import PlantClient, PortionsTransferred
from .errors import SharesError

__all__ = ["Gift", "GiftState", "OwnerAgent"]


class GiftState(enum.StrEnum):
    PLANNED = "planned"
    SENT = "sent"
    CONFIRMED = "confirmed"
    REFUSED = "refused"


@dataclass(frozen=True)
class Gift:
    """``amount_bp`` of every slot ``first_slot..last_slot`` from the agent's owner to ``to``."""

    gift_id: str
    to: str
    first_slot: int
    last_slot: int
    amount_bp: int
    state: GiftState
    planned_at_block: int
    tx_hash: str | None = None
    error: str | None = None


class OwnerAgent:
    """One co-owner's agent for one plant; its journal lives at ``state_path``."""

    def __init__(self, plant: PlantClient, account: LocalAccount, state_path: str | Path) -> None:
        self.plant = plant
        self.account = account
        self.state_path = Path(state_path)
        self.gifts: dict[str, Gift] = {}
        if self.state_path.exists():
            raw = json.loads(self.state_path.read_text())
            for g in raw["gifts"]:
                self.gifts[g["gift_id"]] = Gift(**{**g, "state": GiftState(g["state"])})

    @property
    def address(self) -> str:
        return str(self.account.address)

    # -- journal ---------------------------------------------------------------------------
    def _save(self) -> None:
        gifts = [{**asdict(g), "state": g.state.value} for g in self.gifts.values()]
        atomic_write(self.state_path, json.dumps({"owner": self.address, "gifts": gifts}, indent=1))

    def _put(self, gift: Gift) -> Gift:
        self.gifts[gift.gift_id] = gift
        self._save()
        return gift

    # -- giving ----------------------------------------------------------------------------
    def plan(self, gift_id: str, to: str, slots: range, amount_bp: int | None = None) -> Gift:
        """Journal a gift of ``amount_bp`` (default: all the owner holds in every slot of the
        range — the least it holds there) without sending it. Idempotent per ``gift_id``."""
        if gift_id in self.gifts:
            return self.gifts[gift_id]
        if not slots or slots.step != 1:
            raise SharesError(f"a gift needs a non-empty range of consecutive slots, got {slots!r}")
        if amount_bp is None:
            amount_bp = min(self.plant.portions(self.address, slots.start, slots.stop - 1))
            if amount_bp == 0:
                raise SharesError(f"{self.address} holds nothing in some slot of {slots.start}..{slots.stop - 1}")
        block = int(self.plant.chain.w3.eth.block_number)
        gift = Gift(gift_id, to, slots.start, slots.stop - 1, amount_bp, GiftState.PLANNED, block)
        return self._put(gift)

    def give_day(self, gift_id: str, to: str, day: dt.date, amount_bp: int | None = None) -> Gift:
        """Plan and send a gift of the whole local ``day`` (92, 96 or 100 slots)."""
        self.plan(gift_id, to, self.plant.clock.day_slots(day), amount_bp)
        return self.send(gift_id)

    def send(self, gift_id: str) -> Gift:
        """Send a planned gift (after checking the chain for an earlier attempt); returns its final state."""
        gift = self._reconcile(self.gifts[gift_id])
        if gift.state is not GiftState.PLANNED:
            return gift

        def journal(tx_hash: Any) -> None:
            self._put(replace(gift, state=GiftState.SENT, tx_hash=_hex(tx_hash)))

        try:
            receipt = self.plant.transfer(
                gift.to, gift.first_slot, gift.last_slot, gift.amount_bp, sender=self.account, on_broadcast=journal
            )
        except TransactionFailedError as exc:
            return self._put(replace(self.gifts[gift_id], state=GiftState.REFUSED, error=exc.error_name or str(exc)))
        return self._put(
            replace(self.gifts[gift_id], state=GiftState.CONFIRMED, tx_hash=_hex(receipt["transactionHash"]))
        )

    def resume(self) -> list[Gift]:
        """After a restart: settle every unfinished gift (look it up on chain, send it if it never left)."""
        return [
            self.send(g.gift_id) for g in list(self.gifts.values()) if g.state in (GiftState.PLANNED, GiftState.SENT)
        ]

    def _reconcile(self, gift: Gift) -> Gift:
        w3 = self.plant.chain.w3
        if gift.state is GiftState.SENT and gift.tx_hash:
            try:
                receipt = w3.eth.get_transaction_receipt(gift.tx_hash)
            except Exception:  # noqa: BLE001 — unknown to the node: never mined, send again
                receipt = None
            if receipt is not None:
                ok = int(receipt["status"]) == 1
                state = GiftState.CONFIRMED if ok else GiftState.REFUSED
                return self._put(replace(gift, state=state, error=None if ok else "reverted"))
            return self._put(replace(gift, state=GiftState.PLANNED, tx_hash=None))
        if gift.state is GiftState.PLANNED:
            for event in self.plant.history(from_block=gift.planned_at_block):
                if (
                    isinstance(event, PortionsTransferred)
                    and event.sender.lower() == self.address.lower()
                    and event.recipient.lower() == gift.to.lower()
                    and (event.first_slot, event.last_slot, event.amount_bp)
                    == (gift.first_slot, gift.last_slot, gift.amount_bp)
                    and not any(g.tx_hash == event.tx_hash for g in self.gifts.values() if g is not gift)
                ):
                    return self._put(replace(gift, state=GiftState.CONFIRMED, tx_hash=event.tx_hash))
        return gift


def _hex(value: Any) -> str:
    if isinstance(value, str):
        return value if value.startswith("0x") else "0x" + value
    return "0x" + bytes(value).hex()
