"""Stateful test of the auction market's money against the reference model in ``model.py``.

Random deposits and withdrawals, random books solved by the off-chain solver (with a
feeder whose limits bind) and submitted, challenges by clearings of other sub-books,
settlements, delivery deviations with random readings — and refused attempts of every
kind: a bid paid below the price, an over-filled ask, Σ bought ≠ Σ sold, an expired
order, an order signed by someone else, an order listed twice, a broken feeder limit, a
clearing for a slot that already has one, a worse challenge, an early settlement, a
deviation settlement by a stranger, a withdrawal of frozen money. After every step:
each balance and frozen part equals the model's, frozen ≤ balance, and
held == Σ balances == deposits − withdrawals (fees and deviation charges are part of the
DSO's balance). At the end: ≥ 1,000 steps, minimum counts per rule and per refusal
reason, and the end-of-run table printed.

Written on hypothesis' ``RuleBasedStateMachine`` directly, as tests/spb's stateful test
(brownie's compiled ``state_machine`` helper refuses subclasses); the chain is reverted to
a snapshot before every run.
"""

from __future__ import annotations

import random
import re
import secrets
from collections import Counter

import brownie
import pytest
import requests
from eth_account import Account
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from offchain.auction.encoding import Clearing, Fill, pack_readings, pack_records
from offchain.auction.orders import Order, Pricing, Side, SignedOrder, sign_order
from offchain.auction.solver import AccountLimits, FeederLimits, Grid, solve

from tests.auction.contracts.helpers import CHALLENGE_WINDOW, PARAMS, SLOT_SECONDS, fmt, now
from tests.auction.contracts.model import AuctionModel, Refused

N_TRADERS = 5
CAP = 4_000
INITIAL_DEPOSIT = 2_000
SMALL_FEEDER = 2
SMALL_LIMIT = 1_500
RULES: Counter[str] = Counter()
REASONS: Counter[str] = Counter()
STEPS = Counter()

#: minimum counts asserted at the end (per rule, and per refusal reason)
MIN_RULES = {
    "deposit": 30,
    "withdraw": 30,
    "submit": 60,
    "challenge": 30,
    "settle": 40,
    "reconcile": 20,
    "bad_clearing": 100,
    "settle_early": 10,
    "reconcile_by_stranger": 5,
}
MIN_REASONS = {
    "FundsInsufficient": 10,
    "AuctionWrongStatus": 5,
    "AuctionNotBetter": 5,
    "AuctionBidBelowPrice": 5,
    "AuctionOverfilled": 5,
    "AuctionUnbalanced": 5,
    "AuctionOrderExpired": 5,
    "AuctionInvalidSignature": 5,
    "AuctionOrderRepeated": 5,
    "AuctionFeederExportExceeded": 5,
    "AuctionSettleTooEarly": 5,
    "AccessControlUnauthorizedAccount": 5,
}


@pytest.fixture(scope="module")
def traders(accounts, market, dso):
    """Traders with keys; the last one sits on a small feeder (1.5 kWh each way)."""
    market.setFeeder(SMALL_FEEDER, SMALL_LIMIT, SMALL_LIMIT, {"from": dso})
    out = []
    for i in range(N_TRADERS):
        acct = accounts.add(secrets.token_hex(32))
        accounts[9].transfer(acct, "1 ether")
        market.setAccount(acct, SMALL_FEEDER if i == N_TRADERS - 1 else 1, CAP, CAP, {"from": dso})
        market.deposit(INITIAL_DEPOSIT, {"from": acct, "value": INITIAL_DEPOSIT})
        out.append(acct)
    market.deposit(10**6, {"from": dso, "value": 10**6})  # the DSO pays long positions
    return out


st_who = st.integers(min_value=0, max_value=N_TRADERS - 1)
st_amount = st.integers(min_value=1, max_value=3_000)
st_seed = st.integers(min_value=0, max_value=2**32 - 1)
st_bad = st.sampled_from(["below_price", "overfilled", "unbalanced", "expired", "unsigned", "repeated", "feeder"])


