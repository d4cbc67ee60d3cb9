"""``gridledger negotiate``: a buyer and a seller negotiate a price over the backbone.

    gridledger negotiate --amount 5000 --buyer 80:120 --seller 150:100
    gridledger negotiate --amount 5000 --buyer 80:120 --seller 150:100 --onion 3 --pow-bits 8
    gridledger negotiate ... --backbone .gridledger/backbone.json   # use a running `backbone up`

Prices are wei as ``INITIAL:RESERVATION`` (a buyer concedes upwards, a seller
downwards); without ``--backbone`` a temporary backbone of ``--nodes`` processes is
started and stopped for this command.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from typing import TYPE_CHECKING

from ...kernel.commandline import int_range, readable_file
from ...kernel.errors import ConfigError

if TYPE_CHECKING:
    from ...negotiation import Agreement, ConcessionStrategy
    from ...routing import RoutingTable

# Negotiation and routing (coincurve, eciespy, eth-utils) are imported when the command
# runs, not at `gridledger --help`.


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("negotiate", help="run a price negotiation between two agents over the backbone")
    parser.add_argument("--amount", type=int_range(1, 10**12), required=True, help="energy to trade (Wh)")
    parser.add_argument("--buyer", required=True, metavar="INITIAL:RESERVATION", help="buyer prices in wei")
    parser.add_argument("--seller", required=True, metavar="INITIAL:RESERVATION", help="seller prices in wei")
    parser.add_argument(
        "--rounds", type=int_range(1, 10_000), default=4, help="offers over which each side concedes (default 4)"
    )
    parser.add_argument(
        "--offer-limit", type=int_range(hi=100_000), default=10, help="most messages per negotiation (default 10)"
    )
    parser.add_argument(
        "--onion", type=int_range(0, 256), default=0, metavar="HOPS", help="onion mode through HOPS backbone nodes"
    )
    parser.add_argument(
        "--pow-bits", type=int_range(0, 24), default=0, help="proof-of-work difficulty of every message"
    )
    parser.add_argument(
        "--nodes", type=int_range(1, 64), default=4, help="backbone processes of the temporary backbone"
    )
    parser.add_argument("--backbone", type=readable_file, default=None, help="table file of a running `backbone up`")
    parser.add_argument("--json", action="store_true", help="print the outcome as JSON")
    parser.set_defaults(func=_run)


def _prices(text: str, what: str) -> tuple[int, int]:
    try:
        initial, reservation = (int(p) for p in text.split(":"))
    except ValueError:
        raise ConfigError(f"--{what} must be INITIAL:RESERVATION in wei (integers), got {text!r}") from None
    return initial, reservation


def _strategies(args: argparse.Namespace) -> tuple[ConcessionStrategy, ConcessionStrategy]:
    from ...negotiation import ConcessionStrategy

    if args.amount <= 0:
        raise ConfigError("--amount must be a positive number of Wh")
    if args.offer_limit < 2:
        raise ConfigError("--offer-limit must be at least 2")
    if args.onion < 0 or not 0 <= args.pow_bits <= 24:
        raise ConfigError("--onion must be >= 0 and --pow-bits 0..24")
    try:
        return (
            ConcessionStrategy.buyer(*_prices(args.buyer, "buyer"), rounds=args.rounds),
            ConcessionStrategy.seller(*_prices(args.seller, "seller"), rounds=args.rounds),
        )
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc


async def _negotiate(
    table: RoutingTable, args: argparse.Namespace, buyer_s: ConcessionStrategy, seller_s: ConcessionStrategy
) -> tuple[Agreement, dict]:
    from ...kernel.crypto import new_private_key
    from ...negotiation import Party, negotiate
    from ...routing import ArbTransport, RegularNode

    if args.onion > len(table.nodes):
        raise ConfigError(f"--onion {args.onion} needs at least {args.onion} backbone nodes (have {len(table.nodes)})")
    buyer = Party(new_private_key(), buyer_s)
    seller = Party(new_private_key(), seller_s)
    b_node = await RegularNode([buyer.private], table, pow_bits=args.pow_bits).start()
    s_node = await RegularNode([seller.private], table, pow_bits=args.pow_bits).start()
    try:
        deal = await negotiate(
            buyer, seller, ArbTransport([b_node, s_node], onion=args.onion), amount=args.amount,
            offer_limit=args.offer_limit,
        )  # fmt: skip
        route = {
            "buyer_backbone": b_node.home[buyer.public_key],
            "seller_backbone": s_node.home[seller.public_key],
            "routing_bytes": {"buyer": buyer.public_key[: table.x].hex(), "seller": seller.public_key[: table.x].hex()},
        }
        return deal, route
    finally:
        await b_node.close()
        await s_node.close()


def _run(args: argparse.Namespace) -> int:
    from ...routing import BackboneCluster, NodeOptions

    buyer_s, seller_s = _strategies(args)
    if args.backbone:
        from .backbone import load_table

        deal, route = asyncio.run(_negotiate(load_table(args.backbone), args, buyer_s, seller_s))
    else:
        if not 1 <= args.nodes <= 64:
            raise ConfigError("--nodes must be between 1 and 64")
        if args.onion > args.nodes:
            raise ConfigError(f"--onion {args.onion} needs at least {args.onion} backbone nodes (have {args.nodes})")
        with BackboneCluster(args.nodes, options=NodeOptions(min_pow_bits=args.pow_bits)) as cluster:
            deal, route = asyncio.run(_negotiate(cluster.table, args, buyer_s, seller_s))
    out = {"t_id": "0x" + deal.negotiation_id.hex(), "price_wei": deal.price, "amount_wh": deal.amount,
           "messages": deal.messages, "onion_hops": args.onion, **route}  # fmt: skip
    if args.json:
        print(json.dumps(out))
    else:
        print(f"agreed: {deal.amount} Wh at {deal.price} wei after {deal.messages} messages over the backbone "
              f"(buyer via node {route['buyer_backbone']}, seller via node {route['seller_backbone']}"
              f"{f', onion {args.onion} hops' if args.onion else ''})")  # fmt: skip
    return 0
