"""How the shared funds tests (tests/common) drive AuctionMarket's ledger: a bid filled in
a slot's clearing freezes its buyer's payment.

The market runs with no grid fees and a uniform price of 10^6 per MWh (one unit per Wh),
so a clearing of ``amount`` Wh freezes exactly ``amount``. Both orders are posted on chain
(the shared tests' accounts hold no private keys): the owner bids, the governor — also
the DSO and a registered seller — asks and submits the clearing, each in a fresh slot.
The auction spends no owner nonces (orders carry one-time ids per slot), so ``use_nonce``
is not given.
"""

from __future__ import annotations

from offchain.auction.encoding import Clearing, Fill, MarketParams
from offchain.auction.orders import Order, Pricing, Side, SignedOrder

from tests.common.ledger_harness import LedgerSpec

CLOCK = (0, 0, 900, 60, 1)
EXPIRY = 2**40 - 1
PRICE = 10**6
CAP = 2**32 - 1
_NEXT: dict[str, int] = {}


def _deploy(project, governor, asset):
    params = MarketParams(const_fee_per_mwh=0, fee_bps=0, imbalance_price_per_mwh=0, penalty_bps=0)
    market = project.AuctionMarket.deploy(
        governor, governor, asset, CLOCK, 60, 1, 100_000, params.as_args(), {"from": governor}
    )
    market.setFeeder(1, 2**64 - 1, 2**64 - 1, {"from": governor})
    market.setAccount(governor, 1, CAP, CAP, {"from": governor})
    _NEXT[market.address] = 0
    return market


def _freeze(market, who, amount: int) -> None:
    """A clearing in a fresh slot where ``who`` buys ``amount`` Wh from the governor."""
    dso = market.dsoAccount()
    _NEXT[market.address] += 1
    slot = int(market.currentSlot()) + 2 + _NEXT[market.address]
    if int(market.accountOf(who)[0]) == 0:
        market.setAccount(who, 1, CAP, CAP, {"from": dso})
    bid = Order(who.address, slot, 1, Side.BID, amount, PRICE, EXPIRY)
    ask = Order(dso, slot, 1, Side.ASK, amount, PRICE, EXPIRY)
    market.postOrder(bid.as_args(), {"from": who})
    market.postOrder(ask.as_args(), {"from": dso})
    fills = sorted((Fill(SignedOrder(o, None), amount) for o in (bid, ask)), key=lambda f: f.order.order.key)
    market.submitClearing(slot, Clearing(slot, Pricing.PAY_AS_CLEAR, PRICE, tuple(fills)).packed(), {"from": dso})


SPEC = LedgerSpec(name="auction", deploy=_deploy, freeze=_freeze)
