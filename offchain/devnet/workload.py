"""The same operations on any devnet: deploy the project, transfer value, record gas.

:func:`deploy_project` runs the project's one deploy function
(:func:`offchain.deploy.deploy_all`) and, while no component is registered yet, falls
back to deploying one compiled project contract whose constructor takes only
addresses. :func:`gas_by_operation` lists, in order, every transaction the deployer
sent in a block range with its gas, so two chains can be compared operation by
operation.
"""

from __future__ import annotations

import json
from typing import Any

from eth_account.signers.local import LocalAccount

from ..contracts import BUILD_DIR, deploy
from ..deploy import deploy_all
from ..errors import ContractError
from ..network import Chain

__all__ = ["deploy_project", "fallback_contract", "transfer", "gas_by_operation"]


def fallback_contract() -> str:
    """Name of a compiled project contract deployable with address-only constructor args."""
    _ensure_compiled()
    for path in sorted(BUILD_DIR.glob("*.json")):
        data = json.loads(path.read_text())
        if not str(data.get("sourcePath", "")).startswith("contracts/") or len(data.get("bytecode", "")) < 4:
            continue
        ctor = next((i for i in data["abi"] if i.get("type") == "constructor"), {"inputs": []})
        if all(i["type"] == "address" for i in ctor["inputs"]):
            return str(data["contractName"])
    raise ContractError(f"no deployable project contract in {BUILD_DIR}")


def _ensure_compiled() -> None:
    if not any(BUILD_DIR.glob("*.json")):
        from ..contracts import _compile

        _compile()


def deploy_project(chain: Chain, deployer: LocalAccount, *, network: str) -> dict[str, str]:
    """Deploy every registered component (writing ``deployments/<network>.json``); returns name → address."""
    deployed = deploy_all(chain, deployer, network=network)
    if deployed:
        return deployed
    name = fallback_contract()
    ctor = next((i for i in _abi(name) if i.get("type") == "constructor"), {"inputs": []})
    contract = deploy(chain, name, *[deployer.address for _ in ctor["inputs"]], sender=deployer)
    deployed = {name: contract.address}
    from ..deploy import DEPLOYMENTS_DIR, deployment_path

    DEPLOYMENTS_DIR.mkdir(exist_ok=True)
    deployment_path(network).write_text(
        json.dumps({"network": network, "chain_id": chain.chain_id, "contracts": deployed}, indent=2) + "\n"
    )
    return deployed


def _abi(name: str) -> list[dict[str, Any]]:
    return json.loads((BUILD_DIR / f"{name}.json").read_text())["abi"]


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