class AuctionMachine(RuleBasedStateMachine):
    ctx: dict = {}

    def __init__(self):
        super().__init__()
        for key, value in self.ctx.items():
            setattr(self, key, value)
        self.chain.revert()
        self.model = AuctionModel(PARAMS, self.dso.address)
        # every run starts from the snapshot: traders funded, the DSO funded, nothing frozen
        self.model.balance.update({str(a): int(self.market.fundsOf(a)[0]) for a in [*self.traders, self.dso]})
        self.model.deposits = int(self.market.balance())
        STEPS["runs"] += 1
        self.grid = Grid(
            {
                str(t): AccountLimits(SMALL_FEEDER if i == N_TRADERS - 1 else 1, CAP, CAP)
                for i, t in enumerate(self.traders)
            },
            {1: FeederLimits(10**12, 10**12), SMALL_FEEDER: FeederLimits(SMALL_LIMIT, SMALL_LIMIT)},
        )
        self.open = now(self.chain) // SLOT_SECONDS + 2
        self.book: dict[int, list[SignedOrder]] = {}
        self.to_reconcile: list[int] = []

    # -- helpers -------------------------------------------------------------------------
    def _deposit(self, who, amount):
        self.market.deposit(amount, {"from": who, "value": amount})
        self.model.deposit(str(who), amount)

    def _pin(self, t: int | None = None) -> int:
        t = max(t or 0, now(self.chain) + 1)
        brownie.web3.provider.make_request("evm_setNextBlockTimestamp", [t])
        return t

    def _advance(self, t: int) -> None:
        self._pin(t)
        brownie.web3.provider.make_request("evm_mine", [])

    def _refused(self, refusal: Refused, call) -> None:
        args = ", ".join(re.escape(fmt(a)) for a in refusal.args_)
        with brownie.reverts(revert_pattern=f"{re.escape(refusal.error)}: {args}" if args else refusal.error):
            call()
        REASONS[refusal.error] += 1

    def _expect(self, model_call, contract_call):
        try:
            result = model_call()
        except Refused as refusal:
            self._refused(refusal, contract_call)
            return None
        contract_call()
        return result

    def _sign(self, order: Order, key=None) -> SignedOrder:
        owner = next(t for t in self.traders if t.address == order.owner)
        return sign_order(order, key or owner.private_key, self.chain.id, self.market.address)

    def _orders(self, slot: int, seed: int) -> list[SignedOrder]:
        """The slot's book (made once per slot): each trader one side, one or two orders."""
        if slot not in self.book:
            rng = random.Random(seed)
            book = []
            expiry = now(self.chain) + 30 * 86_400
            for t in self.traders:
                if rng.random() < 0.15:
                    continue
                side = Side.BID if rng.random() < 0.5 else Side.ASK
                for oid in range(1, rng.choice((2, 3))):
                    limit = rng.randint(100_000, 220_000) if side is Side.BID else rng.randint(60_000, 180_000)
                    order = Order(t.address, slot, oid, side, rng.randint(100, 2_500), limit, expiry)
                    book.append(self._sign(order))
            self.book[slot] = book
        return self.book[slot]

    def _clearing(self, slot: int, seed: int, subset: bool) -> Clearing | None:
        book = self._orders(slot, seed)
        rng = random.Random(seed ^ 0x5A5A)
        chosen = [o for o in book if not subset or rng.random() < 0.6]
        solution = solve([o.order for o in chosen], pricing=Pricing.PAY_AS_CLEAR, grid=self.grid)
        if solution.empty:
            return None
        by_key = {o.order.key: o for o in chosen}
        fills = tuple(Fill(by_key[o.key], q) for o, q in solution.fills)
        return Clearing(slot, Pricing.PAY_AS_CLEAR, solution.price, fills)

    # -- rules: funds ----------------------------------------------------------------------
    @rule(who=st_who, amount=st_amount)
    def deposit(self, who, amount):
        RULES["deposit"] += 1
        self._deposit(self.traders[who], amount)

    @rule(who=st_who, amount=st_amount)
    def withdraw(self, who, amount):
        RULES["withdraw"] += 1
        owner = self.traders[who]
        self._expect(
            lambda: self.model.withdraw(str(owner), amount), lambda: self.market.withdraw(amount, {"from": owner})
        )

    # -- rules: clearings ------------------------------------------------------------------
    @rule(seed=st_seed, subset=st.booleans())
    def submit(self, seed, subset):
        RULES["submit"] += 1
        c = self._clearing(self.open, seed, subset)
        if c is None:
            RULES["submit: nothing to clear"] += 1
            return
        self._pin()
        self._expect(
            lambda: self.model.submit(c),
            lambda: self.market.submitClearing(c.slot, c.packed(), {"from": self.operator}),
        )

    @rule(seed=st_seed, subset=st.booleans())
    def challenge(self, seed, subset):
        RULES["challenge"] += 1
        s = self.model.slots[self.open]
        c = self._clearing(self.open, seed, subset)
        if c is None or s.status != 1:
            RULES["challenge: nothing standing"] += 1
            return
        standing = pack_records(s.records)
        self._pin()
        self._expect(
            lambda: self.model.challenge(c),
            lambda: self.market.challengeClearing(c.slot, standing, c.packed(), {"from": self.challenger}),
        )

    @rule(kind=st_bad, pick=st.integers(min_value=0, max_value=N_TRADERS - 2), energy=st.integers(100, 1_500))
    def bad_clearing(self, kind, pick, energy):
        """A clearing that must be refused, for a slot nobody clears (the one after the open one)."""
        RULES["bad_clearing"] += 1
        slot = self.open + 1
        buyer, seller = self.traders[pick], self.traders[(pick + 1) % (N_TRADERS - 1)]
        if kind == "feeder":
            seller = self.traders[N_TRADERS - 1]
            energy = SMALL_LIMIT + energy
        cost = PARAMS.fee(energy, -(-energy * 150_000 // 10**6)) + -(-energy * 150_000 // 10**6)
        if self.model.free(str(buyer)) < cost + 1_000:
            RULES["bad_clearing: buyer short of funds"] += 1
            return
        t = self._pin()
        nid = secrets.randbelow(2**31) + 1
        bid = Order(buyer.address, slot, nid, Side.BID, energy, 200_000, t + 3_600)
        ask = Order(seller.address, slot, nid, Side.ASK, energy, 100_000, t + 3_600)
        bid_fill = ask_fill = energy
        price = 150_000
        bid_id = bytes(self.market.hashOrder(bid.as_args()))
        if kind == "below_price":
            price = 200_001
            refusal = Refused("AuctionBidBelowPrice", buyer.address, nid, 200_000, price)
            ask = Order(seller.address, slot, nid, Side.ASK, energy, 100_000, t + 3_600)
        elif kind == "overfilled":
            bid = Order(buyer.address, slot, nid, Side.BID, energy + 1, 200_000, t + 3_600)
            bid_fill = ask_fill = energy + 1
            refusal = Refused("AuctionOverfilled", seller.address, nid, energy + 1, energy)
        elif kind == "unbalanced":
            ask_fill = energy - 1
            refusal = Refused("AuctionUnbalanced", energy, energy - 1)
        elif kind == "expired":
            bid = Order(buyer.address, slot, nid, Side.BID, energy, 200_000, t - 1)
            refusal = Refused("AuctionOrderExpired", buyer.address, nid, t - 1, t)
        elif kind == "unsigned":
            forger = Account.create()
            refusal = Refused("AuctionInvalidSignature", bid_id, forger.address, buyer.address)
        elif kind == "repeated":
            refusal = Refused("AuctionOrderRepeated", buyer.address, nid)
        else:
            refusal = Refused("AuctionFeederExportExceeded", SMALL_FEEDER, energy, SMALL_LIMIT)
        signed_bid = self._sign(bid, forger.key if kind == "unsigned" else None)
        fills = [Fill(signed_bid, bid_fill), Fill(self._sign(ask), ask_fill)]
        if kind == "repeated":
            fills.append(Fill(signed_bid, bid_fill))
            ask = Order(seller.address, slot, nid, Side.ASK, 2 * energy, 100_000, t + 3_600)
            fills[1] = Fill(self._sign(ask), 2 * energy)
        fills.sort(key=lambda f: f.order.order.key)
        if kind == "overfilled" and fills[0].order.order.is_bid:
            refusal = Refused("AuctionOverfilled", seller.address, nid, energy + 1, energy)
        c = Clearing(slot, Pricing.PAY_AS_CLEAR, price, tuple(fills))
        self._refused(refusal, lambda: self.market.submitClearing(slot, c.packed(), {"from": self.operator}))
        RULES[f"bad_clearing: {kind}"] += 1

    @rule()
    def settle_early(self):
        RULES["settle_early"] += 1
        s = self.model.slots[self.open]
        if s.status != 1:
            RULES["settle_early: nothing standing"] += 1
            return
        t = self._pin()
        records = pack_records(s.records)
        self._expect(
            lambda: self.model.settle(self.open, t, self.open * SLOT_SECONDS),
            lambda: self.market.settle(self.open, records, {"from": self.stranger}),
        )

    @rule()
    def settle(self):
        """The gate of the open slot passes; whoever settles it; a new slot opens."""
        RULES["settle"] += 1
        slot = self.open
        gate = slot * SLOT_SECONDS
        self._advance(gate)
        s = self.model.slots[slot]
        records = pack_records(s.records)
        t = self._pin()
        settled = self._expect(
            lambda: self.model.settle(slot, t, gate), lambda: self.market.settle(slot, records, {"from": self.stranger})
        )
        if self.model.slots[slot].status == 2:
            self.to_reconcile.append(slot)
        del settled
        self.open = now(self.chain) // SLOT_SECONDS + 2
        assert now(self.chain) < self.open * SLOT_SECONDS - CHALLENGE_WINDOW

    @rule(seed=st_seed)
    def reconcile(self, seed):
        RULES["reconcile"] += 1
        if not self.to_reconcile:
            RULES["reconcile: nothing settled"] += 1
            return
        slot = self.to_reconcile.pop(0)
        self._advance((slot + 1) * SLOT_SECONDS)
        rng = random.Random(seed)
        records = self.model.slots[slot].records
        delivered = [
            max(0, r.energy_wh + rng.randint(-600, 600)) if rng.random() < 0.8 else r.energy_wh for r in records
        ]
        self._expect(
            lambda: self.model.reconcile(slot, delivered),
            lambda: self.market.settleDeviations(
                slot, pack_records(records), pack_readings(delivered), {"from": self.dso}
            ),
        )

    @rule()
    def reconcile_by_stranger(self):
        RULES["reconcile_by_stranger"] += 1
        self._refused(
            Refused("AccessControlUnauthorizedAccount", self.stranger.address, bytes(self.market.DSO_ROLE())),
            lambda: self.market.settleDeviations(self.open, b"", b"", {"from": self.stranger}),
        )

    # -- invariants ------------------------------------------------------------------------
    @invariant()
    def money_is_conserved(self):
        """Read in one JSON-RPC batch (the machine is shared: one round trip, not eight)."""
        STEPS["steps"] += 1
        owners = [*self.traders, self.dso]  # nobody else ever holds money here
        calls = [
            ("eth_call", [{"to": self.market.address, "data": self.market.fundsOf.encode_input(w)}, "latest"])
            for w in owners
        ]
        calls.append(
            (
                "eth_call",
                [{"to": self.market.address, "data": self.market.clearingOf.encode_input(self.open)}, "latest"],
            )
        )
        calls.append(("eth_getBalance", [self.market.address, "latest"]))
        answers = _batch(calls)
        total = 0
        for who, raw in zip(owners, answers, strict=False):
            balance, frozen = int(raw[2:66], 16), int(raw[66:130], 16)
            assert (balance, frozen) == (self.model.balance[str(who)], self.model.frozen[str(who)]), str(who)
            assert frozen <= balance
            total += balance
        held = int(answers[-1], 16)
        assert held == total == self.model.deposits - self.model.withdrawals
        status = int(answers[-2][2 + 64 * 3 : 2 + 64 * 4], 16)  # (hash, volume, welfare, status, ...)
        assert status == self.model.slots[self.open].status


def _batch(calls: list[tuple[str, list]]) -> list[str]:
    body = [{"jsonrpc": "2.0", "id": i, "method": m, "params": p} for i, (m, p) in enumerate(calls)]
    answers = requests.post(brownie.web3.provider.endpoint_uri, json=body, timeout=60).json()
    by_id = {a["id"]: a["result"] for a in answers}
    return [by_id[i] for i in range(len(calls))]


def _table() -> str:
    lines = ["auction stateful run", f"  runs: {STEPS['runs']}, steps checked: {STEPS['steps']}", "  rules:"]
    lines += [f"    {name:42} {RULES[name]:6}" for name in sorted(RULES)]
    lines += ["  refusals (by reason):"]
    lines += [f"    {name:42} {REASONS[name]:6}" for name in sorted(REASONS)]
    return "\n".join(lines)


def test_money_is_conserved_across_random_orders_clearings_and_deviations(
    market, traders, dso, operator, challenger, stranger, chain
):
    AuctionMachine.ctx = dict(
        market=market,
        traders=traders,
        dso=dso,
        operator=operator,
        challenger=challenger,
        stranger=stranger,
        chain=chain,
    )
    chain.snapshot()
    # hypothesis 6.27 starts with short runs: 20 examples of up to 50 steps give ~600
    # checked steps; repeat until the step and per-rule / per-reason minimums are reached
    for _ in range(6):
        run_state_machine_as_test(
            AuctionMachine,
            settings=settings(
                max_examples=20,
                stateful_step_count=50,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            ),
        )
        if (
            STEPS["steps"] >= 1000
            and all(RULES[r] >= n for r, n in MIN_RULES.items())
            and all(REASONS[r] >= n for r, n in MIN_REASONS.items())
        ):
            break
    print("\n" + _table())
    assert STEPS["steps"] >= 1000, _table()
    for name, minimum in MIN_RULES.items():
        assert RULES[name] >= minimum, (name, _table())
    for reason, minimum in MIN_REASONS.items():
        assert REASONS[reason] >= minimum, (reason, _table())
