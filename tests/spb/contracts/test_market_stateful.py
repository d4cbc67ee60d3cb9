"""Stateful test of the market's money against the reference model in ``model.py``.

Random deposits, withdrawals, on-chain CTPs, settlements (both forms), clock advances
and releases; after every step: contract holdings == Σ free + Σ frozen, every balance
and frozen amount equals the model's, frozen ≤ balance, no CTP paid twice, supply ≥ 0.
At least 1,000 steps per run (counted, and asserted at the end).

Written on hypothesis' ``RuleBasedStateMachine`` directly: brownie 1.22.2 ships its
``state_machine`` helper compiled with mypyc, and the compiled base class refuses the
subclass it generates itself (``_BrownieStateMachine object expected``). The chain is
reverted to a snapshot before every run, as brownie's helper does.
"""

from __future__ import annotations

import secrets

import brownie
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from offchain.spb import eip712

from tests.spb.contracts.helpers import RATE, make_pool, now
from tests.spb.contracts.model import MarketModel, Refused

SUPPLY = 40_000
N_CONSUMERS = 3
INITIAL_DEPOSIT = 5 * 10**16
OUTCOMES = {"steps": 0, "accepted": 0, "refused": 0, "settled": 0}
REASONS: dict[str, int] = {}


@pytest.fixture(scope="module")
def consumers(accounts):
    out = []
    for _ in range(N_CONSUMERS):
        acct = accounts.add(secrets.token_hex(32))
        accounts[9].transfer(acct, "50 ether")
        out.append(acct)
    return out


st_who = st.integers(min_value=0, max_value=N_CONSUMERS - 1)
st_amount = st.integers(min_value=10**15, max_value=5 * 10**16)
st_price = st.integers(min_value=1, max_value=5 * 10**15)
st_withdrawal = st.integers(min_value=1, max_value=2 * 10**16)
st_energy = st.integers(min_value=1, max_value=20_000)
st_ttl = st.integers(min_value=30, max_value=3_000)
st_pick = st.integers(min_value=0, max_value=2**16)
st_seconds = st.integers(min_value=1, max_value=2_000)


