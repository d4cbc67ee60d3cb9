"""The off-chain twins of the market's wire formats and arithmetic."""

from __future__ import annotations

import pytest
from eth_account import Account

from offchain.auction.agents import decode_order, encode_order
from offchain.auction.encoding import MarketParams, Record, pack_records, unpack_records
from offchain.auction.errors import BookError, OrderSignatureError
from offchain.auction.orders import Order, Side, recover_order_signer, sign_order

MARKET = "0x" + "42" * 20


def test_records_round_trip():
    records = [Record("0x" + "11" * 20, Side.BID, 2_000, 300, 35), Record("0x" + "22" * 20, Side.ASK, 2_000, 300, 0)]
    packed = pack_records(records)
    assert len(packed) == 2 * 49
    assert unpack_records(packed) == records


def test_fees_are_paid_on_top_of_the_energy_cost_rounded_up():
    params = MarketParams(const_fee_per_mwh=10_000, fee_bps=500, imbalance_price_per_mwh=0, penalty_bps=0)
    assert params.fee(2_000, 300) == 20 + 15
    assert params.fee(3, 1) == 1 + 1


def test_an_order_message_round_trips_and_keeps_its_signature():
    key = Account.create()
    signed = sign_order(Order(key.address, 7, 1, Side.ASK, 500, 90_000, 10**9), key.key, 31337, MARKET)
    back = decode_order(encode_order(signed))
    assert back == signed
    assert recover_order_signer(back, 31337, MARKET) == key.address


def test_a_forged_order_message_is_detected():
    key, forger = Account.create(), Account.create()
    signed = sign_order(Order(key.address, 7, 1, Side.BID, 500, 90_000, 10**9), forger.key, 31337, MARKET)
    with pytest.raises(OrderSignatureError):
        recover_order_signer(decode_order(encode_order(signed)), 31337, MARKET)


def test_a_malformed_order_message_is_a_book_error():
    with pytest.raises(BookError):
        decode_order(b'{"owner": "nope"}')
