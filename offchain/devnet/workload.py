"""The same operations on any devnet: transfer value, list what a sender did with its gas.

:func:`gas_by_operation` lists, in order, every transaction a sender sent in a block
range with its gas, so two chains can be compared operation by operation. Deploying the
project is the application's job (:func:`offchain.app.deploy.deploy_all`): callers that
need it pass it in as a :data:`DeployFn`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from eth_account.signers.local import LocalAccount

from ..kernel.chain import Chain

__all__ = ["DeployFn", "transfer", "gas_by_operation"]

#: ``deploy(chain, deployer, network=...) -> {contract name: address}`` (the app's ``deploy_all``).
DeployFn = Callable[..., dict[str, str]]


def transfer(chain: Chain, sender: LocalAccount, to: str, value: int, **kw: Any) -> Any:
    """Send ``value`` wei and return the receipt."""
    return chain.send({"to": to, "value": value}, sender, what="transfer", **kw)


def gas_by_operation(
    chain: Chain, sender: str, first_block: int, last_block: int | None = None
) -> list[dict[str, Any]]:
    """Every transaction ``sender`` sent in ``[first_block, last_block]``, in order, with its gas used."""
    last = chain.w3.eth.block_number if last_block is None else last_block
    ops = []
    for number in range(first_block, last + 1):
        block = chain.w3.eth.get_block(number, full_transactions=True)
        for tx in block["transactions"]:
            if tx["from"].lower() != sender.lower():
                continue
            receipt = chain.w3.eth.get_transaction_receipt(tx["hash"])
            kind = "create" if tx.get("to") is None else ("call" if tx["input"] not in (b"", "0x") else "transfer")
            selector = "" if kind != "call" else bytes(tx["input"][:4]).hex()
            ops.append({"nonce": tx["nonce"], "op": kind, "selector": selector, "gas_used": int(receipt["gasUsed"])})
    return sorted(ops, key=lambda o: o["nonce"])
