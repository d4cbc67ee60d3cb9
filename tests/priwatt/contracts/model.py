"""Python reference model of the PriWatt market's money and board: what the contract must agree with."""

from __future__ import annotations

from dataclasses import dataclass, field

from offchain.priwatt.eip712 import BPS, OfferStatus, Trade, TradeKind


class Refused(Exception):
    """The model refuses the operation; the contract must revert with ``error``."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


@dataclass
class Offer:
    record: Trade
    status: OfferStatus = OfferStatus.OPEN
    sold: int = 0  # times money moved to the seller for it (must stay <= 1)
    states: list[int] = field(default_factory=list)  # channel states the buyer signed


@dataclass
class PriWattModel:
    balance: dict[str, int] = field(default_factory=dict)
    frozen: dict[str, int] = field(default_factory=dict)
    offers: dict[bytes, Offer] = field(default_factory=dict)
    dso: set[str] = field(default_factory=set)

    def free(self, who: str) -> int:
        return self.balance.get(who, 0) - self.frozen.get(who, 0)

    def deposit(self, who: str, amount: int) -> None:
        self.balance[who] = self.balance.get(who, 0) + amount

    def withdraw(self, who: str, amount: int) -> None:
        if amount > self.free(who):
            raise Refused("FundsInsufficient")
        self.balance[who] -= amount

    def post(self, offer_id: bytes, record: Trade) -> None:
        self.offers[offer_id] = Offer(record)

    def lock(self, offer: Offer, sender: str, buyer: str, now: int) -> None:
        if sender != offer.record.seller:
            raise Refused("OfferNotSeller")
        if offer.status is OfferStatus.LOCKED and now <= offer.record.deadline:
            raise Refused("OfferLockedUntil")
        if offer.status not in (OfferStatus.OPEN, OfferStatus.LOCKED):
            raise Refused("OfferWrongStatus")
        if buyer == offer.record.seller:
            raise Refused("OfferBadBuyer")

    def open(self, offer: Offer, sender: str, now: int) -> None:
        if offer.status is not OfferStatus.LOCKED:
            raise Refused("OfferWrongStatus")
        if sender != offer.record.buyer:
            raise Refused("TradeNotBuyer")
        if now > offer.record.deadline:
            raise Refused("TradeLockExpired")
        if offer.record.amount > self.free(sender):
            raise Refused("FundsInsufficient")

    def funded(self, offer: Offer, record: Trade) -> None:
        offer.record = record
        offer.status = OfferStatus.ESCROW if record.kind is TradeKind.ESCROW else OfferStatus.CHANNEL
        self.frozen[record.buyer] = self.frozen.get(record.buyer, 0) + record.amount

    def settle(self, offer: Offer, submitter: str, cosigner: str, bps: int) -> int:
        if offer.status is not OfferStatus.ESCROW:
            raise Refused("OfferWrongStatus")
        parties = {offer.record.buyer: "buyer", offer.record.seller: "seller"}
        role = lambda who: parties.get(who) or ("dso" if who in self.dso else None)  # noqa: E731
        if role(submitter) is None:
            raise Refused("EscrowNotParty")
        if submitter == cosigner:
            raise Refused("EscrowSameParty")
        if role(cosigner) is None:
            raise Refused("EscrowNotParty")
        if role(submitter) == role(cosigner) == "dso":
            raise Refused("EscrowDsoOnly")
        to_seller = offer.record.amount * bps // BPS
        self._pay(offer, to_seller)
        offer.status = OfferStatus.SOLD if to_seller else OfferStatus.REFUNDED
        return to_seller

    def close(self, offer: Offer, sender: str, cumulative: int) -> None:
        if offer.status is not OfferStatus.CHANNEL:
            raise Refused("OfferWrongStatus")
        if sender != offer.record.seller:
            raise Refused("ChannelNotSeller")
        if cumulative > offer.record.amount:
            raise Refused("ChannelOverdrawn")
        self._pay(offer, cumulative)
        offer.status = OfferStatus.SOLD if cumulative else OfferStatus.REFUNDED

    def refund(self, offer: Offer, sender: str, now: int) -> None:
        if offer.status not in (OfferStatus.ESCROW, OfferStatus.CHANNEL):
            raise Refused("OfferWrongStatus")
        if sender != offer.record.buyer:
            raise Refused("TradeNotBuyer")
        if now <= offer.record.deadline:
            raise Refused("TradeNotExpired")
        self.frozen[offer.record.buyer] -= offer.record.amount
        offer.status = OfferStatus.REFUNDED

    def _pay(self, offer: Offer, to_seller: int) -> None:
        buyer, seller, amount = offer.record.buyer, offer.record.seller, offer.record.amount
        assert 0 <= to_seller <= amount, "a trade never pays more than was locked"
        self.balance[buyer] -= to_seller
        self.frozen[buyer] -= amount
        self.balance[seller] = self.balance.get(seller, 0) + to_seller
        if to_seller:
            offer.sold += 1
