"""CTP nonces live in the consumer's 32-nonce window of the shared ledger: out-of-order
nonces, sliding, spent nonces and the bounded look-ahead, seen through SPB's commits."""

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
    far, _ = make_ctp(nonce=63)
    market.commit(far.as_args(), {"from": funded})
    # the window is now 32..63: everything below is spent, 6 still reads as used
    assert market.isNonceUsed(funded, 6)
    assert market.isNonceUsed(funded, 31)
    assert not market.isNonceUsed(funded, 32)
    assert market.isNonceUsed(funded, 63)
    stale, _ = make_ctp(nonce=7)
    with reverts("FundsNonceUsed", funded.address, 7):
        market.commit(stale.as_args(), {"from": funded})
    fresh, _ = make_ctp(nonce=32)
    market.commit(fresh.as_args(), {"from": funded})


def test_sliding_keeps_used_bits_inside_the_new_window(market, funded, make_ctp):
    for nonce in (10, 20):
        ctp, _ = make_ctp(nonce=nonce)
        market.commit(ctp.as_args(), {"from": funded})
    slide, _ = make_ctp(nonce=45)  # window becomes 14..45
    market.commit(slide.as_args(), {"from": funded})
    assert market.isNonceUsed(funded, 20)
    again, _ = make_ctp(nonce=20)
    with reverts("FundsNonceUsed", funded.address, 20):
        market.commit(again.as_args(), {"from": funded})


def test_a_nonce_far_ahead_is_refused_and_spends_nothing(market, funded, make_ctp):
    """2^32-1 would slide the window to the top: every outstanding CTP dead, the address
    locked out 31 nonces later. The look-ahead is bounded to one window past the current one."""
    pending, _ = make_ctp(nonce=3)
    market.commit(pending.as_args(), {"from": funded})
    for nonce in (64, 2**32 - 1):
        far, _ = make_ctp(nonce=nonce)
        with reverts("FundsNonceTooFarAhead", funded.address, nonce, 63):
            market.commit(far.as_args(), {"from": funded})
    assert not market.isNonceUsed(funded, 4)
    assert not market.isNonceUsed(funded, 2**32 - 1)
