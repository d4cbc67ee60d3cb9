"""``gridledger bill``: CIDs, the bill store, bills from chain events, anchoring, verification."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ...kernel.commandline import (
    add_network_options,
    address,
    finite_float,
    int_range,
    open_chain,
    output_file,
    readable_file,
)
from ...kernel.errors import ConfigError
from ...kernel.fs import atomic_write

if TYPE_CHECKING:
    from ...kernel.chain import Chain
    from ..client import GridClient

GRID_ENV = "GRIDLEDGER_GRID_ADDRESS"


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("bill", help="grid bills: CIDs, store, make, verify, CAR export, cost table")
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True

    def store_opts(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--ipfs-api",
            default=None,
            type=_nonempty,
            help="Kubo-compatible RPC multiaddr, e.g. /ip4/127.0.0.1/tcp/5001/http (default: $GRIDLEDGER_IPFS_API, "
            "brownie-config `gridledger: ipfs_api:`, else the local bill store in .gridledger/bills)",
        )

    def chain_opts(p: argparse.ArgumentParser) -> None:
        add_network_options(p)
        p.add_argument(
            "--grid",
            type=address,
            default=os.environ.get(GRID_ENV) or None,
            help=f"GridEvents address (default: ${GRID_ENV})",
        )

    p = actions.add_parser("cid", help="print the CID `ipfs add` (defaults) gives for FILE")
    p.add_argument("file", type=readable_file)
    p.set_defaults(func=_cid)

    p = actions.add_parser("put", help="store FILE in the bill store and print its CID")
    p.add_argument("file", type=readable_file)
    store_opts(p)
    p.set_defaults(func=_put)

    p = actions.add_parser("make", help="build PURCHASER's bill from chain events, store it and anchor its CID")
    p.add_argument("purchaser", type=address, help="purchaser address (unlocked on the node) — it signs the anchoring")
    p.add_argument(
        "--html", metavar="OUT", type=output_file, help="also write a human-readable HTML rendering (written first)"
    )
    store_opts(p)
    chain_opts(p)
    p.set_defaults(func=_make)

    p = actions.add_parser("verify", help="fetch PURCHASER's anchored bills, recompute their CIDs, report tampering")
    p.add_argument("purchaser", type=address)
    store_opts(p)
    chain_opts(p)
    p.set_defaults(func=_verify)

    p = actions.add_parser("retry", help="retry queued bills (upload, then anchor) after an IPFS outage")
    store_opts(p)
    chain_opts(p)
    p.set_defaults(func=_retry)

    p = actions.add_parser("export-car", help="export bills of the local store as a CARv1 (for `ipfs dag import`)")
    p.add_argument("out", type=output_file)
    p.add_argument("cids", nargs="*", help="root CIDs to export (default: every stored bill)")
    p.set_defaults(func=_export)

    p = actions.add_parser("costs", help="measure gas of every grid event and print the paper's cost table")
    p.add_argument("--block-gas-limit", type=int_range(1, 10**12), default=30_000_000)
    p.add_argument("--block-time", type=finite_float(above=0, hi=86400), default=12.0, help="seconds per block")
    p.add_argument("--gwei", type=finite_float(lo=0, hi=10**6), nargs="+", default=[3.0, 4.5, 20.0])
    p.set_defaults(func=_costs)


def _nonempty(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError("empty value (leave the option out to use the default)")
    return text.strip()


def _probe_writable(path: Path) -> None:
    """Create and delete a file beside ``path``: refuses now what would fail after a transaction."""
    import tempfile

    try:
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", suffix=".probe"):
            pass
    except OSError as exc:
        raise ConfigError(f"cannot write {path}: {exc.strerror or exc}") from None


def _file(path: str | Path) -> Path:
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"no such file: {path}")
    return p


def _cid(args: argparse.Namespace) -> int:
    from ..cid import cid_of

    print(cid_of(_file(args.file)))
    return 0


def _put(args: argparse.Namespace) -> int:
    from ..store import open_store

    print(open_store(args.ipfs_api).put(_file(args.file).read_bytes()))
    return 0


def _require_chain(args: argparse.Namespace) -> None:
    """Refuse before starting or contacting anything when the chain or the contract is not named."""
    if not args.rpc_url:
        raise ConfigError("bills live on a running chain: pass --rpc-url (or set $GRIDLEDGER_RPC_URL)")
    if not args.grid:
        raise ConfigError(f"pass --grid ADDRESS (or set ${GRID_ENV}) of the GridEvents contract")


def _client(args: argparse.Namespace, chain: Chain) -> GridClient:
    from ..client import GridClient

    _require_chain(args)
    grid = args.grid
    if not isinstance(grid, str) or not grid.startswith("0x"):
        raise ConfigError(f"bad GridEvents address {grid!r}")
    try:
        grid = address(grid)  # ${GRID_ENV} is not checked by the parser
    except argparse.ArgumentTypeError as exc:
        raise ConfigError(f"${GRID_ENV} / --grid: {exc}") from None
    if not chain.w3.eth.get_code(grid):
        raise ConfigError(f"no contract at {grid} on {chain.url}")
    return GridClient.at(chain, grid)


def _address(chain: Chain, value: str) -> str:
    return str(value)  # checked (EIP-55) by the parser


def _make(args: argparse.Namespace) -> int:
    from ..bill import make_bill, render_html
    from ..queue import QueueState
    from ..store import open_store

    if args.html:  # the rendering is written after the anchoring: make sure now that it can be
        _probe_writable(Path(args.html))
    _require_chain(args)
    with open_chain(args) as chain:
        client = _client(args, chain)
        purchaser = _address(chain, args.purchaser)
        doc, entry = make_bill(client, purchaser, open_store(args.ipfs_api))
        if args.html:
            atomic_write(args.html, render_html(doc), mode=0o644)
        print(f"{entry.cid} {entry.state}" + (f" {entry.tx_hash}" if entry.tx_hash else ""))
        if entry.state is not QueueState.ANCHORED:
            print(f"bill queued ({entry.last_error}); run `gridledger bill retry` later", file=sys.stderr)
            return 3
    return 0


def _verify(args: argparse.Namespace) -> int:
    from ..bill import verify_bills
    from ..store import open_store

    _require_chain(args)
    with open_chain(args) as chain:
        client = _client(args, chain)
        checks = verify_bills(client, open_store(args.ipfs_api), _address(chain, args.purchaser))
    for check in checks:
        print(f"{check.cid} {check.status}" + (f" ({check.detail})" if check.detail else ""))
    bad = [c for c in checks if not c.ok]
    if bad:
        print(f"gridledger: error: {len(bad)} of {len(checks)} bills failed verification", file=sys.stderr)
        return 1
    return 0


def _retry(args: argparse.Namespace) -> int:
    from ..queue import BillQueue
    from ..store import open_store

    _require_chain(args)
    with open_chain(args) as chain:
        client = _client(args, chain)
        queue = BillQueue()
        senders = {e.purchaser.lower(): e.purchaser for e in queue.pending()}
        for entry in queue.process(open_store(args.ipfs_api), client, senders):
            print(f"{entry.cid} {entry.state}" + (f" ({entry.last_error})" if entry.last_error else ""))
    return 0 if not BillQueue().pending() else 3


def _export(args: argparse.Namespace) -> int:
    import io

    from ..store import LocalBillStore

    buffer = io.BytesIO()
    roots, count = LocalBillStore().export_car(buffer, args.cids or None)  # type: ignore[arg-type]
    atomic_write(args.out, buffer.getvalue(), mode=0o644)  # whole or not at all
    print(f"wrote {args.out}: {len(roots)} roots, {count} blocks")
    return 0


def _costs(args: argparse.Namespace) -> int:
    from rich.console import Console

    from ...kernel.anvil import EmbeddedAnvil, anvil_keys
    from ..gasreport import measure, print_cost_table

    if args.block_time <= 0 or args.block_gas_limit <= 0:
        raise ConfigError("--block-time and --block-gas-limit must be positive")
    with EmbeddedAnvil() as chain:
        gas = measure(chain, anvil_keys())
    keys = ["storage_event", "purchase_event", "transfer_event", "bill_anchor"]
    print_cost_table(
        Console(),
        {k: gas[k] for k in keys},
        gwei=tuple(args.gwei),
        block_gas_limit=args.block_gas_limit,
        block_time=args.block_time,
    )
    return 0
