from __future__ import annotations

import asyncio
import os

import pytest
from eth_account import Account
from eth_account.messages import encode_defunct
from eth_utils import keccak
from hypothesis import given, settings
from hypothesis import strategies as st

from offchain.kernel.crypto import new_private_key, public_key
from offchain.negotiation import (
    STATUS_ACCEPT,
    STATUS_COUNTER,
    ConcessionStrategy,
    InMemoryTransport,
    InvalidOfferError,
    NegotiationSession,
    NegotiationTimeoutError,
    NoAgreementError,
    Offer,
    OfferLimitExceededError,
    Party,
    negotiate,
    negotiate_sync,
)


@pytest.fixture
def buyer_key():
    return new_private_key()


@pytest.fixture
def seller_key():
    return new_private_key()


def test_overlapping_reservations_end_in_an_agreement_between_them(buyer_key, seller_key):
    buyer = Party(buyer_key, ConcessionStrategy.buyer(80, 120))
    seller = Party(seller_key, ConcessionStrategy.seller(150, 100))
    deal = negotiate_sync(buyer, seller, amount=5000)
    assert 100 <= deal.price <= 120
    assert deal.amount == 5000 and deal.messages <= 10
    assert (deal.buyer, deal.seller) == (public_key(buyer_key), public_key(seller_key))


def test_disjoint_reservations_raise_no_agreement(buyer_key, seller_key):
    buyer = Party(buyer_key, ConcessionStrategy.buyer(60, 90))
    seller = Party(seller_key, ConcessionStrategy.seller(150, 100))
    transport = InMemoryTransport()
    with pytest.raises(NoAgreementError, match="no agreement") as info:
        negotiate_sync(buyer, seller, transport, amount=5000, offer_limit=6)
    assert transport.sent <= 6 and info.value.messages <= 6


def test_a_seller_without_enough_energy_rejects(buyer_key, seller_key):
    buyer = Party(buyer_key, ConcessionStrategy.buyer(80, 120))
    seller = Party(seller_key, ConcessionStrategy.seller(150, 100, max_amount=1000))
    with pytest.raises(NoAgreementError, match="rejected"):
        negotiate_sync(buyer, seller, amount=5000)


@settings(max_examples=40, deadline=None)
@given(
    b_init=st.integers(0, 10**18),
    b_span=st.integers(0, 10**18),
    s_res=st.integers(0, 2 * 10**18),
    s_span=st.integers(0, 10**18),
    rounds=st.integers(1, 6),
    limit=st.integers(2, 14),
)
def test_buyer_never_pays_above_and_seller_never_sells_below_reservation(b_init, b_span, s_res, s_span, rounds, limit):
    buyer = Party(new_private_key(), ConcessionStrategy.buyer(b_init, b_init + b_span, rounds))
    seller = Party(new_private_key(), ConcessionStrategy.seller(s_res + s_span, s_res, rounds))
    transport = InMemoryTransport()
    try:
        deal = negotiate_sync(buyer, seller, transport, amount=1, offer_limit=limit)
    except NoAgreementError:
        assert transport.sent <= limit
        return
    assert s_res <= deal.price <= b_init + b_span
    assert deal.messages <= limit and transport.sent == deal.messages


def test_offers_are_eip191_signatures_that_eth_account_recovers(seller_key):
    acct = Account.from_key(seller_key)
    offer = Offer(os.urandom(32), public_key(seller_key), 10**15, 5000, STATUS_COUNTER, 1).signed(seller_key)
    message = encode_defunct(primitive=keccak(offer.packed()))
    assert Account.recover_message(message, signature=offer.signature) == acct.address
    assert acct.sign_message(message).signature == offer.signature


def sessions(buyer_key, seller_key, limit=4):
    t_id = os.urandom(32)
    b = NegotiationSession(buyer_key, public_key(seller_key), t_id, limit)
    s = NegotiationSession(seller_key, public_key(buyer_key), t_id, limit)
    return b, s


def test_the_receiver_refuses_a_message_beyond_offer_limit(buyer_key, seller_key):
    b, s = sessions(buyer_key, seller_key, limit=4)
    for i in range(2):
        s.incoming(b.outgoing(100 + i, 10, STATUS_COUNTER).encode())
        b.incoming(s.outgoing(200 - i, 10, STATUS_COUNTER).encode())
    flood = Offer(b.negotiation_id, b.me, 105, 10, STATUS_COUNTER, 5).signed(buyer_key)
    with pytest.raises(OfferLimitExceededError, match="exceeds offer_limit 4"):
        s.incoming(flood.encode())
    with pytest.raises(OfferLimitExceededError):
        b.outgoing(105, 10, STATUS_COUNTER)


def test_a_forged_or_foreign_message_is_refused(buyer_key, seller_key):
    b, s = sessions(buyer_key, seller_key)
    mallory = new_private_key()
    forged = Offer(b.negotiation_id, b.me, 1, 10, STATUS_COUNTER, 1).signed(mallory)
    with pytest.raises(InvalidOfferError, match="not signed by the energy account"):
        s.incoming(forged.encode())
    other_deal = Offer(os.urandom(32), b.me, 1, 10, STATUS_COUNTER, 1).signed(buyer_key)
    with pytest.raises(InvalidOfferError, match="T_ID"):
        s.incoming(other_deal.encode())
    stranger = Offer(b.negotiation_id, public_key(mallory), 1, 10, STATUS_COUNTER, 1).signed(mallory)
    with pytest.raises(InvalidOfferError, match="counterparty"):
        s.incoming(stranger.encode())
    with pytest.raises(InvalidOfferError, match="malformed"):
        s.incoming(b"{}")
    assert s.count == 0  # refused messages are not counted


def test_a_replayed_message_and_a_mismatched_acceptance_are_refused(buyer_key, seller_key):
    b, s = sessions(buyer_key, seller_key)
    first = b.outgoing(100, 10, STATUS_COUNTER).encode()
    s.incoming(first)
    with pytest.raises(InvalidOfferError, match="out-of-sequence"):
        s.incoming(first)
    b.incoming(s.outgoing(150, 10, STATUS_COUNTER).encode())
    cheat = Offer(b.negotiation_id, b.me, 140, 10, STATUS_ACCEPT, 3).signed(buyer_key)
    with pytest.raises(InvalidOfferError, match="acceptance does not match"):
        s.incoming(cheat.encode())


def test_a_silent_counterparty_times_out(buyer_key, seller_key):
    class BlackHole(InMemoryTransport):
        async def send(self, sender, recipient, data):
            self.sent += 1

    buyer = Party(buyer_key, ConcessionStrategy.buyer(80, 120))
    seller = Party(seller_key, ConcessionStrategy.seller(150, 100))
    with pytest.raises(NegotiationTimeoutError):
        asyncio.run(negotiate(buyer, seller, BlackHole(), amount=10, timeout=0.2))


def test_strategies_refuse_reservations_on_the_wrong_side():
    with pytest.raises(ValueError):
        ConcessionStrategy.buyer(130, 120)
    with pytest.raises(ValueError):
        ConcessionStrategy.seller(90, 100)
