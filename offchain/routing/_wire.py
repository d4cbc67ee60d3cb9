"""Frames on the backbone's TCP links (private).

Every frame is ``u32 length || body`` with ``body[0]`` the frame type. Control frames
carry a JSON object after the type byte; DATA, RECEIPT and ONION are binary so that a
backbone node parses only a fixed header and never touches the ciphertext.

DATA   ``type | msg_id[16] | origin u16 | hops u8 | pow_bits u8 | pow_nonce u64 | dest[64] | ciphertext``
RECEIPT ``type | msg_id[16] | origin u16 | ok u8 | reason (utf-8)``
ONION  ``type | msg_id[16] | next u16 | blob`` (msg_id is zeroed after the first backbone node)
"""

from __future__ import annotations

import asyncio
import json
import struct
from dataclasses import dataclass

from ._errors import FrameError

MAX_FRAME = 64 * 1024
#: A frame declaring more than this is not skipped but ends the connection.
HARD_LIMIT = 16 * 1024 * 1024
NO_ORIGIN = 0xFFFF
MAX_HOPS = 8

HELLO, JOIN, JOINED, LEAVE, TABLE, GET_TABLE, DATA, RECEIPT, ONION, ERROR, LOAD_REQ, LOAD, STATS, ADMIN = range(1, 15)
JSON_TYPES = frozenset({HELLO, JOIN, JOINED, LEAVE, TABLE, GET_TABLE, ERROR, LOAD_REQ, LOAD, STATS, ADMIN})
NAMES = {
    v: k
    for k, v in dict(
        HELLO=HELLO, JOIN=JOIN, JOINED=JOINED, LEAVE=LEAVE, TABLE=TABLE, GET_TABLE=GET_TABLE, DATA=DATA,
        RECEIPT=RECEIPT, ONION=ONION, ERROR=ERROR, LOAD_REQ=LOAD_REQ, LOAD=LOAD, STATS=STATS, ADMIN=ADMIN,
    ).items()
}  # fmt: skip

_DATA_HDR = struct.Struct(">B16sHBBQ64s")
_RECEIPT_HDR = struct.Struct(">B16sHB")
_ONION_HDR = struct.Struct(">B16sH")
_LEN = struct.Struct(">I")


class OversizedFrame(FrameError):
    """A frame larger than the limit; its bytes were skipped, the stream is still in sync."""


def pack(body: bytes) -> bytes:
    return _LEN.pack(len(body)) + body


def json_frame(ftype: int, obj: dict) -> bytes:
    return pack(bytes([ftype]) + json.dumps(obj, separators=(",", ":")).encode())


def parse_json(body: bytes) -> dict:
    try:
        obj = json.loads(body[1:])
    except (UnicodeDecodeError, ValueError) as exc:
        raise FrameError(f"{NAMES.get(body[0], body[0])} frame is not valid JSON") from exc
    if not isinstance(obj, dict):
        raise FrameError(f"{NAMES.get(body[0], body[0])} frame is not a JSON object")
    return obj


async def read_frame(reader: asyncio.StreamReader, max_frame: int = MAX_FRAME) -> bytes:
    """The next frame body. Raises :class:`OversizedFrame` (bytes skipped, still in sync),
    :class:`FrameError` for an empty or absurd frame, ``IncompleteReadError`` at EOF."""
    (length,) = _LEN.unpack(await reader.readexactly(4))
    if length == 0:
        raise FrameError("empty frame")
    if length > max_frame:
        if length > HARD_LIMIT:
            raise FrameError(f"frame of {length} bytes exceeds the hard limit; closing")
        remaining = length
        while remaining:
            chunk = await reader.read(min(remaining, 65536))
            if not chunk:
                raise asyncio.IncompleteReadError(b"", remaining)
            remaining -= len(chunk)
        raise OversizedFrame(f"frame of {length} bytes exceeds the {max_frame}-byte limit")
    return await reader.readexactly(length)


@dataclass
class Data:
    msg_id: bytes
    origin: int
    hops: int
    pow_bits: int
    pow_nonce: int
    dest: bytes
    ciphertext: bytes

    def body(self) -> bytes:
        return (
            _DATA_HDR.pack(DATA, self.msg_id, self.origin, self.hops, self.pow_bits, self.pow_nonce, self.dest)
            + self.ciphertext
        )

    @classmethod
    def parse(cls, body: bytes) -> Data:
        if len(body) <= _DATA_HDR.size:
            raise FrameError(f"DATA frame of {len(body)} bytes is shorter than its header")
        _, msg_id, origin, hops, bits, nonce, dest = _DATA_HDR.unpack_from(body)
        return cls(msg_id, origin, hops, bits, nonce, dest, body[_DATA_HDR.size :])


def data_with(body: bytes, *, origin: int | None = None, hops: int | None = None) -> bytes:
    """``body`` (a DATA frame) with origin/hops rewritten, without re-parsing the rest."""
    b = bytearray(body)
    if origin is not None:
        struct.pack_into(">H", b, 17, origin)
    if hops is not None:
        b[19] = hops
    return bytes(b)


