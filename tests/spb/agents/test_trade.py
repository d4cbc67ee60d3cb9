"""Whole trades run by the agents only: negotiate → CTP → deliver → ERC → settle."""

from offchain.spb.agents import negotiate_trade
from offchain.spb.market import Funds


def test_trade_with_an_on_chain_ctp_settles_and_pays_the_producer(consumer, producer, meter):
    balance_before = consumer.funds().balance
    deal = negotiate_trade(consumer, producer, amount_wh=5_000)
    ctp = consumer.commit(deal)
    assert consumer.funds() == Funds(balance_before, deal.price)  # frozen until settlement
    producer.follow()
    producer.accept(ctp)
    erc = meter.confirm_delivery(ctp, deal)
    receipt = producer.settle(ctp, erc)
    assert receipt["status"] == 1
    assert consumer.funds() == Funds(balance_before - deal.price, 0)
    assert producer.collect() == deal.price
    consumer.follow()
    assert consumer.state["ctps"][producer.market.ctp_id(ctp).hex()]["status"] == "settled"


def test_trade_in_the_single_transaction_form_settles(consumer, producer, meter):
    balance_before = consumer.funds().balance
    deal = negotiate_trade(consumer, producer, amount_wh=2_000)
    ctp, signature = consumer.sign(deal)
    assert consumer.funds() == Funds(balance_before, 0)  # nothing on chain before settlement
    producer.accept(ctp)
    erc = meter.confirm_delivery(ctp, deal)
    producer.settle(ctp, erc, consumer_signature=signature)
    assert consumer.funds() == Funds(balance_before - deal.price, 0)
    assert producer.collect() == deal.price


def test_negotiated_price_lies_between_the_reservations(consumer, producer):
    deal = negotiate_trade(consumer, producer, amount_wh=1_000)
    seller_floor = producer.rates[1] * 1_000
    buyer_ceiling = consumer.rates[1] * 1_000
    assert seller_floor <= deal.price <= buyer_ceiling
