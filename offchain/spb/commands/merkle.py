"""``gridledger merkle root|proof FILE``: StandardMerkleTree of a list of addresses.

FILE holds one 0x-address per line (blank lines are skipped); the leaves have type
``address``, exactly like ``StandardMerkleTree.of(addresses.map(a => [a]), ["address"])``
of ``@openzeppelin/merkle-tree``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ...kernel.errors import ConfigError


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("merkle", help="StandardMerkleTree root / proof of a file of addresses")
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True
    root = actions.add_parser("root", help="print the root of the tree of FILE's addresses (leaf type address)")
    root.add_argument("file", metavar="FILE", help="one 0x-address per line")
    root.set_defaults(func=_root)
    proof = actions.add_parser("proof", help="print the proof of ADDRESS in the tree of FILE, one hash per line")
    proof.add_argument("file", metavar="FILE", help="one 0x-address per line")
    proof.add_argument("address", metavar="ADDRESS", help="a leaf of FILE")
    proof.set_defaults(func=_proof)


def read_addresses(path: str) -> list[str]:
    """The addresses of ``path``, one per line; :class:`ConfigError` naming the first bad line."""
    from eth_utils import is_address, to_checksum_address

    try:
        text = Path(path).read_text()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from exc
    out = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        if not (line.startswith("0x") and is_address(line)):
            raise ConfigError(f"{path} line {number}: not a 0x-address (or bad checksum): {line[:60]!r}")
        out.append(to_checksum_address(line))
    if not out:
        raise ConfigError(f"{path} holds no address")
    return out


def _tree(path: str):  # noqa: ANN202 - StandardMerkleTree, imported lazily
    from ..merkle import ADDRESS_LEAF, StandardMerkleTree

    return StandardMerkleTree.of([[a] for a in read_addresses(path)], ADDRESS_LEAF)


def _root(args: argparse.Namespace) -> int:
    print(_tree(args.file).root_hex)
    return 0


def _proof(args: argparse.Namespace) -> int:
    from eth_utils import is_address, to_checksum_address

    if not is_address(args.address):
        raise ConfigError(f"not an address: {args.address!r}")
    from ..merkle import MerkleError

    tree = _tree(args.file)
    try:
        proof = tree.get_proof([to_checksum_address(args.address)])
    except MerkleError:
        raise ConfigError(f"{args.address} is not in {args.file}") from None
    for node in proof:
        print("0x" + node.hex())
    return 0
