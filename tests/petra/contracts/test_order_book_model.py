"""The order book against its Python reference model, under ``@given``: an offer (ask or
bid) and an acceptor's asset of random powers and intervals, accepted in a random portion
at a random limit. The contract refuses exactly when the model does, with the model's
error and arguments; otherwise cost, every piece's id and every piece's record are the
model's, and the open order book rebuilt from events alone equals the model's."""

from __future__ import annotations

import brownie
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from offchain.kernel.chain import connect
from offchain.petra.client import PetraClient

from tests.petra.contracts.helpers import FEEDERS, PROSUMERS, current_slot, minted_id, reverts
from tests.petra.contracts.model import OFFERED, PetraModel, Refused


@pytest.fixture
def snapshot(chain, market):
    chain.snapshot()


powers = st.integers(min_value=1, max_value=3_000)
offsets = st.integers(min_value=0, max_value=5)
lengths = st.integers(min_value=1, max_value=6)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    offer_is_ask=st.booleans(),
    offer=st.tuples(powers, offsets, lengths),
    asset=st.tuples(powers, offsets, lengths),
    portion=st.tuples(st.integers(min_value=0, max_value=3_500), st.integers(-1, 7), st.integers(0, 5)),
    price=st.integers(min_value=0, max_value=2**29 - 1),
    slack=st.integers(min_value=-1, max_value=1),
    cross_feeder=st.booleans(),
)
def test_accept_matches_the_model_and_the_book_from_events_is_the_models(
    snapshot,
    market,
    dso,
    producer,
    consumer,
    remote,
    chain,
    offer_is_ask,
    offer,
    asset,
    portion,
    price,
    slack,
    cross_feeder,
):
    chain.revert()  # every example starts from the snapshot taken by ``snapshot``
    base = current_slot(market) + 4
    model = PetraModel(dict(PROSUMERS), dict(FEEDERS))
    model.current = current_slot(market)
    model.next_position = int(market.nextPosition())
    for who in (producer, consumer, remote):
        model.balance[str(who)] = int(market.fundsOf(who)[0])
        model.frozen[str(who)] = int(market.fundsOf(who)[1])
    # the producer's side is prosumer 1 (feeder 1) or 3 (feeder 2); the consumer is prosumer 2 (feeder 1)
    seller, seller_prosumer = (remote, 3) if cross_feeder else (producer, 1)
    (op, oo, ol), (ap, ao, al) = offer, asset
    if offer_is_ask:
        o_who, o_pros, o_kind, a_who, a_pros, a_kind = seller, seller_prosumer, 0, consumer, 2, 1
    else:
        o_who, o_pros, o_kind, a_who, a_pros, a_kind = consumer, 2, 1, seller, seller_prosumer, 0
    o_first, a_first = base + oo, base + ao
    offer_id = minted_id(market.mint(o_pros, o_who, o_kind, op, o_first, o_first + ol - 1, 0, {"from": dso}))
    assert offer_id == model.mint(o_pros, str(o_who), o_kind, op, o_first, o_first + ol - 1, 0)
    asset_id = minted_id(market.mint(a_pros, a_who, a_kind, ap, a_first, a_first + al - 1, 0, {"from": dso}))
    assert asset_id == model.mint(a_pros, str(a_who), a_kind, ap, a_first, a_first + al - 1, 0)
    offer_price = price % 200_000 if price % 3 else price  # mostly affordable, sometimes not
    try:
        model.post_offer(str(o_who), offer_id, offer_price)
    except Refused as refusal:
        with reverts(refusal.error, *refusal.args_):
            market.postOffer(offer_id, offer_price, {"from": o_who})
        return
    market.postOffer(offer_id, offer_price, {"from": o_who})
    p_power, p_from, p_len = portion
    first = base + p_from
    last = first + p_len
    limit = max(0, offer_price + slack * (1 if offer_is_ask else -1))
    try:
        paid, offer_pieces, asset_pieces = model.accept(str(a_who), offer_id, asset_id, p_power, first, last, limit, [])
    except Refused as refusal:
        with reverts(refusal.error, *refusal.args_):
            market.accept(offer_id, asset_id, (p_power, first, last), limit, 0, {"from": a_who})
    else:
        tx = market.accept(offer_id, asset_id, (p_power, first, last), limit, 0, {"from": a_who})
        assert tx.events["OfferAccepted"]["cost"] == paid
        for token in (*offer_pieces, *asset_pieces):
            got = tuple(market.assetOf(token))
            assert (str(got[0]), *(int(v) for v in got[1:])) == model.assets[token].as_tuple()
        for who in (producer, consumer, remote):
            assert tuple(int(v) for v in market.fundsOf(who)) == (model.balance[str(who)], model.frozen[str(who)])
    model.check()
    book = PetraClient(connect(brownie.web3.provider.endpoint_uri), market.address).order_book()
    assert sorted(book) == sorted(i for i, a in model.assets.items() if a.status == OFFERED)
