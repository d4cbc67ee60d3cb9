"""Session refusals over real backbone processes and sockets: each hostile frame reaches the
recipient's regular node through the backbone and is refused there with a logged reason.

The attacker injects frames into the backbone from a regular node of its own (as anyone who
captured a frame on a link, or a backbone node on the path, could)."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

from offchain.kernel.crypto import new_private_key, public_key
from offchain.routing import RegularNode, SessionOptions, seal
from offchain.routing import _wire as w
from offchain.routing.session import KIND_INIT, SUITE_NONE, encrypt_to, init_plaintext

pytestmark = pytest.mark.timeout(180)  # every wait below is bounded; this bounds each test as a whole

LOGGER = "gridledger.routing.node"


class Capturing(RegularNode):
    """A regular node that keeps a copy of every DATA frame delivered to it (what a wiretap sees)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.captured: list[bytes] = []

    def _on_frame(self, link, body: bytes) -> None:
        if body[0] == w.DATA:
            self.captured.append(body)
        super()._on_frame(link, body)


def reinjected(body: bytes, ciphertext: bytes | None = None) -> bytes:
    """A captured DATA frame sent again with a fresh message id (and optionally other bytes)."""
    data = w.Data.parse(body)
    ct = data.ciphertext if ciphertext is None else ciphertext
    return w.pack(w.Data(_fresh_id(), w.NO_ORIGIN, 0, 0, 0, data.dest, ct).body())


_ids = iter(range(1, 1 << 30))


def _fresh_id() -> bytes:
    return next(_ids).to_bytes(16, "big")


async def inject(attacker: RegularNode, frame: bytes) -> None:
    (pk,) = attacker.public_keys
    attacker._links[attacker.home[pk]].out.write(frame)


async def until(predicate, what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.02)


def refusals(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == LOGGER and "refused frame" in r.getMessage()]


def test_replayed_and_tampered_frames_are_refused_with_a_logged_reason(backbone, key_on, caplog):
    a_key, b_key, m_key = key_on(backbone.table, 0), key_on(backbone.table, 1), key_on(backbone.table, 0)
    caplog.set_level(logging.WARNING, logger=LOGGER)

    async def run():
        async with (
            RegularNode([a_key], backbone.table) as a,
            Capturing([b_key], backbone.table) as b,
            RegularNode([m_key], backbone.table) as mallory,
        ):
            (pa,), (pb,) = a.public_keys, b.public_keys
            for i in range(3):
                await a.send(pa, pb, f"offer {i}".encode())
            got = [(await b.receive(pb, 10)).payload for _ in range(3)]
            first, last = b.captured[-3], b.captured[-1]  # session frames (before them: the handshake INIT)
            assert b"offer" not in first
            assert w.Data.parse(first).ciphertext[0] == ord("S")
            await inject(mallory, reinjected(first))  # replay, new message id
            await until(lambda: b.stats.get("refused_replay", 0) == 1, "the replay to be refused")
            # a frame in flight (its counter never seen), one bit of its ciphertext flipped on the way
            ct = bytearray(a.sessions.current[(pa, pb)].seal(b"pay 100 wei"))
            ct[20] ^= 0x01
            await inject(mallory, reinjected(last, bytes(ct)))
            await until(lambda: b.stats.get("refused_tampered", 0) == 1, "the tampered frame to be refused")
            await a.send(pa, pb, b"offer 3")  # the session is unharmed
            got.append((await b.receive(pb, 10)).payload)
            assert b._inbox[pb].empty()
            return got, dict(b.stats)

    got, stats = asyncio.run(run())
    assert got == [b"offer 0", b"offer 1", b"offer 2", b"offer 3"]
    assert stats["received"] == 4 and stats["refused"] == 2
    logged = refusals(caplog)
    assert any("replayed frame: counter 0 was already received" in m for m in logged), logged
    assert any("does not authenticate under session" in m and "tampered" in m for m in logged), logged


