"""Python reference model of the SPB market's money and rules: what the contract must agree with.

Every operation either applies its effects or raises :class:`Refused` with the name of the
custom error the contract must revert with, checking in the contract's own order. Effects
are applied only when every check passed (the contract writes nothing on a refusal).
"""

from __future__ import annotations

from dataclasses import dataclass, field

NONCE_WINDOW = 32
NONCE_LOOKAHEAD = 64
MIN_LIFETIME_CAP = 3_600
MAX_LIFETIME_CAP = 365 * 86_400


class Refused(Exception):
    """The model refuses the operation; the contract must revert with `error`."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


@dataclass
class Ctp:
    consumer: str
    nonce: int
    price: int
    energy: int
    expiry: int
    leaf: int  # the consumer meter's leaf whose key the contract hash names
    status: str = "pending"  # pending | settled | released
    overwritten: bool = False  # its commitment slot was reused by a later CTP (reads "none")


@dataclass
class Window:
    base: int = 0
    bits: int = 0

    def use(self, nonce: int) -> Window:
        """The window after using `nonce` (the original is left alone), or Refused."""
        if nonce < self.base:
            raise Refused("FundsNonceUsed")
        offset = nonce - self.base
        if offset >= NONCE_LOOKAHEAD:
            raise Refused("FundsNonceTooFarAhead")
        base, bits = self.base, self.bits
        if offset >= NONCE_WINDOW:
            shift = offset - (NONCE_WINDOW - 1)
            bits >>= shift
            base = nonce - (NONCE_WINDOW - 1)
            offset = NONCE_WINDOW - 1
        if bits >> offset & 1:
            raise Refused("FundsNonceUsed")
        return Window(base, bits | 1 << offset)

    def used(self, nonce: int) -> bool:
        if nonce < self.base:
            return True
        offset = nonce - self.base
        return offset < NONCE_WINDOW and bool(self.bits >> offset & 1)


@dataclass
class MarketModel:
    supply: int
    max_lifetime: int = 7 * 86_400
    balance: dict[str, int] = field(default_factory=dict)
    frozen: dict[str, int] = field(default_factory=dict)
    windows: dict[str, Window] = field(default_factory=dict)
    ctps: dict[bytes, Ctp] = field(default_factory=dict)
    slots: dict[tuple[str, int], bytes] = field(default_factory=dict)  # (consumer, nonce % 32) -> ctp id
    used_leaves: set[int] = field(default_factory=set)  # of the consumer meter's CoE
    paid: dict[bytes, int] = field(default_factory=dict)  # ctp id -> times paid
    earnings: int = 0  # of the one energy account the machine trades with

    # -- funds ---------------------------------------------------------------------------
    def free(self, who: str) -> int:
        return self.balance.get(who, 0) - self.frozen.get(who, 0)

    def window(self, who: str) -> Window:
        return self.windows.setdefault(who, Window())

    def deposit(self, who: str, amount: int) -> None:
        if amount == 0:
            raise Refused("FundsZeroAmount")
        self.balance[who] = self.balance.get(who, 0) + amount

    def withdraw(self, who: str, amount: int, to: str | None = "self") -> None:
        if to is None:
            raise Refused("FundsZeroRecipient")
        if amount == 0:
            raise Refused("FundsZeroAmount")
        if amount > self.free(who):
            raise Refused("FundsInsufficient")
        self.balance[who] -= amount

    def collect(self, owner: str) -> None:
        self.balance[owner] = self.balance.get(owner, 0) + self.earnings
        self.earnings = 0

    # -- governance ----------------------------------------------------------------------
    def set_max_lifetime(self, lifetime: int) -> None:
        if not MIN_LIFETIME_CAP <= lifetime <= MAX_LIFETIME_CAP:
            raise Refused("MarketLifetimeCapOutOfRange")
        self.max_lifetime = lifetime

    # -- CTPs ----------------------------------------------------------------------------
    def freeze(self, ctp_id: bytes, ctp: Ctp, now: int, *, signer_ok: bool = True) -> None:
        """`commit` (the consumer sends it) or `freezeSigned` (its signature does)."""
        if not signer_ok:
            raise Refused("MarketInvalidConsumerSignature")
        if ctp.price == 0:
            raise Refused("MarketZeroPrice")
        if ctp.expiry <= now:
            raise Refused("MarketExpiryInPast")
        if ctp.expiry > now + MIN_LIFETIME_CAP and ctp.expiry > now + self.max_lifetime:
            raise Refused("MarketExpiryTooFar")
        window = self.window(ctp.consumer).use(ctp.nonce)
        if ctp.price > self.free(ctp.consumer):
            raise Refused("FundsInsufficient")
        previous = self.slots.get((ctp.consumer, ctp.nonce % NONCE_WINDOW))
        if previous is not None and self.ctps[previous].status == "pending":
            raise Refused("MarketCommitmentSlotBusy")
        if previous is not None:
            self.ctps[previous].overwritten = True
        self.windows[ctp.consumer] = window
        self.slots[(ctp.consumer, ctp.nonce % NONCE_WINDOW)] = ctp_id
        self.frozen[ctp.consumer] = self.frozen.get(ctp.consumer, 0) + ctp.price
        self.ctps[ctp_id] = ctp

    def release(self, ctp_id: bytes, now: int) -> None:
        ctp = self.ctps.get(ctp_id)
        if ctp is None or ctp.status != "pending" or ctp.overwritten:
            raise Refused("MarketCommitmentNotPending")
        if now <= ctp.expiry:
            raise Refused("MarketCommitmentNotExpired")
        ctp.status = "released"
        self.frozen[ctp.consumer] -= ctp.price

    def _check_receipt(self, ctp: Ctp, now: int, *, erc_price: int, signer_leaf: int | None) -> None:
        """`_checkReceipt`: `signer_leaf` is the consumer meter's leaf that signed, or None
        for a key of another meter (the producer's own, in the attack)."""
        if now > ctp.expiry:
            raise Refused("MarketExpiredCommitment")
        if erc_price != ctp.price:
            raise Refused("MarketPriceMismatch")
        if signer_leaf != ctp.leaf:
            raise Refused("MarketContractHashMismatch")
        if ctp.leaf in self.used_leaves:
            raise Refused("CoELeafKeyUsed")
        if ctp.energy > self.supply:
            raise Refused("AccountInsufficientSupply")

    def _pay(self, ctp_id: bytes, ctp: Ctp) -> None:
        self.balance[ctp.consumer] -= ctp.price
        self.earnings += ctp.price
        self.supply -= ctp.energy
        self.used_leaves.add(ctp.leaf)
        self.paid[ctp_id] = self.paid.get(ctp_id, 0) + 1

    def settle(self, ctp_id: bytes, now: int, *, erc_price: int, signer_leaf: int | None) -> None:
        ctp = self.ctps.get(ctp_id)
        if ctp is None or ctp.status != "pending" or ctp.overwritten:
            raise Refused("MarketCommitmentNotPending")
        self._check_receipt(ctp, now, erc_price=erc_price, signer_leaf=signer_leaf)
        ctp.status = "settled"
        self.frozen[ctp.consumer] -= ctp.price
        self._pay(ctp_id, ctp)

    def settle_signed(
        self,
        ctp_id: bytes,
        ctp: Ctp,
        now: int,
        *,
        signer_ok: bool = True,
        erc_price: int,
        signer_leaf: int | None,
    ) -> None:
        if not signer_ok:
            raise Refused("MarketInvalidConsumerSignature")
        if ctp.price == 0:
            raise Refused("MarketZeroPrice")
        window = self.window(ctp.consumer).use(ctp.nonce)
        if ctp.price > self.free(ctp.consumer):
            raise Refused("FundsInsufficient")
        self._check_receipt(ctp, now, erc_price=erc_price, signer_leaf=signer_leaf)
        self.windows[ctp.consumer] = window
        ctp.status = "settled"
        self._pay(ctp_id, ctp)