def data_header(body: bytes) -> tuple[bytes, int, int, bytes]:
    """``(msg_id, origin, hops, dest)`` of a DATA body (fast path for routing)."""
    if len(body) <= _DATA_HDR.size:
        raise FrameError(f"DATA frame of {len(body)} bytes is shorter than its header")
    return body[1:17], (body[17] << 8) | body[18], body[19], body[_DATA_HDR.size - 64 : _DATA_HDR.size]


def receipt(msg_id: bytes, origin: int, ok: bool, reason: str = "") -> bytes:
    return pack(_RECEIPT_HDR.pack(RECEIPT, msg_id, origin, int(ok)) + reason.encode()[:512])


def parse_receipt(body: bytes) -> tuple[bytes, int, bool, str]:
    if len(body) < _RECEIPT_HDR.size:
        raise FrameError("RECEIPT frame shorter than its header")
    _, msg_id, origin, ok = _RECEIPT_HDR.unpack_from(body)
    return msg_id, origin, bool(ok), body[_RECEIPT_HDR.size :].decode(errors="replace")


def onion(msg_id: bytes, next_hop: int, blob: bytes) -> bytes:
    return pack(_ONION_HDR.pack(ONION, msg_id, next_hop) + blob)


def parse_onion(body: bytes) -> tuple[bytes, int, bytes]:
    if len(body) <= _ONION_HDR.size:
        raise FrameError("ONION frame shorter than its header")
    _, msg_id, next_hop = _ONION_HDR.unpack_from(body)
    return msg_id, next_hop, body[_ONION_HDR.size :]


class FrameBuffer:
    """Splits a byte stream into frame bodies, many frames per read (batched parsing).

    ``feed(data)`` returns, in order, each complete frame body and, for a frame above
    ``max_frame``, an :class:`OversizedFrame` once its bytes have been skipped (the stream
    stays in sync), exactly as :func:`read_frame` would have. An empty frame or one above
    :data:`HARD_LIMIT` ends the list with a :class:`FrameError`; the stream is then unusable.
    """

    __slots__ = ("max_frame", "_buf", "_skip", "_skip_len", "dead")

    def __init__(self, max_frame: int = MAX_FRAME) -> None:
        self.max_frame = max_frame
        self._buf = b""
        self._skip = 0
        self._skip_len = 0
        self.dead = False

    def feed(self, data: bytes) -> list[bytes | FrameError]:
        out: list[bytes | FrameError] = []
        if self.dead:
            return out
        if self._skip:
            if len(data) < self._skip:
                self._skip -= len(data)
                return out
            data = data[self._skip :]
            self._skip = 0
            out.append(OversizedFrame(f"frame of {self._skip_len} bytes exceeds the {self.max_frame}-byte limit"))
        buf = self._buf + data if self._buf else data
        pos, end = 0, len(buf)
        unpack = _LEN.unpack_from
        while end - pos >= 4:
            (length,) = unpack(buf, pos)
            if length == 0 or length > self.max_frame:
                if length == 0:
                    out.append(FrameError("empty frame"))
                    self.dead = True
                    break
                if length > HARD_LIMIT:
                    out.append(FrameError(f"frame of {length} bytes exceeds the hard limit; closing"))
                    self.dead = True
                    break
                have = end - pos - 4
                if have < length:
                    self._skip, self._skip_len = length - have, length
                    pos = end
                    break
                out.append(OversizedFrame(f"frame of {length} bytes exceeds the {self.max_frame}-byte limit"))
                pos += 4 + length
                continue
            if end - pos - 4 < length:
                break
            out.append(buf[pos + 4 : pos + 4 + length])
            pos += 4 + length
        self._buf = buf[pos:] if pos < end and not self.dead else b""
        return out


class Batcher:
    """Frames for one connection, written together once per event-loop pass.

    ``write`` queues a frame and schedules one flush with ``call_soon``: everything
    queued while the loop handles the current batch of events goes out in one
    ``transport.write`` (one system call), and a lone frame leaves in the same pass,
    so a single negotiation message waits for nothing.
    """

    __slots__ = ("writer", "_frames", "_loop", "_scheduled", "writes", "frames")

    def __init__(self, writer: asyncio.StreamWriter) -> None:
        self.writer = writer
        self._frames: list[bytes] = []
        self._loop = asyncio.get_running_loop()
        self._scheduled = False
        self.writes = 0
        self.frames = 0

    def write(self, frame: bytes) -> None:
        self._frames.append(frame)
        if not self._scheduled:
            self._scheduled = True
            self._loop.call_soon(self.flush)

    def flush(self) -> None:
        self._scheduled = False
        frames, self._frames = self._frames, []
        if not frames or self.writer.is_closing():
            return
        self.writes += 1
        self.frames += len(frames)
        self.writer.write(frames[0] if len(frames) == 1 else b"".join(frames))

    def is_closing(self) -> bool:
        return self.writer.is_closing()

    def buffered(self) -> int:
        return self.writer.transport.get_write_buffer_size()

    def close(self) -> None:
        self.flush()
        self.writer.close()
