"""Independent readers of the day's money: one module per mechanism, decoding raw logs by hand.

Each module defines ``MECHANISM`` (the registry name) and ``net(chain, deployed, owner) ->
dict[str, int]`` (household name → wei paid through that mechanism, > 0 paid), using only
``eth_getLogs``, topic hashes and ``eth_abi`` — none of the package's clients or ABIs — so
that the day's tests compare two independent readings of the chain."""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

from eth_utils import keccak


def logs(chain, address: str, signature: str) -> list:
    topic = "0x" + keccak(text=signature).hex()
    return chain.w3.eth.get_logs({"address": address, "topics": [topic], "fromBlock": 0, "toBlock": "latest"})


def topic_address(topic) -> str:
    return "0x" + bytes(topic)[-20:].hex()


def topic_int(topic) -> int:
    return int.from_bytes(bytes(topic), "big")


def readers() -> dict[str, ModuleType]:
    """mechanism name → its reader module (every module in this package)."""
    found = {}
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        found[module.MECHANISM] = module
    return found
