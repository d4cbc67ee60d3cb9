"""Trades that go wrong: no delivery, wrong contract hash, restarts, exhausted keys."""

import shutil

import pytest

from offchain.spb.agents import ConsumerAgent, ContractHashMismatchError, MeterAgent, ProducerAgent, negotiate_trade
from offchain.spb.eip712 import CommitToPay
from offchain.spb.market import Funds
from offchain.spb.meter import Meter
from offchain.spb.scenario import run_trade


def test_producer_that_never_delivers_gets_nothing_and_funds_come_back(population, consumer, producer):
    balance_before = consumer.funds().balance
    earnings_before = producer.market.account(producer.account_id).earnings
    result = run_trade(population, 2, 0, amount_wh=3_000, deliver=False, ttl=120)
    assert result.outcome == "released"
    assert consumer.funds() == Funds(balance_before, 0)
    assert producer.market.account(producer.account_id).earnings == earnings_before


def test_producer_refuses_a_ctp_whose_contract_hash_it_never_agreed(consumer, producer):
    deal = negotiate_trade(consumer, producer, amount_wh=1_000)
    honest = consumer.commit(deal)
    tampered = CommitToPay(**{**honest.__dict__, "contract_hash": bytes(32)})
    with pytest.raises(ContractHashMismatchError, match="matches no terms"):
        producer.accept(tampered)


def test_meter_restart_mid_trade_still_settles_exactly_once(population, consumer, producer, meter):
    deal = negotiate_trade(consumer, producer, amount_wh=1_500)
    ctp = consumer.commit(deal)
    first = meter.confirm_delivery(ctp, deal)
    # the meter process dies after signing; a new one opens the same keystore and state
    reopened = Meter.open(meter.meter.path, population.passphrase)
    restarted = MeterAgent(meter.name, meter.chain, meter.market, reopened, meter.state_path)
    again = restarted.confirm_delivery(ctp, deal)
    assert again.as_args() == first.as_args()  # the same receipt, not a second key
    assert reopened.unused_keys() == meter.meter.unused_keys()
    assert producer.settle(ctp, again)["status"] == 1
    assert producer.settle(ctp, first) is None  # already settled: nothing sent
    settled = producer.market.contract.events.Settled().get_logs(from_block=0)
    assert sum(1 for e in settled if bytes(e["args"]["ctpId"]) == producer.market.ctp_id(ctp)) == 1


def test_producer_crash_after_sending_does_not_settle_twice(population, consumer, producer, meter, tmp_path):
    deal = negotiate_trade(consumer, producer, amount_wh=1_200)
    ctp, signature = consumer.sign(deal)
    producer.accept(ctp)
    stale_state = tmp_path / "producer-before-settle.json"
    shutil.copy(producer.state_path, stale_state)  # the state as it was before the crash
    erc = meter.confirm_delivery(ctp, deal)
    producer.settle(ctp, erc, consumer_signature=signature)
    revived = ProducerAgent(producer.name, producer.chain, producer.market, producer.key, stale_state)
    assert revived.settle(ctp, erc, consumer_signature=signature) is None
    assert revived.state["ctps"][producer.market.ctp_id(ctp).hex()]["status"] == "settled"


def test_consumer_never_reuses_a_nonce_after_a_restart(population, consumer, producer):
    deal = negotiate_trade(consumer, producer, amount_wh=800)
    first, _ = consumer.sign(deal)
    revived = ConsumerAgent(consumer.name, consumer.chain, consumer.market, consumer.key, consumer.state_path)
    second, _ = revived.sign(deal)
    assert second.nonce == first.nonce + 1


def test_agent_refuses_a_state_file_of_another_role(population, producer, consumer):
    from offchain.spb.agents import AgentError

    with pytest.raises(AgentError, match="holds the state of a producer"):
        ConsumerAgent("x", consumer.chain, consumer.market, consumer.key, producer.state_path)
