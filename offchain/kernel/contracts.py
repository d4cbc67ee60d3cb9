"""Deploy compiled contracts and call them with web3.py, refusals decoded into custom errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from eth_account.signers.local import LocalAccount
from web3.contract import Contract
from web3.exceptions import ContractCustomError, ContractLogicError
from web3.logs import DISCARD

from .artifacts import artifact
from .chain import Chain
from .errors import ContractError
from .reverts import failure_from

__all__ = ["deploy", "contract_at", "call_or_raise", "ContractClient"]


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


class ContractClient:
    """Base of the mechanisms' typed clients: one compiled contract at one address.

    Subclasses add the typed methods; this class holds the plumbing they share: sending a
    call through :meth:`Chain.send` (encoded here, so the chain estimates gas once and turns
    a refusal into :class:`TransactionFailedError` with the decoded custom error, nothing
    sent), reading with the refusal decoded, and decoding events from a receipt or the logs.
    """

    def __init__(self, chain: Chain, address: str, name: str) -> None:
        self.chain = chain
        self.contract: Contract = contract_at(chain, name, address)

    @property
    def address(self) -> str:
        return str(self.contract.address)

    def _send(
        self,
        fn: Any,
        sender: LocalAccount | str,
        what: str,
        value: int = 0,
        *,
        on_broadcast: Callable[[Any], None] | None = None,
    ) -> Any:
        data = self.contract.encode_abi(fn.abi_element_identifier, args=fn.args)
        tx = {"to": self.contract.address, "data": data, "value": value}
        return self.chain.send(tx, sender, what=what, on_broadcast=on_broadcast)

    def _call(self, fn: Any, what: str) -> Any:
        return call_or_raise(fn, what)

    def events(self, receipt: Any, name: str) -> list[dict[str, Any]]:
        """Decoded ``name`` events of ``receipt`` (as plain dicts)."""
        return [dict(e["args"]) for e in getattr(self.contract.events, name)().process_receipt(receipt, errors=DISCARD)]

    def logs(self, name: str, from_block: int = 0, **filters: Any) -> list[dict[str, Any]]:
        """Every ``name`` event since ``from_block`` matching the indexed ``filters``, as dicts
        with the event's arguments and its ``blockNumber``."""
        event = getattr(self.contract.events, name)()
        found = event.get_logs(from_block=from_block, argument_filters=filters or None)
        return [dict(e["args"]) | {"blockNumber": e["blockNumber"]} for e in found]
