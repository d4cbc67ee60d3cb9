"""Stateful test of two plants' portions against the reference model in ``model.py``.

Random transfers over random ranges — one slot, spans, whole local days (the 92-slot spring
change day and the 100-slot autumn one among them), long ranges across many rows, ranges
reaching into the past or past the window, reversed ranges — between members, ex-members and
strangers, with random amounts (often exactly what the sender holds, or one more); clock
advances; admissions, revocations and row preparation by the consortium. After every step:
each slot of the play area (four local days around the change day) and of the last range
sums to exactly 10,000 basis points over the members, nobody holds a negative portion, and
every account's portions, membership and default share equal the model's; the rows the
step touched are canonical and their cached default share is the member's. At least 1,000
steps per run, with minimum counts per rule and per refusal reason asserted (and printed)
at the end.

Written on hypothesis' ``RuleBasedStateMachine`` directly, as the SPB stateful test is
(brownie 1.22's compiled ``state_machine`` helper refuses subclasses); the chain is reverted
to a snapshot before every run.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections import Counter

import brownie
import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test
from web3 import Web3

from offchain.common import SlotClock

from tests.shared_pv.contracts.helpers import AUTUMN_DAY, FULL, KEY, ROW, SPRING_DAY, clock_starting, reverts
from tests.shared_pv.contracts.model import PlantModel, Refused, window

OUTCOMES: Counter[str] = Counter()
#: a plain web3 connection to brownie's anvil for the invariants' batched reads
VIEW_W3 = None
REASONS: Counter[str] = Counter()
#: the most runs seen in one row (rows of more than 10 spill into further words)
MOST_RUNS = {"runs": 0}

MIN_STEPS = 1_000
#: minimum accepted operations per rule
MIN_ACCEPTED = {
    "move_slot": 30,
    "move_span": 30,
    "move_day": 10,
    "move_dst_day": 5,
    "move_long": 5,
    "admit": 3,
    "revoke": 3,
    "prepare": 3,
}
#: minimum refusals per reason
MIN_REFUSED = {
    "SharesInsufficient": 30,
    "SharesSlotNotFuture": 10,
    "SharesNotMember": 20,
    "SharesBeyondHorizon": 5,
    "SharesSelfTransfer": 5,
    "SharesEmptyRange": 3,
    "SharesZeroAmount": 3,
    "SharesInvalidSuccessor": 3,
    "SharesAlreadyMember": 3,
}

st_plant = st.integers(min_value=0, max_value=1)
#: an account: 0-7 pick among the plant's current members (most transfers should be possible),
#: 8-13 any of the six accounts (members, ex-members, never-members)
st_who = st.integers(min_value=0, max_value=13)
st_pick = st.integers(min_value=0, max_value=2**16)
st_amount = st.one_of(
    st.sampled_from(["held", "held", "half", "over", "zero"]), st.integers(min_value=1, max_value=3_000)
)


class Plant:
    """One deployed plant, its clock and its model (views are read through plain web3: faster)."""

    def __init__(self, contract, clock, dst_day: dt.date, owners) -> None:
        self.contract = contract
        self.view = VIEW_W3.eth.contract(address=contract.address, abi=contract.abi).functions
        self.clock = clock
        self.days = SlotClock(clock)
        self.dst_day = dst_day
        self.model = PlantModel(dict(zip((str(o) for o in owners), KEY, strict=True)))
        start = self.days.day_slots(dst_day - dt.timedelta(days=1)).start
        stop = self.days.day_slots(dst_day + dt.timedelta(days=2)).stop
        #: four local days: the day before the change day, the change day, two after
        self.play = range(start, stop)


class PlantMachine(RuleBasedStateMachine):
    # set by the test before running: plants (factory), accounts, consortium, chain
    ctx: dict = {}

    def __init__(self) -> None:
        super().__init__()
        chain = self.ctx["chain"]
        chain.revert()
        self.chain = chain
        self.accounts = self.ctx["accounts"]  # A, B, C (owners), D, E (may be admitted), F (never)
        self.consortium = self.ctx["consortium"]
        self.plants = [Plant(*spec, self.accounts[:3]) for spec in self.ctx["plants"]]
        self.touched: Plant | None = None  # the plant the last step acted on (checked after it)
        self.checked: range = range(0)  # and the range it acted on
        self.now = self._slot_of_next_block(self.plants[0])

    # -- helpers -----------------------------------------------------------------------
    def _pin_next_block(self) -> int:
        """Fix the next block's timestamp so the model knows the contract's current slot."""
        t = self.chain[-1].timestamp + 1
        brownie.web3.provider.make_request("evm_setNextBlockTimestamp", [t])
        return t

    def _slot_of_next_block(self, plant: Plant) -> int:
        return plant.days.slot_at(self.chain[-1].timestamp + 1)

    def _expect(self, name: str, model_call, contract_call) -> bool:
        OUTCOMES["steps_acted"] += 1
        try:
            model_call()
        except Refused as refusal:
            with reverts(refusal.error, *refusal.args_):
                contract_call()
            REASONS[refusal.error] += 1
            return False
        contract_call()
        OUTCOMES[name] += 1
        return True

    def _account(self, p: Plant, k: int):
        members = [a for a in self.accounts if str(a) in p.model.defaults]
        if k < 8 and members:
            return members[k % len(members)]
        return self.accounts[k % len(self.accounts)]

    def _move(self, name: str, p: Plant, who: int, to: int, first: int, last: int, amount) -> None:
        sender, receiver = self._account(p, who), self._account(p, to)
        t = self._pin_next_block()
        now = p.days.slot_at(t)
        if amount in ("held", "half", "over"):
            lo, hi = max(first, now + 1), min(last, window(now)[1])
            held = min((p.model.holding(str(sender), s) for s in range(lo, hi + 1)), default=1)
            amount = held + 1 if amount == "over" else (max(1, held // 2) if amount == "half" else held)
        elif amount == "zero":
            amount = 0
        amount = min(amount, 2**16 - 1)
        self.touched, self.checked = p, range(max(first, now + 1), min(last, window(now)[1]) + 1)
        self._expect(
            name,
            lambda: p.model.move(str(sender), str(receiver), first, last, amount, now),
            lambda: p.contract.movePortions(receiver, first, last, amount, {"from": sender}),
        )

    # -- rules: transfers --------------------------------------------------------------
    @rule(plant=st_plant, who=st_who, to=st_who, pick=st_pick, amount=st_amount)
    def move_slot(self, plant, who, to, pick, amount):
        p = self.plants[plant]
        slot = p.play[pick % len(p.play)]
        self._move("move_slot", p, who, to, slot, slot, amount)

    @precondition(lambda self: MOST_RUNS["runs"] <= 10)
    @rule(plant=st_plant, who=st.integers(0, 7), to=st.integers(0, 7), pick=st.integers(0, 2**16))
    def fragment_row(self, plant, who, to, pick):
        """Gifts of 1 bp on every other slot of a future row: the sender's and the receiver's
        rows break into more than 10 runs, which spill past the row's first storage word
        (until a run has seen that, then the rule is switched off: it costs 6 transactions)."""
        p = self.plants[plant]
        now = self._slot_of_next_block(p)
        row_start = (now // ROW + 1 + pick % 8) * ROW  # a whole row in the future, inside the ring
        for k in range(6):
            slot = row_start + 1 + 2 * k + (pick >> 3) % (ROW - 12)
            slot = min(slot, row_start + ROW - 1)
            self._move("fragment_row", p, who, to, slot, slot, 1)

    @rule(plant=st_plant, who=st_who, to=st_who, pick=st_pick, length=st.integers(2, 40), amount=st_amount)
    def move_span(self, plant, who, to, pick, length, amount):
        p = self.plants[plant]
        first = p.play[pick % len(p.play)]
        self._move("move_span", p, who, to, first, first + length - 1, amount)

    @rule(plant=st_plant, who=st_who, to=st_who, day=st.integers(-1, 2), amount=st_amount)
    def move_day(self, plant, who, to, day, amount):
        p = self.plants[plant]
        date = p.dst_day + dt.timedelta(days=day)
        slots = p.days.day_slots(date)
        name = "move_dst_day" if date == p.dst_day else "move_day"
        self._move(name, p, who, to, slots.start, slots.stop - 1, amount)

    @rule(plant=st_plant, who=st_who, to=st_who, pick=st_pick, length=st.integers(100, 4_200), amount=st_amount)
    def move_long(self, plant, who, to, pick, length, amount):
        """Long ranges over many rows, some reaching past the window's end."""
        p = self.plants[plant]
        now = self._slot_of_next_block(p)
        first = now + 1 + pick % 600
        self._move("move_long", p, who, to, first, first + length - 1, amount)

    @rule(plant=st_plant, who=st_who, to=st_who, back=st.integers(0, 30), length=st.integers(1, 60), amount=st_amount)
    def move_stale(self, plant, who, to, back, length, amount):
        """Ranges that start in the past or at the current slot, and reversed ranges."""
        p = self.plants[plant]
        now = self._slot_of_next_block(p)
        if back % 5 == 4:
            self._move("move_reversed", p, who, to, now + 10, now + 9, amount)
        else:
            self._move("move_stale", p, who, to, now - back, now - back + length, amount)

    # -- rules: time and the consortium ------------------------------------------------
    @rule(seconds=st.one_of(st.integers(1, 3_600), st.integers(3_600, 12 * 3_600)))
    def advance(self, seconds):
        """Time moves on: no future portion changes, slots leave the window."""
        self.touched = None
        self.chain.sleep(seconds)
        self.chain.mine()
        OUTCOMES["advance"] += 1

    @rule(plant=st_plant, who=st.integers(3, 5))
    def admit(self, plant, who):
        p, account = self.plants[plant], self.accounts[who]
        self._pin_next_block()
        self.touched, self.checked = p, range(0)
        self._expect(
            "admit",
            lambda: p.model.admit(str(account)),
            lambda: p.contract.admitOwner(account, {"from": self.consortium}),
        )

    @rule(plant=st_plant, who=st_who, heir=st_who)
    def revoke(self, plant, who, heir):
        p = self.plants[plant]
        t = self._pin_next_block()
        now = p.days.slot_at(t)
        owner, successor = self._account(p, who), self._account(p, heir)
        self.touched, self.checked = p, p.play
        self._expect(
            "revoke",
            lambda: p.model.revoke(str(owner), str(successor), now),
            lambda: p.contract.revokeOwner(owner, successor, {"from": self.consortium}),
        )

    @rule(plant=st_plant, who=st_who)
    def prepare(self, plant, who):
        p = self.plants[plant]
        account = self._account(p, who)
        self._pin_next_block()
        self.touched, self.checked = p, p.play

        def model_call():
            if str(account) not in p.model.defaults:
                raise Refused("SharesNotMember", account.address)

        self._expect("prepare", model_call, lambda: p.contract.prepareRows(account, {"from": account}))

    # -- invariants (on the plant the step acted on; time alone changes no future portion).
    # All of a step's reads go to the node in one JSON-RPC batch (about 30 calls): on a busy
    # 2-core machine one round trip per read made a 1,000-step run take over ten minutes.
    @invariant()
    def portions_membership_and_rows_match_the_model(self):
        OUTCOMES["steps"] += 1
        p = self.touched
        if p is None:
            return
        now = p.days.slot_at(self.chain[-1].timestamp)
        first, last = window(now)
        ranges = [range(max(r.start, first), min(r.stop, last + 1)) for r in (p.play, self.checked)]
        ranges = list(dict.fromkeys(r for r in ranges if r))  # non-empty, each once
        row_slots = sorted(
            {s for s in (self.checked.start, self.checked.stop - 1) if self.checked and first <= s <= last}
        )
        calls = []
        with VIEW_W3.batch_requests() as batch:
            for r in ranges:
                for account in self.accounts:
                    batch.add(p.view.portionsOf(account.address, r.start, r.stop - 1))
                    calls.append(("portions", r, account))
            for account in self.accounts:
                batch.add(p.view.memberOf(account.address))
                calls.append(("member", None, account))
            for slot in row_slots:
                for account in self.accounts:
                    batch.add(p.view.rowOf(account.address, slot))
                    calls.append(("row", slot, account))
            results = batch.execute()
        totals: dict[range, list[int]] = {r: [0] * len(r) for r in ranges}
        for (kind, where, account), got in zip(calls, results, strict=True):
            if kind == "portions":
                r = where
                got = list(got)
                expected = [p.model.holding(str(account), s) for s in r]
                if got != expected:
                    bad = next(i for i in range(len(r)) if got[i] != expected[i])
                    raise AssertionError(f"{account} slot {r[bad]}: contract {got[bad]}, model {expected[bad]}")
                assert min(got) >= 0  # no negative portion (uint16 on chain; the model may not go below 0 either)
                totals[r] = [a + b for a, b in zip(totals[r], got, strict=True)]
            elif kind == "member":
                is_member, default_bp = got
                expected_bp = p.model.defaults.get(str(account))
                assert (is_member, default_bp) == (expected_bp is not None, expected_bp or 0), account
            else:
                # the touched rows are canonical and cache the member's default share
                live, valid, cached, row_first, starts, values = got
                assert starts[0] == 0 and all(a < b for a, b in zip(starts, starts[1:], strict=False))
                assert all(a != b for a, b in zip(values, values[1:], strict=False))
                assert row_first == where // ROW * ROW
                MOST_RUNS["runs"] = max(MOST_RUNS["runs"], len(starts))
                if valid:
                    assert str(account) in p.model.defaults and cached == p.model.defaults[str(account)]
        for r, sums in totals.items():
            assert set(sums) == {FULL}, r  # every slot sums to exactly 10,000 bp
        assert sum(p.model.defaults.values()) == FULL


