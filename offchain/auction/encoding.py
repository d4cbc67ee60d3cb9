"""The packed wire formats the market reads, and the money arithmetic it applies.

Everything here mirrors ``contracts/auction/AuctionMarket.sol`` byte for byte (tests
check the two agree):

- :class:`Clearing` — header ``uint8 pricing | uint64 price | uint16 orderCount``, then each
  order ``owner 20 | id 4 | flags 1 | energyWh 4 | limitPrice 8 | expiry 5 | fillWh 4``
  (46 bytes) plus its 65-byte signature unless it was posted on chain (flag bit 1; bit 0
  is the side), sorted by ascending (owner, id); pay-as-bid appends matches
  ``bidIndex 2 | askIndex 2 | energyWh 4``.
- :class:`Record` — a settlement record, one per owner: ``owner 20 | side 1 | energyWh 4 |
  amount 12 | fee 12`` (a buyer pays amount + fee, a seller receives amount).
- readings — one ``uint32`` delivered energy per record, in the records' order.

Money: prices are per MWh and energy is in Wh, so an amount is ``energy × price / 10^6``.
A buyer's cost rounds up and a seller's receipt down (the difference, at most one unit
per owner, goes to the DSO with the fees), so settling never creates money.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from .errors import EncodingError
from .orders import Order, Pricing, Side, SignedOrder

__all__ = [
    "WH_PER_MWH",
    "BPS",
    "RECORD_BYTES",
    "MarketParams",
    "Fill",
    "Match",
    "Clearing",
    "Record",
    "settlement_records",
    "pack_records",
    "unpack_records",
    "pack_readings",
    "ceil_div",
    "Deviation",
    "deviation",
]

WH_PER_MWH = 10**6
BPS = 10_000
HEADER_BYTES = 11
ITEM_BYTES = 46
SIGNATURE_BYTES = 65
RECORD_BYTES = 49
MATCH_BYTES = 8


def ceil_div(a: int, b: int) -> int:
    return -(-a // b)


@dataclass(frozen=True)
class MarketParams:
    """``MarketParams`` of ``AuctionTypes.sol``: the rules the DSO sets with notice."""

    const_fee_per_mwh: int = 0
    fee_bps: int = 0
    imbalance_price_per_mwh: int = 0
    penalty_bps: int = 0
    pricing: Pricing = Pricing.PAY_AS_CLEAR

    def __post_init__(self) -> None:
        object.__setattr__(self, "pricing", Pricing(self.pricing))

    def as_args(self) -> tuple[int, int, int, int, int]:
        return (
            self.const_fee_per_mwh,
            self.fee_bps,
            self.imbalance_price_per_mwh,
            self.penalty_bps,
            int(self.pricing),
        )

    def fee(self, energy_wh: int, cost: int) -> int:
        """The grid fee a buyer pays on top of ``cost`` for ``energy_wh``."""
        return ceil_div(energy_wh * self.const_fee_per_mwh, WH_PER_MWH) + ceil_div(cost * self.fee_bps, BPS)


@dataclass(frozen=True)
class Fill:
    """One matched order in a clearing: the signed (or posted) order and the energy it trades."""

    order: SignedOrder
    fill_wh: int


@dataclass(frozen=True)
class Match:
    """Pay-as-bid: ``energy_wh`` from the ask at index ``ask`` to the bid at index ``bid``
    (indices into the clearing's fills), traded at the bid's limit."""

    bid: int
    ask: int
    energy_wh: int


@dataclass(frozen=True)
class Clearing:
    """A slot's clearing as it is submitted: pricing rule, uniform price (pay-as-clear;
    0 for pay-as-bid), the matched orders by ascending (owner, id), and pay-as-bid matches."""

    slot: int
    pricing: Pricing
    price: int
    fills: tuple[Fill, ...]
    matches: tuple[Match, ...] = field(default=())

    @property
    def volume_wh(self) -> int:
        return sum(f.fill_wh for f in self.fills if f.order.order.is_bid)

    @property
    def welfare(self) -> int:
        """Σ bid limit × fill − Σ ask limit × fill (the tie-break after volume)."""
        return sum((1 if f.order.order.is_bid else -1) * f.fill_wh * f.order.order.limit_price for f in self.fills)

    def packed(self) -> bytes:
        """The ``clearing`` argument of ``submitClearing`` / ``challengeClearing``."""
        if len(self.fills) >= 2**16:
            raise EncodingError(f"a clearing lists at most 65,535 orders, not {len(self.fills)}")
        out = bytearray()
        out += int(self.pricing).to_bytes(1, "big") + self.price.to_bytes(8, "big") + len(self.fills).to_bytes(2, "big")
        for f in self.fills:
            o = f.order.order
            flags = int(o.side) | (2 if f.order.posted else 0)
            out += bytes.fromhex(o.owner[2:])
            out += o.id.to_bytes(4, "big") + bytes([flags]) + o.energy_wh.to_bytes(4, "big")
            out += o.limit_price.to_bytes(8, "big") + o.expiry.to_bytes(5, "big") + f.fill_wh.to_bytes(4, "big")
            if not f.order.posted:
                assert f.order.signature is not None
                if len(f.order.signature) != SIGNATURE_BYTES:
                    raise EncodingError(f"order signature of {len(f.order.signature)} bytes (65 expected)")
                out += f.order.signature
        for m in self.matches:
            out += m.bid.to_bytes(2, "big") + m.ask.to_bytes(2, "big") + m.energy_wh.to_bytes(4, "big")
        return bytes(out)


@dataclass(frozen=True)
class Record:
    """A settlement record: what one owner buys or sells in a slot and pays or receives."""

    owner: str
    side: Side
    energy_wh: int
    amount: int
    fee: int

    def packed(self) -> bytes:
        return (
            bytes.fromhex(self.owner[2:])
            + bytes([int(self.side)])
            + self.energy_wh.to_bytes(4, "big")
            + self.amount.to_bytes(12, "big")
            + self.fee.to_bytes(12, "big")
        )

    @property
    def pays(self) -> int:
        """What the owner pays in total (a buyer: energy cost plus fee; a seller: 0)."""
        return self.amount + self.fee if self.side is Side.BID else 0


def pack_records(records: Iterable[Record]) -> bytes:
    return b"".join(r.packed() for r in records)


def unpack_records(data: bytes) -> list[Record]:
    """Records from their packed form (as ``ClearingSubmitted`` emits them)."""
    from eth_utils import to_checksum_address

    if len(data) % RECORD_BYTES:
        raise EncodingError(f"{len(data)} bytes is not a whole number of {RECORD_BYTES}-byte records")
    out = []
    for pos in range(0, len(data), RECORD_BYTES):
        chunk = data[pos : pos + RECORD_BYTES]
        out.append(
            Record(
                to_checksum_address(chunk[:20]),
                Side(chunk[20]),
                int.from_bytes(chunk[21:25], "big"),
                int.from_bytes(chunk[25:37], "big"),
                int.from_bytes(chunk[37:49], "big"),
            )
        )
    return out


def pack_readings(delivered_wh: Sequence[int]) -> bytes:
    """The ``readings`` argument of ``settleDeviations``: one uint32 per record."""
    try:
        return b"".join(int(d).to_bytes(4, "big") for d in delivered_wh)
    except OverflowError as exc:
        raise EncodingError(f"a reading does not fit 32 bits: {exc}") from exc


def settlement_records(clearing: Clearing, params: MarketParams) -> list[Record]:
    """The records the market computes for ``clearing`` under ``params`` (one per owner, in
    the clearing's order): the off-chain twin of the contract's arithmetic."""
    groups: list[tuple[Order, list[Fill]]] = []
    for f in clearing.fills:
        o = f.order.order
        if groups and groups[-1][0].owner == o.owner:
            groups[-1][1].append(f)
        else:
            groups.append((o, [f]))
    receipts: dict[int, int] = {}
    if clearing.pricing is Pricing.PAY_AS_BID:
        group_of = []
        for g, (_, fills) in enumerate(groups):
            group_of += [g] * len(fills)
        for m in clearing.matches:
            bid_limit = clearing.fills[m.bid].order.order.limit_price
            g = group_of[m.ask]
            receipts[g] = receipts.get(g, 0) + m.energy_wh * bid_limit // WH_PER_MWH
    records = []
    for g, (first, fills) in enumerate(groups):
        wh = sum(f.fill_wh for f in fills)
        if first.is_bid:
            if clearing.pricing is Pricing.PAY_AS_BID:
                cost = sum(ceil_div(f.fill_wh * f.order.order.limit_price, WH_PER_MWH) for f in fills)
            else:
                cost = ceil_div(wh * clearing.price, WH_PER_MWH)
            records.append(Record(first.owner, Side.BID, wh, cost, params.fee(wh, cost)))
        else:
            pay_as_bid = clearing.pricing is Pricing.PAY_AS_BID
            amount = receipts.get(g, 0) if pay_as_bid else wh * clearing.price // WH_PER_MWH
            records.append(Record(first.owner, Side.ASK, wh, amount, 0))
    return records


@dataclass(frozen=True)
class Deviation:
    """One account's delivery against its trade, settled with the DSO."""

    short_wh: int
    long_wh: int
    owed: int
    credit: int


def deviation(record: Record, delivered_wh: int, params: MarketParams) -> Deviation:
    """Short: took more than bought, or delivered less than sold — owes the imbalance price
    plus the penalty (rounded up). Long: the other way round — is credited the imbalance
    price minus the penalty (rounded down)."""
    traded = record.energy_wh
    if record.side is Side.BID:
        short, long = max(0, delivered_wh - traded), max(0, traded - delivered_wh)
    else:
        short, long = max(0, traded - delivered_wh), max(0, delivered_wh - traded)
    price = params.imbalance_price_per_mwh
    owed = ceil_div(short * price * (BPS + params.penalty_bps), WH_PER_MWH * BPS)
    credit = long * price * (BPS - params.penalty_bps) // (WH_PER_MWH * BPS)
    return Deviation(short, long, owed, credit)