def test_a_frame_that_arrives_behind_the_replay_window_is_refused_as_reordered(backbone, key_on, caplog):
    a_key, b_key = key_on(backbone.table, 0), key_on(backbone.table, 2)
    caplog.set_level(logging.WARNING, logger=LOGGER)

    async def run():
        async with (
            RegularNode([a_key], backbone.table) as a,
            RegularNode([b_key], backbone.table, sessions=SessionOptions(replay_window=8)) as b,
        ):
            (pa,), (pb,) = a.public_keys, b.public_keys
            await a.send(pa, pb, b"m0")  # counter 0
            session = a.sessions.current[(pa, pb)]
            very_late = session.seal(b"held back: counter 1")
            for i in range(2, 8):  # counters 2..7
                await a.send(pa, pb, f"m{i}".encode())
            slightly_late = session.seal(b"held back: counter 8")
            for i in range(9, 13):  # counters 9..12
                await a.send(pa, pb, f"m{i}".encode())
            loop = asyncio.get_running_loop()
            for ct in (very_late, slightly_late):  # the backbone delivers both (receipt ok) ...
                fut = loop.create_future()
                a._transmit(pa, pb, ct, 0, fut)
                await asyncio.wait_for(fut, 10)
            await a.send(pa, pb, b"m13")
            got = [(await b.receive(pb, 10)).payload for _ in range(13)]
            await until(lambda: b.stats.get("refused_reordered", 0) == 1, "the reordered frame to be refused")
            return got, dict(b.stats)

    got, stats = asyncio.run(run())
    # ... the receiver refuses counter 1 (11 behind the highest, 12: beyond the window of 8) and
    # accepts counter 8 (4 behind) once, counting it as reordered
    expected = [b"m0"] + [f"m{i}".encode() for i in (2, 3, 4, 5, 6, 7, 9, 10, 11, 12)]
    assert got == expected + [b"held back: counter 8", b"m13"]
    assert stats["refused_reordered"] == 1 and stats["reordered_accepted"] == 1 and stats["refused"] == 1
    logged = refusals(caplog)
    assert any(
        "reordered frame: counter 1 arrived after counter 12, beyond the replay window of 8" in m for m in logged
    ), logged


def test_a_frame_from_a_peer_with_a_stale_session_is_refused_and_a_new_handshake_heals(backbone, key_on, caplog):
    a_key, b_key = key_on(backbone.table, 1), key_on(backbone.table, 2)
    caplog.set_level(logging.WARNING, logger=LOGGER)

    async def run():
        async with RegularNode([a_key], backbone.table) as a:
            (pa,) = a.public_keys
            b = await RegularNode([b_key], backbone.table).start()
            pb = b.public_keys[0]
            await a.send(pa, pb, b"before the restart")
            assert (await b.receive(pb, 10)).payload == b"before the restart"
            await b.close()
            b = await RegularNode([b_key], backbone.table).start()  # same key, sessions forgotten
            try:
                await a.send(pa, pb, b"under the stale session")  # delivered by the backbone ...
                await until(lambda: b.stats.get("refused_stale", 0) == 1, "the stale frame to be refused")
                assert b._inbox[pb].empty()  # ... refused by the recipient
                # the restarted party speaks first: its handshake replaces the stale session on both sides
                await b.send(pb, pa, b"hello again")
                assert (await a.receive(pa, 10)).payload == b"hello again"
                await a.send(pa, pb, b"after the new handshake")
                return (await b.receive(pb, 10)).payload, dict(b.stats)
            finally:
                await b.close()

    last, stats = asyncio.run(run())
    assert last == b"after the new handshake" and stats["refused"] == 1
    logged = refusals(caplog)
    assert any("frame for unknown session" in m and "stale" in m for m in logged), logged


