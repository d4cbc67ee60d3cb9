"""Argument helpers shared by ``gridledger shares`` and ``gridledger clearing``."""

from __future__ import annotations

import argparse
import datetime as dt
import os
from typing import TYPE_CHECKING

from ...kernel.commandline import add_network_options
from ...kernel.commandline import address as address_arg
from ...kernel.errors import ConfigError

if TYPE_CHECKING:
    from ...kernel.chain import Chain
    from ..client import PlantClient

PLANT_ENV = "GRIDLEDGER_SHARED_PV_PLANT"
ZONE_DEFAULT = "Europe/Vienna"


def chain_options(p: argparse.ArgumentParser, *, plant: bool = True) -> None:
    add_network_options(p)
    if plant:
        p.add_argument(
            "--plant",
            type=address_arg,
            default=os.environ.get(PLANT_ENV),
            help=f"SharedPvPlant address (default: ${PLANT_ENV})",
        )
    p.add_argument("--zone", default=ZONE_DEFAULT, help=f"the plant's time zone (default: {ZONE_DEFAULT})")


def date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from exc


def address(chain: Chain, value: str, what: str) -> str:
    try:
        return str(chain.w3.to_checksum_address(value))
    except ValueError as exc:
        raise ConfigError(f"bad {what} address {value!r}") from exc


def need_rpc(args: argparse.Namespace) -> None:
    if not args.rpc_url:
        raise ConfigError("plants live on a running chain: pass --rpc-url (or set $GRIDLEDGER_RPC_URL)")


def plant_client(args: argparse.Namespace, chain: Chain) -> PlantClient:
    from ..client import PlantClient

    if not args.plant:
        raise ConfigError(f"pass --plant ADDRESS (or set ${PLANT_ENV}) of the SharedPvPlant")
    plant = address(chain, args.plant, "plant")
    if not chain.w3.eth.get_code(plant):
        raise ConfigError(f"no contract at {plant} on {chain.url}")
    return PlantClient(chain, plant, zone=args.zone)
