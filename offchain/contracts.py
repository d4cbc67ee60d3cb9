"""Compiled contract artifacts, deployment and custom-error decoding for web3.py.

Artifacts are the JSON files ``brownie compile`` writes to ``build/contracts``; the
off-chain package and the brownie tests therefore run exactly the same bytecode.
"""

from __future__ import annotations

import json
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

from eth_abi import decode as abi_decode
from eth_utils import function_signature_to_4byte_selector, to_checksum_address
from web3.contract import Contract
from web3.exceptions import ContractCustomError, ContractLogicError

from ._utils import PROJECT_ROOT
from .errors import ContractError, TransactionFailedError

__all__ = ["artifact", "deploy", "decode_revert", "call_or_raise"]

BUILD_DIR = PROJECT_ROOT / "build" / "contracts"


def _compile() -> None:
    brownie = Path(sys.executable).with_name("brownie")
    result = subprocess.run([str(brownie), "compile"], cwd=PROJECT_ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        raise ContractError(f"brownie compile failed:\n{result.stdout[-2000:]}{result.stderr[-2000:]}")


@cache
def artifact(name: str) -> dict[str, Any]:
    """ABI and bytecode of contract ``name`` (compiling the project first if needed)."""
    path = BUILD_DIR / f"{name}.json"
    if not path.exists():
        _compile()
    if not path.exists():
        raise ContractError(f"no compiled artifact for contract {name!r} in {BUILD_DIR}")
    data = json.loads(path.read_text())
    return {"abi": data["abi"], "bytecode": data["bytecode"], "name": name}


@cache
def _error_table() -> dict[bytes, tuple[str, list[str]]]:
    """Selector → (error name, argument types) over every compiled artifact."""
    table: dict[bytes, tuple[str, list[str]]] = {}
    if not BUILD_DIR.exists():
        return table
    for path in BUILD_DIR.glob("*.json"):
        for item in json.loads(path.read_text()).get("abi", []):
            if item.get("type") == "error":
                types = [_abi_type(i) for i in item["inputs"]]
                sig = f"{item['name']}({','.join(types)})"
                table[function_signature_to_4byte_selector(sig)] = (item["name"], types)
    return table


def _abi_type(item: dict[str, Any]) -> str:
    t = item["type"]
    if t.startswith("tuple"):
        return "(" + ",".join(_abi_type(c) for c in item["components"]) + ")" + t[5:]
    return t


def decode_revert(data: bytes | str | None) -> tuple[str, tuple]:
    """Decode revert data into ``(error name, args)``; unknown data gives ``("", (hex,))``."""
    if data is None:
        return "", ()
    if isinstance(data, str):
        data = bytes.fromhex(data.removeprefix("0x"))
    if len(data) >= 4:
        if data[:4] == bytes.fromhex("08c379a0"):
            return "Error", tuple(abi_decode(["string"], data[4:]))
        if data[:4] == bytes.fromhex("4e487b71"):
            return "Panic", tuple(abi_decode(["uint256"], data[4:]))
        known = _error_table().get(data[:4])
        if known:
            name, types = known
            values = abi_decode(types, data[4:])
            # addresses as users write them (EIP-55 checksummed), not eth_abi's lower case
            return name, tuple(
                to_checksum_address(v) if t == "address" else v for t, v in zip(types, values, strict=True)
            )
    return "", ("0x" + data.hex(),)


def _revert_data(exc: Exception) -> bytes | None:
    data = getattr(exc, "data", None)
    if isinstance(data, str) and data.startswith("0x"):
        return bytes.fromhex(data[2:])
    if isinstance(exc, ContractLogicError) and isinstance(exc.args and exc.args[-1], str):
        last = exc.args[-1]
        if last.startswith("0x"):
            return bytes.fromhex(last[2:])
    return None


def failure_from(exc: Exception, what: str) -> TransactionFailedError:
    """Turn a web3 revert exception into :class:`TransactionFailedError` with the decoded error."""
    data = _revert_data(exc)
    name, args = decode_revert(data)
    if name:
        return TransactionFailedError(f"{what} refused: {name}{args}", error_name=name, error_args=args)
    return TransactionFailedError(f"{what} refused: {exc}")


def call_or_raise(fn: Any, what: str, **call_kwargs: Any) -> Any:
    """``fn.call()`` that raises :class:`TransactionFailedError` with the decoded custom error."""
    try:
        return fn.call(call_kwargs or None)
    except (ContractCustomError, ContractLogicError) as exc:
        raise failure_from(exc, what) from exc


def deploy(chain: Any, name: str, *args: Any, sender: Any) -> Contract:
    """Deploy contract ``name`` with constructor ``args`` from ``sender`` on ``chain``."""
    art = artifact(name)
    factory = chain.w3.eth.contract(abi=art["abi"], bytecode=art["bytecode"])
    tx = factory.constructor(*args).build_transaction(
        {"from": sender if isinstance(sender, str) else sender.address, "gas": 0, **chain.fee_fields()}
    )
    tx.pop("gas")
    tx.pop("to", None)
    receipt = chain.send(tx, sender)
    if receipt["status"] != 1 or not receipt.get("contractAddress"):
        raise ContractError(f"deployment of {name} failed in tx {receipt['transactionHash'].hex()}")
    return chain.w3.eth.contract(address=receipt["contractAddress"], abi=art["abi"])
