"""Households and operators run auction slots through the client users call: orders over
a transport, a partial clearing replaced by a better one, settlement, deviations, bills."""

from __future__ import annotations

import random

from rich.console import Console

from offchain.auction.agents import OperatorAgent, TraderState
from offchain.auction.client import AuctionClient
from offchain.auction.demo import run_scenario
from offchain.auction.orders import SlotStatus
from offchain.kernel.anvil import anvil_keys


def test_slots_are_cleared_challenged_settled_and_billed(chain_rpc, tmp_path):
    keys = anvil_keys(10)
    result = run_scenario(chain_rpc, keys, tmp_path, random.Random(3), Console(quiet=True), slots=2)
    market = AuctionClient(chain_rpc, result.market)
    assert len(result.slots) == 2
    for report in result.slots:
        assert market.clearing(report.slot).status is SlotStatus.RECONCILED
        assert report.volume_wh >= report.first_volume_wh > 0
    assert any(r.challenged for r in result.slots)
    # the bills add up to the money that moved: what buyers spent is what sellers earned
    # plus the rounding, and every home's balance is its deposit plus its bill's net
    bills = result.bills
    spent = sum(b.spent for b in bills.values())
    earned = sum(b.earned for b in bills.values())
    assert 0 <= spent - earned <= sum(len(b.slots) for b in bills.values())
    for home in keys[3:]:
        bill = bills.get(home.address)
        balance = market.funds(home.address).balance
        assert balance == 10**16 + (bill.net if bill else 0)
    # the agents followed their orders to the end
    agent_state = (tmp_path / "home-0.json").read_text()
    assert TraderState.RECONCILED.value in agent_state or TraderState.UNMATCHED.value in agent_state


def test_the_operator_keeps_only_orders_signed_by_their_owner(chain_rpc, tmp_path):
    from eth_account import Account

    from offchain.auction.agents import encode_order
    from offchain.auction.orders import Order, Side, sign_order
    from offchain.auction.solver import Grid

    keys = anvil_keys(2)
    market = AuctionClient.deploy(chain_rpc, sender=keys[0])
    op = OperatorAgent(market, keys[1], tmp_path / "op.json", route_key=b"op", grid=Grid({}, {}))
    owner, forger = Account.create(), Account.create()
    order = Order(owner.address, 10, 1, Side.BID, 100, 1, 10**10)
    good = sign_order(order, owner.key, chain_rpc.chain_id, market.address)
    bad = sign_order(order, forger.key, chain_rpc.chain_id, market.address)
    assert op.accept(encode_order(bad)) is None and op.rejected == 1
    assert op.accept(encode_order(good)) == good
    # its book survives a restart
    again = OperatorAgent(market, keys[1], tmp_path / "op.json", route_key=b"op", grid=Grid({}, {}))
    assert again.book[10][order.key] == good
