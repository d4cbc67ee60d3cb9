"""Deploy step of the ``auction`` mechanism (registered in :mod:`offchain.auction.mechanism`)."""

from __future__ import annotations

from eth_account.signers.local import LocalAccount

from ..kernel.chain import Chain
from .client import AuctionClient
from .encoding import MarketParams

__all__ = ["deploy", "DEFAULT_PARAMS"]

#: HAMLET-like rules in wei per MWh: grid fee 0.5 finney/MWh + 2 %, imbalance 0.2 ether/MWh, 20 % penalty
DEFAULT_PARAMS = MarketParams(
    const_fee_per_mwh=5 * 10**14, fee_bps=200, imbalance_price_per_mwh=2 * 10**17, penalty_bps=2_000
)


def deploy(chain: Chain, deployer: LocalAccount | str, deployed: dict[str, str]) -> dict[str, str]:
    """Deploy ``AuctionMarket`` in ether, real-time 15-minute slots, the deployer as governor
    and DSO (the demo redeploys its own market on a compressed clock)."""
    market = AuctionClient.deploy(chain, sender=deployer, params=DEFAULT_PARAMS)
    return {"AuctionMarket": market.address}
