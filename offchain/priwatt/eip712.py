"""Records and EIP-712 messages of the PriWatt market.

The domain is ``{name: "GridLedger PriWatt Market", version: "1", chainId,
verifyingContract}``: a claim, a settlement or a channel state signed for one deployment
is useless on any other. The records mirror ``interfaces/priwatt/PriWattTypes.sol``:

- :class:`EnergyClaim` — the DSO's testimony that a (fresh) seller address owns some energy;
- :class:`Trade` — an offer's current record (what the contract stores as one hash);
- ``Settlement(tradeId, sellerBps, deadline)`` — an escrow co-signature;
- ``ChannelState(tradeId, cumulative)`` — the buyer's micropayment state.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from typing import Any

from eth_utils import to_checksum_address

from ..kernel import eip712 as typed

__all__ = [
    "DOMAIN_NAME",
    "DOMAIN_VERSION",
    "BPS",
    "EnergyClaim",
    "Trade",
    "TradeKind",
    "OfferStatus",
    "claim_digest",
    "sign_claim",
    "trade_struct_hash",
    "trade_id",
    "settlement_digest",
    "sign_settlement",
    "channel_state_digest",
    "sign_channel_state",
]

DOMAIN_NAME = "GridLedger PriWatt Market"
DOMAIN_VERSION = "1"
#: basis points of a whole escrow (100 %)
BPS = 10_000
ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"

CLAIM_TYPE = [
    {"name": "claimId", "type": "bytes32"},
    {"name": "seller", "type": "address"},
    {"name": "energyWh", "type": "uint64"},
    {"name": "firstSlot", "type": "uint32"},
    {"name": "lastSlot", "type": "uint32"},
    {"name": "expiry", "type": "uint64"},
]
TRADE_TYPE = [
    {"name": "offerId", "type": "bytes32"},
    {"name": "seller", "type": "address"},
    {"name": "offerExpiry", "type": "uint64"},
    {"name": "buyer", "type": "address"},
    {"name": "amount", "type": "uint96"},
    {"name": "deadline", "type": "uint64"},
    {"name": "duration", "type": "uint32"},
    {"name": "kind", "type": "uint8"},
    {"name": "nonce", "type": "uint32"},
]
SETTLEMENT_TYPE = [
    {"name": "tradeId", "type": "bytes32"},
    {"name": "sellerBps", "type": "uint16"},
    {"name": "deadline", "type": "uint64"},
]
CHANNEL_STATE_TYPE = [
    {"name": "tradeId", "type": "bytes32"},
    {"name": "cumulative", "type": "uint96"},
]


class TradeKind(enum.IntEnum):
    """``TradeKind`` of ``PriWattTypes.sol``."""

    ESCROW = 0
    CHANNEL = 1


class OfferStatus(enum.IntEnum):
    """``OfferStatus`` of ``PriWattTypes.sol`` (same values)."""

    NONE = 0
    OPEN = 1
    LOCKED = 2
    ESCROW = 3
    CHANNEL = 4
    SOLD = 5
    REFUNDED = 6
    WITHDRAWN = 7

    @property
    def final(self) -> bool:
        return self in (OfferStatus.SOLD, OfferStatus.REFUNDED, OfferStatus.WITHDRAWN)


@dataclass(frozen=True)
class EnergyClaim:
    """The DSO's claim that ``seller`` owns ``energy_wh`` produced in slots ``first_slot..last_slot``."""

    claim_id: bytes
    seller: str
    energy_wh: int
    first_slot: int
    last_slot: int
    expiry: int

    def as_args(self) -> tuple[bytes, str, int, int, int, int]:
        return (self.claim_id, self.seller, self.energy_wh, self.first_slot, self.last_slot, self.expiry)

    def message(self) -> dict[str, Any]:
        return {
            "claimId": self.claim_id,
            "seller": to_checksum_address(self.seller),
            "energyWh": self.energy_wh,
            "firstSlot": self.first_slot,
            "lastSlot": self.last_slot,
            "expiry": self.expiry,
        }


