"""Client of the deployed ``PetraMarket`` and of the DSO's ``FiatToken``: the API agents,
commands and users call.

Every state-changing method takes the signing account as keyword-only ``sender=`` (a local
account, signed here, or an address unlocked on the node) and sends one transaction through
:meth:`Chain.send` (a refusal raises :class:`TransactionFailedError` with the contract's
custom error name and arguments, before anything is sent). Reads return frozen dataclasses
(:class:`Asset`, :class:`Prosumer`, :class:`Feeder`, :class:`Reputation`, :class:`Offer`) and
enums (:class:`AssetKind`, :class:`AssetStatus`, :class:`FeederFlow`). Token ids encode an
asset's content: :func:`decode_id` / :func:`encode_id`. The open order book is rebuilt from
events alone (:meth:`PetraClient.order_book`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from eth_account.signers.local import LocalAccount
from eth_utils import to_checksum_address
from web3.exceptions import ContractLogicError

from ..common.funds import Funds, FundsClient
from ..common.slots import SlotConfig
from ..kernel import eip712 as typed
from ..kernel.chain import Chain
from ..kernel.contracts import ContractClient, deploy
from ..kernel.reverts import failure_from
from .errors import PetraError

__all__ = [
    "Sender",
    "AssetKind",
    "AssetStatus",
    "FeederFlow",
    "Asset",
    "AssetContent",
    "Prosumer",
    "Feeder",
    "Reputation",
    "Portion",
    "MintOrder",
    "Offer",
    "Trade",
    "Funds",
    "PetraClient",
    "FiatClient",
    "cost_of",
    "encode_id",
    "decode_id",
    "pack_hints",
    "WATT_SLOTS_PER_MWH",
    "HORIZON",
]

#: who signs a transaction: a local account, or an address unlocked on the node
Sender = LocalAccount | str

#: ``costOf`` divisor: watts x 15-minute slots per MWh
WATT_SLOTS_PER_MWH = 4_000_000
#: how many slots ahead the DSO may mint
HORIZON = 672
DOMAIN_NAME = "GridLedger PETra Market"
MINT_ORDER_TYPE = [
    {"name": "prosumer", "type": "uint32"},
    {"name": "to", "type": "address"},
    {"name": "kind", "type": "uint8"},
    {"name": "power", "type": "uint32"},
    {"name": "first", "type": "uint64"},
    {"name": "last", "type": "uint64"},
    {"name": "positionHint", "type": "uint40"},
    {"name": "nonce", "type": "uint32"},
    {"name": "expiry", "type": "uint64"},
]


class AssetKind(enum.IntEnum):
    """``AssetKind`` of ``PetraTypes.sol``."""

    PRODUCTION = 0
    CONSUMPTION = 1


class AssetStatus(enum.IntEnum):
    """``AssetStatus`` of ``PetraTypes.sol``."""

    HELD = 0
    OFFERED = 1
    MATCHED = 2
    NONE = 3


class FeederFlow(enum.IntEnum):
    """``FeederFlow`` of ``PetraTypes.sol``."""

    INTERNAL = 0
    EXPORT = 1
    IMPORT = 2


def cost_of(power: int, slots: int, price: int) -> int:
    """What ``power`` W for ``slots`` quarter hours cost at ``price`` per MWh (rounded down), as on chain."""
    return power * slots * price // WATT_SLOTS_PER_MWH


@dataclass(frozen=True)
class AssetContent:
    """What a token id says about its asset (immutable while it lives)."""

    kind: AssetKind
    feeder: int
    power: int
    first: int
    last: int
    position: int

    @property
    def slots(self) -> int:
        return self.last - self.first + 1


def encode_id(kind: AssetKind, feeder: int, power: int, first: int, last: int, position: int) -> int:
    """The token id of an asset with this content at ``position``."""
    content = (last - first + 1) | (first << 8) | (power << 32) | (feeder << 56) | (int(kind) << 64)
    return (content << 40) | position


def decode_id(token_id: int) -> AssetContent:
    """Kind, feeder, power, interval and storage position encoded in a token id."""
    c = token_id >> 40
    count, first = c & 0xFF, (c >> 8) & 0xFFFFFF
    return AssetContent(
        AssetKind(c >> 64), (c >> 56) & 0xFF, (c >> 32) & 0xFFFFFF, first, first + count - 1, token_id & (2**40 - 1)
    )


def pack_hints(positions: list[int] | tuple[int, ...]) -> int:
    """``accept``'s ``positionHints``: up to six free 40-bit positions, the first used first."""
    if len(positions) > 6:
        raise PetraError(f"at most 6 position hints fit, got {len(positions)}")
    packed = 0
    for i, p in enumerate(positions):
        if not 0 <= p < 2**40:
            raise PetraError(f"position {p} does not fit 40 bits")
        packed |= p << (40 * i)
    return packed


