"""Client of the deployed ``AuctionMarket``: the API agents, operators, the DSO and users call.

Every state-changing method takes the signing account as keyword-only ``sender=`` and
sends one transaction through :meth:`Chain.send` (a refusal raises
:class:`~offchain.kernel.errors.TransactionFailedError` with the contract's custom error
before anything is sent). Reads return frozen dataclasses and enums.

The standing clearing's settlement records are what settlement, challenges and deviation
settlement need: :meth:`AuctionClient.standing_records` reads them back from the
``ClearingSubmitted`` event of the clearing that stands.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from eth_account.signers.local import LocalAccount

from ..common.funds import ETHER, Funds, FundsClient
from ..common.slots import SlotClock, SlotConfig
from ..kernel.chain import Chain
from ..kernel.contracts import ContractClient, deploy
from .encoding import Clearing, Fill, MarketParams, Match, Record, pack_readings, pack_records, unpack_records
from .errors import AuctionError
from .orders import Order, Pricing, Side, SignedOrder, SlotStatus, order_digest, sign_order
from .solver import AccountLimits, FeederLimits, Grid, Solution

__all__ = [
    "AuctionClient",
    "SlotClearing",
    "Timing",
    "Bill",
    "Sender",
    "DEFAULT_TIMING",
]

#: who signs a transaction: a local account, or an address unlocked on the node
Sender = LocalAccount | str


@dataclass(frozen=True)
class Timing:
    """Challenge window (chain seconds), notice of rule changes and look-ahead (slots)."""

    challenge_window: int
    notice_slots: int
    max_ahead_slots: int


#: real-time defaults: a 5-minute challenge window, one day's notice, two days ahead
DEFAULT_TIMING = Timing(challenge_window=300, notice_slots=96, max_ahead_slots=192)


@dataclass(frozen=True)
class SlotClearing:
    """A slot's clearing as the market stores it."""

    status: SlotStatus
    records_hash: bytes
    volume_wh: int
    welfare: int
    params: MarketParams


@dataclass
class Bill:
    """One home's bill over some slots, rebuilt from the market's events."""

    account: str
    bought_wh: int = 0
    sold_wh: int = 0
    #: energy cost paid (fees excluded)
    spent: int = 0
    earned: int = 0
    fees: int = 0
    #: deviation energy: needed but not bought, or sold but not delivered
    short_wh: int = 0
    #: deviation energy the other way (bought but not taken, delivered beyond what was sold)
    long_wh: int = 0
    imbalance_charged: int = 0
    imbalance_unpaid: int = 0
    imbalance_credited: int = 0
    slots: list[int] = field(default_factory=list)

    @property
    def penalty_wh(self) -> int:
        return self.short_wh + self.long_wh

    @property
    def net(self) -> int:
        """Money in minus money out over these slots."""
        return self.earned + self.imbalance_credited - self.spent - self.fees - self.imbalance_charged


