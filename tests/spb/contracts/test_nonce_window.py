"""The consumer's 32-nonce window: out-of-order nonces, sliding, and spent nonces."""

from tests.spb.contracts.helpers import reverts


def test_nonces_may_be_used_out_of_order_within_the_window(market, funded, make_ctp):
    for nonce in (7, 3, 31, 0):
        ctp, _ = make_ctp(nonce=nonce)
        market.commit(ctp.as_args(), {"from": funded})
    assert all(market.isNonceUsed(funded, n) for n in (0, 3, 7, 31))
    assert not any(market.isNonceUsed(funded, n) for n in (1, 2, 30, 32))


def test_a_nonce_past_the_window_slides_it_and_spends_the_old_ones(market, funded, make_ctp):
    ctp, _ = make_ctp(nonce=6)
    market.commit(ctp.as_args(), {"from": funded})
    far, _ = make_ctp(nonce=100)
    market.commit(far.as_args(), {"from": funded})
    # the window is now 69..100: everything below is spent, 6 still reads as used
    assert market.isNonceUsed(funded, 6)
    assert market.isNonceUsed(funded, 68)
    assert not market.isNonceUsed(funded, 69)
    assert market.isNonceUsed(funded, 100)
    stale, _ = make_ctp(nonce=7)
    with reverts("MarketNonceUsed", funded.address, 7):
        market.commit(stale.as_args(), {"from": funded})
    fresh, _ = make_ctp(nonce=69)
    market.commit(fresh.as_args(), {"from": funded})


def test_sliding_keeps_used_bits_inside_the_new_window(market, funded, make_ctp):
    for nonce in (10, 20):
        ctp, _ = make_ctp(nonce=nonce)
        market.commit(ctp.as_args(), {"from": funded})
    slide, _ = make_ctp(nonce=45)  # window becomes 14..45
    market.commit(slide.as_args(), {"from": funded})
    assert market.isNonceUsed(funded, 20)
    again, _ = make_ctp(nonce=20)
    with reverts("MarketNonceUsed", funded.address, 20):
        market.commit(again.as_args(), {"from": funded})


def test_largest_nonce_is_accepted(market, funded, make_ctp):
    top, _ = make_ctp(nonce=2**32 - 1)
    market.commit(top.as_args(), {"from": funded})
    assert market.isNonceUsed(funded, 2**32 - 1)
    assert market.isNonceUsed(funded, 2**32 - 33)