@dataclass(frozen=True)
class Asset:
    """A live energy asset as the market stores it."""

    id: int
    owner: str
    kind: AssetKind
    status: AssetStatus
    feeder: int
    power: int
    first: int
    last: int
    #: offer price (payment units per MWh) while offered, the trade's price once matched
    price: int

    @property
    def slots(self) -> int:
        return self.last - self.first + 1

    @property
    def energy_wh(self) -> float:
        return self.power * self.slots / 4


@dataclass(frozen=True)
class Prosumer:
    registered: bool
    feeder: int
    max_production: int
    max_consumption: int


@dataclass(frozen=True)
class Feeder:
    registered: bool
    internal_limit: int
    exchange_limit: int


@dataclass(frozen=True)
class Reputation:
    """An anonymous account's delivered-vs-promised record (mWh)."""

    promised_mwh: int
    delivered_mwh: int
    deliveries: int
    shortfalls: int

    @property
    def ratio(self) -> float | None:
        """Delivered over promised, or ``None`` with no record yet."""
        return self.delivered_mwh / self.promised_mwh if self.promised_mwh else None


@dataclass(frozen=True)
class Portion:
    """What a trade takes: ``power`` W in every slot of ``[first, last]``."""

    power: int
    first: int
    last: int

    def as_args(self) -> tuple[int, int, int]:
        return (self.power, self.first, self.last)


@dataclass(frozen=True)
class MintOrder:
    """A mint the DSO signs off chain so that anyone may submit it (``MintOrder`` of ``PetraTypes.sol``)."""

    prosumer: int
    to: str
    kind: AssetKind
    power: int
    first: int
    last: int
    position_hint: int
    nonce: int
    expiry: int

    def as_args(self) -> tuple[Any, ...]:
        return (
            self.prosumer,
            self.to,
            int(self.kind),
            self.power,
            self.first,
            self.last,
            self.position_hint,
            self.nonce,
            self.expiry,
        )

    def typed_data(self, chain_id: int, market: str) -> dict[str, Any]:
        message = dict(zip([f["name"] for f in MINT_ORDER_TYPE], self.as_args(), strict=True))
        message["to"] = to_checksum_address(self.to)
        return typed.typed_data(DOMAIN_NAME, "1", "MintOrder", MINT_ORDER_TYPE, message, chain_id, market)

    def sign(self, key: LocalAccount | bytes, chain_id: int, market: str) -> bytes:
        """The DSO's EIP-712 signature over this order for one market on one chain."""
        return typed.sign(self.typed_data(chain_id, market), key)


@dataclass(frozen=True)
class Offer:
    """An open offer of the order book (rebuilt from events)."""

    id: int
    owner: str
    price: int
    escrow: int
    content: AssetContent

    @property
    def is_ask(self) -> bool:
        return self.content.kind is AssetKind.PRODUCTION


@dataclass(frozen=True)
class Trade:
    """An accepted offer: what changed hands and the pieces each side holds afterwards."""

    offer_id: int
    asset_id: int
    portion: Portion
    cost: int
    #: ids after the trade: the matched piece first, then leftovers (``[offer_id]`` if traded whole)
    offer_pieces: tuple[int, ...]
    asset_pieces: tuple[int, ...]
    gas_used: int
    tx_hash: str

    @property
    def matched_offer_id(self) -> int:
        return self.offer_pieces[0]

    @property
    def matched_asset_id(self) -> int:
        return self.asset_pieces[0]