# about 1,000 steps of transactions and batched reads: about 1 s a step on a 2-core machine shared
# by several test runs (load ~15), so far above the suite-wide 600 s
@pytest.mark.timeout(2_700)
def test_portions_sum_to_the_whole_plant_under_random_operations(SharedPvPlant, accounts, consortium, chain, capsys):
    owners = accounts[1:4]
    specs = []
    for dst_day in (SPRING_DAY, AUTUMN_DAY):
        clock = clock_starting(chain, dst_day - dt.timedelta(days=2))
        plant = SharedPvPlant.deploy(consortium, clock.as_args(), owners, list(KEY), {"from": consortium})
        specs.append((plant, clock, dst_day))
    global VIEW_W3
    VIEW_W3 = Web3(Web3.HTTPProvider(brownie.web3.provider.endpoint_uri))
    PlantMachine.ctx = dict(plants=specs, accounts=list(accounts[1:7]), consortium=consortium, chain=chain)
    chain.snapshot()
    started = time.monotonic()
    # a further run only while a minimum is missed, bounded by count and by time (a run is 18
    # examples of up to 60 steps, ~500 steps; a rare rule such as the DST day's transfers may
    # need a fourth run: three runs missed move_dst_day's minimum by one)
    for _ in range(10):
        run_state_machine_as_test(
            PlantMachine,
            settings=settings(
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
                phases=[Phase.generate],
                max_examples=int(os.environ.get("SHARED_PV_STATEFUL_EXAMPLES", "18")),
                stateful_step_count=60,
            ),
        )
        if OUTCOMES["steps"] >= MIN_STEPS and _minimums_met():
            break
        if time.monotonic() - started > 1_800:
            break
    with capsys.disabled():
        _print_table()
    assert OUTCOMES["steps"] >= MIN_STEPS, OUTCOMES
    for name, least in MIN_ACCEPTED.items():
        assert OUTCOMES[name] >= least, (name, OUTCOMES[name], least)
    for reason, least in MIN_REFUSED.items():
        assert REASONS[reason] >= least, (reason, REASONS[reason], least)
    assert MOST_RUNS["runs"] > 10, "no row grew past one storage word: the multi-word path went untested"


def _minimums_met() -> bool:
    return (
        all(OUTCOMES[n] >= k for n, k in MIN_ACCEPTED.items())
        and all(REASONS[r] >= k for r, k in MIN_REFUSED.items())
        and MOST_RUNS["runs"] > 10
    )


def _print_table() -> None:
    lines = ["", "shared-PV stateful run", f"  steps checked: {OUTCOMES['steps']} (minimum {MIN_STEPS})"]
    lines.append("  accepted per rule:")
    for name in sorted({*MIN_ACCEPTED, "move_stale", "move_reversed", "advance", "fragment_row"}):
        least = MIN_ACCEPTED.get(name)
        lines.append(f"    {name:<24} {OUTCOMES[name]:>6}" + (f"   (minimum {least})" if least else ""))
    lines.append("  refused per reason:")
    for reason in sorted({*MIN_REFUSED, *REASONS}):
        lines.append(f"    {reason:<24} {REASONS[reason]:>6}   (minimum {MIN_REFUSED.get(reason, 0)})")
    lines.append(f"  most runs in one row: {MOST_RUNS['runs']} (more than 10 spill into further storage words)")
    print("\n".join(lines))
