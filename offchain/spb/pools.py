"""One-time key pools: the keys of one CoE tree a meter owns, and group CoE trees.

A pool is a Merkle tree (``StandardMerkleTree`` layout, leaf encoding
``["uint256", "address"]`` = (leaf index, key address)) whose root, once signed by a
verifier meter, is a Certificate of Existence. A meter's own pool holds the whole
tree; a meter's share of a group pool holds only the proofs of its own leaves
(:class:`GroupTree` is the published tree of leaf hashes, :class:`GroupContribution`
what a member hands the coordinator).
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass, field
from typing import Any

from ..kernel.crypto import address_of_private_key, generate_keypairs, keccak256, to_hex
from .errors import MeterError
from .merkle import make_merkle_tree, process_proof, tree_proof

__all__ = ["KeyPool", "GroupContribution", "GroupTree", "coe_leaf_hash"]

_ZERO12 = bytes(12)


def coe_leaf_hash(index: int, address: bytes) -> bytes:
    """Leaf hash of (leaf index, 20-byte key address) in a CoE tree."""
    return keccak256(keccak256(index.to_bytes(32, "big") + _ZERO12 + address))


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def unb64(text: str) -> bytes:
    return base64.b64decode(text)


@dataclass
class KeyPool:
    """One-time keys of one CoE tree that this meter owns (all of it, or its share of a group).

    ``indices[i]`` is the leaf index of ``keys[i]``. Proofs come from the whole tree
    (``tree``, own pools) or from per-key proofs (``proofs``, group pools: a member
    keeps only its own proofs). ``members`` is the number of meters sharing the root,
    i.e. the anonymity set of every receipt signed from this pool.
    """

    pool_id: str
    indices: list[int]
    keys: list[bytes]
    root: bytes | None = None
    members: int = 1
    tree: list[bytes] | None = None
    tree_indices: list[int] | None = None
    proofs: list[list[bytes]] | None = None
    leaf_hashes: list[bytes] | None = None  # pending group share only
    coe: dict[str, Any] | None = None
    used: set[int] = field(default_factory=set)
    #: leaf index → CTP id (hex) of the one receipt its key signed
    receipts: dict[int, str] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(self.keys)

    @property
    def is_group(self) -> bool:
        return self.proofs is not None or self.leaf_hashes is not None

    @property
    def unused(self) -> int:
        return self.size - len(self.used)

    @property
    def certified(self) -> bool:
        return self.root is not None and self.coe is not None

    def position_of(self, address: str) -> int | None:
        """Position in ``keys`` of the key with this address (``None`` if not in this pool)."""
        wanted = address.lower()
        for position, secret in enumerate(self.keys):
            if address_of_private_key(secret).lower() == wanted:
                return position
        return None

    def proof(self, position: int) -> list[bytes]:
        """Merkle proof of the leaf of ``keys[position]``."""
        if self.tree is not None and self.tree_indices is not None:
            return tree_proof(self.tree, self.tree_indices[position])
        if self.proofs is not None:
            return list(self.proofs[position])
        raise MeterError(f"pool {self.pool_id} has no tree yet (group not finalised)")

    # -- creation ------------------------------------------------------------------------
    @classmethod
    def generate(cls, size: int) -> KeyPool:
        """A new pool of ``size`` fresh one-time keys owned by one meter (leaf indices 0..size-1)."""
        if size < 1:
            raise MeterError(f"a pool needs at least one key, got {size}")
        keys, addresses = generate_keypairs(size)
        hashes = [coe_leaf_hash(i, a) for i, a in enumerate(addresses)]
        order = sorted(range(size), key=hashes.__getitem__)
        tree = make_merkle_tree([hashes[i] for i in order])
        tree_indices = [0] * size
        for pos, i in enumerate(order):
            tree_indices[i] = len(tree) - 1 - pos
        return cls(secrets.token_hex(8), list(range(size)), keys, tree[0], 1, tree, tree_indices)

    @classmethod
    def group_share(cls, size: int) -> KeyPool:
        """``size`` fresh keys for a group CoE, waiting for the group tree.

        Leaf indices are drawn at random from [0, 2**64) so that, in the group's tree,
        an index says nothing about which member owns the leaf (consecutive blocks
        would link a member's receipts).
        """
        if size < 1:
            raise MeterError(f"a contribution needs at least one key, got {size}")
        keys, addresses = generate_keypairs(size)
        indices: list[int] = []
        seen: set[int] = set()
        while len(indices) < size:
            i = secrets.randbits(64)
            if i not in seen:
                seen.add(i)
                indices.append(i)
        hashes = [coe_leaf_hash(i, a) for i, a in zip(indices, addresses, strict=True)]
        return cls(secrets.token_hex(8), indices, keys, leaf_hashes=hashes)

    def contribution(self) -> GroupContribution:
        """What this pending group share hands the coordinator: its leaf hashes only."""
        if self.leaf_hashes is None:
            raise MeterError(f"pool {self.pool_id} is not waiting for a group tree")
        return GroupContribution(self.pool_id, list(self.leaf_hashes))

    def join_group(self, group: GroupTree) -> None:
        """Take the finalised group tree: keep the root and the proofs of own leaves only."""
        if self.leaf_hashes is None:
            raise MeterError(f"pool {self.pool_id} is not waiting for a group tree")
        position = {group.tree[t]: t for t in range(len(group.tree) // 2, len(group.tree))}
        proofs = []
        for h in self.leaf_hashes:
            t = position.get(h)
            if t is None:
                raise MeterError(f"the group tree {group.root_hex} lacks one of this meter's leaves: refusing it")
            proof = tree_proof(group.tree, t)
            if process_proof(h, proof) != group.root:
                raise MeterError("the group tree does not hash to its root")
            proofs.append(proof)
        self.root, self.members, self.proofs, self.leaf_hashes = group.root, group.members, proofs, None

    # -- (de)serialisation inside the encrypted payload ----------------------------------
    def to_json(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "id": self.pool_id,
            "indices": self.indices,
            "keys": b64(b"".join(self.keys)),
            "root": None if self.root is None else "0x" + self.root.hex(),
            "members": self.members,
            "coe": self.coe,
            "used": sorted(self.used),
            "receipts": {str(k): v for k, v in sorted(self.receipts.items())},
        }
        if self.tree is not None:
            d["tree"] = b64(b"".join(self.tree))
            d["tree_indices"] = self.tree_indices
        if self.proofs is not None:
            d["proof_lengths"] = [len(p) for p in self.proofs]
            d["proofs"] = b64(b"".join(b"".join(p) for p in self.proofs))
        if self.leaf_hashes is not None:
            d["leaf_hashes"] = b64(b"".join(self.leaf_hashes))
        return d

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> KeyPool:
        def chunks(blob: bytes, size: int) -> list[bytes]:
            return [blob[i : i + size] for i in range(0, len(blob), size)]

        pool = cls(
            pool_id=d["id"],
            indices=[int(i) for i in d["indices"]],
            keys=chunks(unb64(d["keys"]), 32),
            root=None if d["root"] is None else bytes.fromhex(d["root"][2:]),
            members=int(d["members"]),
            coe=d.get("coe"),
            used={int(i) for i in d.get("used", [])},
            receipts={int(k): str(v) for k, v in d.get("receipts", {}).items()},
        )
        if "tree" in d:
            pool.tree = chunks(unb64(d["tree"]), 32)
            pool.tree_indices = [int(i) for i in d["tree_indices"]]
        if "proofs" in d:
            flat = chunks(unb64(d["proofs"]), 32)
            pool.proofs, pos = [], 0
            for n in d["proof_lengths"]:
                pool.proofs.append(flat[pos : pos + n])
                pos += n
        if "leaf_hashes" in d:
            pool.leaf_hashes = chunks(unb64(d["leaf_hashes"]), 32)
        return pool


@dataclass(frozen=True)
class GroupContribution:
    """What a meter hands to a group coordinator: leaf hashes only (no keys, no addresses)."""

    pool_id: str
    leaf_hashes: list[bytes]


@dataclass(frozen=True)
class GroupTree:
    """The published hash tree of a group CoE (leaf hashes only) and its member count."""

    tree: list[bytes]
    members: int

    @property
    def root(self) -> bytes:
        return self.tree[0]

    @property
    def root_hex(self) -> str:
        return to_hex(self.tree[0])

    @property
    def leaves(self) -> int:
        return (len(self.tree) + 1) // 2

    def to_json(self) -> dict[str, Any]:
        return {"members": self.members, "tree": [to_hex(h) for h in self.tree]}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> GroupTree:
        return cls([bytes.fromhex(h.removeprefix("0x")) for h in d["tree"]], int(d["members"]))
