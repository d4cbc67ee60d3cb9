"""The session layer on its own (in memory): handshake, AEAD frames, replay window, re-keying."""

from __future__ import annotations

import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from offchain.kernel.crypto import new_private_key, public_key
from offchain.routing import SessionError, SessionOptions
from offchain.routing.session import (
    KIND_INIT,
    KIND_RESP,
    SUITE_AES256GCM,
    SUITE_CHACHA20POLY1305,
    SUITE_NONE,
    ReplayWindow,
    SessionManager,
    encrypt_to,
    init_plaintext,
)


def pair(**options):
    a, b = new_private_key(), new_private_key()
    pa, pb = public_key(a), public_key(b)
    return (SessionManager({pa: a}, SessionOptions(**options)), pa, a), (
        SessionManager({pb: b}, SessionOptions(**options)),
        pb,
        b,
    )


def handshake(x, y):
    (ma, pa, _a), (mb, pb, _b) = x, y
    init = ma.start(pa, pb)
    _sb, resp, _hops = mb.on_init(pb, init)
    return ma.on_resp(pa, resp), init, resp


def test_a_handshake_gives_both_sides_one_session_and_frames_open_only_for_the_peer():
    x, y = pair()
    (ma, pa, _a), (mb, pb, _b) = x, y
    sa, init, resp = handshake(x, y)
    assert sa.peer == pb and sa.suite == SUITE_AES256GCM
    ct = sa.seal(b"offer 120 wei for 5000 Wh")
    sb, payload = mb.open(pb, ct)
    assert payload == b"offer 120 wei for 5000 Wh" and sb.peer == pa
    back = mb.current[(pb, pa)].seal(b"counter 110")
    assert ma.open(pa, back)[1] == b"counter 110"
    # what a backbone node sees: neither identity (beyond the destination it routes by) nor the payload
    for blob in (init, resp, ct, back):
        assert b"offer" not in blob and b"counter" not in blob
        assert pa not in blob and pb not in blob
    assert init[0] == KIND_INIT and resp[0] == KIND_RESP


def test_the_responder_picks_the_first_suite_it_prefers_among_those_offered():
    x, y = pair(suites=(SUITE_CHACHA20POLY1305,))
    sa, _init, _resp = handshake(x, y)
    assert sa.suite == SUITE_CHACHA20POLY1305
    assert y[0].open(y[1], sa.seal(b"hi"))[1] == b"hi"


def test_a_man_in_the_middle_cannot_swap_the_ephemeral_key_of_an_init():
    (ma, pa, a), (mb, pb, b) = pair()
    mallory_eph = b"\x09" * 32
    # Mallory re-encrypts A's INIT with her own ephemeral key but cannot re-sign as A
    plain = init_plaintext(a, pa, pb, b"\1" * 8, b"\2" * 32, (SUITE_AES256GCM,))
    forged = plain.replace(b"\2" * 32, mallory_eph)
    with pytest.raises(SessionError, match="not signed by the key it names") as exc:
        mb.on_init(pb, bytes([KIND_INIT]) + encrypt_to(pb, forged))
    assert exc.value.kind == "signature"


def test_a_response_signed_by_another_key_than_the_addressed_peer_is_refused(monkeypatch):
    import offchain.routing.session as session_mod

    (ma, pa, _a), (mb, pb, b) = pair()
    init = ma.start(pa, pb)
    eve_key = new_private_key()
    real_sign = session_mod.sign_digest
    # Eve answers in B's name (here she can even read the INIT): everything right but the signer
    monkeypatch.setattr(session_mod, "sign_digest", lambda _key, digest: real_sign(eve_key, digest))
    _s, forged, _h = mb.on_init(pb, init)
    monkeypatch.setattr(session_mod, "sign_digest", real_sign)
    with pytest.raises(SessionError, match="RESP not signed by the peer we addressed") as exc:
        ma.on_resp(pa, forged)
    assert exc.value.kind == "signature" and (pa, pb) not in ma.current
    with pytest.raises(SessionError, match="answers no pending handshake"):
        SessionManager({pa: _a}).on_resp(pa, forged)  # and a RESP for a handshake never started


def test_an_init_offering_no_encryption_is_refused_as_a_downgrade():
    (ma, pa, a), (mb, pb, _b) = pair()
    for suites in ((SUITE_NONE,), ()):
        plain = init_plaintext(a, pa, pb, b"\1" * 8, b"\2" * 32, suites)
        with pytest.raises(SessionError, match="downgrade refused: the peer offers no encryption") as exc:
            mb.on_init(pb, bytes([KIND_INIT]) + encrypt_to(pb, plain))
        assert exc.value.kind == "downgrade"
    assert not mb.by_rid


def test_a_replayed_init_is_refused():
    (ma, pa, _a), (mb, pb, _b) = pair()
    init = ma.start(pa, pb)
    mb.on_init(pb, init)
    with pytest.raises(SessionError, match="replayed handshake") as exc:
        mb.on_init(pb, init)
    assert exc.value.kind == "replay"


