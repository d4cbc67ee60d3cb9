"""The routing decision shared by the TCP backbone node and the in-process simulator."""

from __future__ import annotations

from collections.abc import Container

from .table import RoutingTable

DELIVER, HOLD, FORWARD = "deliver", "hold", "forward"


def route_step(table: RoutingTable, self_id: int, dest: bytes, local_keys: Container[bytes]) -> tuple[str, int]:
    """What backbone node ``self_id`` does with a message for ``dest``.

    ``(DELIVER, self_id)`` when the destination key is joined here (even if the table
    just moved it elsewhere: the key is still attached, so nothing in flight is lost);
    ``(HOLD, self_id)`` when this node owns the key's routing bytes but the key has
    not joined yet (it is re-associating); ``(FORWARD, owner)`` otherwise.
    """
    if dest in local_keys:
        return DELIVER, self_id
    owner = table.owner_of(dest)
    if owner == self_id:
        return HOLD, self_id
    return FORWARD, owner
