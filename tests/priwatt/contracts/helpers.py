"""Helpers shared by the PriWatt contract tests (import as ``from tests.priwatt.contracts.helpers import ...``).

``Flow`` drives one deployed ``PriWattMarket`` through brownie: a DSO-signed claim, post,
lock, open, and the signatures of settlements and channel states, each step returning the
offer's new record (``offchain.priwatt.eip712.Trade``) so that the next call can pass it.
"""

from __future__ import annotations

import itertools
import re

import brownie

from offchain.kernel.crypto import keccak256
from offchain.priwatt import eip712
from offchain.priwatt.eip712 import BPS, EnergyClaim, OfferStatus, Trade, TradeKind

__all__ = [
    "ETHER",
    "DEPOSIT",
    "PRICE",
    "ENERGY_WH",
    "DAY",
    "HOUR",
    "BPS",
    "Flow",
    "OfferStatus",
    "Trade",
    "TradeKind",
    "reverts",
    "funds",
    "now",
    "advance",
]

ETHER = "0x" + "00" * 20  #: payment asset of an ether ledger
DEPOSIT = 10 * 10**18
PRICE = 10**16  # for the whole offer: 10 kWh at 0.001 ether per kWh
ENERGY_WH = 10_000
HOUR = 3_600
DAY = 86_400
_ids = itertools.count(1)


def fmt(value) -> str:
    """Format a value like brownie's decoded custom-error message does."""
    if isinstance(value, bytes | bytearray):
        return str(bytes(value))
    if isinstance(value, str):
        return value.lower()
    return str(int(value)) if isinstance(value, OfferStatus | TradeKind) else str(value)


ANY = object()  #: matches any value of one error argument


def reverts(error: str, *args):
    """``brownie.reverts`` for a custom error with these exact arguments (``ANY`` matches one)."""
    parts = [".*" if a is ANY else re.escape(fmt(a)) for a in args]
    return brownie.reverts(revert_pattern=f"{re.escape(error)}: {', '.join(parts)}" if args else re.escape(error))


def funds(market, owner) -> tuple[int, int]:
    balance, frozen = market.fundsOf(owner)
    return int(balance), int(frozen)


def now(chain) -> int:
    """Timestamp of the latest block."""
    return chain[-1].timestamp


def advance(chain, seconds: int) -> None:
    """Move the chain's clock forward and mine a block."""
    chain.sleep(seconds)
    chain.mine()


class Flow:
    """One market, its DSO key and the chain: builds claims, records and signatures."""

    def __init__(self, market, dso, chain) -> None:
        self.market, self.dso, self.chain = market, dso, chain

    # -- claims and the board --------------------------------------------------------------
    def claim(self, seller, *, energy_wh=ENERGY_WH, ttl=2 * DAY, expiry=None, claim_id=None, slots=(10, 13)):
        return EnergyClaim(
            claim_id if claim_id is not None else keccak256(f"claim-{next(_ids)}".encode()),
            seller.address if hasattr(seller, "address") else seller,
            energy_wh,
            slots[0],
            slots[1],
            expiry if expiry is not None else now(self.chain) + ttl,
        )

    def sign_claim(self, claim, key=None) -> bytes:
        return eip712.sign_claim(claim, key or self.dso.private_key, self.chain.id, self.market.address)

    def post(self, seller, claim=None, *, price=PRICE, key=b"\x11" * 64, signature=None):
        claim = claim or self.claim(seller)
        sig = signature if signature is not None else self.sign_claim(claim)
        tx = self.market.postOffer(claim.as_args(), sig, price, key, {"from": seller})
        return Trade(claim.claim_id, claim.seller, claim.expiry), tx

    def lock(self, offer, seller, buyer, *, amount=PRICE, until=None, duration=DAY, kind=TradeKind.ESCROW):
        until = until if until is not None else now(self.chain) + HOUR
        tx = self.market.lockOffer(offer.as_args(), buyer, amount, until, duration, int(kind), {"from": seller})
        return offer.locked(buyer.address if hasattr(buyer, "address") else buyer, amount, until, duration, kind), tx

    def open(self, locked, buyer, nonce=None):
        n = nonce if nonce is not None else self.free_nonce(buyer)
        tx = self.market.openTrade(locked.as_args(), n, {"from": buyer})
        record = locked.funded(int(tx.events["TradeOpened"]["deadline"]), n)
        return record, tx

    def free_nonce(self, who) -> int:
        return next(n for n in itertools.count() if not self.market.isNonceUsed(who, n))

    def funded(self, seller, buyer, *, kind=TradeKind.ESCROW, amount=PRICE, duration=DAY):
        offer, _ = self.post(seller)
        locked, _ = self.lock(offer, seller, buyer, amount=amount, kind=kind, duration=duration)
        record, _ = self.open(locked, buyer)
        return record

    # -- ids and signatures ----------------------------------------------------------------
    def trade_id(self, record) -> bytes:
        return eip712.trade_id(record, self.chain.id, self.market.address)

    def settlement(self, signer, record, bps=BPS, deadline=None) -> tuple[int, bytes]:
        """(deadline, signature) of ``signer``'s co-signature of a split."""
        deadline = deadline if deadline is not None else now(self.chain) + HOUR
        key = signer.private_key if hasattr(signer, "private_key") else signer
        return deadline, eip712.sign_settlement(
            key, self.trade_id(record), bps, deadline, self.chain.id, self.market.address
        )

    def settle(self, record, submitter, cosigner, bps=BPS):
        deadline, sig = self.settlement(cosigner, record, bps)
        return self.market.settleEscrow(record.as_args(), bps, deadline, sig, {"from": submitter})

    def state(self, signer, record, cumulative) -> bytes:
        key = signer.private_key if hasattr(signer, "private_key") else signer
        return eip712.sign_channel_state(key, self.trade_id(record), cumulative, self.chain.id, self.market.address)

    def status(self, offer_id) -> OfferStatus:
        return OfferStatus(self.market.offerStatus(offer_id))


SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


def high_s(signature: bytes) -> bytes:
    """The same signature with s → n − s (and v flipped): valid for ecrecover, refused by OpenZeppelin."""
    r, s, v = signature[:32], int.from_bytes(signature[32:64], "big"), signature[64]
    return r + (SECP256K1_N - s).to_bytes(32, "big") + bytes([55 - v if v in (27, 28) else v ^ 1])


def recovered(digest: bytes, signature: bytes) -> str:
    """Who a signature recovers to for ``digest`` (what the contract sees)."""
    from eth_account import Account

    return Account._recover_hash(digest, signature=signature)
