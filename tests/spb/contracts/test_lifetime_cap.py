"""No CTP freezes funds for ever: its expiry is capped (governed, 7 days by default, never
above 365 days), so frozen money comes back even when its CoE's manufacturer is revoked."""

import pytest

from offchain.spb import eip712

from tests.spb.contracts.helpers import ANY, DEPOSIT, PRICE, advance, funds, pin_next_block_time, reverts

DAY = 86_400


def test_a_ctp_that_never_expires_is_refused(market, funded, make_ctp, chain):
    ctp, _ = make_ctp(expiry=2**64 - 1)
    with reverts("MarketExpiryTooFar", eip712.ctp_digest(ctp, chain.id, market.address), 2**64 - 1, ANY):
        market.commit(ctp.as_args(), {"from": funded})
    assert funds(market, funded) == (DEPOSIT, 0)


def test_the_default_cap_is_seven_days_to_the_second(market, funded, make_ctp, chain):
    assert market.maxCtpLifetime() == 7 * DAY
    t = chain[-1].timestamp + 5
    too_far, _ = make_ctp(expiry=t + 7 * DAY + 1)
    pin_next_block_time(t)
    with reverts(
        "MarketExpiryTooFar", eip712.ctp_digest(too_far, chain.id, market.address), t + 7 * DAY + 1, t + 7 * DAY
    ):
        market.commit(too_far.as_args(), {"from": funded})
    t = chain[-1].timestamp + 5
    at_cap, _ = make_ctp(expiry=t + 7 * DAY)
    pin_next_block_time(t)
    market.commit(at_cap.as_args(), {"from": funded})


def test_the_cap_is_governed_within_one_hour_and_a_year(market, governor, stranger, funded, make_ctp, chain):
    with reverts("AccessControlUnauthorizedAccount", stranger.address, bytes(market.GOVERNOR_ROLE())):
        market.setMaxCtpLifetime(DAY, {"from": stranger})
    for bad in (3_599, 365 * DAY + 1, 0, 2**64 - 1):
        with reverts("MarketLifetimeCapOutOfRange", bad, 3_600, 365 * DAY):
            market.setMaxCtpLifetime(bad, {"from": governor})
    tx = market.setMaxCtpLifetime(2 * 3_600, {"from": governor})
    assert tx.events["MaxCtpLifetimeSet"]["lifetime"] == 7_200
    longer, _ = make_ctp(ttl=3 * 3_600)
    with reverts("MarketExpiryTooFar", eip712.ctp_digest(longer, chain.id, market.address), longer.expiry, ANY):
        market.commit(longer.as_args(), {"from": funded})
    market.commit(make_ctp(ttl=3_000)[0].as_args(), {"from": funded})


@pytest.mark.parametrize("ttl", [1, 3_599, 3_600])
def test_a_ctp_within_the_first_hour_passes_whatever_the_cap(market, governor, funded, make_ctp, ttl, chain):
    market.setMaxCtpLifetime(3_600, {"from": governor})  # the smallest cap: still at least an hour
    t = chain[-1].timestamp + 5
    ctp, _ = make_ctp(expiry=t + ttl)
    pin_next_block_time(t)  # a busy machine must not let a 1-second CTP expire before its block
    tx = market.commit(ctp.as_args(), {"from": funded})
    assert tx.events["Committed"] and chain[tx.block_number].timestamp == t


def test_money_frozen_under_a_revoked_manufacturer_comes_back_at_expiry(
    market, governor, manufacturer, funded, make_ctp, make_erc, producer, meter, chain
):
    """The CA that certified the consumer meter's CoE is revoked after the commit: the CTP
    can no longer settle, and the cap bounds how long the price stays frozen."""
    ctp, terms = make_ctp(ttl=2 * DAY)
    market.commit(ctp.as_args(), {"from": funded})
    market.setManufacturer(manufacturer.address, False, {"from": governor})
    with reverts("CoERevokedManufacturer", meter.root, manufacturer.address):
        market.settle(ctp.as_args(), terms.as_args(), make_erc(ctp, terms), {"from": producer})
    advance(chain, 2 * DAY + 1)
    market.release(ctp.as_args(), {"from": funded})
    assert funds(market, funded) == (DEPOSIT, 0) and PRICE > 0
