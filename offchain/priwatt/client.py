"""Client of the deployed ``PriWattMarket``: the API agents, commands and users call.

Every state-changing method takes the signing account as keyword-only ``sender=``, sends
one transaction through :meth:`Chain.send` (a refusal raises
:class:`~offchain.kernel.errors.TransactionFailedError` carrying the contract's custom
error and its arguments) and returns what the transaction made: the offer's new
:class:`Trade` record, a :class:`FundedTrade`, or the receipt. Reads return frozen
dataclasses and enums. The market stores one hash per offer; :meth:`PriWattClient.record`
rebuilds the current record from the events and checks it against that hash.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_account.signers.local import LocalAccount

from ..common.funds import ETHER, Funds, FundsClient
from ..kernel.chain import Chain
from ..kernel.contracts import ContractClient, deploy
from . import eip712
from .eip712 import EnergyClaim, OfferStatus, Trade, TradeKind
from .errors import OfferNotFoundError, StaleRecordError

__all__ = ["PriWattClient", "BoardOffer", "FundedTrade", "Funds", "Sender", "DAY"]

#: who signs a transaction: a local account, or an address unlocked on the node
Sender = LocalAccount | str
DAY = 86_400
_STATUS_MASK = 7


def _address(sender: Sender) -> str:
    return sender if isinstance(sender, str) else sender.address


@dataclass(frozen=True)
class BoardOffer:
    """An offer as the board shows it: the posted claim and ask, its status and current record."""

    offer_id: bytes
    seller: str
    dso: str
    energy_wh: int
    ask_price: int
    first_slot: int
    last_slot: int
    expiry: int
    messaging_key: bytes
    status: OfferStatus
    record: Trade
    block: int

    @property
    def price_per_kwh(self) -> float:
        """Asking price per kWh, payment-asset units."""
        return self.ask_price * 1000 / self.energy_wh


@dataclass(frozen=True)
class FundedTrade:
    """A funded escrow or channel: its record (what later calls pass) and its trade id (what signatures name)."""

    record: Trade
    trade_id: bytes
    receipt: Any

    @property
    def kind(self) -> TradeKind:
        return self.record.kind


class PriWattClient(ContractClient):
    """Typed access to one ``PriWattMarket`` deployment on ``chain``."""

    def __init__(self, chain: Chain, address: str) -> None:
        super().__init__(chain, address, "PriWattMarket")
        #: the shared funds ledger the market inherits
        self.ledger = FundsClient(chain, self.contract)

    @classmethod
    def deploy(
        cls, chain: Chain, *, sender: Sender, dso: str | None = None, payment_asset: str = ETHER
    ) -> PriWattClient:
        """Deploy a market governed by ``sender`` with ``dso`` as first DSO key, paying in
        ``payment_asset`` (an ERC-20 address, or :data:`~offchain.common.funds.ETHER`)."""
        contract = deploy(
            chain, "PriWattMarket", _address(sender), dso or eip712.ZERO_ADDRESS, payment_asset, sender=sender
        )
        return cls(chain, contract.address)

    # -- plumbing ------------------------------------------------------------------------
    def _logs(self, name: str, from_block: int = 0, **filters: Any) -> list[Any]:
        return list(getattr(self.contract.events, name)().get_logs(from_block=from_block, argument_filters=filters))

    # -- governance ----------------------------------------------------------------------
    def dso_role(self) -> bytes:
        return bytes(self.contract.functions.DSO_ROLE().call())

    def set_dso(self, dso: str, authorized: bool, *, sender: Sender) -> Any:
        """Grant (or revoke) the DSO role: claims and mediation (the governor's admin role)."""
        fn = (self.contract.functions.grantRole if authorized else self.contract.functions.revokeRole)(
            self.dso_role(), dso
        )
        return self._send(fn, sender, "grantRole(DSO)" if authorized else "revokeRole(DSO)")

    def is_dso(self, who: str) -> bool:
        return bool(self.contract.functions.hasRole(self.dso_role(), who).call())

    # -- funds ---------------------------------------------------------------------------
    def deposit(self, amount: int, *, sender: Sender) -> Any:
        return self.ledger.deposit(amount, sender=sender)

    def withdraw(self, amount: int, *, sender: Sender) -> Any:
        return self.ledger.withdraw(amount, sender=sender)

    def withdraw_to(self, to: str, amount: int, *, sender: Sender) -> Any:
        return self.ledger.withdraw_to(to, amount, sender=sender)

    def funds(self, owner: str) -> Funds:
        """``owner``'s balance and frozen part (the money in its open escrows and channels)."""
        return self.ledger.funds(owner)

    def free_nonce(self, owner: str) -> int:
        """The lowest nonce of ``owner``'s window not used yet (for :meth:`open_trade`)."""
        n = 0
        while self.ledger.nonce_used(owner, n):
            n += 1
        return n

    # -- board ---------------------------------------------------------------------------
    def post_offer(
        self,
        claim: EnergyClaim,
        dso_signature: bytes,
        ask_price: int,
        messaging_key: bytes = b"",
        *,
        sender: Sender,
    ) -> Trade:
        """Post a DSO-signed claim; returns the offer's first record (status Open)."""
        fn = self.contract.functions.postOffer(claim.as_args(), dso_signature, ask_price, messaging_key)
        self._send(fn, sender, "postOffer")
        return Trade(claim.claim_id, claim.seller, claim.expiry)

    def lock_offer(
        self,
        offer: Trade,
        buyer: str,
        amount: int,
        locked_until: int,
        duration: int,
        kind: TradeKind,
        *,
        sender: Sender,
    ) -> Trade:
        """The seller reserves ``offer`` for ``buyer`` at ``amount``; returns the Locked record."""
        fn = self.contract.functions.lockOffer(offer.as_args(), buyer, amount, locked_until, duration, int(kind))
        self._send(fn, sender, "lockOffer")
        return offer.locked(buyer, amount, locked_until, duration, kind)

    def withdraw_offer(self, offer: Trade, *, sender: Sender) -> Any:
        return self._send(self.contract.functions.withdrawOffer(offer.as_args()), sender, "withdrawOffer")

    # -- trades --------------------------------------------------------------------------
    def open_trade(self, offer: Trade, *, nonce: int | None = None, sender: Sender) -> FundedTrade:
        """The locked buyer freezes ``offer.amount`` and starts the time lock."""
        n = self.free_nonce(_address(sender)) if nonce is None else nonce
        receipt = self._send(self.contract.functions.openTrade(offer.as_args(), n), sender, "openTrade")
        opened = self.events(receipt, "TradeOpened")[0]
        record = offer.funded(int(opened["deadline"]), n)
        return FundedTrade(record, bytes(opened["tradeId"]), receipt)

    def refund(self, trade: Trade, *, sender: Sender) -> Any:
        """After the time lock: the buyer takes back an unsettled escrow or unclosed channel."""
        return self._send(self.contract.functions.refund(trade.as_args()), sender, "refund")

    def trade_id(self, trade: Trade) -> bytes:
        return eip712.trade_id(trade, self.chain.chain_id, self.address)

    # -- escrow --------------------------------------------------------------------------
    def sign_settlement(self, key: Any, trade: Trade, seller_bps: int, deadline: int) -> bytes:
        return eip712.sign_settlement(
            key, self.trade_id(trade), seller_bps, deadline, self.chain.chain_id, self.address
        )

    def settle_escrow(self, trade: Trade, seller_bps: int, deadline: int, signature: bytes, *, sender: Sender) -> Any:
        """Settle with the caller and one co-signature (two of buyer, seller, DSO)."""
        fn = self.contract.functions.settleEscrow(trade.as_args(), seller_bps, deadline, signature)
        return self._send(fn, sender, "settleEscrow")

    # -- channel -------------------------------------------------------------------------
    def sign_state(self, key: Any, trade: Trade, cumulative: int) -> bytes:
        return eip712.sign_channel_state(key, self.trade_id(trade), cumulative, self.chain.chain_id, self.address)

    def close_channel(self, trade: Trade, cumulative: int, buyer_signature: bytes, *, sender: Sender) -> Any:
        """The seller closes with the buyer's latest state."""
        fn = self.contract.functions.closeChannel(trade.as_args(), cumulative, buyer_signature)
        return self._send(fn, sender, "closeChannel")

    # -- reads ---------------------------------------------------------------------------
    def status(self, offer_id: bytes) -> OfferStatus:
        return OfferStatus(self.contract.functions.offerStatus(offer_id).call())

    def stored_word(self, offer_id: bytes) -> bytes:
        return bytes(self.contract.functions.offerRecord(offer_id).call())

    def record(self, offer_id: bytes) -> Trade:
        """The offer's current record, rebuilt from its events and checked against the stored hash."""
        posted = self._logs("OfferPosted", offerId=offer_id)
        if not posted:
            raise OfferNotFoundError(f"no offer 0x{offer_id.hex()} on market {self.address}")
        args = posted[0]["args"]
        record = Trade(offer_id, str(args["seller"]), int(args["expiry"]))
        record = self._replay(
            record, self._logs("OfferLocked", offerId=offer_id), self._logs("TradeOpened", offerId=offer_id)
        )
        word = self.stored_word(offer_id)
        expected = eip712.trade_struct_hash(record)
        if (int.from_bytes(word, "big") ^ int.from_bytes(expected, "big")) >> 3 != 0:
            raise StaleRecordError(f"offer 0x{offer_id.hex()}: the events do not rebuild the stored record")
        return record

    @staticmethod
    def _replay(record: Trade, locks: list[Any], opens: list[Any]) -> Trade:
        events = sorted(
            [((e["blockNumber"], e["logIndex"]), "lock", e["args"]) for e in locks]
            + [((e["blockNumber"], e["logIndex"]), "open", e["args"]) for e in opens]
        , key=lambda x: x[0])  # fmt: skip
        for _, kind, a in events:
            if kind == "lock":
                record = record.locked(
                    str(a["buyer"]), int(a["amount"]), int(a["lockedUntil"]), int(a["duration"]), TradeKind(a["kind"])
                )
            else:
                record = record.funded(int(a["deadline"]), int(a["nonce"]))
        return record

    def board(self, from_block: int = 0) -> list[BoardOffer]:
        """Every offer posted since ``from_block`` with its status and current record."""
        posted = self._logs("OfferPosted", from_block=from_block)
        locks: dict[bytes, list[Any]] = {}
        opens: dict[bytes, list[Any]] = {}
        for e in self._logs("OfferLocked", from_block=from_block):
            locks.setdefault(bytes(e["args"]["offerId"]), []).append(e)
        for e in self._logs("TradeOpened", from_block=from_block):
            opens.setdefault(bytes(e["args"]["offerId"]), []).append(e)
        out = []
        for e in posted:
            a = e["args"]
            oid = bytes(a["offerId"])
            record = self._replay(
                Trade(oid, str(a["seller"]), int(a["expiry"])), locks.get(oid, []), opens.get(oid, [])
            )
            out.append(
                BoardOffer(
                    offer_id=oid,
                    seller=str(a["seller"]),
                    dso=str(a["dso"]),
                    energy_wh=int(a["energyWh"]),
                    ask_price=int(a["askPrice"]),
                    first_slot=int(a["firstSlot"]),
                    last_slot=int(a["lastSlot"]),
                    expiry=int(a["expiry"]),
                    messaging_key=bytes(a["messagingKey"]),
                    status=self.status(oid),
                    record=record,
                    block=int(e["blockNumber"]),
                )
            )
        return out

    def claim_digest(self, claim: EnergyClaim) -> bytes:
        return eip712.claim_digest(claim, self.chain.chain_id, self.address)

    def sign_claim(self, dso_key: Any, claim: EnergyClaim) -> bytes:
        return eip712.sign_claim(claim, dso_key, self.chain.chain_id, self.address)