def _address(sender: Sender) -> str:
    return sender if isinstance(sender, str) else sender.address


class FiatClient(ContractClient):
    """The DSO's ``FiatToken`` (cents, 2 decimals): issue, redeem, balances."""

    def __init__(self, chain: Chain, address: str) -> None:
        super().__init__(chain, address, "FiatToken")

    @classmethod
    def deploy(cls, chain: Chain, *, sender: Sender, issuer: str | None = None) -> FiatClient:
        """Deploy a token administered by ``sender``; ``issuer`` (default: ``sender``) issues and redeems."""
        admin = _address(sender)
        return cls(chain, deploy(chain, "FiatToken", admin, issuer or admin, sender=sender).address)

    def issue(self, to: str, amount: int, *, sender: Sender) -> Any:
        return self._send(self.contract.functions.issue(to, amount), sender, "issue")

    def redeem(self, holder: str, amount: int, *, sender: Sender) -> Any:
        return self._send(self.contract.functions.redeem(holder, amount), sender, "redeem")

    def approve(self, spender: str, amount: int, *, sender: Sender) -> Any:
        return self._send(self.contract.functions.approve(spender, amount), sender, "approve")

    def balance(self, owner: str) -> int:
        return int(self.contract.functions.balanceOf(owner).call())

    def total_supply(self) -> int:
        return int(self.contract.functions.totalSupply().call())

    def issued(self) -> int:
        return int(self.contract.functions.totalIssued().call())

    def redeemed(self) -> int:
        return int(self.contract.functions.totalRedeemed().call())


