"""The ARB routing table: a distributed hash table keyed by routing bytes.

The routing bytes (RB) of a public key are its X most significant bytes. The table
cuts the RB space ``[0, 256**X)`` into contiguous ranges, each owned by one backbone
node; every backbone node holds the same table (same ``version`` and ``digest``).

- :meth:`RoutingTable.initial` splits the space evenly (X = 1 by default).
- :meth:`RoutingTable.rebalanced` rebuilds it with X + 1 from measured load, cutting
  the finer space so that every node carries about the same number of messages: a
  larger X gives finer cut points, which is how SPB relieves an overloaded node.
- :meth:`RoutingTable.without` hands the ranges of dead nodes to their neighbours;
  it is deterministic, so every survivor computes the same table on its own.
"""

from __future__ import annotations

import bisect
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

__all__ = ["BackboneInfo", "RoutingTable", "MAX_ROUTING_BYTES", "LOAD_PREFIX_BYTES"]

#: Largest X the table grows to (and the precision at which backbone nodes count load).
MAX_ROUTING_BYTES = 4
LOAD_PREFIX_BYTES = MAX_ROUTING_BYTES


@dataclass(frozen=True)
class BackboneInfo:
    """Where a backbone node listens and the public key it peels onion layers with."""

    node_id: int
    host: str
    port: int
    pubkey: bytes

    def to_dict(self) -> dict:
        return {"id": self.node_id, "host": self.host, "port": self.port, "pubkey": self.pubkey.hex()}

    @classmethod
    def from_dict(cls, data: Mapping) -> BackboneInfo:
        return cls(int(data["id"]), str(data["host"]), int(data["port"]), bytes.fromhex(data["pubkey"]))


