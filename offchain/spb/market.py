"""Client of the deployed ``SpbMarket`` contract: the API agents, scripts and users call.

Every state-changing method takes the signing account as keyword-only ``sender=``
(a local account, signed here, or an address unlocked on the node), sends one
transaction through :meth:`Chain.send` (fees, nonce and gas filled in; a refusal
raises :class:`TransactionFailedError` carrying the contract's custom error name and
arguments, before anything is sent) and returns the receipt, or what the transaction
created. Reads return frozen dataclasses: :class:`EnergyAccount`, :class:`Funds`,
:class:`CoERecord`, :class:`CommitmentStatus`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from eth_account.signers.local import LocalAccount

from ..common.funds import ETHER, Funds, FundsClient
from ..kernel.chain import Chain
from ..kernel.contracts import ContractClient, deploy
from .eip712 import CommitToPay, Terms, ctp_digest
from .receipts import EnergyReceipt

__all__ = ["MarketClient", "Settlement", "EnergyAccount", "Funds", "CoERecord", "CommitmentStatus", "Sender"]

#: who signs a transaction: a local account, or an address unlocked on the node
Sender = LocalAccount | str


class CommitmentStatus(enum.IntEnum):
    """``CommitmentStatus`` of ``interfaces/spb/SpbTypes.sol`` (same values)."""

    NONE = 0
    PENDING = 1
    SETTLED = 2
    RELEASED = 3


@dataclass(frozen=True)
class EnergyAccount:
    """An energy account as the market stores it."""

    owner: str
    supply_wh: int
    #: uncollected earnings, wei
    earnings: int
    #: id of the account's latest supply (the supply ids form a hash chain)
    last_supply_id: bytes


@dataclass(frozen=True)
class CoERecord:
    """A registered Certificate of Existence: who made the verifier meter and who signed the root."""

    manufacturer: str
    verifier: str

    @property
    def registered(self) -> bool:
        return int(self.manufacturer, 16) != 0


@dataclass(frozen=True)
class Settlement:
    """One item of a batch: a signed CTP, its terms and the meter's ERC."""

    ctp: CommitToPay
    consumer_signature: bytes
    terms: Terms
    receipt: EnergyReceipt

    def as_args(self) -> tuple[Any, ...]:
        return (self.ctp.as_args(), self.consumer_signature, self.terms.as_args(), self.receipt.as_args())

    def packed(self) -> bytes:
        """This item in ``settleBatchPacked``'s layout (see ``ISpbMarketActions``)."""
        erc, ctp = self.receipt, self.ctp
        price, energy_wh, timestamp, root, leaf, proof, erc_signature = (
            erc.price,
            erc.energy_wh,
            erc.timestamp,
            erc.coe_root,
            erc.leaf_index,
            erc.proof,
            erc.signature,
        )
        if price != ctp.price:
            raise ValueError(f"a packed item carries one price: CTP {ctp.price}, ERC {price}")
        if leaf >= 2**64 or len(proof) > 255:
            raise ValueError(f"leaf index {leaf} or proof depth {len(proof)} does not fit the packed layout")
        if len(self.consumer_signature) != 65 or len(erc_signature) != 65:
            raise ValueError("packed items carry 65-byte signatures")
        return b"".join(
            [
                bytes.fromhex(ctp.consumer.removeprefix("0x")),
                ctp.account_id.to_bytes(8, "big"),
                ctp.expiry.to_bytes(8, "big"),
                ctp.price.to_bytes(12, "big"),
                ctp.contract_hash,
                ctp.nonce.to_bytes(4, "big"),
                self.consumer_signature,
                self.terms.rate.to_bytes(32, "big"),
                self.terms.salt,
                energy_wh.to_bytes(16, "big"),
                timestamp.to_bytes(8, "big"),
                root,
                leaf.to_bytes(8, "big"),
                bytes([len(proof)]),
                *proof,
                erc_signature,
            ]
        )


