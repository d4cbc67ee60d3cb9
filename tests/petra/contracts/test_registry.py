"""The DSO registers feeders (limits per interval) and prosumers (feeder and capacities)."""

from tests.petra.contracts.helpers import DSO_ROLE, reverts


def test_the_dso_registers_a_feeder_and_a_prosumer(market, dso):
    tx = market.setFeeder(7, 50_000, 20_000, {"from": dso})
    assert tx.events["FeederSet"]["feeder"] == 7
    assert tuple(market.feederOf(7)) == (True, 50_000, 20_000)
    tx = market.registerProsumer(42, 7, 5_000, 8_000, {"from": dso})
    assert tx.events["ProsumerRegistered"]["prosumer"] == 42
    assert tuple(market.prosumerOf(42)) == (True, 7, 5_000, 8_000)


def test_a_prosumer_on_an_unknown_feeder_is_refused(market, dso):
    with reverts("PetraUnknownFeeder", 9):
        market.registerProsumer(42, 9, 5_000, 8_000, {"from": dso})


def test_limits_and_capacities_beyond_the_counters_are_refused(market, dso):
    with reverts("PetraPowerOutOfRange", 2**28, 2**28 - 1):
        market.setFeeder(7, 2**28, 1, {"from": dso})
    with reverts("PetraPowerOutOfRange", 2**28, 2**28 - 1):
        market.setFeeder(7, 1, 2**28, {"from": dso})
    with reverts("PetraPowerOutOfRange", 2**24, 2**24 - 1):
        market.registerProsumer(42, 1, 2**24, 1, {"from": dso})
    with reverts("PetraPowerOutOfRange", 2**24, 2**24 - 1):
        market.registerProsumer(42, 1, 1, 2**24, {"from": dso})


def test_only_the_dso_registers(market, stranger):
    with reverts("AccessControlUnauthorizedAccount", stranger.address, DSO_ROLE):
        market.setFeeder(7, 1, 1, {"from": stranger})
    with reverts("AccessControlUnauthorizedAccount", stranger.address, DSO_ROLE):
        market.registerProsumer(42, 1, 1, 1, {"from": stranger})


def test_the_governor_appoints_and_removes_dsos(market, governor, stranger):
    market.grantRole(DSO_ROLE, stranger, {"from": governor})
    market.setFeeder(7, 1, 1, {"from": stranger})
    market.revokeRole(DSO_ROLE, stranger, {"from": governor})
    with reverts("AccessControlUnauthorizedAccount", stranger.address, DSO_ROLE):
        market.setFeeder(7, 1, 1, {"from": stranger})
