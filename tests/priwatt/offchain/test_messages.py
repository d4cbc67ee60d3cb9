"""PriWatt's messages and fresh identities (the in-memory network has the backbone's API)."""

from __future__ import annotations

import asyncio

import pytest

from offchain.priwatt.messaging import Identity, LocalNetwork, Message, MessageError


def test_every_trade_gets_fresh_transaction_and_messaging_keys():
    a, b = Identity.fresh(), Identity.fresh()
    assert a.address != b.address and a.msg_public != b.msg_public
    assert len(a.msg_public) == 64
    assert Identity.from_json(a.to_json()) == a


def test_a_message_round_trips_with_bytes_and_integers():
    msg = Message("state", {"cumulative": 7, "signature": b"\x01\x02"})
    back = Message.decode(msg.encode())
    assert back.int_("cumulative") == 7 and back.bytes_("signature") == b"\x01\x02"


@pytest.mark.parametrize("data", [b"not json", b'{"no":"type"}', b'{"type":1}'])
def test_malformed_messages_are_refused(data):
    with pytest.raises(MessageError):
        Message.decode(data)


def test_fields_of_the_wrong_type_are_refused():
    msg = Message("state", {"cumulative": "7", "signature": "zz", "flag": True})
    for read in (lambda: msg.int_("cumulative"), lambda: msg.bytes_("signature"), lambda: msg.int_("flag")):
        with pytest.raises(MessageError):
            read()


def test_a_message_of_another_type_or_from_another_sender_is_refused():
    async def main():
        net = LocalNetwork()
        a, b, c = Identity.fresh(), Identity.fresh(), Identity.fresh()
        for who in (a, b, c):
            await net.join(who.msg_private)
        await net.post(a, b.msg_public, Message("delivered", {"kwh": 1}))
        with pytest.raises(MessageError):
            await net.expect(b, ("state",), timeout=1)
        await net.post(c, b.msg_public, Message("state", {"cumulative": 1}))
        with pytest.raises(MessageError):
            await net.expect(b, ("state",), sender=a.msg_public, timeout=1)
        with pytest.raises(TimeoutError):
            await net.expect(b, ("state",), timeout=0.1)

    asyncio.run(main())
