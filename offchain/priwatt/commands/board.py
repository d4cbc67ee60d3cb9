"""``gridledger board list|show``: the PriWatt auction board, filtered by price and amount."""

from __future__ import annotations

import argparse
import json

from ...kernel.commandline import add_network_options, address, open_chain
from ...kernel.errors import ConfigError


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("board", help="PriWatt auction board: DSO-attested offers, filtered by price and amount")
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True
    ls = actions.add_parser(
        "list",
        help="offers on sale (open, or locked with the lock lapsed), cheapest per kWh first",
        description="Rebuilds the board from the market's events and status view. Sold, funded, refunded, "
        "withdrawn and expired offers are left out unless --all is given.",
    )
    add_network_options(ls)
    ls.add_argument("--market", type=address, required=True, help="address of the PriWattMarket")
    ls.add_argument("--max-price-per-kwh", type=int, metavar="WEI", help="only offers at most this price per kWh")
    ls.add_argument("--min-energy-wh", type=int, metavar="WH", help="only offers of at least this energy")
    ls.add_argument("--max-energy-wh", type=int, metavar="WH", help="only offers of at most this energy")
    ls.add_argument("--all", action="store_true", help="every offer ever posted, with its status")
    ls.add_argument("--json", action="store_true", help="print JSON")
    ls.set_defaults(func=_list)

    show = actions.add_parser("show", help="one offer: status and its current record (what the next action passes)")
    add_network_options(show)
    show.add_argument("--market", type=address, required=True, help="address of the PriWattMarket")
    show.add_argument("offer_id", metavar="OFFER_ID", help="the offer id (the DSO's claim id), 0x + 64 hex digits")
    show.set_defaults(func=_show)


def _bytes32(text: str) -> bytes:
    try:
        value = bytes.fromhex(text.removeprefix("0x"))
    except ValueError:
        value = b""
    if len(value) != 32:
        raise ConfigError(f"an offer id is 32 bytes of hex, got {text!r}")
    return value


def _client(chain, market: str):
    from web3 import Web3

    from ..client import PriWattClient

    if not Web3.is_address(market):
        raise ConfigError(f"--market is not an address: {market!r}")
    if not chain.w3.eth.get_code(Web3.to_checksum_address(market)):
        raise ConfigError(f"no contract at {market} on chain {chain.chain_id}")
    return PriWattClient(chain, market)


def _list(args: argparse.Namespace) -> int:
    from ..board import BoardQuery, match

    for name in ("max_price_per_kwh", "min_energy_wh", "max_energy_wh"):
        value = getattr(args, name)
        if value is not None and value < 0:
            raise ConfigError(f"--{name.replace('_', '-')} must not be negative")
    with open_chain(args) as chain:
        client = _client(chain, args.market)
        now = int(chain.w3.eth.get_block("latest")["timestamp"])
        query = BoardQuery(args.max_price_per_kwh, args.min_energy_wh, args.max_energy_wh, include_closed=args.all)
        offers = match(client.board(), query, now)
        if args.json:
            rows = [
                {"offer_id": "0x" + o.offer_id.hex(), "seller": o.seller, "energy_wh": o.energy_wh,
                 "ask_price": str(o.ask_price), "price_per_kwh": o.price_per_kwh, "slots": [o.first_slot, o.last_slot],
                 "expiry": o.expiry, "status": o.status.name.lower(), "messaging_key": "0x" + o.messaging_key.hex()}
                for o in offers
            ]  # fmt: skip
            print(json.dumps(rows, indent=2))
            return 0
        print(f"{len(offers)} offer(s) on market {client.address}")
        for o in offers:
            print(
                f"0x{o.offer_id.hex()}  {o.energy_wh:>8,} Wh  {o.price_per_kwh:>22,.0f} wei/kWh  "
                f"slots {o.first_slot}-{o.last_slot}  {o.status.name.lower()}"
            )
    return 0


def _show(args: argparse.Namespace) -> int:
    offer_id = _bytes32(args.offer_id)
    with open_chain(args) as chain:
        client = _client(chain, args.market)
        record = client.record(offer_id)
        print(f"offer 0x{offer_id.hex()}: {client.status(offer_id).name.lower()}")
        for field, value in record.message().items():
            print(f"  {field:<12} {('0x' + value.hex()) if isinstance(value, bytes) else value}")
    return 0
