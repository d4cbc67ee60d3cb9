"""Python port of ``@openzeppelin/merkle-tree`` 1.0.8 ``StandardMerkleTree``.

Same roots, proofs and ``dump()`` JSON as the JavaScript library for the same values
(``tests/spb/offchain/test_merkle_interop.py`` checks it against the copy in
``node_modules``), so trees built here verify with OpenZeppelin's ``MerkleProof``:

* leaf hash = ``keccak256(keccak256(abi.encode(values...)))``;
* leaves sorted by hash, stored at the end of an array-based complete binary tree
  (``tree[len-1-i]`` is the i-th smallest leaf hash), node ``i`` has children
  ``2i+1``/``2i+2``;
* internal node = ``keccak256(sort(a, b))`` (commutative pair hashing).

Two leaf encodings are used by GridLedger: ``["address"]`` (the CLI) and
``["uint256", "address"]`` = (leaf index, key address) for Certificate-of-Existence
trees. Both have a fast encoder; any other ABI type list goes through ``eth_abi``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from eth_abi import encode as abi_encode
from eth_utils import is_address, to_checksum_address

from ..kernel.crypto import keccak256, to_hex
from ..kernel.errors import GridLedgerError

__all__ = [
    "MerkleError",
    "StandardMerkleTree",
    "leaf_hash",
    "node_hash",
    "make_merkle_tree",
    "tree_proof",
    "process_proof",
    "ADDRESS_LEAF",
    "COE_LEAF",
]

ADDRESS_LEAF: tuple[str, ...] = ("address",)
#: Certificate-of-Existence leaf: (leaf index, one-time key address).
COE_LEAF: tuple[str, ...] = ("uint256", "address")

_FORMAT = "standard-v1"


class MerkleError(GridLedgerError):
    """A Merkle tree, proof, leaf value or dump is malformed or inconsistent."""


_ZERO12 = bytes(12)
_UINT256_MAX = (1 << 256) - 1


def _address_bytes(value: Any) -> bytes:
    if isinstance(value, bytes | bytearray) and len(value) == 20:
        return bytes(value)
    if isinstance(value, str) and is_address(value):
        return bytes.fromhex(value[2:] if value[:2] in ("0x", "0X") else value)
    raise MerkleError(f"not an address: {value!r}")


def _uint256(value: Any) -> int:
    if isinstance(value, bool):
        raise MerkleError(f"not a uint256: {value!r}")
    if isinstance(value, str):
        try:
            value = int(value, 0)
        except ValueError as exc:
            raise MerkleError(f"not a uint256: {value!r}") from exc
    if not isinstance(value, int) or not 0 <= value <= _UINT256_MAX:
        raise MerkleError(f"not a uint256: {value!r}")
    return value


def _encoder(leaf_encoding: Sequence[str]) -> Callable[[Sequence[Any]], bytes]:
    enc = tuple(leaf_encoding)
    if enc == ADDRESS_LEAF:
        return lambda v: _ZERO12 + _address_bytes(v[0])
    if enc == COE_LEAF:
        return lambda v: _uint256(v[0]).to_bytes(32, "big") + _ZERO12 + _address_bytes(v[1])

    def generic(v: Sequence[Any]) -> bytes:
        try:
            return abi_encode(list(enc), list(v))
        except Exception as exc:  # eth_abi raises several unrelated classes
            raise MerkleError(f"cannot ABI-encode {v!r} as {list(enc)}: {exc}") from exc

    return generic


def leaf_hash(leaf_encoding: Sequence[str], value: Sequence[Any]) -> bytes:
    """``keccak256(keccak256(abi.encode(value...)))`` — the StandardMerkleTree leaf hash."""
    if len(value) != len(leaf_encoding):
        raise MerkleError(
            f"leaf {value!r} has {len(value)} fields, encoding {list(leaf_encoding)} has {len(leaf_encoding)}"
        )
    return keccak256(keccak256(_encoder(leaf_encoding)(value)))


def node_hash(a: bytes, b: bytes) -> bytes:
    """Commutative node hash: ``keccak256(min(a, b) || max(a, b))``."""
    return keccak256(a + b if a <= b else b + a)


def make_merkle_tree(leaves: Sequence[bytes]) -> list[bytes]:
    """The array tree of ``leaves`` (already in the order wanted; StandardMerkleTree sorts first)."""
    if not leaves:
        raise MerkleError("expected a non-zero number of leaves")
    n = len(leaves)
    size = 2 * n - 1
    tree: list[bytes] = [b""] * size
    for i, leaf in enumerate(leaves):
        if len(leaf) != 32:
            raise MerkleError("merkle tree nodes must be 32 bytes")
        tree[size - 1 - i] = leaf
    k = keccak256
    for i in range(size - 1 - n, -1, -1):
        a = tree[2 * i + 1]
        b = tree[2 * i + 2]
        tree[i] = k(a + b if a <= b else b + a)
    return tree


def tree_proof(tree: Sequence[bytes], tree_index: int) -> list[bytes]:
    """Sibling hashes from the leaf at ``tree_index`` up to (not including) the root."""
    if not (0 <= tree_index < len(tree)) or 2 * tree_index + 1 < len(tree):
        raise MerkleError(f"tree index {tree_index} is not a leaf")
    proof = []
    i = tree_index
    while i > 0:
        proof.append(tree[i - 1 if i % 2 == 0 else i + 1])
        i = (i - 1) // 2
    return proof


def process_proof(leaf: bytes, proof: Iterable[bytes]) -> bytes:
    """The root reached from ``leaf`` through ``proof`` (OpenZeppelin ``MerkleProof.processProof``)."""
    h = leaf
    for p in proof:
        if len(p) != 32:
            raise MerkleError("proof elements must be 32 bytes")
        h = node_hash(h, p)
    return h


def _unhex32(s: Any) -> bytes:
    if isinstance(s, bytes | bytearray):
        b = bytes(s)
    else:
        try:
            b = bytes.fromhex(str(s).removeprefix("0x"))
        except ValueError as exc:
            raise MerkleError(f"not a hex bytes32: {s!r}") from exc
    if len(b) != 32:
        raise MerkleError(f"not a bytes32: {s!r}")
    return b


def _normalise(leaf_encoding: Sequence[str], value: Sequence[Any]) -> list[Any]:
    """JSON-friendly copy of a value: addresses checksummed, integers as decimal strings."""
    out: list[Any] = []
    for t, v in zip(leaf_encoding, value, strict=True):
        if t == "address":
            out.append(to_checksum_address(_address_bytes(v)))
        elif t.startswith(("uint", "int")) and not t.endswith("]"):
            out.append(str(_uint256(v) if t == "uint256" else int(v, 0) if isinstance(v, str) else int(v)))
        else:
            out.append(v)
    return out


class StandardMerkleTree:
    """A StandardMerkleTree: values, their leaf encoding and the array tree.

    ``values[i]`` keeps the order the caller gave; ``tree_indices[i]`` is where its leaf
    hash sits in ``tree`` (leaves sorted by hash, like the JS library's default).
    """

    __slots__ = ("leaf_encoding", "values", "tree", "tree_indices", "_lookup")

    def __init__(
        self, tree: list[bytes], values: list[list[Any]], tree_indices: list[int], leaf_encoding: Sequence[str]
    ) -> None:
        self.tree = tree
        self.values = values
        self.tree_indices = tree_indices
        self.leaf_encoding = tuple(leaf_encoding)
        self._lookup: dict[bytes, int] | None = None

    # -- construction ------------------------------------------------------------------
    @classmethod
    def of(cls, values: Sequence[Sequence[Any]], leaf_encoding: Sequence[str]) -> StandardMerkleTree:
        """Build the tree of ``values`` (each a sequence matching ``leaf_encoding``)."""
        enc = tuple(leaf_encoding)
        encode = _encoder(enc)
        k = keccak256
        for v in values:
            if len(v) != len(enc):
                raise MerkleError(f"leaf {v!r} does not match encoding {list(enc)}")
        hashes = [k(k(encode(v))) for v in values]
        order = sorted(range(len(values)), key=hashes.__getitem__)
        tree = make_merkle_tree([hashes[i] for i in order])
        size = len(tree)
        tree_indices = [0] * len(values)
        for pos, vi in enumerate(order):
            tree_indices[vi] = size - 1 - pos
        return cls(tree, [list(v) for v in values], tree_indices, enc)

    @classmethod
    def load(cls, data: dict[str, Any]) -> StandardMerkleTree:
        """Load the JSON object written by ``dump()`` (here or by the JS library); validated."""
        if not isinstance(data, dict) or data.get("format") != _FORMAT:
            raise MerkleError(f"unknown format {data.get('format') if isinstance(data, dict) else data!r}")
        if "leafEncoding" not in data:
            raise MerkleError("expected leaf encoding")
        try:
            tree = [_unhex32(h) for h in data["tree"]]
            values = [list(v["value"]) for v in data["values"]]
            indices = [int(v["treeIndex"]) for v in data["values"]]
        except (KeyError, TypeError) as exc:
            raise MerkleError(f"malformed tree dump: {exc}") from exc
        t = cls(tree, values, indices, data["leafEncoding"])
        t.validate()
        return t

    def dump(self) -> dict[str, Any]:
        """The library's ``standard-v1`` JSON object."""
        return {
            "format": _FORMAT,
            "leafEncoding": list(self.leaf_encoding),
            "tree": [to_hex(h) for h in self.tree],
            "values": [
                {"value": _normalise(self.leaf_encoding, v), "treeIndex": ti}
                for v, ti in zip(self.values, self.tree_indices, strict=True)
            ],
        }

    # -- queries -----------------------------------------------------------------------
    @property
    def root(self) -> bytes:
        return self.tree[0]

    @property
    def root_hex(self) -> str:
        return to_hex(self.tree[0])

    def __len__(self) -> int:
        return len(self.values)

    def leaf_hash(self, value: Sequence[Any]) -> bytes:
        return leaf_hash(self.leaf_encoding, value)

    def index_of(self, value: Sequence[Any]) -> int:
        """Position of ``value`` in ``values``; :class:`MerkleError` if it is not a leaf."""
        if self._lookup is None:
            self._lookup = {self.tree[ti]: vi for vi, ti in enumerate(self.tree_indices)}
        try:
            return self._lookup[self.leaf_hash(value)]
        except KeyError:
            raise MerkleError(f"leaf {value!r} is not in the tree") from None

    def get_proof(self, leaf: int | Sequence[Any]) -> list[bytes]:
        """Proof of ``values[leaf]`` (an int) or of the given value; checked before returning."""
        vi = leaf if isinstance(leaf, int) else self.index_of(leaf)
        if not 0 <= vi < len(self.values):
            raise MerkleError(f"index {vi} out of bounds (tree has {len(self.values)} values)")
        ti = self.tree_indices[vi]
        proof = tree_proof(self.tree, ti)
        if process_proof(self.tree[ti], proof) != self.root:
            raise MerkleError("unable to prove value")
        return proof

    def all_proofs(self) -> list[list[bytes]]:
        """Proofs of every value in ``values`` order (no per-proof re-verification; fast)."""
        tree = self.tree
        out = []
        for ti in self.tree_indices:
            proof = []
            i = ti
            while i > 0:
                proof.append(tree[i - 1 if i % 2 == 0 else i + 1])
                i = (i - 1) // 2
            out.append(proof)
        return out

    @staticmethod
    def verify(root: bytes | str, leaf_encoding: Sequence[str], leaf: Sequence[Any], proof: Sequence[Any]) -> bool:
        """Whether ``proof`` proves ``leaf`` (encoded as ``leaf_encoding``) under ``root``."""
        return process_proof(leaf_hash(leaf_encoding, leaf), [_unhex32(p) for p in proof]) == _unhex32(root)

    def validate(self) -> None:
        """Check every value sits at its leaf and every node hashes its children."""
        tree = self.tree
        n = len(tree)
        if n == 0:
            raise MerkleError("empty tree")
        if len(self.tree_indices) != len(self.values):
            raise MerkleError("values and tree indices differ in length")
        for vi, ti in enumerate(self.tree_indices):
            if not (0 <= ti < n) or 2 * ti + 1 < n:
                raise MerkleError(f"value {vi} does not point at a leaf")
            if tree[ti] != self.leaf_hash(self.values[vi]):
                raise MerkleError(f"merkle tree does not contain the expected value at {vi}")
        for i in range(n):
            left, right = 2 * i + 1, 2 * i + 2
            if right >= n:
                if left < n:
                    raise MerkleError("merkle tree is invalid")
            elif tree[i] != node_hash(tree[left], tree[right]):
                raise MerkleError("merkle tree is invalid")