def test_replayed_reordered_and_tampered_frames_are_refused_by_the_receiver():
    x, y = pair(replay_window=4)
    (mb, pb, _b) = y
    sa, _i, _r = handshake(x, y)
    frames = [sa.seal(f"m{i}".encode()) for i in range(8)]
    assert mb.open(pb, frames[0])[1] == b"m0"
    with pytest.raises(SessionError, match="replayed frame: counter 0") as exc:
        mb.open(pb, frames[0])
    assert exc.value.kind == "replay"
    for f in frames[2:7]:
        mb.open(pb, f)
    # counter 1 arrives 5 behind the highest counter (6): beyond the window of 4
    with pytest.raises(SessionError, match="reordered frame: counter 1 arrived after counter 6") as exc:
        mb.open(pb, frames[1])
    assert exc.value.kind == "reordered"
    tampered = bytearray(frames[7])
    tampered[-1] ^= 1
    with pytest.raises(SessionError, match="tampered") as exc:
        mb.open(pb, bytes(tampered))
    assert exc.value.kind == "tampered"
    header_changed = bytearray(frames[7])
    header_changed[16] ^= 0x10  # counter 7 -> 23: the counter is authenticated too
    with pytest.raises(SessionError, match="tampered"):
        mb.open(pb, bytes(header_changed))
    assert mb.open(pb, frames[7])[1] == b"m7"  # the genuine frame still opens: refusals change nothing


def test_a_frame_under_a_session_the_receiver_does_not_know_is_refused_as_stale():
    x, y = pair()
    sa, _i, _r = handshake(x, y)
    (_mb, pb, b) = y
    restarted = SessionManager({pb: b})  # the receiver lost its sessions (restart)
    with pytest.raises(SessionError, match="unknown session") as exc:
        restarted.open(pb, sa.seal(b"hello?"))
    assert exc.value.kind == "stale"


def test_after_a_rekey_the_superseded_session_is_refused_once_its_grace_is_over():
    x, y = pair(grace_seconds=0.2)
    (ma, pa, _a), (mb, pb, _b) = x, y
    old, _i, _r = handshake(x, y)
    late = old.seal(b"in flight during the rekey")
    new, _i, _r = handshake(x, y)
    assert ma.current[(pa, pb)] is new and new.rid != old.rid
    assert mb.open(pb, new.seal(b"new"))[1] == b"new"
    assert mb.open(pb, late)[1] == b"in flight during the rekey"  # within the grace
    stale = old.seal(b"too late")
    time.sleep(0.3)
    with pytest.raises(SessionError, match="stale"):
        mb.open(pb, stale)


def test_a_sender_asks_for_a_new_handshake_after_n_messages_or_t_seconds():
    x, y = pair(rekey_messages=3, rekey_seconds=0.3)
    (ma, pa, _a), (_mb, pb, _b) = x, y
    assert ma.for_sending(pa, pb) == (None, True)
    s, _i, _r = handshake(x, y)
    for _ in range(3):
        assert ma.for_sending(pa, pb) == (s, False)
        s.seal(b"x")
    assert ma.for_sending(pa, pb) == (s, True)  # N reached: keep sending, start a handshake
    ma.start(pa, pb)
    assert ma.for_sending(pa, pb) == (s, False)  # one handshake at a time
    x2, y2 = pair(rekey_seconds=0.3)
    s2, _i, _r = handshake(x2, y2)
    time.sleep(0.35)
    assert x2[0].for_sending(x2[1], y2[1]) == (s2, True)  # T reached


@given(st.lists(st.integers(min_value=0, max_value=200), max_size=300), st.integers(min_value=1, max_value=64))
def test_the_replay_window_accepts_each_counter_at_most_once_and_nothing_too_old(counters, size):
    window = ReplayWindow(size)
    accepted: list[int] = []
    for c in counters:
        top = max(accepted, default=-1)
        refused = window.check(c)
        if refused is None:
            window.accept(c)
            assert c not in accepted and (c > top or top - c < size)
            accepted.append(c)
        else:
            assert c in accepted or top - c >= size
            assert refused.kind == ("reordered" if top - c >= size else "replay")


def test_a_flood_of_handshakes_is_capped_and_evicts_unused_sessions_before_a_used_one():
    x, y = pair(max_sessions=3)
    (_ma, _pa, _a), (mb, pb, _b) = x, y
    sa, _i, _r = handshake(x, y)
    assert mb.open(pb, sa.seal(b"in use"))[1] == b"in use"  # B's session with A has carried a frame
    flood = []
    for _ in range(6):  # fresh keys, each with a valid signed INIT, never followed by a frame
        k = new_private_key()
        m = SessionManager({public_key(k): k})
        flood.append(mb.on_init(pb, m.start(public_key(k), pb))[0])
    assert len(mb.by_rid) == 3 and mb.evicted == 4
    assert mb.open(pb, sa.seal(b"still here"))[1] == b"still here"
    assert [s.rid in mb.by_rid for s in flood] == [False, False, False, False, True, True]
    with pytest.raises(SessionError) as exc:
        mb.open(pb, b"S" + flood[0].rid + bytes(8 + 16))
    assert exc.value.kind == "stale"
