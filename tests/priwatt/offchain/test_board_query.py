"""The buyers' board query (PriWatt's MATCH): price per kWh, energy, on sale only."""

from __future__ import annotations

from dataclasses import replace

from offchain.priwatt.board import BoardQuery, match
from offchain.priwatt.client import BoardOffer
from offchain.priwatt.eip712 import OfferStatus, Trade, TradeKind

NOW = 1_000_000
SELLER = "0x" + "22" * 20
BUYER = "0x" + "33" * 20


def offer(n: int, energy_wh: int, ask: int, status: OfferStatus = OfferStatus.OPEN, **kw) -> BoardOffer:
    oid = bytes([n]) * 32
    record = Trade(oid, SELLER, NOW + 86_400)
    if status is OfferStatus.LOCKED:
        record = record.locked(BUYER, ask, kw.pop("locked_until", NOW + 600), 3_600, TradeKind.ESCROW)
    return BoardOffer(oid, SELLER, "0x" + "44" * 20, energy_wh, ask, 1, 2, kw.pop("expiry", NOW + 86_400),
                      b"\x01" * 64, status, record, n)  # fmt: skip


def test_the_cheapest_offer_per_kwh_comes_first():
    offers = [offer(1, 2_000, 3_000), offer(2, 4_000, 4_000), offer(3, 1_000, 2_000)]
    assert [o.offer_id[0] for o in match(offers, BoardQuery(), NOW)] == [2, 1, 3]


def test_price_and_energy_bounds_filter_the_board():
    offers = [offer(1, 2_000, 3_000), offer(2, 4_000, 4_000), offer(3, 1_000, 2_000)]
    assert [o.offer_id[0] for o in match(offers, BoardQuery(max_price_per_kwh=1_500), NOW)] == [2, 1]
    assert [o.offer_id[0] for o in match(offers, BoardQuery(min_energy_wh=2_000), NOW)] == [2, 1]
    assert [o.offer_id[0] for o in match(offers, BoardQuery(max_energy_wh=2_000), NOW)] == [1, 3]


def test_sold_funded_withdrawn_expired_and_live_locked_offers_are_off_the_board():
    gone = [
        offer(1, 1_000, 1_000, OfferStatus.SOLD),
        offer(2, 1_000, 1_000, OfferStatus.ESCROW),
        offer(3, 1_000, 1_000, OfferStatus.CHANNEL),
        offer(4, 1_000, 1_000, OfferStatus.REFUNDED),
        offer(5, 1_000, 1_000, OfferStatus.WITHDRAWN),
        offer(6, 1_000, 1_000, expiry=NOW),
        offer(7, 1_000, 1_000, OfferStatus.LOCKED, locked_until=NOW + 1),
    ]
    assert match(gone, BoardQuery(), NOW) == []
    assert len(match(gone, BoardQuery(include_closed=True), NOW)) == len(gone)


def test_an_offer_whose_lock_lapsed_is_back_on_the_board():
    lapsed = offer(1, 1_000, 1_000, OfferStatus.LOCKED, locked_until=NOW - 1)
    assert match([lapsed], BoardQuery(), NOW) == [lapsed]
    assert replace(lapsed, status=OfferStatus.OPEN).price_per_kwh == 1_000