@dataclass(frozen=True)
class RoutingTable:
    """Routing bytes → backbone node, as sorted range starts and their owners."""

    x: int
    starts: tuple[int, ...]
    owners: tuple[int, ...]
    nodes: tuple[BackboneInfo, ...]
    version: int = 0

    def __post_init__(self) -> None:
        if not 1 <= self.x <= MAX_ROUTING_BYTES:
            raise ValueError(f"routing bytes X must be 1..{MAX_ROUTING_BYTES}, got {self.x}")
        if not self.starts or self.starts[0] != 0 or len(self.starts) != len(self.owners):
            raise ValueError("table ranges must start at 0 and have one owner each")
        if any(b <= a for a, b in zip(self.starts, self.starts[1:], strict=False)):
            raise ValueError("table range starts must increase")
        if self.starts[-1] >= 256**self.x:
            raise ValueError("table range start beyond the routing-byte space")
        known = {n.node_id for n in self.nodes}
        if not set(self.owners) <= known:
            raise ValueError("table names an owner that is not a listed backbone node")

    # -- construction -----------------------------------------------------------------
    @classmethod
    def initial(cls, nodes: Iterable[BackboneInfo], x: int = 1) -> RoutingTable:
        """Even split of the RB space among ``nodes`` (sorted by id)."""
        infos = tuple(sorted(nodes, key=lambda n: n.node_id))
        if not infos:
            raise ValueError("a routing table needs at least one backbone node")
        space = 256**x
        if len(infos) > space:
            raise ValueError(f"{len(infos)} backbone nodes do not fit in X={x} routing bytes")
        starts = tuple(space * i // len(infos) for i in range(len(infos)))
        return cls(x, starts, tuple(n.node_id for n in infos), infos, 0)

    def rebalanced(self, load: Mapping[int, int], *, x: int | None = None, prior: float = 0.05) -> RoutingTable:
        """A new table with X + 1 (capped) whose ranges carry equal shares of ``load``.

        ``load`` maps a :data:`LOAD_PREFIX_BYTES`-byte key prefix (as an integer) to
        the number of messages routed to keys with that prefix. A uniform ``prior``
        (a fraction of the measured total) is spread over the whole space, so that
        routing bytes nobody has used yet are still shared out instead of all landing
        in one range next to a hot spot.
        """
        new_x = min(MAX_ROUTING_BYTES, self.x + 1) if x is None else x
        space = 256**new_x
        shift = 8 * (LOAD_PREFIX_BYTES - new_x)
        weights: dict[int, int] = {}
        for prefix, count in load.items():
            if count > 0:
                rb = prefix >> shift
                weights[rb] = weights.get(rb, 0) + count
        ids = sorted(n.node_id for n in self.nodes)
        n = len(ids)
        if n > space:
            raise ValueError(f"cannot split X={new_x} routing bytes among {n} nodes")
        rbs = sorted(weights)
        prefix_sums = [0]
        for rb in rbs:
            prefix_sums.append(prefix_sums[-1] + weights[rb])
        total = prefix_sums[-1]
        spread = total * prior if total else 1.0
        grand = total + spread

        def mass_below(r: int) -> float:
            return prefix_sums[bisect.bisect_left(rbs, r)] + spread * r / space

        cuts: list[int] = []
        for k in range(1, n):
            target = grand * k / n
            lo, hi = (cuts[-1] if cuts else 0) + 1, space - (n - 1 - len(cuts))
            while lo < hi:  # smallest r whose preceding mass reaches the target
                mid = (lo + hi) // 2
                if mass_below(mid) >= target:
                    hi = mid
                else:
                    lo = mid + 1
            cuts.append(lo)
        return RoutingTable(new_x, (0, *cuts), tuple(ids), self.nodes, self.version + 1)

    def without(self, dead: Iterable[int]) -> RoutingTable:
        """The table with ``dead`` nodes removed; their ranges go to the preceding live range."""
        dead_set = set(dead) & {n.node_id for n in self.nodes}
        if not dead_set:
            return self
        alive = tuple(n for n in self.nodes if n.node_id not in dead_set)
        if not alive:
            raise ValueError("no backbone node left alive")
        starts: list[int] = []
        owners: list[int] = []
        first_alive = next(o for o in self.owners if o not in dead_set)
        for start, owner in zip(self.starts, self.owners, strict=True):
            if owner in dead_set:
                owner = owners[-1] if owners else first_alive
            if owners and owners[-1] == owner:
                continue
            starts.append(start)
            owners.append(owner)
        return RoutingTable(self.x, tuple(starts), tuple(owners), alive, self.version + 1)

    # -- lookup -----------------------------------------------------------------------
    def routing_bytes(self, pubkey: bytes) -> bytes:
        """The X most significant bytes of ``pubkey``."""
        return pubkey[: self.x]

    def owner_of(self, pubkey: bytes) -> int:
        """Id of the backbone node responsible for ``pubkey``."""
        rb = int.from_bytes(pubkey[: self.x], "big")
        return self.owners[bisect.bisect_right(self.starts, rb) - 1]

    def node(self, node_id: int) -> BackboneInfo:
        for info in self.nodes:
            if info.node_id == node_id:
                return info
        raise KeyError(node_id)

    @property
    def node_ids(self) -> tuple[int, ...]:
        return tuple(n.node_id for n in self.nodes)

    def ranges(self) -> list[tuple[int, int, int]]:
        """``(first_rb, last_rb, owner)`` for every range."""
        bounds = [*self.starts, 256**self.x]
        return [(bounds[i], bounds[i + 1] - 1, o) for i, o in enumerate(self.owners)]

    # -- wire form --------------------------------------------------------------------
    def to_dict(self) -> dict:
        return {
            "x": self.x,
            "version": self.version,
            "starts": list(self.starts),
            "owners": list(self.owners),
            "nodes": [n.to_dict() for n in self.nodes],
        }

    @classmethod
    def from_dict(cls, data: Mapping) -> RoutingTable:
        return cls(
            int(data["x"]),
            tuple(int(s) for s in data["starts"]),
            tuple(int(o) for o in data["owners"]),
            tuple(BackboneInfo.from_dict(n) for n in data["nodes"]),
            int(data["version"]),
        )

    @property
    def digest(self) -> str:
        """Content hash: two tables with the same version and digest are the same table."""
        return hashlib.sha256(json.dumps(self.to_dict(), sort_keys=True).encode()).hexdigest()

    def supersedes(self, other: RoutingTable) -> bool:
        """Whether this table should replace ``other`` (higher version, digest breaks ties)."""
        return (self.version, self.digest) > (other.version, other.digest)
