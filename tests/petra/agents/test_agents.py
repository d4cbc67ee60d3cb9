"""The PETra agents: the DSO mints within capacity, traders trade from the book, state persists."""

from __future__ import annotations

import pytest

from offchain.petra.agents import ConsumerAgent, HoldingState
from offchain.petra.client import AssetKind, AssetStatus
from offchain.petra.errors import AgentError, NoMatchError

P, C = AssetKind.PRODUCTION, AssetKind.CONSUMPTION


def test_the_dso_refuses_a_mint_beyond_capacity_before_sending_naming_slot_and_excess(dso, market):
    s = market.current_slot() + 2
    dso.mint(1, P, 4_000, s, s + 1)
    sent = market.next_position()
    with pytest.raises(AgentError, match=rf"slot {s + 1} would be 7000 W, 1000 W over its capacity 6000 W"):
        dso.mint(1, P, 3_000, s + 1, s + 2)
    assert market.next_position() == sent
    assert dso.headroom(1, P, s, s + 2) == 2_000


def test_the_dso_mints_to_the_prosumers_anonymous_account(dso, market, keys):
    token = dso.mint(2, C, 1_500, market.current_slot() + 2, market.current_slot() + 3)
    asset = market.asset(token)
    assert asset.owner == keys[2].address and asset.kind is C and asset.power == 1_500


def test_an_unregistered_prosumer_gets_nothing_minted(dso):
    with pytest.raises(AgentError, match="prosumer 9 is not registered"):
        dso.mint(9, P, 1_000, 10**6, 10**6)


def test_money_in_and_out_goes_through_the_dso(dso, consumer, fiat, market, keys):
    dso.pay_in(consumer.address, 10_000)
    consumer.deposit(6_000)
    assert market.funds(consumer.address).balance == 6_000 and fiat.balance(consumer.address) == 4_000
    dso.pay_out(keys[2], 4_000)
    assert fiat.balance(consumer.address) == 0 and fiat.redeemed() == 4_000


def test_a_consumer_buys_the_overlap_from_the_cheapest_ask_and_keeps_the_leftovers(dso, producer, consumer, market):
    s = market.current_slot() + 2
    ask = dso.mint(1, P, 3_000, s, s + 3)
    want = dso.mint(2, C, 2_000, s + 2, s + 5)
    producer.receive(ask)
    consumer.receive(want)
    dso.pay_in(consumer.address, 1_000)
    consumer.deposit(1_000)
    producer.offer(ask, 40_000)
    [trade] = consumer.trade(want, limit_price=40_000)
    assert (trade.portion.power, trade.portion.first, trade.portion.last) == (2_000, s + 2, s + 3)
    assert trade.cost == 2_000 * 2 * 40_000 // 4_000_000
    after, *_ = [market.asset(i) for i in trade.asset_pieces[1:]]
    assert (after.first, after.last, after.status) == (s + 4, s + 5, AssetStatus.HELD)
    producer.sync()
    held = {market.asset(h.id).first: market.asset(h.id).power for h in producer.holdings(HoldingState.HELD)}
    assert held == {s: 3_000, s + 2: 1_000}  # before the portion, and the power left over
    assert [h.id for h in producer.holdings(HoldingState.MATCHED)] == [trade.offer_pieces[0]]


def test_a_trader_with_nothing_to_trade_against_says_so(dso, consumer, market):
    s = market.current_slot() + 2
    want = dso.mint(2, C, 1_000, s, s)
    consumer.receive(want)
    with pytest.raises(NoMatchError, match="no offer in the book fits"):
        consumer.trade(want, limit_price=10**6)


def test_an_agents_state_survives_a_restart(dso, consumer, market, keys, tmp_path):
    token = dso.mint(2, C, 1_000, market.current_slot() + 2, market.current_slot() + 2)
    consumer.receive(token)
    again = ConsumerAgent("consumer", keys[2], market, tmp_path / "consumer.json")
    assert [(h.id, h.state) for h in again.holdings()] == [(token, HoldingState.HELD)]


def test_an_agent_refuses_to_note_someone_elses_asset(dso, producer, market):
    token = dso.mint(2, C, 1_000, market.current_slot() + 2, market.current_slot() + 2)
    with pytest.raises(AgentError, match="belongs to"):
        producer.receive(token)


def test_a_corrupt_state_file_is_a_one_line_error(keys, market, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{not json")
    with pytest.raises(AgentError, match="is not JSON"):
        ConsumerAgent("c", keys[2], market, path)
