"""Deploy compiled contracts and call them with web3.py, refusals decoded into custom errors."""

from __future__ import annotations

from typing import Any

from eth_account.signers.local import LocalAccount
from web3.contract import Contract
from web3.exceptions import ContractCustomError, ContractLogicError

from .artifacts import artifact
from .chain import Chain
from .errors import ContractError
from .reverts import failure_from

__all__ = ["deploy", "contract_at", "call_or_raise"]


def call_or_raise(fn: Any, what: str, **call_kwargs: Any) -> Any:
    """``fn.call()`` that raises :class:`TransactionFailedError` with the decoded custom error."""
    try:
        return fn.call(call_kwargs or None)
    except (ContractCustomError, ContractLogicError) as exc:
        raise failure_from(exc, what) from exc


def deploy(chain: Chain, name: str, *args: Any, sender: LocalAccount | str) -> Contract:
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


def contract_at(chain: Chain, name: str, address: str) -> Contract:
    """A web3 contract object for compiled contract ``name`` at ``address``."""
    return chain.w3.eth.contract(address=chain.w3.to_checksum_address(address), abi=artifact(name)["abi"])