def test_a_peer_offering_no_encryption_is_refused_as_a_downgrade(backbone, key_on, caplog):
    a_key, b_key, m_key = key_on(backbone.table, 0), key_on(backbone.table, 1), key_on(backbone.table, 2)
    caplog.set_level(logging.WARNING, logger=LOGGER)

    async def run():
        async with (
            RegularNode([b_key], backbone.table) as b,
            RegularNode([m_key], backbone.table) as mallory,
            RegularNode([a_key], backbone.table, sessions=False) as legacy,
        ):
            (pb,), (pm,), (pa,) = b.public_keys, mallory.public_keys, legacy.public_keys
            # 1. a handshake whose signed offer lists no cipher (only "none")
            plain = init_plaintext(m_key, pm, pb, b"\1" * 8, b"\2" * 32, (SUITE_NONE,))
            data = w.Data(_fresh_id(), w.NO_ORIGIN, 0, 0, 0, pb, bytes([KIND_INIT]) + encrypt_to(pb, plain))
            await inject(mallory, w.pack(data.body()))
            await until(lambda: b.stats.get("refused_downgrade", 0) == 1, "the downgrade INIT to be refused")
            # 2. a peer without session keys: one ECIES envelope per message, replayable
            await legacy.send(pa, pb, b"no session, no replay protection")
            await until(lambda: b.stats.get("refused_downgrade", 0) == 2, "the legacy envelope to be refused")
            assert b._inbox[pb].empty() and not b.sessions.by_rid
            # a sealed envelope built by hand is refused the same way
            await inject(mallory, w.pack(w.Data(_fresh_id(), w.NO_ORIGIN, 0, 0, 0, pb, seal(m_key, pb, b"x")).body()))
            await until(lambda: b.stats.get("refused_downgrade", 0) == 3, "the hand-made envelope to be refused")
            return dict(b.stats), dict(mallory.stats)

    b_stats, m_stats = asyncio.run(run())
    assert b_stats["sessions"] == 0 and b_stats["received"] == 0
    assert m_stats["received"] == 0  # no RESP was sent to the downgrading peer
    logged = refusals(caplog)
    assert any("downgrade refused: the peer offers no encryption we accept (none)" in m for m in logged), logged
    assert any("downgrade refused: a per-message ECIES envelope" in m for m in logged), logged


def test_sessions_rekey_after_n_messages_without_losing_or_reordering_any(backbone, key_on):
    a_key, b_key = key_on(backbone.table, 0), key_on(backbone.table, 1)
    options = SessionOptions(rekey_messages=20)

    async def run():
        async with (
            RegularNode([a_key], backbone.table, sessions=options) as a,
            RegularNode([b_key], backbone.table, sessions=options) as b,
        ):
            (pa,), (pb,) = a.public_keys, b.public_keys
            for batch in range(10):  # ten at a time: the 21st message starts a new handshake, and so on
                futures = [a.send_nowait(pa, pb, f"m{i}".encode()) for i in range(10 * batch, 10 * batch + 10)]
                await asyncio.wait_for(asyncio.gather(*futures), 60)
            got = [(await b.receive(pb, 10)).payload for _ in range(100)]
            rids = {s.rid for s in b.sessions.by_rid.values()}
            return got, a.stats["handshakes"], len(rids), b.stats["refused"]

    got, handshakes, sessions, refused = asyncio.run(run())
    assert got == [f"m{i}".encode() for i in range(100)]
    assert handshakes >= 2 and sessions >= 2 and refused == 0


def test_two_pseudonyms_of_one_party_get_two_unrelated_sessions(backbone, key_on):
    # two pseudonyms of one party talking to the same peer get two unrelated sessions
    a1, a2, b_key = key_on(backbone.table, 0), new_private_key(), key_on(backbone.table, 1)

    async def run():
        async with RegularNode([a1, a2], backbone.table) as a, RegularNode([b_key], backbone.table) as b:
            (pb,) = b.public_keys
            for k in (a1, a2):
                await a.send(public_key(k), pb, b"hi")
            senders = {(await b.receive(pb, 10)).sender for _ in range(2)}
            return senders, {s.rid for s in a.sessions.by_rid.values()}

    senders, rids = asyncio.run(run())
    assert senders == {public_key(a1), public_key(a2)} and len(rids) == 2


def test_a_pseudonym_added_after_the_transport_was_made_negotiates_over_it(backbone, key_on):
    from offchain.negotiation import ConcessionStrategy, Party, negotiate
    from offchain.routing import ArbTransport

    buyer_key, seller_key = key_on(backbone.table, 0), key_on(backbone.table, 2)

    async def run():
        async with RegularNode([], backbone.table) as a, RegularNode([seller_key], backbone.table) as s:
            transport = ArbTransport([a, s])
            await a.add_key(buyer_key)  # a fresh pseudonym, joined after the transport was built
            buyer = Party(buyer_key, ConcessionStrategy.buyer(80, 120))
            seller = Party(seller_key, ConcessionStrategy.seller(150, 100))
            return await negotiate(buyer, seller, transport, amount=5000), dict(a.stats)

    agreement, stats = asyncio.run(run())
    assert agreement.amount == 5000 and 100 <= agreement.price <= 120
    assert stats["handshakes"] == 1 and stats["refused"] == 0
