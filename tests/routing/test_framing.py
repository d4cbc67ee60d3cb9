from __future__ import annotations

import asyncio

import pytest

from offchain.routing import FrameError
from offchain.routing import _wire as w


def feed(*chunks: bytes) -> asyncio.StreamReader:
    reader = asyncio.StreamReader()
    for c in chunks:
        reader.feed_data(c)
    reader.feed_eof()
    return reader


def test_an_oversized_frame_is_skipped_and_the_next_frame_still_reads():
    async def run():
        reader = feed(w.pack(b"\x05" + b"x" * 100), w.json_frame(w.GET_TABLE, {}))
        with pytest.raises(w.OversizedFrame):
            await w.read_frame(reader, max_frame=50)
        return await w.read_frame(reader, max_frame=50)

    assert asyncio.run(run())[0] == w.GET_TABLE


def test_an_empty_or_absurd_frame_is_an_error():
    async def run(data: bytes):
        return await w.read_frame(feed(data))

    with pytest.raises(FrameError):
        asyncio.run(run(b"\x00\x00\x00\x00"))
    with pytest.raises(FrameError, match="hard limit"):
        asyncio.run(run((w.HARD_LIMIT + 1).to_bytes(4, "big")))


def test_a_data_frame_round_trips_and_its_header_is_read_without_the_payload():
    data = w.Data(b"\x01" * 16, 3, 1, 8, 12345, b"\x02" * 64, b"ciphertext")
    body = data.body()
    assert w.Data.parse(body) == data
    assert w.data_header(body) == (b"\x01" * 16, 3, 1, b"\x02" * 64)
    assert w.data_header(w.data_with(body, origin=7, hops=2))[1:3] == (7, 2)


def test_short_or_non_json_frames_are_refused():
    with pytest.raises(FrameError):
        w.Data.parse(bytes([w.DATA]) + b"short")
    with pytest.raises(FrameError):
        w.parse_json(bytes([w.JOIN]) + b"{not json")
    with pytest.raises(FrameError):
        w.parse_json(bytes([w.JOIN]) + b"[1, 2]")
