"""Onion mode (PETra): one ECIES layer per backbone hop, each hop learns only the next.

The sender wraps a DATA frame for hops ``h1 .. hk`` (backbone nodes, by their public
keys). Hop ``i`` peels its layer and finds either ``RELAY next_hop blob`` (forward the
still-encrypted ``blob`` to backbone node ``next_hop``) or ``EXIT data_frame`` (route
the inner DATA frame, itself encrypted to the recipient, by the routing table).
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass

import ecies

from ._errors import FrameError
from .table import BackboneInfo

__all__ = ["wrap", "peel", "Layer"]

_RELAY, _EXIT = b"R", b"E"


@dataclass(frozen=True)
class Layer:
    """What one hop learns: the next backbone node (relay) or the DATA frame to route (exit)."""

    next_hop: int | None
    inner: bytes


def wrap(data_body: bytes, hops: Sequence[BackboneInfo]) -> tuple[int, bytes]:
    """``(first_hop_id, blob)`` for a DATA frame body routed through ``hops`` in order."""
    if not hops:
        raise ValueError("onion mode needs at least one hop")
    blob = ecies.encrypt(b"\x04" + hops[-1].pubkey, _EXIT + data_body)
    for i in range(len(hops) - 2, -1, -1):
        blob = ecies.encrypt(b"\x04" + hops[i].pubkey, _RELAY + struct.pack(">H", hops[i + 1].node_id) + blob)
    return hops[0].node_id, blob


def peel(node_private: bytes, blob: bytes) -> Layer:
    """Remove this hop's layer. Raises :class:`FrameError` if it is not for this key."""
    try:
        plain = ecies.decrypt(node_private, blob)
    except Exception as exc:  # noqa: BLE001
        raise FrameError(f"onion layer does not decrypt with this node's key: {type(exc).__name__}") from exc
    kind, rest = plain[:1], plain[1:]
    if kind == _RELAY and len(rest) > 2:
        return Layer(struct.unpack(">H", rest[:2])[0], rest[2:])
    if kind == _EXIT and rest:
        return Layer(None, rest)
    raise FrameError("onion layer has an unknown kind")
