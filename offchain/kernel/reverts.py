"""Decode revert data into the contracts' custom errors (used by :mod:`.chain` and :mod:`.contracts`)."""

from __future__ import annotations

from functools import cache
from typing import Any

from eth_abi import decode as abi_decode
from eth_utils import function_signature_to_4byte_selector, to_checksum_address
from web3.exceptions import ContractLogicError

from .artifacts import compiled_abis
from .errors import TransactionFailedError

__all__ = ["decode_revert", "failure_from"]

_ERROR_STRING = bytes.fromhex("08c379a0")  # Error(string)
_PANIC = bytes.fromhex("4e487b71")  # Panic(uint256)


@cache
def _error_table() -> dict[bytes, tuple[str, list[str]]]:
    """Selector → (error name, argument types) over every compiled artifact."""
    table: dict[bytes, tuple[str, list[str]]] = {}
    for abi in compiled_abis():
        for item in abi:
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
        if data[:4] == _ERROR_STRING:
            return "Error", tuple(abi_decode(["string"], data[4:]))
        if data[:4] == _PANIC:
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
