"""Helpers shared by the auction contract tests (imported as ``tests.auction.contracts.helpers``).

Prices are in payment-asset units (wei here) per MWh and energy in Wh, so that a trade's
money is ``energy × price / 10^6`` — the figures below keep every example checkable by hand.
"""

from __future__ import annotations

import re

import brownie

from offchain.auction.encoding import Clearing, Fill, MarketParams, Match, pack_records, settlement_records
from offchain.auction.orders import Order, Pricing, Side, SignedOrder, sign_order

ETHER = "0x" + "00" * 20
SLOT_SECONDS = 900
#: real-time clock in UTC+1 with the EU rule (Europe/Vienna): (genesis, epoch, slotSeconds, offset, dst)
CLOCK = (0, 0, SLOT_SECONDS, 60, 1)
CHALLENGE_WINDOW = 300
NOTICE_SLOTS = 4
MAX_AHEAD = 96
#: const fee 10,000 per MWh (10 per kWh), 5 % of the energy cost; imbalance 200,000 per MWh, 20 % penalty
PARAMS = MarketParams(const_fee_per_mwh=10_000, fee_bps=500, imbalance_price_per_mwh=200_000, penalty_bps=2_000)
DEPOSIT = 10**9
PRICE = 150_000  # per MWh: 150 per kWh
FEEDER = 1
CAP = 1_000_000  # Wh per slot, for every registered account
ANY = object()  #: matches any value of one error argument


def fmt(value) -> str:
    """Format a value like brownie's decoded custom-error message does."""
    if isinstance(value, bytes | bytearray):
        return str(bytes(value))
    if isinstance(value, str):
        return value.lower()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(int(value))  # enums too
    return str(value)


def reverts(error: str, *args):
    """``brownie.reverts`` for a custom error with these exact arguments (``ANY`` matches one)."""
    parts = [".*" if a is ANY else re.escape(fmt(a)) for a in args]
    pattern = f"{re.escape(error)}: {', '.join(parts)}" if args else f"{re.escape(error)}(: .*)?$"
    return brownie.reverts(revert_pattern=pattern)


def now(chain) -> int:
    """Timestamp of the latest block."""
    return chain[-1].timestamp


def set_next_time(t: int) -> None:
    brownie.web3.provider.make_request("evm_setNextBlockTimestamp", [t])


def advance_to(chain, t: int) -> None:
    """Mine a block at chain time ``t`` (or one second on, if ``t`` has passed)."""
    set_next_time(max(t, now(chain) + 1))
    brownie.web3.provider.make_request("evm_mine", [])


def funds(market, owner) -> tuple[int, int]:
    balance, frozen = market.fundsOf(owner)
    return int(balance), int(frozen)


class Trader:
    """A trading account with a private key: signs orders for one market."""

    def __init__(self, account, market, chain_id: int) -> None:
        self.account = account
        self.market = market
        self.chain_id = chain_id
        self.next_id = 1

    @property
    def address(self) -> str:
        return self.account.address

    def __str__(self) -> str:
        return self.address

    def order(self, side: Side, energy: int, limit: int, *, slot: int, expiry: int, id: int | None = None) -> Order:
        if id is None:
            id, self.next_id = self.next_id, self.next_id + 1
        return Order(self.address, slot, id, side, energy, limit, expiry)

    def sign(self, order: Order, *, key: str | None = None) -> SignedOrder:
        return sign_order(order, key or self.account.private_key, self.chain_id, self.market.address)

    def bid(self, energy: int, limit: int, **kw) -> SignedOrder:
        return self.sign(self.order(Side.BID, energy, limit, **kw))

    def ask(self, energy: int, limit: int, **kw) -> SignedOrder:
        return self.sign(self.order(Side.ASK, energy, limit, **kw))


def clearing(
    slot: int,
    fills: list[tuple[SignedOrder, int]],
    price: int = PRICE,
    *,
    pricing: Pricing = Pricing.PAY_AS_CLEAR,
    matches: list[tuple[int, int, int]] | None = None,
    keep_order: bool = False,
) -> Clearing:
    """A clearing of ``fills`` (sorted by (owner, id) unless ``keep_order``)."""
    items = fills if keep_order else sorted(fills, key=lambda f: f[0].order.key)
    return Clearing(
        slot,
        pricing,
        0 if pricing is Pricing.PAY_AS_BID else price,
        tuple(Fill(o, q) for o, q in items),
        tuple(Match(*m) for m in matches or ()),
    )


def records_of(c: Clearing, params: MarketParams = PARAMS) -> bytes:
    return pack_records(settlement_records(c, params))
