"""Stateful test of the PETra market against the reference model in ``model.py``.

Random mints (within and beyond capacity), offers, rescinds, accepts of random portions
(within and beyond feeder limits, funds, intervals and power), deposits, withdrawals, fiat
issues and redemptions, clock advances, retirements and delivery records, by three
prosumers' accounts on two feeders. Every refusal must be the model's (same first failing
check), every accepted operation must give the model's token ids. After every step: money
is conserved (Σ market balances == what the market holds; Σ wallets + market == fiat
supply == issued − redeemed; each account's funds equal the model's, frozen == its open
bids' escrow), and, on the model, Σ assets ≤ capacity for every prosumer and slot, Σ
accepted ≤ limit for every feeder, flow and slot, no offer accepted twice (matched
production == traded), splits conserve power × slots; the chain's counters and assets equal
the model's wherever the step changed them, and everywhere at the end of each run. At least
1,000 steps, minimum counts per rule and per refusal reason, and the table printed.

Written on hypothesis' ``RuleBasedStateMachine`` directly (brownie's compiled helper cannot
be subclassed); the chain is reverted to a snapshot before every run. The market's clock
runs one slot per chain day, so wall-clock time never moves a slot during a run: only the
``advance`` rule does.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from brownie import web3
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from offchain.common.slots import SlotConfig
from offchain.kernel.chain import connect
from offchain.petra.client import PetraClient

from tests.petra.contracts.helpers import reverts
from tests.petra.contracts.model import HELD, MATCHED, OFFERED, PetraModel, Refused, cost

DAY = 86_400
PROSUMERS = {1: (1, 5_000, 3_000), 2: (1, 3_000, 5_000), 3: (2, 4_000, 4_000)}
# limits below what the parties can trade in one slot, so that random trades reach them
FEEDERS = {1: (2_000, 1_000), 2: (2_000, 1_000)}
DEPOSIT = 20_000
# the largest price fits the asset record but no deposit: a bid at it, or buying from an ask at it, is refused
PRICES = [0, 10_000, 10_000, 25_000, 25_000, 40_000, 40_000, 60_000, 60_000, 2**29 - 1]

COUNTS: Counter = Counter()
#: the assets every run starts with: (party, kind, power), all over the same slots
SETUP = ((0, 0, 2_500), (1, 1, 2_000), (2, 0, 1_500), (2, 1, 1_500), (0, 1, 1_000))
# the slowest module of the suite (over 1,000 steps against the chain, ~7 min on a busy
# 2-core machine); integ's default is 1,200 s
pytestmark = pytest.mark.timeout(1_500)

st_party = st.integers(min_value=0, max_value=2)
st_pick = st.integers(min_value=0, max_value=2**16)
st_power = st.sampled_from([500, 1_000, 1_500, 2_000, 2_500, 3_000, 4_000, 5_000])
st_offset = st.integers(min_value=0, max_value=5)
st_length = st.integers(min_value=1, max_value=4)
st_price = st.sampled_from(PRICES)
st_fraction = st.integers(min_value=0, max_value=4)


class PetraMachine(RuleBasedStateMachine):
    ctx: dict = {}

    def __init__(self) -> None:
        super().__init__()
        for key, value in self.ctx.items():
            setattr(self, key, value)
        self.chain.revert()
        self.model = PetraModel(dict(PROSUMERS), dict(FEEDERS))
        self.model.current = int(self.market.currentSlot())
        self.model.next_position = int(self.market.nextPosition())
        for who in self.parties:
            self.model.balance[str(who)] = int(self.market.fundsOf(who)[0])
        self.known: list[int] = []  # every id ever seen (live or not): picks may name dead ones
        self.touched_assets: set[int] = set()
        self.touched_counters: list[tuple] = []

    # -- helpers -----------------------------------------------------------------------
    def _expect(self, rule_name: str, model_call, contract_call):
        """Run the model; the contract must refuse with the model's error or succeed."""
        try:
            result = model_call()
        except Refused as refusal:
            with reverts(refusal.error, *refusal.args_):
                contract_call()
            COUNTS[f"{rule_name} refused"] += 1
            COUNTS[f"reason {refusal.error}"] += 1
            return None, None
        tx = contract_call()
        COUNTS[f"{rule_name} accepted"] += 1
        return result, tx

    def _pick(self, n: int, *, live: bool = False) -> int | None:
        pool = list(self.model.assets) if live else self.known
        return pool[n % len(pool)] if pool else None

    def _note(self, *ids: int) -> None:
        for i in ids:
            if i not in self.known:
                self.known.append(i)
            self.touched_assets.add(i)

    # -- the start of every run: a trading day's assets, some already offered ---------------
    @initialize(length=st.integers(min_value=2, max_value=4), price=st.sampled_from(PRICES[1:-1]),
                offers=st.integers(min_value=0, max_value=3))  # fmt: skip
    def market_day(self, length, price, offers):
        """Production and consumption assets over the same slots for all three parties (so
        that most runs trade within a few steps), then up to three of them offered. Counted
        under "setup", not under the rules' minimums."""
        first = self.model.current + 1
        last = first + length - 1
        tokens = []
        for party, kind, power in SETUP:
            who = self.parties[party]
            token, _ = self._expect(
                "setup",
                lambda p=party, k=kind, w=power, o=who: self.model.mint(p + 1, str(o), k, w, first, last, 0),
                lambda p=party, k=kind, w=power, o=who: self.market.mint(
                    p + 1, o, k, w, first, last, 0, {"from": self.dso}
                ),
            )
            assert token is not None  # a fresh run: every party is within its capacities
            self._note(token)
            tokens.append((who, token))
        for who, token in tokens[:offers]:
            self._expect(
                "setup",
                lambda o=who, t=token: self.model.post_offer(str(o), t, price),
                lambda o=who, t=token: self.market.postOffer(t, price, {"from": o}),
            )
        self.touched_counters += [("cap", p + 1, k, first) for p, k, _ in SETUP]

    # -- rules -------------------------------------------------------------------------
    @rule(party=st_party, kind=st.sampled_from([0, 1]), power=st_power, offset=st_offset, length=st_length,
          reuse=st.booleans())  # fmt: skip
    def mint(self, party, kind, power, offset, length, reuse):
        prosumer = party + 1
        who = self.parties[party]
        first = self.model.current + 1 + offset if offset < 5 else self.model.current  # offset 5: not in the future
        last = first + length - 1
        hint = min(self.model.tombstones) if reuse and self.model.tombstones else 0
        token, tx = self._expect(
            "mint",
            lambda: self.model.mint(prosumer, str(who), kind, power, first, last, hint),
            lambda: self.market.mint(prosumer, who, kind, power, first, last, hint, {"from": self.dso}),
        )
        if token is not None:
            assert int(tx.events["TransferSingle"]["id"]) == token
            self._note(token)
            self.touched_counters += [("cap", prosumer, kind, s) for s in range(first, last + 1)]

    @rule(party=st_party, pick=st_pick, price=st_price)
    def post_offer(self, party, pick, price):
        held = [i for i, a in self.model.assets.items() if a.status == HELD]
        if pick % 5 == 0:  # any id ever seen: dead ones, offered and matched ones are refused
            token = self._pick(pick // 5)
        else:
            token = held[pick % len(held)] if held else self._pick(pick, live=True)
        if token is None:
            return
        a = self.model.assets.get(token)
        # parties 0 and 1: the owner; party 2: whoever that is (often a stranger)
        who = next(p for p in self.parties if str(p) == a.owner) if a and party < 2 else self.parties[party]
        self._expect(
            "post_offer",
            lambda: self.model.post_offer(str(who), token, price),
            lambda: self.market.postOffer(token, price, {"from": who}),
        )
        self._note(token)

    @rule(party=st_party, pick=st_pick)
    def rescind(self, party, pick):
        offers = [i for i, a in self.model.assets.items() if a.status == OFFERED] if party else self.known
        if not offers:
            return
        token = offers[pick % len(offers)]
        a = self.model.assets.get(token)
        who = next(p for p in self.parties if a is not None and str(p) == a.owner) if party and a else self.parties[0]
        self._expect(
            "rescind",
            lambda: self.model.rescind(str(who), token),
            lambda: self.market.rescindOffer(token, {"from": who}),
        )
        self._note(token)

    @rule(pick=st_pick, pick2=st_pick, p_frac=st_fraction, f_frac=st_fraction, l_frac=st_fraction,
          mode=st.integers(min_value=0, max_value=7))  # fmt: skip
    def accept(self, pick, pick2, p_frac, f_frac, l_frac, mode):
        """Modes 0-4 try one refusal each: 0 a stranger accepts with another's asset, 1 a limit
        one unit too tight, 2 a portion one slot past the offer, 3 more power than offered or
        held, 4 any live asset (same kind, offered, matched, expired). Modes 5-7 are honest
        attempts (still refused for funds, feeder limits, self-trades or time)."""
        offers = [i for i, a in self.model.assets.items() if a.status == OFFERED] or self.known
        if not offers:
            return
        offer = offers[pick % len(offers)]
        o = self.model.assets.get(offer)
        mine = self._pick(pick2, live=True) if o is None or mode == 4 else None
        if o is not None and mode != 4:
            others = [i for i, a in self.model.assets.items() if a.kind != o.kind and a.status == HELD]
            near = [i for i in others if self.model.assets[i].first <= o.last and self.model.assets[i].last >= o.first]
            pool = near if near and pick2 % 4 else others
            mine = pool[pick2 % len(pool)] if pool else self._pick(pick2, live=True)
        if mine is None:
            return
        a = self.model.assets[mine]
        who = self.parties[(pick2 % 3)] if mode == 0 else next(p for p in self.parties if str(p) == a.owner)
        lo = max(a.first, o.first, self.model.current + 1) if o else a.first
        hi = min(a.last, o.last) if o else a.last
        if hi < lo:  # no common future slot: ask for the acceptor's own interval (refused)
            lo, hi = a.first, a.last
        first = lo + (hi - lo) * f_frac // 4
        last = max(first, hi - (hi - first) * l_frac // 4)
        if mode == 2 and o is not None:
            last = o.last + 1
            first = min(first, last)
        cap = min(a.power, o.power) if o else a.power
        power = cap if p_frac == 4 else max(1, cap * (p_frac + 1) // 5)
        if mode == 3:
            power = cap + 500  # more than offered or held
        tight = 0 if mode != 1 else (-1 if o and o.kind == 0 else 1)
        limit = max((o.price if o else 0) + tight, 0)
        hints = sorted(self.model.tombstones)[:6]
        packed = sum(h << (40 * i) for i, h in enumerate(hints))
        result, tx = self._expect(
            "accept",
            lambda: self.model.accept(str(who), offer, mine, power, first, last, limit, hints),
            lambda: self.market.accept(offer, mine, (power, first, last), limit, packed, {"from": who}),
        )
        if result is not None:
            paid, offer_pieces, asset_pieces = result
            assert tx.events["OfferAccepted"]["cost"] == paid
            batches = tx.events["TransferBatch"] if "TransferBatch" in tx.events else []  # noqa: SIM401
            chain_pieces = sorted(sorted(int(i) for i in b["ids"]) for b in batches)
            expect = sorted(sorted(p) for p in (offer_pieces, asset_pieces) if len(p) > 1)
            assert chain_pieces == expect
            self._note(*offer_pieces, *asset_pieces, offer, mine)
            # a refused accept reverted on chain; the model's own rollback shows at the next accepted one
            self.touched_counters += [
                ("flow", f, fl, s) for f in (1, 2) for fl in (0, 1, 2) for s in range(first, last + 1)
            ]

    @rule(party=st_party, amount=st.integers(min_value=1, max_value=12_000))
    def withdraw(self, party, amount):
        who = self.parties[party]
        self._expect(
            "withdraw",
            lambda: self.model.withdraw(str(who), amount),
            lambda: self.market.withdraw(amount, {"from": who}),
        )

    @rule(party=st_party, amount=st.integers(min_value=1, max_value=10_000))
    def issue_and_deposit(self, party, amount):
        who = self.parties[party]
        self.fiat.issue(who, amount, {"from": self.dso})
        self.fiat.approve(self.market, amount, {"from": who})
        self.market.deposit(amount, {"from": who})
        self.model.deposit(str(who), amount)
        COUNTS["issue_and_deposit accepted"] += 1

    @rule(party=st_party, amount=st.integers(min_value=1, max_value=5_000))
    def redeem(self, party, amount):
        who = self.parties[party]
        held = int(self.fiat.balanceOf(who))
        if held == 0:
            return
        amount = min(amount, held)
        self.fiat.approve(self.dso, amount, {"from": who})
        self.fiat.redeem(who, amount, {"from": self.dso})
        COUNTS["redeem accepted"] += 1

    @rule(slots=st.sampled_from([0, 0, 0, 1, 1, 2, 3, 5]))
    def advance(self, slots):
        if slots == 0:  # some draws keep the clock: assets live a few slots, trades need time
            return
        self.chain.sleep(slots * DAY)
        self.chain.mine()
        self.model.current = int(self.market.currentSlot())
        COUNTS["advance accepted"] += 1

    @rule(pick=st_pick, count=st.integers(min_value=1, max_value=3))
    def retire(self, pick, count):
        live = list(self.model.assets)
        if not live:
            return
        over = [i for i, a in self.model.assets.items() if a.last <= self.model.current and a.status != MATCHED]
        pool = over if over and pick % 3 else live  # mostly what can be retired; else anything live
        tokens = list(dict.fromkeys(pool[(pick + i * 7) % len(pool)] for i in range(count)))
        self._expect(
            "retire", lambda: self.model.retire(tokens), lambda: self.market.retire(tokens, {"from": self.dso})
        )
        self._note(*tokens)

    @rule(pick=st_pick, fraction=st_fraction)
    def record_delivery(self, pick, fraction):
        matched = [i for i, a in self.model.assets.items() if a.status == MATCHED]
        over = [i for i in matched if self.model.assets[i].last < self.model.current]
        pool = over if over and pick % 4 else (matched if pick % 4 else []) or list(self.model.assets)
        if not pool:
            return
        token = pool[pick % len(pool)]
        a = self.model.assets[token]
        delivered = a.power * a.slots * 250 * fraction // 3
        self._expect(
            "record_delivery",
            lambda: self.model.record_delivery(token, delivered),
            lambda: self.market.recordDelivery(token, delivered, {"from": self.dso}),
        )
        self._note(token)

    @rule(pick=st_pick, fraction=st_fraction)
    def deliver_after_the_interval(self, pick, fraction):
        """The DSO's routine: wait until a matched asset's interval is over, then record it
        (counted under record_delivery)."""
        matched = [i for i, a in self.model.assets.items() if a.status == MATCHED]
        if not matched:
            return
        last = self.model.assets[matched[pick % len(matched)]].last
        if last >= self.model.current:
            self.advance(last + 1 - self.model.current)
        self.record_delivery(pick, fraction)

    # a second entry to accept: it is the operation with the most outcomes, so it gets more draws
    @rule(pick=st_pick, pick2=st_pick, p_frac=st_fraction, f_frac=st_fraction, l_frac=st_fraction,
          mode=st.integers(min_value=0, max_value=7))  # fmt: skip
    def accept_again(self, pick, pick2, p_frac, f_frac, l_frac, mode):
        self.accept(pick, pick2, p_frac, f_frac, l_frac, mode)

    # -- invariants ----------------------------------------------------------------------
    @invariant()
    def money_is_conserved_and_every_balance_is_the_models(self):
        COUNTS["steps"] += 1
        total = 0
        for who in self.parties:
            balance, frozen = (int(v) for v in self.market.fundsOf(who))
            assert (balance, frozen) == (self.model.balance[str(who)], self.model.frozen[str(who)])
            total += balance
        held = int(self.fiat.balanceOf(self.market))
        assert held == total
        wallets = sum(int(self.fiat.balanceOf(w)) for w in [*self.parties, self.dso])
        supply = int(self.fiat.totalSupply())
        assert wallets + held == supply == int(self.fiat.totalIssued()) - int(self.fiat.totalRedeemed())

    @invariant()
    def the_models_invariants_hold_and_the_chain_agrees_where_the_step_changed_it(self):
        self.model.check()
        for token in self.touched_assets:
            a = self.model.assets.get(token)
            if a is None:
                assert self.market.idAt(token & (2**40 - 1)) != token
            else:
                got = tuple(self.market.assetOf(token))
                assert (str(got[0]), *(int(v) for v in got[1:])) == a.as_tuple()
        for key in dict.fromkeys(self.touched_counters):
            if key[0] == "cap":
                assert self.market.capacityUsed(*key[1:]) == self.model.capacity[key[1:]]
            else:
                assert self.market.feederFlow(*key[1:]) == self.model.flows[key[1:]]
        self.touched_assets.clear()
        self.touched_counters.clear()

    def teardown(self):
        # the open order book, rebuilt from the market's events alone, is the model's
        book = PetraClient(connect(web3.provider.endpoint_uri), self.market.address).order_book()
        offered = {i: a for i, a in self.model.assets.items() if a.status == OFFERED}
        assert sorted(book) == sorted(offered)
        for token, offer in book.items():
            a = offered[token]
            assert (offer.owner, offer.price) == (a.owner, a.price)
            assert offer.escrow == (cost(a.power, a.slots, a.price) if a.kind == 1 else 0)
        COUNTS["order book rebuilt from events"] += 1
        for token, a in self.model.assets.items():
            assert self.market.idAt(a.position) == token
        for position in range(1, self.model.next_position):
            if position in self.model.tombstones:
                assert self.market.idAt(position) == 0
        assert int(self.market.nextPosition()) == self.model.next_position
        for who in self.parties:
            assert tuple(int(v) for v in self.market.reputationOf(who)) == tuple(self.model.reputation[str(who)])


@pytest.fixture(scope="module")
def stateful_market(PetraMarket, FiatToken, governor, dso, producer, consumer, remote, chain):
    fiat = FiatToken.deploy(governor, dso, {"from": governor})
    clock = SlotConfig.compressed("Europe/Vienna", chain[-1].timestamp, dt.date(2027, 1, 4), DAY)
    market = PetraMarket.deploy(governor, dso, fiat, clock.as_args(), {"from": governor})
    for feeder, (internal, exchange) in FEEDERS.items():
        market.setFeeder(feeder, internal, exchange, {"from": dso})
    for prosumer, (feeder, prod, cons) in PROSUMERS.items():
        market.registerProsumer(prosumer, feeder, prod, cons, {"from": dso})
    for who in (producer, consumer, remote):
        fiat.issue(who, DEPOSIT, {"from": dso})
        fiat.approve(market, DEPOSIT, {"from": who})
        market.deposit(DEPOSIT, {"from": who})
    return market, fiat


RULES = ("mint", "post_offer", "rescind", "accept", "withdraw", "retire", "record_delivery")
REASONS = {
    "PetraCapacityExceeded": 10,
    "PetraFeederLimitExceeded": 5,
    "PetraNotOwner": 10,
    "PetraNotOffered": 5,
    "PetraAssetNotHeld": 5,
    "PetraPortionOutsideInterval": 5,
    "PetraPortionExceedsPower": 5,
    "PetraSameKind": 3,
    "PetraSlotNotInFuture": 5,
    "PetraUnknownAsset": 5,
    "PetraStillTradable": 5,
    "FundsInsufficient": 5,
    "PetraPriceAboveLimit": 2,
}


def test_petra_market_matches_its_model_under_random_operations(
    stateful_market, producer, consumer, remote, dso, chain, capsys
):
    market, fiat = stateful_market
    PetraMachine.ctx = dict(market=market, fiat=fiat, parties=[producer, consumer, remote], dso=dso, chain=chain)
    COUNTS.clear()
    chain.snapshot()

    def covered() -> bool:
        return (
            COUNTS["steps"] >= 1000
            and all(COUNTS[f"{n} accepted"] >= 10 and COUNTS[f"{n} refused"] >= 5 for n in RULES)
            and all(COUNTS[f"reason {r}"] >= m for r, m in REASONS.items())
        )

    # batches of 20 runs until at least 1,000 steps and every minimum below are reached (at
    # most 40 batches; the assertions below then fail with the counts if they were not)
    for _ in range(40):
        run_state_machine_as_test(
            PetraMachine,
            settings=settings(
                max_examples=20,
                stateful_step_count=50,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            ),
        )
        if covered():
            break
    rows = sorted(COUNTS.items())
    width = max(len(k) for k, _ in rows)
    with capsys.disabled():  # the table shows in the suite's output, pass or fail
        print("\nPETra stateful run: counts per rule and per refusal reason")
        for key, count in rows:
            print(f"  {key:<{width}}  {count:>6}")
    assert COUNTS["steps"] >= 1000, COUNTS
    for name in RULES:
        assert COUNTS[f"{name} accepted"] >= 10, (name, COUNTS)
        assert COUNTS[f"{name} refused"] >= 5, (name, COUNTS)
    assert COUNTS["order book rebuilt from events"] >= 20, COUNTS
    for reason, minimum in REASONS.items():
        assert COUNTS[f"reason {reason}"] >= minimum, (reason, COUNTS)