class PetraClient(ContractClient):
    """Typed access to one ``PetraMarket`` deployment on ``chain``."""

    def __init__(self, chain: Chain, address: str) -> None:
        super().__init__(chain, address, "PetraMarket")
        #: the shared funds ledger the market inherits (deposit, withdraw, withdraw_to, funds)
        self.ledger = FundsClient(chain, self.contract)

    @classmethod
    def deploy(
        cls, chain: Chain, *, sender: Sender, dso: str, payment_asset: str, clock: SlotConfig | None = None
    ) -> PetraClient:
        """Deploy a market governed by ``sender`` with ``dso`` as DSO, paying in ``payment_asset``."""
        args = (clock or SlotConfig()).as_args()
        contract = deploy(chain, "PetraMarket", _address(sender), dso, payment_asset, args, sender=sender)
        return cls(chain, contract.address)

    # -- DSO -------------------------------------------------------------------------
    def set_feeder(self, feeder: int, internal_limit: int, exchange_limit: int, *, sender: Sender) -> Any:
        fn = self.contract.functions.setFeeder(feeder, internal_limit, exchange_limit)
        return self._send(fn, sender, "setFeeder")

    def register_prosumer(
        self, prosumer: int, feeder: int, max_production: int, max_consumption: int, *, sender: Sender
    ) -> Any:
        fn = self.contract.functions.registerProsumer(prosumer, feeder, max_production, max_consumption)
        return self._send(fn, sender, "registerProsumer")

    def mint(
        self,
        prosumer: int,
        to: str,
        kind: AssetKind,
        power: int,
        first: int,
        last: int,
        *,
        position_hint: int = 0,
        sender: Sender,
    ) -> tuple[int, Any]:
        """Mint an asset for ``prosumer`` to its anonymous account ``to``; returns (token id, receipt)."""
        fn = self.contract.functions.mint(prosumer, to, int(kind), power, first, last, position_hint)
        receipt = self._send(fn, sender, "mint")
        return int(self.events(receipt, "TransferSingle")[-1]["id"]), receipt

    def mint_signed(self, order: MintOrder, signature: bytes, *, sender: Sender) -> tuple[int, Any]:
        """Submit a DSO-signed mint order (anyone may); returns (token id, receipt)."""
        receipt = self._send(self.contract.functions.mintSigned(order.as_args(), signature), sender, "mintSigned")
        return int(self.events(receipt, "TransferSingle")[-1]["id"]), receipt

    def sign_mint(self, order: MintOrder, key: LocalAccount) -> bytes:
        return order.sign(key, self.chain.chain_id, self.address)

    def record_delivery(self, token_id: int, delivered_mwh: int, *, sender: Sender) -> Any:
        return self._send(self.contract.functions.recordDelivery(token_id, delivered_mwh), sender, "recordDelivery")

    # -- offers ----------------------------------------------------------------------
    def post_offer(self, token_id: int, price: int, *, sender: Sender) -> Any:
        return self._send(self.contract.functions.postOffer(token_id, price), sender, "postOffer")

    def rescind_offer(self, token_id: int, *, sender: Sender) -> Any:
        return self._send(self.contract.functions.rescindOffer(token_id), sender, "rescindOffer")

    def accept(
        self,
        offer_id: int,
        asset_id: int,
        portion: Portion,
        limit_price: int,
        *,
        hints: list[int] | tuple[int, ...] = (),
        sender: Sender,
    ) -> Trade:
        """Accept ``portion`` of offer ``offer_id`` with the sender's asset ``asset_id``."""
        fn = self.contract.functions.accept(offer_id, asset_id, portion.as_args(), limit_price, pack_hints(hints))
        receipt = self._send(fn, sender, "accept")
        accepted = self.events(receipt, "OfferAccepted")[0]
        batches = self.events(receipt, "TransferBatch")

        def pieces(old: int, position: int) -> tuple[int, ...]:
            for b in batches:
                ids = [int(i) for i in b["ids"]]
                if decode_id(ids[0]).position == position:
                    return tuple(ids)
            return (old,)

        return Trade(
            offer_id,
            asset_id,
            portion,
            int(accepted["cost"]),
            pieces(offer_id, decode_id(offer_id).position),
            pieces(asset_id, decode_id(asset_id).position),
            int(receipt["gasUsed"]),
            "0x" + bytes(receipt["transactionHash"]).hex(),
        )

    def retire(self, ids: list[int], *, sender: Sender) -> Any:
        return self._send(self.contract.functions.retire(list(ids)), sender, "retire")

    def transfer(self, to: str, token_id: int, *, sender: Sender) -> Any:
        fn = self.contract.functions.safeTransferFrom(_address(sender), to, token_id, 1, b"")
        return self._send(fn, sender, "safeTransferFrom")

    # -- funds -------------------------------------------------------------------------
    def deposit(self, amount: int, *, sender: Sender) -> Any:
        return self.ledger.deposit(amount, sender=sender)

    def withdraw(self, amount: int, *, sender: Sender) -> Any:
        return self.ledger.withdraw(amount, sender=sender)

    def funds(self, owner: str) -> Funds:
        return self.ledger.funds(owner)

    # -- reads -------------------------------------------------------------------------
    def asset(self, token_id: int) -> Asset:
        """The live asset ``token_id``; :class:`PetraError` if none lives under that id."""
        try:
            owner, kind, status, feeder, power, first, last, price = self.contract.functions.assetOf(token_id).call()
        except ContractLogicError as exc:
            raise PetraError(f"asset {token_id:#x}: {failure_from(exc, 'assetOf')}") from exc
        return Asset(token_id, str(owner), AssetKind(kind), AssetStatus(status), feeder, power, first, last, price)

    def exists(self, token_id: int) -> bool:
        return self.id_at(decode_id(token_id).position) == token_id

    def id_at(self, position: int) -> int:
        return int(self.contract.functions.idAt(position).call())

    def balance_of(self, owner: str, token_id: int) -> int:
        return int(self.contract.functions.balanceOf(owner, token_id).call())

    def prosumer(self, prosumer: int) -> Prosumer:
        return Prosumer(*self.contract.functions.prosumerOf(prosumer).call())

    def feeder(self, feeder: int) -> Feeder:
        return Feeder(*self.contract.functions.feederOf(feeder).call())

    def capacity_used(self, prosumer: int, kind: AssetKind, slot: int) -> int:
        return int(self.contract.functions.capacityUsed(prosumer, int(kind), slot).call())

    def feeder_flow(self, feeder: int, flow: FeederFlow, slot: int) -> int:
        return int(self.contract.functions.feederFlow(feeder, int(flow), slot).call())

    def reputation(self, account: str) -> Reputation:
        return Reputation(*self.contract.functions.reputationOf(account).call())

    def current_slot(self) -> int:
        return int(self.contract.functions.currentSlot().call())

    def slot_start(self, slot: int) -> int:
        """Chain time at which ``slot`` begins."""
        return int(self.contract.functions.slotStart(slot).call())

    def horizon_slot(self) -> int:
        return int(self.contract.functions.horizonSlot().call())

    def next_position(self) -> int:
        return int(self.contract.functions.nextPosition().call())

    # -- events ------------------------------------------------------------------------
    def order_book(self, from_block: int = 0) -> dict[int, Offer]:
        """The open offers, rebuilt from the market's events alone (posted, minus rescinded,
        accepted and burned ones)."""
        logs: list[tuple[tuple[int, int], str, dict[str, Any]]] = []
        for name in ("OfferPosted", "OfferRescinded", "OfferAccepted", "TransferSingle"):
            for log in getattr(self.contract.events, name)().get_logs(from_block=from_block):
                logs.append(((log["blockNumber"], log["logIndex"]), name, dict(log["args"])))
        book: dict[int, Offer] = {}
        for _, name, args in sorted(logs, key=lambda x: x[0]):
            if name == "OfferPosted":
                token = int(args["id"])
                book[token] = Offer(
                    token, str(args["owner"]), int(args["price"]), int(args["escrow"]), decode_id(token)
                )
            elif name == "OfferRescinded":
                book.pop(int(args["id"]), None)
            elif name == "OfferAccepted":
                book.pop(int(args["offerId"]), None)
            elif int(args["to"], 16) == 0:
                book.pop(int(args["id"]), None)
        return book

    def assets_of(self, owner: str, from_block: int = 0) -> list[int]:
        """Ids of the live assets ``owner`` holds, from the ERC-1155 events alone (latest
        transfer of each id to ``owner`` and not away since), confirmed against the chain."""
        events: list[tuple[tuple[int, int], str, list[int]]] = []
        for name in ("TransferSingle", "TransferBatch"):
            for log in getattr(self.contract.events, name)().get_logs(from_block=from_block):
                args = log["args"]
                ids = [int(args["id"])] if name == "TransferSingle" else [int(i) for i in args["ids"]]
                events.append(((log["blockNumber"], log["logIndex"]), str(args["to"]), ids))
        holder: dict[int, str] = {}
        for _, to, ids in sorted(events, key=lambda e: e[0]):
            for token in ids:
                holder[token] = to
        mine = [t for t, to in holder.items() if to.lower() == owner.lower()]
        return [t for t in mine if self.balance_of(owner, t) == 1]

    def free_positions(self, from_block: int = 0) -> list[int]:
        """Positions freed (burned, not minted into again) according to the events, lowest
        first: hints for mints and splits. A hint taken meanwhile only costs a new position."""
        events: list[tuple[tuple[int, int], bool, list[int]]] = []
        for name in ("TransferSingle", "TransferBatch"):
            for log in getattr(self.contract.events, name)().get_logs(from_block=from_block):
                args = log["args"]
                ids = [int(args["id"])] if name == "TransferSingle" else [int(i) for i in args["ids"]]
                burned = int(args["to"], 16) == 0
                events.append(((log["blockNumber"], log["logIndex"]), burned, ids))
        free: dict[int, bool] = {}
        for _, burned, ids in sorted(events, key=lambda e: e[0]):
            for token in ids:
                free[decode_id(token).position] = burned
        return sorted(p for p, is_free in free.items() if is_free)
