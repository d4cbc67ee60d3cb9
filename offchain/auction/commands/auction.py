"""``gridledger auction``: clear an order book off chain, or run auction slots on a chain."""

from __future__ import annotations

import argparse
import json
import random
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...kernel.commandline import add_network_options, int_range, open_chain, work_folder
from ...kernel.errors import ConfigError

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

    from ..orders import Order

KEYS_ENV = "GRIDLEDGER_AUCTION_KEYS"


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "auction",
        help="per-slot double auction: solve an order book, or run slots on a chain",
        description="Clear an order book with the off-chain solver (pay-as-clear or pay-as-bid), or run "
        "auction slots end to end (orders, clearing, challenge, settlement, deviations, bills).",
    )
    cmds = parser.add_subparsers(dest="auction_command", metavar="COMMAND", required=True)

    solve = cmds.add_parser(
        "solve",
        help="clear a JSON order book off chain and print the clearing",
        description='BOOK is a JSON list (or {"orders": [...]}) of orders: owner (address), side '
        "(bid|ask), energy_wh, limit_price (per MWh), and optionally id. Prints the price, the volume, "
        "each fill, and Grid Singularity's (gsy-e) pay-as-clear point for comparison.",
    )
    solve.add_argument("book", type=Path, help="the order book (JSON)")
    solve.add_argument("--pricing", choices=["pay-as-clear", "pay-as-bid"], default="pay-as-clear")
    solve.add_argument("--json", action="store_true", help="print the clearing as JSON")
    solve.set_defaults(func=_solve)

    run = cmds.add_parser(
        "run",
        help="run auction slots between household agents on a chain",
        description="Deploys an AuctionMarket on a compressed clock (60 s slots), registers households, "
        "and runs SLOTS slots: signed orders from PV forecast and load, a partial clearing by one "
        "operator replaced by a better one, settlement at the gate and deviation settlement after the "
        "slot; prints the slots and the bills. Local devnets use anvil's funded development keys; on "
        f"any other chain put at least 5 funded private keys (DSO, two operators, homes) in ${KEYS_ENV}.",
    )
    add_network_options(run)
    run.add_argument("--slots", type=int_range(1, 96), default=2, help="slots to run (default 2)")
    run.add_argument(
        "--seed", type=int_range(0, 2**32 - 1), default=15, help="seed of the forecasts and limits (default 15)"
    )
    run.add_argument("--workdir", type=work_folder, help="where agent state goes (default: temporary)")
    run.set_defaults(func=_run)


def _read_book(path: Path) -> list[Order]:
    from ..errors import BookError
    from ..orders import Order, Side

    try:
        raw: Any = json.loads(path.read_text())
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BookError(f"{path} is not JSON: {exc}") from exc
    items = raw.get("orders") if isinstance(raw, dict) else raw
    if not isinstance(items, list):
        raise BookError(f"{path}: expected a list of orders")
    orders = []
    for n, item in enumerate(items):
        try:
            side = {"bid": Side.BID, "ask": Side.ASK}[str(item["side"]).lower()]
            orders.append(
                Order(
                    item["owner"], 0, int(item.get("id", 1)), side, int(item["energy_wh"]), int(item["limit_price"]), 0
                )
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise BookError(f"{path}: order {n} is malformed ({exc!r})") from exc
    return orders


def _solve(args: argparse.Namespace) -> int:
    from ..orders import Pricing
    from ..solver import gsy_clearing_point, solve

    orders = _read_book(args.book)
    pricing = Pricing.PAY_AS_BID if args.pricing == "pay-as-bid" else Pricing.PAY_AS_CLEAR
    solution = solve(orders, pricing=pricing)
    gsy = gsy_clearing_point(
        [(o.limit_price, o.energy_wh) for o in orders if o.is_bid],
        [(o.limit_price, o.energy_wh) for o in orders if not o.is_bid],
    )
    if args.json:
        print(
            json.dumps(
                {
                    "pricing": args.pricing,
                    "price": solution.price,
                    "volume_wh": solution.volume_wh,
                    "welfare": solution.welfare,
                    "fills": [
                        {"owner": o.owner, "id": o.id, "side": o.side.name.lower(), "fill_wh": q}
                        for o, q in solution.fills
                    ],
                    "matches": [list(m) for m in solution.matches],
                    "gsy_point": list(gsy) if gsy else None,
                },
                indent=1,
            )
        )
        return 0
    if solution.empty:
        print(f"{args.pricing}: nothing trades ({len(orders)} orders)")
        return 0
    price = "each match at its bid's limit" if pricing is Pricing.PAY_AS_BID else f"price {solution.price}"
    print(f"{args.pricing}: {price}, volume {solution.volume_wh} Wh, welfare {solution.welfare}")
    for o, q in solution.fills:
        print(f"  {o.side.name.lower():3} {o.owner} #{o.id}: {q} of {o.energy_wh} Wh, limit {o.limit_price}")
    if gsy is not None:
        print(f"gsy-e pay-as-clear point: rate {gsy[0]}, energy {gsy[1]} Wh")
    return 0


def _keys(chain_id: int) -> list[LocalAccount]:
    from ...devnet.genesis import funded_keys

    return funded_keys(KEYS_ENV, chain_id, minimum=5, roles="DSO, two operators, homes", local=10)


def _run(args: argparse.Namespace) -> int:
    if not 1 <= args.slots <= 96:
        raise ConfigError(f"--slots must be between 1 and 96, got {args.slots}")
    from rich.console import Console

    from ..demo import print_result, run_scenario

    with open_chain(args) as chain, tempfile.TemporaryDirectory(prefix="gridledger-auction-") as tmp:
        keys = _keys(chain.chain_id)
        workdir = args.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        console = Console()
        result = run_scenario(chain, keys, workdir, random.Random(args.seed), console, slots=args.slots)
        print_result(console, result)
        traded = sum(r.volume_wh for r in result.slots)
        print(f"market {result.market} on chain {chain.chain_id}: {len(result.slots)} slots, {traded} Wh traded")
    return 0
