"""Orders of the per-slot double auction and their EIP-712 signatures.

An :class:`Order` is a bid or an ask for one 15-minute slot: energy (Wh) and a limit
price in payment-asset units per MWh (grid fees excluded), valid until ``expiry`` (chain
time). Its id is its EIP-712 digest in the market's domain ``{name: "GridLedger Auction
Market", version: "1", chainId, verifyingContract}``, so an order signed for one slot,
market or chain is useless for any other. ``id`` tells an owner's orders in one slot
apart: a clearing lists orders by ascending ``(owner, id)``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from eth_utils import to_checksum_address

from ..kernel import eip712 as typed
from .errors import BookError, OrderSignatureError

__all__ = [
    "DOMAIN_NAME",
    "DOMAIN_VERSION",
    "ORDER_TYPE",
    "Side",
    "Pricing",
    "SlotStatus",
    "Order",
    "SignedOrder",
    "order_digest",
    "sign_order",
    "recover_order_signer",
    "typed_data",
]

DOMAIN_NAME = "GridLedger Auction Market"
DOMAIN_VERSION = "1"
ORDER_TYPE = [
    {"name": "owner", "type": "address"},
    {"name": "slot", "type": "uint64"},
    {"name": "id", "type": "uint32"},
    {"name": "side", "type": "uint8"},
    {"name": "energyWh", "type": "uint32"},
    {"name": "limitPrice", "type": "uint64"},
    {"name": "expiry", "type": "uint40"},
]


class Side(enum.IntEnum):
    """``Side`` of ``AuctionTypes.sol``."""

    BID = 0
    ASK = 1


class Pricing(enum.IntEnum):
    """``Pricing`` of ``AuctionTypes.sol``."""

    PAY_AS_CLEAR = 0
    PAY_AS_BID = 1


class SlotStatus(enum.IntEnum):
    """``SlotStatus`` of ``AuctionTypes.sol``."""

    NONE = 0
    CLEARED = 1
    SETTLED = 2
    RECONCILED = 3


_BOUNDS = {"slot": 2**64, "id": 2**32, "energy_wh": 2**32, "limit_price": 2**64, "expiry": 2**40}


@dataclass(frozen=True)
class Order:
    """A bid or an ask, mirroring the Solidity struct ``Order`` (owner checksummed)."""

    owner: str
    slot: int
    id: int
    side: Side
    energy_wh: int
    limit_price: int
    expiry: int

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "owner", to_checksum_address(self.owner))
        except ValueError as exc:
            raise BookError(f"order owner {self.owner!r} is not an address") from exc
        object.__setattr__(self, "side", Side(self.side))
        for name, bound in _BOUNDS.items():
            value = getattr(self, name)
            if not isinstance(value, int) or not 0 <= value < bound:
                raise BookError(f"order {name} {value!r} is out of range 0..{bound - 1}")

    @property
    def key(self) -> tuple[int, int]:
        """The order's place in a clearing: ascending (owner, id)."""
        return int(self.owner, 16), self.id

    @property
    def is_bid(self) -> bool:
        return self.side is Side.BID

    def as_args(self) -> tuple[str, int, int, int, int, int, int]:
        """The struct as a contract argument (field order of ``AuctionTypes.sol``)."""
        return (self.owner, self.slot, self.id, int(self.side), self.energy_wh, self.limit_price, self.expiry)

    def message(self) -> dict[str, Any]:
        return {
            "owner": self.owner,
            "slot": self.slot,
            "id": self.id,
            "side": int(self.side),
            "energyWh": self.energy_wh,
            "limitPrice": self.limit_price,
            "expiry": self.expiry,
        }


@dataclass(frozen=True)
class SignedOrder:
    """An order with its owner's 65-byte signature, or ``None`` when it is posted on chain."""

    order: Order
    signature: bytes | None

    @property
    def posted(self) -> bool:
        return self.signature is None


def typed_data(order: Order, chain_id: int, market: str) -> dict[str, Any]:
    """The full EIP-712 message of ``order`` (for wallets: ``eth_signTypedData_v4``)."""
    return typed.typed_data(DOMAIN_NAME, DOMAIN_VERSION, "Order", ORDER_TYPE, order.message(), chain_id, market)


def order_digest(order: Order, chain_id: int, market: str) -> bytes:
    """The order id: EIP-712 digest (equals ``AuctionMarket.hashOrder``)."""
    return typed.digest(typed_data(order, chain_id, market))


def sign_order(order: Order, private_key: Any, chain_id: int, market: str) -> SignedOrder:
    """The owner's EIP-712 signature over ``order`` (low-s, 65 bytes r || s || v)."""
    return SignedOrder(order, typed.sign(typed_data(order, chain_id, market), private_key))


def recover_order_signer(signed: SignedOrder, chain_id: int, market: str) -> str:
    """The address that signed ``signed``; raises :class:`OrderSignatureError` when it is
    malformed or not the owner's (an operator checks every order it receives)."""
    if signed.signature is None:
        raise OrderSignatureError("a posted order has no signature to check")
    try:
        signer = typed.recover(typed_data(signed.order, chain_id, market), signed.signature)
    except Exception as exc:  # noqa: BLE001 - eth_account raises several types for bad bytes
        raise OrderSignatureError(f"malformed order signature: {exc}") from exc
    if signer != signed.order.owner:
        raise OrderSignatureError(f"order signed by {signer}, not its owner {signed.order.owner}")
    return signer
