"""Client of the shared funds ledger that every money-holding market inherits.

``FundsClient(chain, contract)`` works for any deployed contract whose ABI includes
``IFundsLedger`` (SPB, and every later market): it deposits in the ledger's payment asset —
attaching ether, or approving the ERC-20 first — withdraws to the sender or to another
address, and reads balances. Refusals arrive as :class:`~offchain.kernel.errors.TransactionFailedError`
carrying the ledger's custom error (``FundsInsufficient``, ``FundsValueMismatch`` …).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_account.signers.local import LocalAccount
from web3.contract import Contract

from ..kernel.artifacts import artifact
from ..kernel.chain import Chain

__all__ = ["Funds", "FundsClient", "ETHER"]

#: ``paymentAsset()`` of a ledger that holds native ether.
ETHER = "0x0000000000000000000000000000000000000000"

Sender = LocalAccount | str


@dataclass(frozen=True)
class Funds:
    """An owner's funds in a ledger, in payment-asset units: all of it and the frozen part."""

    balance: int
    frozen: int

    @property
    def free(self) -> int:
        """What the owner may withdraw or commit now."""
        return self.balance - self.frozen


class FundsClient:
    """Deposits, withdrawals and balances of one ledger contract on ``chain``."""

    def __init__(self, chain: Chain, contract: Contract) -> None:
        self.chain = chain
        self.contract = contract
        self._asset: str | None = None

    @property
    def payment_asset(self) -> str:
        """The ERC-20 token's address, or :data:`ETHER` for native ether."""
        if self._asset is None:
            self._asset = str(self.contract.functions.paymentAsset().call())
        return self._asset

    @property
    def pays_in_ether(self) -> bool:
        return int(self.payment_asset, 16) == 0

    def _send(self, fn: Any, sender: Sender, what: str, value: int = 0, to: str | None = None) -> Any:
        contract = self.contract if to is None else self._token()
        data = contract.encode_abi(fn.abi_element_identifier, args=fn.args)
        return self.chain.send({"to": contract.address, "data": data, "value": value}, sender, what=what)

    def _token(self) -> Contract:
        return self.chain.w3.eth.contract(address=self.payment_asset, abi=artifact("IERC20")["abi"])

    def deposit(self, amount: int, *, sender: Sender) -> Any:
        """Deposit ``amount``: attaches the ether, or approves the token for the ledger first
        (only when the current allowance is short). Returns the deposit's receipt."""
        if self.pays_in_ether:
            return self._send(self.contract.functions.deposit(amount), sender, "deposit", value=amount)
        owner = sender if isinstance(sender, str) else sender.address
        token = self._token()
        if int(token.functions.allowance(owner, self.contract.address).call()) < amount:
            self._send(token.functions.approve(self.contract.address, amount), sender, "approve", to=token.address)
        return self._send(self.contract.functions.deposit(amount), sender, "deposit")

    def withdraw(self, amount: int, *, sender: Sender) -> Any:
        """Withdraw ``amount`` of the sender's free balance to the sender."""
        return self._send(self.contract.functions.withdraw(amount), sender, "withdraw")

    def withdraw_to(self, to: str, amount: int, *, sender: Sender) -> Any:
        """Withdraw ``amount`` of the sender's free balance to ``to`` (e.g. for a contract owner)."""
        return self._send(self.contract.functions.withdrawTo(to, amount), sender, "withdrawTo")

    def funds(self, owner: str) -> Funds:
        """``owner``'s balance and frozen part."""
        balance, frozen = self.contract.functions.fundsOf(owner).call()
        return Funds(int(balance), int(frozen))

    def nonce_used(self, owner: str, nonce: int) -> bool:
        """Whether ``nonce`` can no longer be used by ``owner`` (used or behind its window)."""
        return bool(self.contract.functions.isNonceUsed(owner, nonce).call())
