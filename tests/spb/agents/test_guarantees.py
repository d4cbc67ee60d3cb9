"""What the agents do to keep the hardening's guarantees: the meter confirms only its own
household's CTP, the producer freezes a signed CTP before delivering, batches are lenient."""

import random

import pytest

from offchain.kernel.anvil import anvil_keys
from offchain.kernel.errors import TransactionFailedError
from offchain.spb.agents import AgentError, ContractHashMismatchError, negotiate_trade
from offchain.spb.market import CommitmentStatus, Funds
from offchain.spb.scenario import CtpForm, build_population, run_trade


@pytest.fixture(scope="module")
def population(chain_rpc, tmp_path_factory):
    """Like the folder's population, with pools large enough for this module's trades (the
    chain is reverted after each test, the meters' journals are not)."""
    workdir = tmp_path_factory.mktemp("spb-guarantees")
    return build_population(
        chain_rpc, anvil_keys(8), workdir, producers=2, consumers=3, pool_size=32, group_size=2, rng=random.Random(11)
    )


def test_a_signed_trade_is_frozen_by_the_producer_before_delivery(population, consumer, producer, meter):
    before = consumer.funds().balance
    deal = negotiate_trade(consumer, producer, amount_wh=2_000)
    ctp, signature = consumer.sign(deal)
    producer.accept(ctp)
    producer.freeze(ctp, signature)
    assert population.market.status(ctp) == CommitmentStatus.PENDING
    assert consumer.funds() == Funds(before, deal.price)
    with pytest.raises(TransactionFailedError) as refused:  # the consumer tries to take it back
        consumer.market.withdraw(before, sender=consumer.key)
    assert refused.value.error_name == "FundsInsufficient"
    erc = meter.confirm_delivery(ctp, deal)
    producer.settle(ctp, erc)  # on chain now: no signature needed
    assert consumer.funds() == Funds(before - deal.price, 0)


def test_run_trade_freezes_signed_ctps_by_default(population):
    result = run_trade(population, 1, 0, amount_wh=1_500, form=CtpForm.SIGNED)
    assert set(result.gas) == {"freeze_signed", "settle"}
    producer = population.producers[0]
    producer.freeze_signed = False  # the cheaper single transaction, at the producer's own risk
    try:
        result = run_trade(population, 1, 0, amount_wh=1_500, form=CtpForm.SIGNED)
    finally:
        producer.freeze_signed = True
    assert set(result.gas) == {"settle_signed"}


def test_a_consumers_frozen_signed_ctp_that_is_never_delivered_comes_back(population, consumer, producer):
    from offchain.spb.scenario import _advance

    before = consumer.funds().balance
    deal = negotiate_trade(consumer, producer, amount_wh=1_000)
    ctp, signature = consumer.sign(deal, ttl=120)
    producer.freeze(ctp, signature)
    _advance(population.chain, 121)
    assert consumer.release_expired() == [population.market.ctp_id(ctp)]
    assert consumer.funds() == Funds(before, 0)


def test_a_meter_confirms_only_ctps_that_name_its_own_key(population, consumer, producer, meter):
    """Another household's meter (here: the other consumer's) refuses to sign for this deal."""
    other_meter = population.meters[0]
    assert other_meter is not meter
    deal = negotiate_trade(consumer, producer, amount_wh=1_000)
    ctp = consumer.commit(deal)
    with pytest.raises(AgentError, match="reserved no key"):
        other_meter.confirm_delivery(ctp, deal)
    erc = meter.confirm_delivery(ctp, deal)
    assert erc.signer == deal.meter_key


def test_a_meter_refuses_a_ctp_whose_hash_names_another_key(population, consumer, producer, meter):
    deal = negotiate_trade(consumer, producer, amount_wh=1_000)
    other = negotiate_trade(consumer, producer, amount_wh=1_000)  # a second reservation
    ctp = consumer.commit(other)
    with pytest.raises(ContractHashMismatchError, match="does not name"):
        meter.confirm_delivery(ctp, deal)


def test_a_lenient_batch_settles_the_rest_when_a_stranger_lifts_one_item(population, consumer, producer, meter):
    """Someone copies one item out of the producer's batch while it waits in the mempool and
    gets it mined first: an atomic batch would revert as a whole; the agents' batch is
    lenient by default and skips that item only."""
    market = population.market
    items, deals = [], []
    for _ in range(3):
        deal = negotiate_trade(consumer, producer, amount_wh=800)
        ctp, signature = consumer.sign(deal)
        producer.accept(ctp)
        items.append((ctp, signature, meter.confirm_delivery(ctp, deal)))
        deals.append(deal)
    lifted_ctp, lifted_sig, lifted_erc = items[1]
    send_batch = market.settle_batch

    def front_run_then_send(batch, **kwargs):
        # the stranger's copy of item 1 is mined first, right before the producer's batch
        market.settle_signed(lifted_ctp, lifted_sig, deals[1].terms, lifted_erc, sender=population.governor)
        return send_batch(batch, **kwargs)

    market.settle_batch = front_run_then_send
    try:
        tx = producer.settle_batch(items)  # lenient by default
    finally:
        market.settle_batch = send_batch
    assert [e["index"] for e in market.events(tx, "SettlementSkipped")] == [1]
    assert len(market.events(tx, "Settled")) == 2
    assert producer.collect() == sum(d.price for d in deals)  # the lifted item paid it too
