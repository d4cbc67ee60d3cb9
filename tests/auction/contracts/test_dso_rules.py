"""The DSO's configuration: feeders and their limits, registered accounts and their
capacities, grid fees / imbalance price / penalty (with notice), and the fee account."""

from __future__ import annotations

from offchain.auction.encoding import MarketParams

from tests.auction.contracts.helpers import FEEDER, NOTICE_SLOTS, PARAMS, SLOT_SECONDS, reverts


def test_feeders_and_accounts_are_configured_by_the_dso(market, dso, stranger):
    tx = market.setFeeder(7, 5_000, 6_000, {"from": dso})
    assert tx.events["FeederSet"]["feeder"] == 7
    assert tuple(market.feederOf(7)) == (True, 5_000, 6_000)
    market.setAccount(stranger, 7, 100, 200, {"from": dso})
    assert tuple(market.accountOf(stranger)) == (7, 100, 200)
    market.setAccount(stranger, 0, 0, 0, {"from": dso})
    assert tuple(market.accountOf(stranger)) == (0, 0, 0)


def test_strangers_cannot_configure_the_market(market, stranger):
    role = market.DSO_ROLE()
    with reverts("AccessControlUnauthorizedAccount", stranger.address, role):
        market.setFeeder(2, 1, 1, {"from": stranger})
    with reverts("AccessControlUnauthorizedAccount", stranger.address, role):
        market.setAccount(stranger, FEEDER, 1, 1, {"from": stranger})
    with reverts("AccessControlUnauthorizedAccount", stranger.address, role):
        market.scheduleParams(PARAMS.as_args(), {"from": stranger})
    with reverts("AccessControlUnauthorizedAccount", stranger.address, market.GOVERNOR_ROLE()):
        market.setDsoAccount(stranger, {"from": stranger})


def test_feeder_zero_and_unknown_feeders_are_refused(market, dso, stranger):
    with reverts("AuctionZeroFeeder"):
        market.setFeeder(0, 1, 1, {"from": dso})
    with reverts("AuctionUnknownFeeder", 9):
        market.setAccount(stranger, 9, 1, 1, {"from": dso})


def test_rates_above_100_percent_are_refused(market, dso):
    with reverts("AuctionRateTooHigh", 10_001):
        market.scheduleParams(MarketParams(1, 10_001, 1, 0).as_args(), {"from": dso})
    with reverts("AuctionRateTooHigh", 10_001):
        market.scheduleParams(MarketParams(1, 0, 1, 10_001).as_args(), {"from": dso})


def test_new_rules_apply_only_after_the_notice(market, dso, chain):
    new = MarketParams(const_fee_per_mwh=99, fee_bps=1, imbalance_price_per_mwh=5, penalty_bps=3)
    from_slot = market.scheduleParams(new.as_args(), {"from": dso}).events["ParamsScheduled"]["fromSlot"]
    current = chain[-1].timestamp // SLOT_SECONDS
    assert from_slot == current + NOTICE_SLOTS
    assert MarketParams(*market.paramsFor(from_slot - 1)) == PARAMS
    assert MarketParams(*market.paramsFor(from_slot)) == new


def test_the_fee_account_is_set_by_the_governor_and_never_zero(market, governor, stranger):
    market.setDsoAccount(stranger, {"from": governor})
    assert market.dsoAccount() == stranger
    with reverts("AuctionZeroDsoAccount"):
        market.setDsoAccount("0x" + "00" * 20, {"from": governor})
