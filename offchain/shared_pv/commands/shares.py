"""``gridledger shares``: plants, members, portions per slot and transfers of them."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import TYPE_CHECKING

from ...kernel.commandline import add_network_options, open_chain
from ...kernel.commandline import address as address_arg
from ...kernel.errors import ConfigError
from ._common import ZONE_DEFAULT, address, chain_options, date, need_rpc, plant_client

if TYPE_CHECKING:
    from ...kernel.chain import Chain
    from ..client import PlantClient


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("shares", help="shared PV plants: default key, portions per slot, transfers")
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True

    p = actions.add_parser("day-slots", help="the slots of a local day (92 / 96 / 100 on DST days); no chain")
    p.add_argument("day", type=date, help="local date YYYY-MM-DD")
    p.add_argument("--zone", default=ZONE_DEFAULT, help=f"time zone (default: {ZONE_DEFAULT})")
    p.set_defaults(func=_day_slots)

    p = actions.add_parser("create", help="create a plant through the registry (consortium only)")
    p.add_argument("--registry", type=address_arg, required=True, help="SharedPvRegistry address")
    p.add_argument(
        "--owner", action="append", required=True, metavar="ADDRESS:BP", help="a co-owner and its default share"
    )
    p.add_argument("--from", dest="sender", required=True, help="consortium account (unlocked on the node)")
    add_network_options(p)
    p.add_argument("--zone", default=ZONE_DEFAULT, help=f"the plant's time zone (default: {ZONE_DEFAULT})")
    p.set_defaults(func=_create)

    p = actions.add_parser("show", help="members, default key, transfer window (and an owner's portions of a day)")
    p.add_argument("--owner", help="show this owner's portions per slot of --day")
    p.add_argument("--day", type=date, help="local date (slots within the transfer window)")
    chain_options(p)
    p.set_defaults(func=_show)

    p = actions.add_parser("transfer", help="give portions of a slot, a range or a whole local day to another member")
    p.add_argument("to", help="recipient (a member)")
    p.add_argument("bp", type=int, help="basis points of the plant to give in every slot (1..10000)")
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--slot", type=int, help="one slot")
    where.add_argument("--slots", metavar="FIRST-LAST", help="an inclusive range of slots")
    where.add_argument("--day", type=date, help="every slot of a local day")
    p.add_argument("--from", dest="sender", required=True, help="the giving owner (unlocked on the node)")
    chain_options(p)
    p.set_defaults(func=_transfer)

    p = actions.add_parser("admit", help="admit a member with a default share of 0 (consortium only)")
    p.add_argument("owner")
    p.add_argument("--from", dest="sender", required=True, help="consortium account (unlocked on the node)")
    chain_options(p)
    p.set_defaults(func=_admit)

    p = actions.add_parser("revoke", help="revoke a member; its default share and future portions go to SUCCESSOR")
    p.add_argument("owner")
    p.add_argument("successor")
    p.add_argument("--from", dest="sender", required=True, help="consortium account (unlocked on the node)")
    chain_options(p)
    p.set_defaults(func=_revoke)

    p = actions.add_parser("history", help="every admission, transfer and revocation, in log order")
    chain_options(p)
    p.set_defaults(func=_history)


def _day_slots(args: argparse.Namespace) -> int:
    from ...common.slots import SlotClock, SlotConfig

    clock = SlotClock(SlotConfig(zone=args.zone))
    slots = clock.day_slots(args.day)
    print(f"{args.day} {args.zone}: {len(slots)} slots, {slots.start}..{slots.stop - 1}")
    return 0


def _owner_share(value: str) -> tuple[str, int]:
    addr, sep, bp = value.partition(":")
    if not sep:
        raise ConfigError(f"--owner takes ADDRESS:BP, got {value!r}")
    try:
        return addr, int(bp)
    except ValueError as exc:
        raise ConfigError(f"--owner {value!r}: basis points must be an integer") from exc


def _create(args: argparse.Namespace) -> int:
    from ...common.slots import SlotConfig
    from ..client import OwnerShare, RegistryClient

    need_rpc(args)
    shares = [_owner_share(v) for v in args.owner]
    with open_chain(args) as chain:
        registry = RegistryClient(chain, address(chain, args.registry, "registry"))
        owners = [OwnerShare(address(chain, a, "owner"), bp) for a, bp in shares]
        plant = registry.create_plant(
            owners, sender=address(chain, args.sender, "sender"), clock=SlotConfig(zone=args.zone)
        )
        print(plant.address)
    return 0


def _open(args: argparse.Namespace, chain: Chain) -> PlantClient:
    return plant_client(args, chain)


def _show(args: argparse.Namespace) -> int:
    need_rpc(args)
    with open_chain(args) as chain:
        plant = _open(args, chain)
        window = plant.window()
        print(f"plant {plant.address}  current slot {plant.current_slot()}")
        print(f"transfer window {window.first_slot}..{window.last_slot}")
        for owner, bp in plant.default_key().items():
            print(f"  {owner}  default {bp} bp")
        if args.owner:
            if not args.day:
                raise ConfigError("--owner needs --day")
            slots = plant.clock.day_slots(args.day)
            lo, hi = max(slots.start, window.first_slot), min(slots.stop - 1, window.last_slot)
            if lo > hi:
                raise ConfigError(f"{args.day} lies outside the transfer window (the past is in `shares history`)")
            owner = address(chain, args.owner, "owner")
            for slot, bp in zip(range(lo, hi + 1), plant.portions(owner, lo, hi), strict=True):
                print(f"{slot} {plant.clock.local_time(slot).isoformat()} {bp}")
    return 0


def _range(args: argparse.Namespace, plant: PlantClient) -> range:
    if args.slot is not None:
        return range(args.slot, args.slot + 1)
    if args.slots is not None:
        first, sep, last = args.slots.partition("-")
        try:
            return range(int(first), int(last) + 1) if sep else range(int(first), int(first) + 1)
        except ValueError as exc:
            raise ConfigError(f"--slots takes FIRST-LAST, got {args.slots!r}") from exc
    day: dt.date = args.day
    return plant.clock.day_slots(day)


def _transfer(args: argparse.Namespace) -> int:
    need_rpc(args)
    with open_chain(args) as chain:
        plant = _open(args, chain)
        slots = _range(args, plant)
        if not slots:
            raise ConfigError(f"empty range of slots {args.slots!r}")
        receipt = plant.transfer(
            address(chain, args.to, "recipient"),
            slots.start,
            slots.stop - 1,
            args.bp,
            sender=address(chain, args.sender, "sender"),
        )
        print(f"transferred {args.bp} bp of slots {slots.start}..{slots.stop - 1} ({len(slots)} slots) to {args.to}")
        print(f"tx {'0x' + bytes(receipt['transactionHash']).hex()} gas {receipt['gasUsed']}")
    return 0


def _admit(args: argparse.Namespace) -> int:
    need_rpc(args)
    with open_chain(args) as chain:
        plant = _open(args, chain)
        plant.admit(address(chain, args.owner, "owner"), sender=address(chain, args.sender, "sender"))
        print(f"admitted {args.owner}")
    return 0


def _revoke(args: argparse.Namespace) -> int:
    need_rpc(args)
    with open_chain(args) as chain:
        plant = _open(args, chain)
        owner, heir = address(chain, args.owner, "owner"), address(chain, args.successor, "successor")
        plant.revoke(owner, heir, sender=address(chain, args.sender, "sender"))
        print(f"revoked {owner}; from slot {plant.current_slot() + 1} on its portions belong to {heir}")
    return 0


def _history(args: argparse.Namespace) -> int:
    from ..client import OwnerAdmitted, PortionsTransferred

    need_rpc(args)
    with open_chain(args) as chain:
        plant = _open(args, chain)
        for e in plant.history():
            if isinstance(e, OwnerAdmitted):
                print(f"{e.block} admitted {e.owner} default {e.default_bp} bp")
            elif isinstance(e, PortionsTransferred):
                print(
                    f"{e.block} transfer {e.sender} -> {e.recipient} {e.amount_bp} bp slots {e.first_slot}..{e.last_slot}"
                )
            else:
                print(f"{e.block} revoked {e.owner} -> {e.successor} from slot {e.effective_slot}")
    return 0