class MarketClient(ContractClient):
    """Typed access to one ``SpbMarket`` deployment on ``chain``."""

    def __init__(self, chain: Chain, address: str) -> None:
        super().__init__(chain, address, "SpbMarket")
        #: the shared funds ledger the market inherits (deposit, withdraw, withdraw_to, funds)
        self.ledger = FundsClient(chain, self.contract)

    @classmethod
    def deploy(cls, chain: Chain, *, sender: Sender, account_fee: int = 0, payment_asset: str = ETHER) -> MarketClient:
        """Deploy a new market governed by ``sender``, paying in ``payment_asset`` (an ERC-20
        address, or :data:`~offchain.common.funds.ETHER`)."""
        address = sender if isinstance(sender, str) else sender.address
        contract = deploy(chain, "SpbMarket", address, account_fee, payment_asset, sender=sender)
        return cls(chain, contract.address)

    # -- governance ----------------------------------------------------------------------
    def set_manufacturer(self, manufacturer: str, authorized: bool, *, sender: Sender) -> Any:
        return self._send(self.contract.functions.setManufacturer(manufacturer, authorized), sender, "setManufacturer")

    def set_distributor(self, distributor: str, authorized: bool, *, sender: Sender) -> Any:
        return self._send(self.contract.functions.setDistributor(distributor, authorized), sender, "setDistributor")

    def set_max_ctp_lifetime(self, lifetime: int, *, sender: Sender) -> Any:
        """Governor: the longest time from now to a frozen CTP's expiry (1 hour .. 365 days)."""
        return self._send(self.contract.functions.setMaxCtpLifetime(lifetime), sender, "setMaxCtpLifetime")

    def max_ctp_lifetime(self) -> int:
        """Longest time (s) from now to the expiry of a CTP that freezes funds."""
        return int(self.contract.functions.maxCtpLifetime().call())

    # -- accounts ------------------------------------------------------------------------
    def open_account_by_burn(self, *, sender: Sender) -> int:
        """Open an energy account by burning the fee; returns the new account id."""
        fee = self.contract.functions.accountFee().call()
        receipt = self._send(self.contract.functions.openAccountByBurn(), sender, "openAccountByBurn", value=fee)
        return int(self.events(receipt, "AccountOpened")[0]["accountId"])

    def open_account_with_certificate(self, certificate_id: bytes, signature: bytes, *, sender: Sender) -> int:
        fn = self.contract.functions.openAccountWithCertificate(certificate_id, signature)
        receipt = self._send(fn, sender, "openAccountWithCertificate")
        return int(self.events(receipt, "AccountOpened")[0]["accountId"])

    def supply_energy(self, account_id: int, amount_wh: int, price: int, negotiable: bool, *, sender: Sender) -> bytes:
        """Add supply; returns the new supply id (chained to the account's previous supply id)."""
        fn = self.contract.functions.supplyEnergy(account_id, amount_wh, price, negotiable)
        receipt = self._send(fn, sender, "supplyEnergy")
        return bytes(self.events(receipt, "EnergySupplied")[0]["supplyId"])

    def account(self, account_id: int) -> EnergyAccount:
        owner, supply, earnings, last = self.contract.functions.accountOf(account_id).call()
        return EnergyAccount(str(owner), int(supply), int(earnings), bytes(last))

    def collect(self, account_id: int, *, sender: Sender) -> int:
        """Move an account's earnings to its owner's balance; returns the wei moved."""
        receipt = self._send(self.contract.functions.collect(account_id), sender, "collect")
        return int(self.events(receipt, "EarningsCollected")[0]["amount"])

    # -- funds ---------------------------------------------------------------------------
    def deposit(self, amount: int, *, sender: Sender) -> Any:
        return self.ledger.deposit(amount, sender=sender)

    def withdraw(self, amount: int, *, sender: Sender) -> Any:
        return self.ledger.withdraw(amount, sender=sender)

    def withdraw_to(self, to: str, amount: int, *, sender: Sender) -> Any:
        return self.ledger.withdraw_to(to, amount, sender=sender)

    def funds(self, owner: str) -> Funds:
        """``owner``'s balance and frozen part (payment-asset units); ``.free`` is what it can spend."""
        return self.ledger.funds(owner)

    # -- CTP / ERC -----------------------------------------------------------------------
    def ctp_id(self, ctp: CommitToPay) -> bytes:
        return ctp_digest(ctp, self.chain.chain_id, self.address)

    def commit(self, ctp: CommitToPay, *, sender: Sender) -> Any:
        return self._send(self.contract.functions.commit(ctp.as_args()), sender, "commit (CTP)")

    def freeze_signed(self, ctp: CommitToPay, consumer_signature: bytes, *, sender: Sender) -> Any:
        """Freeze a CTP the consumer signed off chain, as if it had committed it (anyone may
        send it; the producer does, before it delivers). Settle it afterwards with :meth:`settle`."""
        fn = self.contract.functions.freezeSigned(ctp.as_args(), consumer_signature)
        return self._send(fn, sender, "freezeSigned (signed CTP)")

    def release(self, ctp: CommitToPay, *, sender: Sender) -> Any:
        return self._send(self.contract.functions.release(ctp.as_args()), sender, "release (expired CTP)")

    def settle(self, ctp: CommitToPay, terms: Terms, receipt: EnergyReceipt, *, sender: Sender) -> Any:
        fn = self.contract.functions.settle(ctp.as_args(), terms.as_args(), receipt.as_args())
        return self._send(fn, sender, "settle (ERC)")

    def settle_signed(
        self, ctp: CommitToPay, consumer_signature: bytes, terms: Terms, receipt: EnergyReceipt, *, sender: Sender
    ) -> Any:
        fn = self.contract.functions.settleSigned(ctp.as_args(), consumer_signature, terms.as_args(), receipt.as_args())
        return self._send(fn, sender, "settleSigned (CTP + ERC)")

    def settle_batch(self, items: list[Settlement], *, atomic: bool, sender: Sender, packed: bool = True) -> Any:
        """Settle many signed CTPs in one transaction: packed calldata by default (cheaper),
        the ABI-encoded ``settleBatch`` with ``packed=False``."""
        if packed:
            fn = self.contract.functions.settleBatchPacked(b"".join(i.packed() for i in items), atomic)
            return self._send(fn, sender, "settleBatchPacked")
        fn = self.contract.functions.settleBatch([i.as_args() for i in items], atomic)
        return self._send(fn, sender, "settleBatch")

    def status(self, ctp: CommitToPay) -> CommitmentStatus:
        """Status of an on-chain CTP (a signed one reads ``NONE``)."""
        return CommitmentStatus(self.contract.functions.commitmentStatus(ctp.as_args()).call())

    def settled_on_chain(self, ctp_id: bytes, from_block: int = 0) -> bool:
        """Whether a ``Settled`` event exists for ``ctp_id`` (works for signed CTPs too)."""
        logs = self.contract.events.Settled().get_logs(from_block=from_block, argument_filters={"ctpId": ctp_id})
        return len(logs) > 0

    def nonce_used(self, consumer: str, nonce: int) -> bool:
        return self.ledger.nonce_used(consumer, nonce)

    # -- CoE -----------------------------------------------------------------------------
    def register_coe(
        self,
        root: bytes,
        verifier_certificate: bytes,
        coe_signature: bytes,
        possession: tuple[int, list[bytes], bytes],
        *,
        sender: Sender,
    ) -> Any:
        """Register a CoE; ``possession`` = (leaf index, proof, the leaf key's registration signature)."""
        fn = self.contract.functions.registerCoE(root, verifier_certificate, coe_signature, possession)
        return self._send(fn, sender, "registerCoE")

    def coe(self, root: bytes) -> CoERecord:
        """The registered CoE of ``root`` (zero addresses if unknown: ``registered`` is then false)."""
        manufacturer, verifier = self.contract.functions.coeOf(root).call()
        return CoERecord(str(manufacturer), str(verifier))

    def leaf_used(self, root: bytes, leaf_index: int) -> bool:
        return bool(self.contract.functions.isLeafUsed(root, leaf_index).call())
