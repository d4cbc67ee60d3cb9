"""Assets that can no longer be traded are retired by anyone: positions freed, escrow returned."""

from tests.petra.contracts.helpers import ANY, CONSUMPTION, DEPOSIT, MATCHED, PRODUCTION, advance_slots, funds, reverts


def test_an_expired_bid_is_retired_and_its_escrow_returns_to_its_owner(market, bid, consumer, stranger, chain, start):
    token = bid(power=2_000, price=40_000)
    assert funds(market, consumer)[1] == 80
    advance_slots(chain, 9)
    tx = market.retire([token], {"from": stranger})
    ev = tx.events["TransferSingle"]
    assert (ev["from"], int(ev["to"], 16), int(ev["id"])) == (consumer, 0, token)
    assert funds(market, consumer) == (DEPOSIT, 0)
    assert market.balanceOf(consumer, token) == 0


def test_held_and_offered_asks_are_retired_together(market, ask, mint, producer, stranger, chain, start):
    offered = ask()
    held = mint(1, producer, PRODUCTION, 500, start, start + 1)
    advance_slots(chain, 9)
    market.retire([offered, held], {"from": stranger})
    assert market.balanceOf(producer, offered) == market.balanceOf(producer, held) == 0


def test_an_asset_that_can_still_be_traded_is_not_retired(market, mint, producer, stranger, start):
    token = mint(1, producer, PRODUCTION, 500, start, start + 1)
    with reverts("PetraStillTradable", token, start + 1, ANY):
        market.retire([token], {"from": stranger})


def test_a_matched_asset_waits_for_its_delivery_record(market, ask, mint, consumer, stranger, chain, start):
    offer = ask(power=1_000)
    mine = mint(2, consumer, CONSUMPTION, 1_000, start, start + 3)
    market.accept(offer, mine, (1_000, start, start + 3), 25_000, 0, {"from": consumer})
    advance_slots(chain, 9)
    with reverts("PetraAssetNotHeld", offer, MATCHED):
        market.retire([offer], {"from": stranger})
