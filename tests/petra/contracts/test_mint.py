"""The DSO mints energy assets within each prosumer's capacity, slot by slot."""

from tests.petra.contracts.helpers import (
    CONSUMPTION,
    DSO_ROLE,
    HELD,
    HORIZON,
    PRODUCTION,
    asset,
    current_slot,
    decode,
    encode,
    minted_id,
    reverts,
)


def test_dso_mints_a_production_asset_to_an_anonymous_account(market, dso, producer, start):
    tx = market.mint(1, producer, PRODUCTION, 2_500, start, start + 3, 0, {"from": dso})
    ev = tx.events["TransferSingle"]
    token = int(ev["id"])
    assert (ev["operator"], int(ev["from"], 16), ev["to"], ev["value"]) == (dso, 0, producer, 1)
    assert decode(token) == decode(encode(PRODUCTION, 1, 2_500, start, start + 3, decode(token).position))
    assert asset(market, token) == (producer.address, PRODUCTION, HELD, 1, 2_500, start, start + 3, 0)
    assert market.balanceOf(producer, token) == 1
    for slot in range(start, start + 4):
        assert market.capacityUsed(1, PRODUCTION, slot) == 2_500
    assert market.capacityUsed(1, PRODUCTION, start + 4) == 0
    assert market.capacityUsed(1, CONSUMPTION, start) == 0


def test_assets_of_one_prosumer_add_up_to_its_capacity_in_every_slot(mint, market, producer, start):
    mint(1, producer, PRODUCTION, 6_000, start, start + 9)
    mint(1, producer, PRODUCTION, 4_000, start + 5, start + 12)  # 10 kW in slots start+5..9: exactly the capacity
    assert market.capacityUsed(1, PRODUCTION, start + 7) == 10_000
    assert market.capacityUsed(1, PRODUCTION, start + 11) == 4_000


def test_minting_beyond_capacity_is_refused_naming_the_slot_and_the_excess(market, mint, dso, producer, start):
    mint(1, producer, PRODUCTION, 6_000, start + 2, start + 2)
    with reverts("PetraCapacityExceeded", 1, PRODUCTION, start + 2, 10_000, 10_001):
        market.mint(1, producer, PRODUCTION, 4_001, start, start + 5, 0, {"from": dso})
    assert market.capacityUsed(1, PRODUCTION, start) == 0  # nothing of the refused mint stayed


def test_production_and_consumption_capacities_are_separate(market, mint, dso, producer, start):
    mint(1, producer, PRODUCTION, 10_000, start, start)
    mint(1, producer, CONSUMPTION, 4_000, start, start)
    with reverts("PetraCapacityExceeded", 1, CONSUMPTION, start, 4_000, 4_001):
        market.mint(1, producer, CONSUMPTION, 1, start, start, 0, {"from": dso})


def test_a_mint_by_anyone_but_the_dso_is_refused(market, producer, stranger, start):
    with reverts("AccessControlUnauthorizedAccount", stranger.address, DSO_ROLE):
        market.mint(1, producer, PRODUCTION, 1_000, start, start, 0, {"from": stranger})
    with reverts("AccessControlUnauthorizedAccount", producer.address, DSO_ROLE):
        market.mint(1, producer, PRODUCTION, 1_000, start, start, 0, {"from": producer})


def test_a_mint_for_an_unknown_prosumer_is_refused(market, dso, producer, start):
    with reverts("PetraUnknownProsumer", 77):
        market.mint(77, producer, PRODUCTION, 1_000, start, start, 0, {"from": dso})


def test_a_mint_for_a_slot_not_in_the_future_is_refused(market, dso, producer):
    now = current_slot(market)
    with reverts("PetraSlotNotInFuture", now, now):
        market.mint(1, producer, PRODUCTION, 1_000, now, now + 2, 0, {"from": dso})


def test_a_mint_beyond_the_horizon_is_refused(market, dso, producer):
    now = current_slot(market)
    with reverts("PetraBeyondHorizon", now + HORIZON + 1, now + HORIZON):
        market.mint(1, producer, PRODUCTION, 1_000, now + HORIZON - 1, now + HORIZON + 1, 0, {"from": dso})


def test_zero_power_an_inverted_interval_and_more_than_255_slots_are_refused(market, dso, producer, start):
    with reverts("PetraBadInterval", 0, start, start):
        market.mint(1, producer, PRODUCTION, 0, start, start, 0, {"from": dso})
    with reverts("PetraBadInterval", 1_000, start + 1, start):
        market.mint(1, producer, PRODUCTION, 1_000, start + 1, start, 0, {"from": dso})
    with reverts("PetraBadInterval", 1_000, start, start + 255):
        market.mint(1, producer, PRODUCTION, 1_000, start, start + 255, 0, {"from": dso})


def test_power_beyond_the_asset_record_is_refused(market, dso, producer, start):
    with reverts("PetraPowerOutOfRange", 2**24, 2**24 - 1):
        market.mint(1, producer, PRODUCTION, 2**24, start, start, 0, {"from": dso})


def test_a_mint_to_the_zero_address_is_refused(market, dso, start):
    with reverts("ERC1155InvalidReceiver", "0x" + "00" * 20):
        market.mint(1, "0x" + "00" * 20, PRODUCTION, 1_000, start, start, 0, {"from": dso})


def test_a_mint_to_a_contract_that_does_not_accept_tokens_is_refused(market, dso, fiat, start):
    with reverts("ERC1155InvalidReceiver", fiat.address):
        market.mint(1, fiat, PRODUCTION, 1_000, start, start, 0, {"from": dso})


def test_a_mint_reuses_a_freed_position_it_is_hinted_and_ignores_a_taken_one(
    market, mint, dso, producer, consumer, start, chain
):
    first = mint(1, producer, PRODUCTION, 1_000, start, start)
    taken = mint(1, producer, PRODUCTION, 1_000, start, start)
    chain.sleep(5 * 900)
    chain.mine()
    market.retire([first], {"from": consumer})  # its interval passed: its position is free
    later = current_slot(market) + 4
    reused = minted_id(market.mint(1, producer, PRODUCTION, 1_000, later, later, decode(first).position, {"from": dso}))
    assert decode(reused).position == decode(first).position
    assert market.balanceOf(producer, first) == 0 and market.balanceOf(producer, reused) == 1
    fresh = minted_id(market.mint(1, producer, PRODUCTION, 1_000, later, later, decode(taken).position, {"from": dso}))
    assert decode(fresh).position == market.nextPosition() - 1 != decode(taken).position
