"""Gas of shared-PV portion transfers, for ``gas-snapshot.json`` (``gridledger gas``).

Deterministic: anvil's development keys as consortium and owners, the chain clock pinned
to a fixed instant (:data:`PINNED_TIME`) before the plant is created, the plant's market
time starting at a fixed local midnight (:data:`EPOCH_DAY`, Europe/Vienna), so the slot
numbers in the calldata and the rows they fall in are the same on every run.

Steady state, as for SPB: the first storage word of each owner's 32 rows exists (from
earlier rows of the ring, or ``prepareRows``), so a transfer rewrites storage (5,000 gas a
word) instead of creating it (22,100). The headline figures are transfers into rows that
already hold an earlier transfer; ``*_new_row`` are the first transfer into a row,
``transfer_one_slot_first_use`` is an owner's very first transfer (new storage), and
``*_fragmented`` the worst case: the sender's rows broken into 128 runs by 64 gifts.
The 16- and 96-slot ranges cross a row boundary (two rows per owner: the worst case of
alignment).
"""

from __future__ import annotations

import datetime as dt

from eth_account.signers.local import LocalAccount

from ..common.slots import SlotClock, SlotConfig
from ..kernel.chain import Chain
from .client import OwnerShare, RegistryClient

__all__ = ["measure", "PINNED_TIME", "EPOCH_DAY", "ZONE"]

ZONE = "Europe/Vienna"
#: chain time pinned before the plant is created (2096-10-02), so that its genesis is fixed
PINNED_TIME = 4_000_000_000
#: local midnight at which the plant's market time starts (its first slot)
EPOCH_DAY = dt.date(2026, 6, 1)
ROW = 128


def _pin_clock(chain: Chain) -> int:
    latest = int(chain.w3.eth.get_block("latest")["timestamp"])
    if latest >= PINNED_TIME:
        raise RuntimeError(f"chain clock {latest} is past the pinned time {PINNED_TIME}")
    chain.w3.provider.make_request("evm_setNextBlockTimestamp", [PINNED_TIME])  # type: ignore[arg-type]
    chain.w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
    return PINNED_TIME


def _gas(receipt: object) -> int:
    return int(receipt["gasUsed"])  # type: ignore[index]


def measure(chain: Chain, accounts: list[LocalAccount]) -> dict[str, int]:
    """shares.transfer_one_slot, transfer_16_slots, transfer_96_slots and the variants, plus the
    consortium's operations (create, admit, revoke, prepare)."""
    consortium, a, b, c, d = accounts[:5]
    genesis = _pin_clock(chain)
    clock = SlotConfig.compressed(ZONE, genesis, EPOCH_DAY, slot_seconds=900)
    registry = RegistryClient.deploy(chain, sender=consortium)
    owners = [OwnerShare(a.address, 2_000), OwnerShare(b.address, 2_000), OwnerShare(c.address, 6_000)]
    plant = registry.create_plant(owners, sender=consortium, clock=clock)
    created = chain.w3.eth.get_transaction_receipt(plant.history()[0].tx_hash)
    days = SlotClock(clock)
    out: dict[str, int] = {"create_plant_3_owners": _gas(created)}

    # a's very first transfer: its ring word and b's are new storage
    day2 = days.day_slots(EPOCH_DAY + dt.timedelta(days=2))
    out["transfer_one_slot_first_use"] = _gas(plant.transfer(b.address, day2[40], day2[40], 500, sender=a))
    out["prepare_rows"] = _gas(plant.prepare_rows(a.address, sender=a))
    for who in (b, c):
        plant.prepare_rows(who.address, sender=who)

    def straddling(length: int, after: int) -> range:
        """``length`` slots crossing the first row boundary after slot ``after``."""
        boundary = (after // ROW + 1) * ROW
        return range(boundary - length // 2, boundary - length // 2 + length)

    def steady(slots: range, sender: LocalAccount, to: LocalAccount) -> tuple[int, int]:
        """(first transfer into the rows, a second one once the rows hold runs)."""
        first = _gas(plant.transfer_slots(to.address, slots, 300, sender=sender))
        second = _gas(plant.transfer_slots(to.address, slots, 200, sender=sender))
        return first, second

    # one slot, rows in steady state: a new row, then a row holding an earlier transfer
    day4 = days.day_slots(EPOCH_DAY + dt.timedelta(days=4))
    out["transfer_one_slot_new_row"] = _gas(plant.transfer(b.address, day4[50], day4[50], 500, sender=a))
    out["transfer_one_slot"] = _gas(plant.transfer(b.address, day4[60], day4[60], 500, sender=a))
    # 16 slots (4 hours) across a row boundary
    sixteen = straddling(16, days.day_slots(EPOCH_DAY + dt.timedelta(days=8))[0])
    out["transfer_16_slots_new_rows"], out["transfer_16_slots"] = steady(sixteen, a, b)
    # a whole local day (96 slots) — every day of 96 slots crosses a row boundary
    whole = days.day_slots(EPOCH_DAY + dt.timedelta(days=12))
    if len(whole) != 96 or whole[0] // ROW == whole[-1] // ROW:
        raise RuntimeError("the measured day must have 96 slots and cross a row boundary")
    out["transfer_96_slots_new_rows"], out["transfer_96_slots"] = steady(whole, c, b)

    # worst case: b breaks a's row into 128 runs (64 one-slot gifts), then a transfers
    frag = days.day_slots(EPOCH_DAY + dt.timedelta(days=16))
    row_start = (frag[0] // ROW + 1) * ROW
    for i in range(64):
        plant.transfer(a.address, row_start + 2 * i, row_start + 2 * i, 1, sender=b)
    out["transfer_one_slot_fragmented"] = _gas(plant.transfer(c.address, row_start + 9, row_start + 9, 1, sender=a))
    out["transfer_16_slots_fragmented"] = _gas(plant.transfer(c.address, row_start + 16, row_start + 31, 1, sender=a))

    # the consortium
    out["admit_owner"] = _gas(plant.admit(d.address, sender=consortium))
    out["revoke_owner"] = _gas(plant.revoke(a.address, d.address, sender=consortium))
    return out
