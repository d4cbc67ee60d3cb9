from __future__ import annotations

import pytest

from offchain.kernel.crypto import new_private_key, public_key
from offchain.routing import BackboneInfo, FrameError
from offchain.routing.onion import peel, wrap


def hops(n: int) -> tuple[list[bytes], list[BackboneInfo]]:
    keys = [new_private_key() for _ in range(n)]
    return keys, [BackboneInfo(10 + i, "h", 1, public_key(k)) for i, k in enumerate(keys)]


def test_each_hop_learns_only_the_next_hop_and_the_last_the_data_frame():
    keys, infos = hops(3)
    first, blob = wrap(b"\x07DATA-FRAME", infos)
    assert first == 10
    layer = peel(keys[0], blob)
    assert layer.next_hop == 11 and b"DATA-FRAME" not in layer.inner
    layer = peel(keys[1], layer.inner)
    assert layer.next_hop == 12 and b"DATA-FRAME" not in layer.inner
    layer = peel(keys[2], layer.inner)
    assert layer.next_hop is None and layer.inner == b"\x07DATA-FRAME"


def test_a_hop_cannot_peel_a_layer_meant_for_another_hop():
    keys, infos = hops(2)
    _first, blob = wrap(b"\x07X", infos)
    with pytest.raises(FrameError):
        peel(keys[1], blob)