class MarketMachine(RuleBasedStateMachine):
    # set by the test before running: market, consumers, producer, account_id, meter, chain
    ctx: dict = {}

    def __init__(self):
        super().__init__()
        for key, value in self.ctx.items():
            setattr(self, key, value)
        self.chain.revert()
        supply = int(self.market.accountOf(self.account_id)[1])
        self.model = MarketModel(supply=supply)
        self.model.balance = {str(a): int(self.market.fundsOf(a)[0]) for a in [*self.consumers, self.producer]}
        self.pending: list[tuple[eip712.CommitToPay, eip712.Terms, bytes]] = []
        self.next_leaf = 0
        self.next_nonce = {str(c): 0 for c in self.consumers}  # per consumer, within its window
        self.payments: dict[bytes, int] = {}  # ctp id -> Settled events seen on chain
        for who in self.consumers:  # every run starts with funded consumers
            self.model.deposit(str(who), INITIAL_DEPOSIT)
            self.market.deposit(INITIAL_DEPOSIT, {"from": who, "value": INITIAL_DEPOSIT})
        self.touched: tuple | None = None  # (ctp, ctp id) the last step acted on

    # -- helpers -----------------------------------------------------------------------
    def _expect(self, model_call, contract_call):
        try:
            model_call()
        except Refused as refusal:
            with brownie.reverts(revert_pattern=f"{refusal.error}: .*"):
                contract_call()
            OUTCOMES["refused"] += 1
            REASONS[refusal.error] = REASONS.get(refusal.error, 0) + 1
            return False
        tx = contract_call()
        OUTCOMES["accepted"] += 1
        if "Settled" in tx.events:
            for event in tx.events["Settled"]:
                ctp_id = bytes(event["ctpId"])
                self.payments[ctp_id] = self.payments.get(ctp_id, 0) + 1
        return True

    def _next_block_time(self) -> int:
        """Pin the next block's timestamp so the model sees exactly the contract's clock."""
        t = now(self.chain) + 1
        brownie.web3.provider.make_request("evm_setNextBlockTimestamp", [t])
        return t

    def _ctp(self, who, price, energy, ttl):
        self.next_nonce[str(who)] += 1
        terms = eip712.Terms(energy, RATE, secrets.token_bytes(32))
        ctp = eip712.CommitToPay(
            who.address, self.account_id, now(self.chain) + ttl, price, terms.contract_hash, self.next_nonce[str(who)]
        )
        return ctp, terms, eip712.ctp_digest(ctp, self.chain.id, self.market.address)

    def _erc(self, ctp, terms, ctp_id):
        leaf = self.next_leaf
        self.next_leaf += 1
        sig = eip712.sign_erc(
            self.meter.keys[leaf].key,
            ctp_id,
            ctp.price,
            terms.energy_wh,
            self.meter.root,
            leaf,
            0,
            self.chain.id,
            self.market.address,
        )
        return (ctp.price, terms.energy_wh, 0, self.meter.root, leaf, self.meter.proof(leaf), sig)

    # -- rules -------------------------------------------------------------------------
    @rule(st_who=st_who, st_amount=st_amount)
    def rule_deposit(self, st_who, st_amount):
        who = self.consumers[st_who]
        self.model.deposit(str(who), st_amount)
        self.market.deposit(st_amount, {"from": who, "value": st_amount})

    @rule(st_who=st_who, st_amount=st_withdrawal)
    def rule_withdraw(self, st_who, st_amount):
        who = self.consumers[st_who]
        self._expect(
            lambda: self.model.withdraw(str(who), st_amount), lambda: self.market.withdraw(st_amount, {"from": who})
        )

    @rule()
    def rule_producer_collects(self):
        self.model.collect(str(self.producer))
        self.market.collect(self.account_id, {"from": self.producer})

    @rule(st_amount=st_withdrawal)
    def rule_producer_withdraws(self, st_amount):
        p = self.producer
        self._expect(
            lambda: self.model.withdraw(str(p), st_amount), lambda: self.market.withdraw(st_amount, {"from": p})
        )

    @rule(st_who=st_who, st_amount=st_price, st_energy=st_energy, st_ttl=st_ttl)
    def rule_commit(self, st_who, st_amount, st_energy, st_ttl):
        who = self.consumers[st_who]
        ctp, terms, ctp_id = self._ctp(who, st_amount, st_energy, st_ttl)
        ok = self._expect(
            lambda: self.model.commit(ctp_id, str(who), ctp.nonce, ctp.price, st_energy, ctp.expiry),
            lambda: self.market.commit(ctp.as_args(), {"from": who}),
        )
        if ok:
            self.pending.append((ctp, terms, ctp_id))

    @rule(st_pick=st_pick)
    def rule_settle(self, st_pick):
        if not self.pending:
            return
        ctp, terms, ctp_id = self.pending[st_pick % len(self.pending)]
        self.touched = (ctp, ctp_id)
        erc = self._erc(ctp, terms, ctp_id)
        t = self._next_block_time()
        self._expect(
            lambda: self.model.settle(ctp_id, t),
            lambda: self.market.settle(ctp.as_args(), terms.as_args(), erc, {"from": self.producer}),
        )

    @rule(st_who=st_who, st_amount=st_price, st_energy=st_energy, st_ttl=st_ttl)
    def rule_settle_signed(self, st_who, st_amount, st_energy, st_ttl):
        who = self.consumers[st_who]
        ctp, terms, ctp_id = self._ctp(who, st_amount, st_energy, st_ttl)
        sig = eip712.sign_ctp(ctp, who.private_key, self.chain.id, self.market.address)
        erc = self._erc(ctp, terms, ctp_id)
        t = self._next_block_time()
        self._expect(
            lambda: self.model.settle_signed(ctp_id, str(who), ctp.nonce, ctp.price, st_energy, ctp.expiry, t),
            lambda: self.market.settleSigned(ctp.as_args(), sig, terms.as_args(), erc, {"from": self.producer}),
        )

    @rule(st_seconds=st_seconds)
    def rule_advance(self, st_seconds):
        self.chain.sleep(st_seconds)
        self.chain.mine()

    @rule(st_pick=st_pick)
    def rule_release(self, st_pick):
        if not self.pending:
            return
        ctp, _, ctp_id = self.pending[st_pick % len(self.pending)]
        self.touched = (ctp, ctp_id)
        t = self._next_block_time()
        self._expect(
            lambda: self.model.release(ctp_id, t), lambda: self.market.release(ctp.as_args(), {"from": self.producer})
        )

    # -- invariants ----------------------------------------------------------------------
    @invariant()
    def invariant_holdings_equal_free_plus_frozen(self):
        OUTCOMES["steps"] += 1
        total_free = total_frozen = 0
        for who in [*self.consumers, self.producer]:
            balance, frozen = (int(v) for v in self.market.fundsOf(who))
            assert (balance, frozen) == (self.model.balance.get(str(who), 0), self.model.frozen.get(str(who), 0))
            assert frozen <= balance
            total_free += balance - frozen
            total_frozen += frozen
        earned = int(self.market.accountOf(self.account_id)[2])
        assert earned == self.model.earnings
        assert self.market.balance() == total_free + total_frozen + earned

    @invariant()
    def invariant_no_ctp_paid_twice(self):
        assert all(times == 1 for times in self.payments.values())
        assert self.payments == self.model.paid
        OUTCOMES["settled"] = max(OUTCOMES["settled"], len(self.payments))
        if self.touched is not None and self.touched[1] in self.model.ctps:
            self._check_status(*self.touched)

    def _check_status(self, ctp, ctp_id):
        model = self.model.ctps[ctp_id]
        status = 0 if model.overwritten else {"pending": 1, "settled": 2, "released": 3}[model.status]
        assert self.market.commitmentStatus(ctp.as_args()) == status

    def teardown(self):
        for ctp, _, ctp_id in self.pending:
            self._check_status(ctp, ctp_id)

    @invariant()
    def invariant_supply_never_negative(self):
        supply = int(self.market.accountOf(self.account_id)[1])
        assert supply == self.model.supply >= 0


def test_market_money_invariants_hold_under_random_operations(
    market, consumers, producer, account_id, register_coe, chain, governor
):
    pool = make_pool(1100)
    register_coe(pool)
    owner = market.accountOf(account_id)[0]
    # a smaller supply so that over-selling is exercised
    fresh = market.openAccountByBurn({"from": owner, "value": market.accountFee()}).return_value
    market.supplyEnergy(fresh, SUPPLY, RATE, True, {"from": owner})
    MarketMachine.ctx = dict(
        market=market, consumers=consumers, producer=producer, account_id=fresh, meter=pool, chain=chain
    )
    chain.snapshot()
    # hypothesis chooses each run's length; keep running until 1,000 steps were checked
    for _ in range(10):
        run_state_machine_as_test(
            MarketMachine,
            settings=settings(
                max_examples=20,
                stateful_step_count=50,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            ),
        )
        if OUTCOMES["steps"] >= 1000:
            break
    # the run must have exercised both paths, or the invariants proved nothing
    assert OUTCOMES["steps"] >= 1000, (OUTCOMES, REASONS)
    assert OUTCOMES["accepted"] > 100 and OUTCOMES["refused"] > 10 and OUTCOMES["settled"] > 3, (OUTCOMES, REASONS)
