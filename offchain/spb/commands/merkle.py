"""``gridledger merkle root|proof FILE``: StandardMerkleTree of a list of addresses.

FILE holds one 0x-address per line (blank lines are skipped); the leaves have type
``address``, exactly like ``StandardMerkleTree.of(addresses.map(a => [a]), ["address"])``
of ``@openzeppelin/merkle-tree``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ...kernel.commandline import address, readable_file
from ...kernel.errors import ConfigError


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("merkle", help="StandardMerkleTree root / proof of a file of addresses")
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True
    root = actions.add_parser("root", help="print the root of the tree of FILE's addresses (leaf type address)")
    root.add_argument("file", metavar="FILE", type=readable_file, help="one 0x-address per line")
    root.set_defaults(func=_root)
    proof = actions.add_parser("proof", help="print the proof of ADDRESS in the tree of FILE, one hash per line")
    proof.add_argument("file", metavar="FILE", type=readable_file, help="one 0x-address per line")
    proof.add_argument("address", metavar="ADDRESS", type=address, help="a leaf of FILE (EIP-55 checksum checked)")
    proof.set_defaults(func=_proof)


def read_addresses(path: str | Path) -> list[str]:
    """The addresses of ``path``, one per line; :class:`ConfigError` naming the first bad line.

    A mixed-case address must carry a valid EIP-55 checksum; an address listed twice is refused
    (a tree with duplicate leaves proves the same leaf at two places)."""
    import argparse

    from ...kernel.commandline import address

    try:
        text = Path(path).read_text()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {' '.join(str(exc).split())}") from None
    out: list[str] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        try:
            checked = address(line)
        except argparse.ArgumentTypeError as exc:
            raise ConfigError(f"{path} line {number}: {exc}") from None
        if checked in seen:
            raise ConfigError(f"{path} line {number}: {checked} is already on line {seen[checked]} (duplicate leaf)")
        seen[checked] = number
        out.append(checked)
    if not out:
        raise ConfigError(f"{path} holds no address")
    return out


def _tree(path: str | Path):  # noqa: ANN202 - StandardMerkleTree, imported lazily
    from ..merkle import ADDRESS_LEAF, StandardMerkleTree

    return StandardMerkleTree.of([[a] for a in read_addresses(path)], ADDRESS_LEAF)


def _root(args: argparse.Namespace) -> int:
    print(_tree(args.file).root_hex)
    return 0


def _proof(args: argparse.Namespace) -> int:
    from ..merkle import MerkleError

    tree = _tree(args.file)
    try:
        proof = tree.get_proof([args.address])
    except MerkleError:
        raise ConfigError(f"{args.address} is not in {args.file}") from None
    for node in proof:
        print("0x" + node.hex())
    return 0
