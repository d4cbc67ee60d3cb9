"""Python reference model of the SPB market's money: what the contract must agree with."""

from __future__ import annotations

from dataclasses import dataclass, field


class Refused(Exception):
    """The model refuses the operation; the contract must revert with `error`."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


@dataclass
class Ctp:
    consumer: str
    price: int
    energy: int
    expiry: int
    status: str = "pending"  # pending | settled | released
    overwritten: bool = False  # its commitment slot was reused by a later CTP (reads "none")


@dataclass
class MarketModel:
    supply: int
    balance: dict[str, int] = field(default_factory=dict)
    frozen: dict[str, int] = field(default_factory=dict)
    ctps: dict[bytes, Ctp] = field(default_factory=dict)
    used_nonces: set[tuple[str, int]] = field(default_factory=set)
    paid: dict[bytes, int] = field(default_factory=dict)  # ctp id -> times paid
    earnings: int = 0  # of the one energy account the machine trades with
    slots: dict[tuple[str, int], bytes] = field(default_factory=dict)  # (consumer, nonce % 32) -> ctp id

    def free(self, who: str) -> int:
        return self.balance.get(who, 0) - self.frozen.get(who, 0)

    def deposit(self, who: str, amount: int) -> None:
        self.balance[who] = self.balance.get(who, 0) + amount

    def withdraw(self, who: str, amount: int) -> None:
        if amount > self.free(who):
            raise Refused("FundsInsufficient")
        self.balance[who] -= amount

    def commit(self, ctp_id: bytes, who: str, nonce: int, price: int, energy: int, expiry: int) -> None:
        if (who, nonce) in self.used_nonces:
            raise Refused("FundsNonceUsed")
        if price > self.free(who):
            raise Refused("FundsInsufficient")
        previous = self.slots.get((who, nonce % 32))
        if previous is not None and self.ctps[previous].status == "pending":
            raise Refused("MarketCommitmentSlotBusy")
        if previous is not None:
            self.ctps[previous].overwritten = True
        self.slots[(who, nonce % 32)] = ctp_id
        self.used_nonces.add((who, nonce))
        self.frozen[who] = self.frozen.get(who, 0) + price
        self.ctps[ctp_id] = Ctp(who, price, energy, expiry)

    def release(self, ctp_id: bytes, now: int) -> None:
        ctp = self.ctps.get(ctp_id)
        if ctp is None or ctp.status != "pending":
            raise Refused("MarketCommitmentNotPending")
        if now <= ctp.expiry:
            raise Refused("MarketCommitmentNotExpired")
        ctp.status = "released"
        self.frozen[ctp.consumer] -= ctp.price

    def _pay(self, ctp_id: bytes, who: str, price: int, energy: int) -> None:
        self.balance[who] -= price
        self.earnings += price
        self.supply -= energy
        self.paid[ctp_id] = self.paid.get(ctp_id, 0) + 1

    def collect(self, owner: str) -> None:
        self.balance[owner] = self.balance.get(owner, 0) + self.earnings
        self.earnings = 0

    def settle(self, ctp_id: bytes, now: int) -> None:
        ctp = self.ctps.get(ctp_id)
        if ctp is None or ctp.status != "pending":
            raise Refused("MarketCommitmentNotPending")
        if now > ctp.expiry:
            raise Refused("MarketExpiredCommitment")
        if ctp.energy > self.supply:
            raise Refused("AccountInsufficientSupply")
        ctp.status = "settled"
        self.frozen[ctp.consumer] -= ctp.price
        self._pay(ctp_id, ctp.consumer, ctp.price, ctp.energy)

    def settle_signed(
        self, ctp_id: bytes, who: str, nonce: int, price: int, energy: int, expiry: int, now: int
    ) -> None:
        if (who, nonce) in self.used_nonces:
            raise Refused("FundsNonceUsed")
        if price > self.free(who):
            raise Refused("FundsInsufficient")
        if now > expiry:
            raise Refused("MarketExpiredCommitment")
        if energy > self.supply:
            raise Refused("AccountInsufficientSupply")
        self.used_nonces.add((who, nonce))
        self._pay(ctp_id, who, price, energy)
