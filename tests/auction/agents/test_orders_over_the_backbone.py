"""Households send their signed orders to an operator over the anonymous routing backbone
(``ArbTransport`` on regular nodes joined to backbone processes); the operator keeps the
validly signed ones and clears the slot with them."""

from __future__ import annotations

import asyncio

from eth_account import Account

from offchain.auction.agents import Forecast, OperatorAgent, TraderAgent
from offchain.auction.client import AuctionClient
from offchain.auction.solver import AccountLimits, FeederLimits, Grid
from offchain.kernel.anvil import anvil_keys
from offchain.kernel.crypto import new_private_key, public_key
from offchain.routing import ArbTransport, BackboneCluster, RegularNode


def test_orders_gathered_over_the_backbone_are_cleared(chain_rpc, tmp_path):
    keys = anvil_keys(2)
    market = AuctionClient.deploy(chain_rpc, sender=keys[0])
    slot = market.current_slot() + 4
    homes = [Account.create() for _ in range(3)]
    grid = Grid({h.address: AccountLimits(1, 10_000, 10_000) for h in homes}, {1: FeederLimits(10**9, 10**9)})
    route = [new_private_key() for _ in range(4)]  # three homes and the operator
    cluster = BackboneCluster(2).start()
    try:

        async def run() -> int:
            nodes = [RegularNode([k], cluster.addresses) for k in route]
            await asyncio.gather(*(n.start() for n in nodes))
            transport = ArbTransport(nodes)
            operator = OperatorAgent(market, keys[1], tmp_path / "op.json", route_key=public_key(route[3]), grid=grid)
            forecasts = [Forecast(2_000, 500), Forecast(0, 800), Forecast(100, 600)]
            for i, (home, forecast) in enumerate(zip(homes, forecasts, strict=True)):
                trader = TraderAgent(market, home, tmp_path / f"home-{i}.json", route_key=public_key(route[i]))
                signed = trader.order_for(slot, forecast, expiry=10**10)
                await trader.send(transport, operator.route_key, signed)
            kept = await operator.gather(transport, 3, timeout=20)
            await asyncio.gather(*(n.close() for n in nodes))
            solution = operator.solve(slot)
            assert solution.volume_wh == 1_300  # 0.8 + 0.5 kWh of bids filled from the 1.5 kWh surplus
            return kept

        assert asyncio.run(run()) == 3
    finally:
        cluster.stop()
