"""``gridledger ipfs up|down|status``: a local IPFS node (js-ipfs, Kubo RPC API) for users without Kubo."""

from __future__ import annotations

import argparse

from ...kernel.commandline import port_number


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("ipfs", help="start/stop a local offline IPFS node with the Kubo RPC API (js-ipfs)")
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True
    up = actions.add_parser("up", help="start the node in the background and print its API multiaddr")
    up.add_argument("--port", type=port_number, default=None, help="API port (default: a free one)")
    up.set_defaults(func=_up)
    down = actions.add_parser("down", help="stop the node started by `ipfs up` (by PID, checked) and delete its log")
    down.add_argument(
        "--force", action="store_true", help="also clear a corrupt daemon.json (the daemon is found by its tag)"
    )
    down.set_defaults(func=_down)
    actions.add_parser("status", help="print the API multiaddr of the running node").set_defaults(func=_status)


def _up(args: argparse.Namespace) -> int:
    from ...ipfs.node import start_detached

    api, pid = start_detached(args.port)
    print(api)
    print(f"pid {pid}; use it with --ipfs-api {api} (or export GRIDLEDGER_IPFS_API={api})")
    return 0


def _down(args: argparse.Namespace) -> int:
    from ...ipfs.node import stop_detached

    pid = stop_detached(force=args.force)
    print("no IPFS node was running" if pid is None else f"stopped IPFS node (pid {pid})")
    return 0


def _status(args: argparse.Namespace) -> int:
    from ...ipfs.node import detached_api

    api = detached_api()
    print(api or "not running")
    return 0 if api else 1
