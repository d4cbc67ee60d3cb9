"""Helpers shared by the PETra contract tests (import by package path:
``from tests.petra.contracts.helpers import ...``)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import brownie

from offchain.common.slots import SlotConfig

ETHER = "0x" + "00" * 20
PRODUCTION, CONSUMPTION = 0, 1
HELD, OFFERED, MATCHED, NONE = 0, 1, 2, 3
INTERNAL, EXPORT, IMPORT = 0, 1, 2
REAL_TIME = SlotConfig().as_args()  #: the slot clock in real time (900 s slots, Vienna)
HORIZON = 672
WATT_SLOTS_PER_MWH = 4_000_000
DSO_ROLE = brownie.web3.keccak(text="DSO_ROLE")

#: feeders: 1 and 2 (internal limit, import/export limit, W)
FEEDERS = {1: (20_000, 8_000), 2: (20_000, 8_000)}
#: prosumers: id -> (feeder, max production W, max consumption W)
PROSUMERS = {1: (1, 10_000, 4_000), 2: (1, 3_000, 10_000), 3: (2, 10_000, 10_000)}
DEPOSIT = 1_000_000  #: cents (10,000 euros) each party deposits
PRICE = 25_000  #: cents per MWh (25 c/kWh)


def fmt(value) -> str:
    """Format a value like brownie's decoded custom-error message does."""
    if isinstance(value, bytes | bytearray):
        return str(bytes(value))
    if isinstance(value, str):
        return value.lower()
    return str(value)


ANY = object()  #: matches any value of one error argument


def reverts(error: str, *args):
    """``brownie.reverts`` for a custom error with these exact arguments (``ANY`` matches one)."""
    parts = [".*" if a is ANY else re.escape(fmt(a)) for a in args]
    pattern = f"{re.escape(error)}: {', '.join(parts)}" if args else f"{re.escape(error)}.*"
    return brownie.reverts(revert_pattern=pattern)


def cost(power: int, slots: int, price: int) -> int:
    return power * slots * price // WATT_SLOTS_PER_MWH


@dataclass(frozen=True)
class Content:
    """An asset's content as its token id encodes it."""

    kind: int
    feeder: int
    power: int
    first: int
    last: int
    position: int


def decode(token_id: int) -> Content:
    position = token_id & (2**40 - 1)
    c = token_id >> 40
    count, first, power, feeder, kind = c & 0xFF, (c >> 8) & 0xFFFFFF, (c >> 32) & 0xFFFFFF, (c >> 56) & 0xFF, c >> 64
    return Content(kind, feeder, power, first, first + count - 1, position)


def encode(kind: int, feeder: int, power: int, first: int, last: int, position: int) -> int:
    content = (last - first + 1) | (first << 8) | (power << 32) | (feeder << 56) | (kind << 64)
    return (content << 40) | position


def current_slot(market) -> int:
    return int(market.currentSlot())


def now(chain) -> int:
    return chain[-1].timestamp


def advance_slots(chain, slots: int) -> None:
    """Move the chain's clock forward by whole slots (real-time clock) and mine a block."""
    chain.sleep(slots * 900)
    chain.mine()


def funds(market, owner) -> tuple[int, int]:
    balance, frozen = market.fundsOf(owner)
    return int(balance), int(frozen)


def asset(market, token_id) -> tuple:
    """(owner, kind, status, feeder, power, first, last, price) as plain values."""
    a = market.assetOf(token_id)
    return (str(a[0]), int(a[1]), int(a[2]), int(a[3]), int(a[4]), int(a[5]), int(a[6]), int(a[7]))


def minted_id(tx) -> int:
    return int(tx.events["TransferSingle"][-1]["id"])


def pieces(tx, owner) -> list[int]:
    """Ids minted back to ``owner`` by a split in ``tx`` (matched piece first)."""
    batches = tx.events["TransferBatch"] if "TransferBatch" in tx.events else []  # noqa: SIM401 - brownie's EventDict
    for ev in batches:
        if ev["to"] == owner and int(ev["from"], 16) == 0:
            return [int(i) for i in ev["ids"]]
    return []


def hints(*positions: int) -> int:
    """Pack free positions for ``accept``'s ``positionHints`` (first used first)."""
    packed = 0
    for i, p in enumerate(positions):
        packed |= p << (40 * i)
    return packed
