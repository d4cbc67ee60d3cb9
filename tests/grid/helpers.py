"""Helpers of the grid tests."""

from __future__ import annotations

import re

import brownie
from brownie.network.web3 import web3 as brownie_web3

from offchain.grid.client import GridClient, label32
from offchain.kernel.chain import Chain

CAPACITY = 80_000_000  # Wh
AVAILABLE = 60_000_000  # Wh
RATE = 150_000  # payment-asset units (wei) per kWh
DEPOSIT = 10**18
ETHER = "0x" + "00" * 20
LOCATION = "north-feeder"
LOC = label32(LOCATION)
OTHER_LOCATION = "east-feeder"
START = 1_700_000_000


def _fmt(value) -> str:
    if isinstance(value, bytes | bytearray):
        return str(bytes(value))
    if isinstance(value, str):
        return value.lower()
    return str(value)


def reverts(error: str, *args):
    """``brownie.reverts`` for a custom error with these exact arguments."""
    parts = [re.escape(_fmt(a)) for a in args]
    return brownie.reverts(revert_pattern=f"{re.escape(error)}: {', '.join(parts)}")


def cost_of(quantity_wh: int, rate: int = RATE) -> int:
    """⌈rate × quantity / 1000⌉, the contract's rounding."""
    return -(-quantity_wh * rate // 1000)


def pin_next_block_time(timestamp: int) -> None:
    """Make the next block's timestamp exactly ``timestamp`` (anvil)."""
    brownie_web3.provider.make_request("evm_setNextBlockTimestamp", [timestamp])


def chain_of_brownie() -> Chain:
    """brownie's anvil as an ``offchain.kernel.chain.Chain`` (its accounts are unlocked on the node)."""
    return Chain(w3=brownie_web3, url=brownie_web3.provider.endpoint_uri, chain_id=int(brownie_web3.eth.chain_id))


def client_for(grid) -> GridClient:
    return GridClient.at(chain_of_brownie(), grid.address)