@dataclass(frozen=True)
class Trade:
    """An offer's current record (``Trade`` of ``PriWattTypes.sol``); see the contract for the fields."""

    offer_id: bytes
    seller: str
    offer_expiry: int
    buyer: str = ZERO_ADDRESS
    amount: int = 0
    deadline: int = 0
    duration: int = 0
    kind: TradeKind = TradeKind.ESCROW
    nonce: int = 0

    def as_args(self) -> tuple[Any, ...]:
        return (
            self.offer_id,
            to_checksum_address(self.seller),
            self.offer_expiry,
            to_checksum_address(self.buyer),
            self.amount,
            self.deadline,
            self.duration,
            int(self.kind),
            self.nonce,
        )

    def message(self) -> dict[str, Any]:
        return {
            "offerId": self.offer_id,
            "seller": to_checksum_address(self.seller),
            "offerExpiry": self.offer_expiry,
            "buyer": to_checksum_address(self.buyer),
            "amount": self.amount,
            "deadline": self.deadline,
            "duration": self.duration,
            "kind": int(self.kind),
            "nonce": self.nonce,
        }

    def locked(self, buyer: str, amount: int, locked_until: int, duration: int, kind: TradeKind) -> Trade:
        """The record after ``lockOffer`` (nonce back to zero)."""
        return replace(
            self, buyer=buyer, amount=amount, deadline=locked_until, duration=duration, kind=TradeKind(kind), nonce=0
        )

    def funded(self, deadline: int, nonce: int) -> Trade:
        """The record after ``openTrade`` (the time lock ends at ``deadline``)."""
        return replace(self, deadline=deadline, nonce=nonce)


def _typed(
    primary: str, fields: list[dict[str, str]], message: dict[str, Any], chain_id: int, market: str
) -> dict[str, Any]:
    return typed.typed_data(DOMAIN_NAME, DOMAIN_VERSION, primary, fields, message, chain_id, market)


def claim_digest(claim: EnergyClaim, chain_id: int, market: str) -> bytes:
    """EIP-712 digest of a claim (equals ``PriWattMarket.claimDigest``)."""
    return typed.digest(_typed("EnergyClaim", CLAIM_TYPE, claim.message(), chain_id, market))


def sign_claim(claim: EnergyClaim, dso_key: Any, chain_id: int, market: str) -> bytes:
    """The DSO's signature (65 bytes r‖s‖v) over a claim."""
    return typed.sign(_typed("EnergyClaim", CLAIM_TYPE, claim.message(), chain_id, market), dso_key)


def trade_struct_hash(trade: Trade) -> bytes:
    """EIP-712 ``hashStruct`` of a record: what the contract stores (status bits aside)."""
    return bytes(typed.signable(_typed("Trade", TRADE_TYPE, trade.message(), 1, ZERO_ADDRESS)).body)


def trade_id(trade: Trade, chain_id: int, market: str) -> bytes:
    """The trade id of a funded record: its EIP-712 digest (equals ``PriWattMarket.tradeId``)."""
    return typed.digest(_typed("Trade", TRADE_TYPE, trade.message(), chain_id, market))


def _settlement(trade_id_: bytes, seller_bps: int, deadline: int, chain_id: int, market: str) -> Any:
    msg = {"tradeId": trade_id_, "sellerBps": seller_bps, "deadline": deadline}
    return _typed("Settlement", SETTLEMENT_TYPE, msg, chain_id, market)


def settlement_digest(trade_id_: bytes, seller_bps: int, deadline: int, chain_id: int, market: str) -> bytes:
    return typed.digest(_settlement(trade_id_, seller_bps, deadline, chain_id, market))


def sign_settlement(key: Any, trade_id_: bytes, seller_bps: int, deadline: int, chain_id: int, market: str) -> bytes:
    """A party's (or the DSO's) co-signature of an escrow split: ``seller_bps`` of 10,000 to the seller."""
    return typed.sign(_settlement(trade_id_, seller_bps, deadline, chain_id, market), key)


def _state(trade_id_: bytes, cumulative: int, chain_id: int, market: str) -> Any:
    msg = {"tradeId": trade_id_, "cumulative": cumulative}
    return _typed("ChannelState", CHANNEL_STATE_TYPE, msg, chain_id, market)


def channel_state_digest(trade_id_: bytes, cumulative: int, chain_id: int, market: str) -> bytes:
    return typed.digest(_state(trade_id_, cumulative, chain_id, market))


def sign_channel_state(key: Any, trade_id_: bytes, cumulative: int, chain_id: int, market: str) -> bytes:
    """The buyer's signature of a channel's new cumulative amount."""
    return typed.sign(_state(trade_id_, cumulative, chain_id, market), key)