class AuctionClient(ContractClient):
    """Typed access to one ``AuctionMarket`` deployment on ``chain``."""

    def __init__(self, chain: Chain, address: str, *, zone: str = "Europe/Vienna") -> None:
        super().__init__(chain, address, "AuctionMarket")
        #: the time zone of the market's local days (for local times only; slots are UTC quarter hours)
        self.zone = zone
        #: the shared funds ledger the market inherits
        self.ledger = FundsClient(chain, self.contract)
        self._clock: SlotClock | None = None

    @classmethod
    def deploy(
        cls,
        chain: Chain,
        *,
        sender: Sender,
        dso: str | None = None,
        payment_asset: str = ETHER,
        clock: SlotConfig | None = None,
        timing: Timing = DEFAULT_TIMING,
        params: MarketParams | None = None,
    ) -> AuctionClient:
        """Deploy a market governed by ``sender``; ``dso`` (default: ``sender``) gets the DSO
        role and collects the fees."""
        governor = sender if isinstance(sender, str) else sender.address
        contract = deploy(
            chain,
            "AuctionMarket",
            governor,
            dso or governor,
            payment_asset,
            (clock or SlotConfig()).as_args(),
            timing.challenge_window,
            timing.notice_slots,
            timing.max_ahead_slots,
            (params or MarketParams()).as_args(),
            sender=sender,
        )
        return cls(chain, contract.address)

    @property
    def address(self) -> str:
        return str(self.contract.address)

    # -- plumbing ------------------------------------------------------------------------
    # -- clock ---------------------------------------------------------------------------
    @property
    def clock(self) -> SlotClock:
        """The market's slot clock, computed off chain from its configuration."""
        if self._clock is None:
            genesis, epoch, seconds, _, _ = self.contract.functions.slotConfig().call()
            config = SlotConfig(zone=self.zone, genesis=genesis, epoch=epoch, slot_seconds=seconds)
            self._clock = SlotClock(config)
        return self._clock

    def current_slot(self) -> int:
        return int(self.contract.functions.currentSlot().call())

    def slot_start(self, slot: int) -> int:
        """Chain time at which ``slot`` begins: its gate."""
        return int(self.contract.functions.slotStart(slot).call())

    def timing(self) -> Timing:
        return Timing(*(int(v) for v in self.contract.functions.timing().call()))

    def submission_deadline(self, slot: int) -> int:
        """Chain time before which the slot's first clearing must come."""
        return max(0, self.slot_start(slot) - self.timing().challenge_window)

    # -- DSO and governance ----------------------------------------------------------------
    def set_feeder(self, feeder: int, import_limit_wh: int, export_limit_wh: int, *, sender: Sender) -> Any:
        fn = self.contract.functions.setFeeder(feeder, import_limit_wh, export_limit_wh)
        return self._send(fn, sender, "setFeeder")

    def set_account(self, account: str, feeder: int, import_cap_wh: int, export_cap_wh: int, *, sender: Sender) -> Any:
        fn = self.contract.functions.setAccount(account, feeder, import_cap_wh, export_cap_wh)
        return self._send(fn, sender, "setAccount")

    def schedule_params(self, params: MarketParams, *, sender: Sender) -> int:
        """Schedule new rules; returns the first slot they apply to."""
        receipt = self._send(self.contract.functions.scheduleParams(params.as_args()), sender, "scheduleParams")
        return int(self.events(receipt, "ParamsScheduled")[0]["fromSlot"])

    def set_dso_account(self, account: str, *, sender: Sender) -> Any:
        return self._send(self.contract.functions.setDsoAccount(account), sender, "setDsoAccount")

    def dso_account(self) -> str:
        return str(self.contract.functions.dsoAccount().call())

    def account(self, account: str) -> AccountLimits:
        feeder, imp, exp = self.contract.functions.accountOf(account).call()
        return AccountLimits(int(feeder), int(imp), int(exp))

    def feeder(self, feeder: int) -> FeederLimits | None:
        exists, imp, exp = self.contract.functions.feederOf(feeder).call()
        return FeederLimits(int(imp), int(exp)) if exists else None

    def params_for(self, slot: int) -> MarketParams:
        return MarketParams(*self.contract.functions.paramsFor(slot).call())

    def grid(self, accounts: Iterable[str] | None = None) -> Grid:
        """The DSO's registrations as the solver needs them: ``accounts`` (default: every
        account an ``AccountSet`` event named) and every configured feeder."""
        names = set(accounts) if accounts is not None else {e["account"] for e in self.logs("AccountSet")}
        registered = {a: self.account(a) for a in names}
        feeders = {}
        for f in {acct.feeder for acct in registered.values() if acct.feeder}:
            limits = self.feeder(f)
            if limits is not None:
                feeders[f] = limits
        return Grid({a: acct for a, acct in registered.items() if acct.feeder}, feeders)

    # -- funds ---------------------------------------------------------------------------
    def deposit(self, amount: int, *, sender: Sender) -> Any:
        return self.ledger.deposit(amount, sender=sender)

    def withdraw(self, amount: int, *, sender: Sender) -> Any:
        return self.ledger.withdraw(amount, sender=sender)

    def withdraw_to(self, to: str, amount: int, *, sender: Sender) -> Any:
        return self.ledger.withdraw_to(to, amount, sender=sender)

    def funds(self, owner: str) -> Funds:
        return self.ledger.funds(owner)

    # -- orders --------------------------------------------------------------------------
    def order_id(self, order: Order) -> bytes:
        return order_digest(order, self.chain.chain_id, self.address)

    def sign(self, order: Order, key: LocalAccount) -> SignedOrder:
        """``order`` signed by ``key`` (its owner) for this market."""
        return sign_order(order, key.key, self.chain.chain_id, self.address)

    def post_order(self, order: Order, *, sender: Sender) -> SignedOrder:
        """Post ``order`` on chain; returns it as a posted order for a clearing."""
        self._send(self.contract.functions.postOrder(order.as_args()), sender, "postOrder")
        return SignedOrder(order, None)

    def cancel_order(self, order: Order, *, sender: Sender) -> Any:
        return self._send(self.contract.functions.cancelOrder(order.as_args()), sender, "cancelOrder")

    def is_posted(self, order: Order) -> bool:
        return bool(self.contract.functions.isPosted(self.order_id(order)).call())

    # -- clearing ------------------------------------------------------------------------
    @staticmethod
    def clearing_from(slot: int, solution: Solution, orders: Mapping[tuple[int, int], SignedOrder]) -> Clearing:
        """The packed-ready clearing of ``solution``, with each order's signature (or posted
        flag) from ``orders`` (keyed by :attr:`Order.key`)."""
        try:
            fills = tuple(Fill(orders[o.key], q) for o, q in solution.fills)
        except KeyError as exc:
            raise AuctionError(f"the solution fills an order the operator does not hold: {exc}") from exc
        matches = tuple(Match(b, a, q) for b, a, q in solution.matches)
        return Clearing(slot, solution.pricing, solution.price, fills, matches)

    def submit_clearing(self, clearing: Clearing, *, sender: Sender) -> Any:
        fn = self.contract.functions.submitClearing(clearing.slot, clearing.packed())
        return self._send(fn, sender, "submitClearing")

    def challenge_clearing(
        self, clearing: Clearing, *, sender: Sender, standing: Sequence[Record] | None = None
    ) -> Any:
        """Replace the slot's standing clearing (its records read from the chain unless given)."""
        records = self.standing_records(clearing.slot) if standing is None else list(standing)
        fn = self.contract.functions.challengeClearing(clearing.slot, pack_records(records), clearing.packed())
        return self._send(fn, sender, "challengeClearing")

    def settle(self, slot: int, *, sender: Sender, records: Sequence[Record] | None = None) -> Any:
        records = self.standing_records(slot) if records is None else list(records)
        return self._send(self.contract.functions.settle(slot, pack_records(records)), sender, "settle")

    def settle_deviations(
        self, slot: int, delivered_wh: Mapping[str, int], *, sender: Sender, records: Sequence[Record] | None = None
    ) -> Any:
        """Reconcile the slot: ``delivered_wh`` per account (an account missing delivered 0)."""
        records = self.standing_records(slot) if records is None else list(records)
        lower = {k.lower(): v for k, v in delivered_wh.items()}
        readings = pack_readings(lower.get(r.owner.lower(), 0) for r in records)
        fn = self.contract.functions.settleDeviations(slot, pack_records(records), readings)
        return self._send(fn, sender, "settleDeviations")

    def clearing(self, slot: int) -> SlotClearing:
        records_hash, volume, welfare, status, params = self.contract.functions.clearingOf(slot).call()
        return SlotClearing(SlotStatus(status), bytes(records_hash), int(volume), int(welfare), MarketParams(*params))

    def standing_records(self, slot: int) -> list[Record]:
        """The settlement records of the clearing that stands for ``slot`` (from its event)."""
        state = self.clearing(slot)
        if state.status is SlotStatus.NONE:
            raise AuctionError(f"slot {slot} has no clearing")
        for event in reversed(self.logs("ClearingSubmitted", slot=slot)):
            if bytes(event["recordsHash"]) == state.records_hash:
                return unpack_records(bytes(event["records"]))
        raise AuctionError(f"no ClearingSubmitted event carries the standing records of slot {slot}")

    # -- bills ---------------------------------------------------------------------------
    def bills(self, slots: Iterable[int] | None = None, from_block: int = 0) -> dict[str, Bill]:
        """Per-home bills over ``slots`` (default: every settled slot), from events alone:
        the trades of each settled slot's standing clearing and its deviations."""
        settled = {int(e["slot"]): bytes(e["recordsHash"]) for e in self.logs("SlotSettled", from_block)}
        wanted = set(settled) if slots is None else set(slots) & set(settled)
        records: dict[int, list[Record]] = {}
        for event in self.logs("ClearingSubmitted", from_block):
            slot = int(event["slot"])
            if slot in wanted and bytes(event["recordsHash"]) == settled[slot]:
                records[slot] = unpack_records(bytes(event["records"]))
        bills: dict[str, Bill] = {}
        for slot in sorted(records):
            for r in records[slot]:
                bill = bills.setdefault(r.owner, Bill(r.owner))
                bill.slots.append(slot)
                if r.side is Side.BID:
                    bill.bought_wh += r.energy_wh
                    bill.spent += r.amount
                    bill.fees += r.fee
                else:
                    bill.sold_wh += r.energy_wh
                    bill.earned += r.amount
        for event in self.logs("DeviationSettled", from_block):
            if int(event["slot"]) not in wanted:
                continue
            bill = bills.setdefault(event["account"], Bill(event["account"]))
            traded, delivered = int(event["tradedWh"]), int(event["deliveredWh"])
            buyer = Side(event["side"]) is Side.BID
            short = max(0, delivered - traded) if buyer else max(0, traded - delivered)
            long = max(0, traded - delivered) if buyer else max(0, delivered - traded)
            bill.short_wh += short
            bill.long_wh += long
            bill.imbalance_charged += int(event["charged"])
            bill.imbalance_unpaid += int(event["unpaid"])
            bill.imbalance_credited += int(event["credited"])
        return bills


def pricing_name(pricing: Pricing) -> str:
    return {Pricing.PAY_AS_CLEAR: "pay-as-clear", Pricing.PAY_AS_BID: "pay-as-bid"}[Pricing(pricing)]
