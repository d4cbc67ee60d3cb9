"""One test per defect found running PETra's own contract (Microgrid_v2.sol) and TRANSAX's
limits: GridLedger does the right thing in each case."""

from tests.petra.contracts.helpers import (
    CONSUMPTION,
    DEPOSIT,
    HELD,
    INTERNAL,
    MATCHED,
    PRODUCTION,
    asset,
    cost,
    decode,
    funds,
    pieces,
    reverts,
)


def test_the_power_split_leftover_keeps_the_traded_interval_not_end_to_end(
    market, ask, mint, producer, consumer, start
):
    """PETra gave the power-split leftover the interval [end..end]."""
    offer = ask(power=3_000, first=start, last=start + 5)
    mine = mint(2, consumer, CONSUMPTION, 1_000, start, start + 5)
    tx = market.accept(offer, mine, (1_000, start, start + 5), 25_000, 0, {"from": consumer})
    leftover = pieces(tx, producer)[1]
    assert (decode(leftover).power, decode(leftover).first, decode(leftover).last) == (2_000, start, start + 5)
    assert asset(market, leftover)[2] == HELD


def test_an_ask_and_a_bid_that_do_not_overlap_cannot_trade(market, ask, mint, consumer, start):
    """PETra's overlap check could never fail: an ask on 60-61 was accepted against a bid on 70-71."""
    offer = ask(first=start, last=start + 1)
    mine = mint(2, consumer, CONSUMPTION, 2_000, start + 10, start + 11)
    with reverts("PetraPortionOutsideInterval", offer, start + 10, start + 11, start, start + 1):
        market.accept(offer, mine, (2_000, start + 10, start + 11), 25_000, 0, {"from": consumer})
    with reverts("PetraPortionOutsideInterval", mine, start, start + 1, start + 10, start + 11):
        market.accept(offer, mine, (2_000, start, start + 1), 25_000, 0, {"from": consumer})


def test_a_bid_can_be_accepted(market, bid, mint, producer, consumer, start):
    """Accepting any bid always reverted in PETra."""
    offer = bid(power=2_000)
    mine = mint(1, producer, PRODUCTION, 2_000, start, start + 3)
    tx = market.accept(offer, mine, (2_000, start, start + 3), 25_000, 0, {"from": producer})
    assert tx.return_value == cost(2_000, 4, 25_000)
    assert asset(market, offer)[2] == asset(market, mine)[2] == MATCHED


def test_the_largest_values_are_priced_exactly_and_larger_ones_refused(market, dso, mint, consumer, start):
    """PETra's arithmetic was unchecked uint64: price x power x intervals wrapped around."""
    market.registerProsumer(9, 1, 2**24 - 1, 2**24 - 1, {"from": dso})
    token = mint(9, consumer, CONSUMPTION, 2**24 - 1, start, start + 254)
    price = 2**29 - 1
    exact = (2**24 - 1) * 255 * price // 4_000_000
    assert market.costOf(2**24 - 1, 255, price) == exact
    # the pricing arithmetic is 256-bit and checked: no 64-bit wrap-around anywhere
    assert market.costOf(2**70, 255, price) == 2**70 * 255 * price // 4_000_000
    with reverts("FundsInsufficient", consumer.address, DEPOSIT, exact):  # refused as too dear, not wrapped
        market.postOffer(token, price, {"from": consumer})
    with reverts("PetraPriceOutOfRange", 2**29, 2**29 - 1):
        market.postOffer(token, 2**29, {"from": consumer})
    with reverts("PetraPowerOutOfRange", 2**24, 2**24 - 1):
        market.mint(9, consumer, CONSUMPTION, 2**24, start, start, 0, {"from": dso})


def test_the_unused_part_of_a_bids_escrow_is_refunded(market, bid, mint, producer, consumer, start):
    """PETra never refunded what a partly accepted bid had escrowed beyond the trade."""
    offer = bid(power=4_000, first=start, last=start + 7, price=50_000)
    escrow = cost(4_000, 8, 50_000)
    mine = mint(1, producer, PRODUCTION, 1_000, start + 2, start + 3)
    market.accept(offer, mine, (1_000, start + 2, start + 3), 50_000, 0, {"from": producer})
    paid = cost(1_000, 2, 50_000)
    assert escrow == 400 and paid == 25
    assert funds(market, consumer) == (DEPOSIT - paid, 0)


def test_no_asset_is_minted_beyond_the_prosumers_capacity(market, mint, dso, producer, start):
    """PETra had no capacity check at all."""
    mint(1, producer, PRODUCTION, 10_000, start + 1, start + 1)
    with reverts("PetraCapacityExceeded", 1, PRODUCTION, start + 1, 10_000, 10_500):
        market.mint(1, producer, PRODUCTION, 500, start, start + 1, 0, {"from": dso})


def test_the_feeder_check_can_fail(market, dso, ask, mint, consumer, start):
    """TRANSAX's feeder check could not fail."""
    market.setFeeder(1, 1_000, 8_000, {"from": dso})
    offer = ask(power=2_000)
    mine = mint(2, consumer, CONSUMPTION, 2_000, start, start + 3)
    with reverts("PetraFeederLimitExceeded", 1, INTERNAL, start, 1_000, 2_000):
        market.accept(offer, mine, (2_000, start, start + 3), 25_000, 0, {"from": consumer})


def test_import_and_export_of_one_feeder_are_counted_apart_without_underflow(
    market, dso, ask, bid, mint, producer, consumer, remote, start
):
    """TRANSAX's import/export accounting underflowed and reverted wrongly when flows crossed."""
    market.setFeeder(1, 20_000, 2_000, {"from": dso})
    market.setFeeder(2, 20_000, 2_000, {"from": dso})
    export = ask(power=2_000)  # feeder 1 sells to feeder 2
    theirs = mint(3, remote, CONSUMPTION, 2_000, start, start + 3)
    market.accept(export, theirs, (2_000, start, start + 3), 25_000, 0, {"from": remote})
    remote_ask = mint(3, remote, PRODUCTION, 2_000, start, start + 3)  # feeder 2 sells to feeder 1
    market.postOffer(remote_ask, 25_000, {"from": remote})
    mine = mint(2, consumer, CONSUMPTION, 2_000, start, start + 3)
    market.accept(remote_ask, mine, (2_000, start, start + 3), 25_000, 0, {"from": consumer})
    assert market.feederFlow(1, 1, start) == 2_000 and market.feederFlow(1, 2, start) == 2_000
    assert market.feederFlow(2, 1, start) == 2_000 and market.feederFlow(2, 2, start) == 2_000
