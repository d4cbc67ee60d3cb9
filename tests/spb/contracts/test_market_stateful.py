"""Stateful test of the SPB market against the reference model in ``model.py``.

Random deposits, withdrawals (to oneself and to others), on-chain CTPs and signed CTPs
frozen by the producer, settlements in both forms, releases, clock advances, earnings
collection and changes of the lifetime cap — each rule also trying what must be refused:
stale, far-ahead and busy nonces, wrong signers, receipts from the producer's own meter,
used leaf keys, wrong prices, expired and too-long CTPs, over-spending, early releases.
After every step: each balance and frozen part equals the model's, frozen ≤ balance, the
contract holds exactly Σ balances + earnings, the touched CTP's status and the consumers'
nonce windows equal the model's, no CTP was paid twice, supply ≥ 0. At the end of the run:
at least 1,000 steps, a minimum count per rule (accepted and refused) and per refusal
reason, and the table of counts is printed.

Written on hypothesis' ``RuleBasedStateMachine`` directly: brownie 1.22.2 ships its
``state_machine`` helper compiled with mypyc, and the compiled base class refuses the
subclass it generates itself (``_BrownieStateMachine object expected``). The chain is
reverted to a snapshot before every run, as brownie's helper does.
"""

from __future__ import annotations

import secrets
from collections import Counter

import brownie
import pytest
from eth_account import Account
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from offchain.spb import eip712
from offchain.spb.receipts import EnergyReceipt

from tests.spb.contracts.helpers import RATE, make_pool, now
from tests.spb.contracts.model import Ctp, MarketModel, Refused

SUPPLY = 25_000
N_CONSUMERS = 3
INITIAL_DEPOSIT = 5 * 10**16
ZERO = "0x" + "00" * 20
COUNTS: Counter = Counter()

#: minimum times each rule must be accepted and refused in a run (rules that cannot be
#: refused, or cannot be accepted, are absent from the matching table)
MIN_ACCEPTED = {
    "deposit": 10,
    "withdraw": 10,
    "withdraw_to": 10,
    "commit": 15,
    "freeze_signed": 15,
    "settle": 10,
    "settle_signed": 10,
    "release": 3,
    "collect": 20,
    "set_max_lifetime": 5,
}
MIN_REFUSED = {
    "deposit": 3,
    "withdraw": 10,
    "withdraw_to": 10,
    "commit": 15,
    "freeze_signed": 15,
    "settle": 15,
    "settle_signed": 15,
    "release": 10,
    "set_max_lifetime": 5,
}
#: every refusal reason the rules can provoke, and how often it must have been seen
MIN_REASONS = {
    reason: 3
    for reason in (
        "FundsZeroAmount",
        "FundsInsufficient",
        "FundsZeroRecipient",
        "FundsNonceUsed",
        "FundsNonceTooFarAhead",
        "MarketCommitmentSlotBusy",
        "MarketExpiryTooFar",
        "MarketZeroPrice",
        "MarketInvalidConsumerSignature",
        "MarketContractHashMismatch",
        "CoELeafKeyUsed",
        "MarketPriceMismatch",
        "MarketCommitmentNotPending",
        "MarketCommitmentNotExpired",
        "MarketExpiredCommitment",
        "AccountInsufficientSupply",
        "MarketLifetimeCapOutOfRange",
    )
}


@pytest.fixture(scope="module")
def consumers(accounts):
    out = []
    for _ in range(N_CONSUMERS):
        acct = accounts.add(secrets.token_hex(32))
        accounts[9].transfer(acct, "50 ether")
        out.append(acct)
    return out


def sometimes(value, otherwise, one_in: int = 10):
    """`value` about once in `one_in` draws, else a draw from `otherwise`."""
    return st.integers(min_value=1, max_value=one_in).flatmap(lambda d: st.just(value) if d == 1 else otherwise)


st_who = st.integers(min_value=0, max_value=N_CONSUMERS - 1)
st_price = sometimes(0, st.integers(min_value=1, max_value=2 * 10**16))
st_withdrawal = sometimes(0, st.integers(min_value=1, max_value=4 * 10**16), one_in=6)
st_energy = st.integers(min_value=1, max_value=12_000)
#: mostly within the cap; sometimes beyond it (days), once in a while "for ever"
st_ttl = st.integers(min_value=1, max_value=10).flatmap(
    lambda d: (
        st.integers(min_value=300, max_value=3_000)
        if d <= 7
        else (st.integers(min_value=3_601, max_value=10 * 86_400) if d <= 9 else st.just(2**40))
    )
)
#: how a rule picks its CTP's nonce: the next fresh one mostly, sometimes a refused one
st_nonce = st.sampled_from(["fresh"] * 7 + ["stale", "far", "busy", "busy"])
#: which key signs the ERC: the one the CTP named, the producer's own meter, a used leaf
st_meter = st.sampled_from(["named"] * 8 + ["producer", "used", "used", "wrong_price"])
st_signer = st.sampled_from(["consumer"] * 9 + ["stranger"])
st_pick = st.integers(min_value=0, max_value=2**16)
st_seconds = st.integers(min_value=1, max_value=1_500)
st_lifetime = sometimes(3_599, st.integers(min_value=3_600, max_value=365 * 86_400), one_in=5)


class MarketMachine(RuleBasedStateMachine):
    # set by the test before running: market, consumers, producer, account_id, meter, own_meter, chain
    ctx: dict = {}

    def __init__(self) -> None:
        super().__init__()
        for key, value in self.ctx.items():
            setattr(self, key, value)
        self.chain.revert()
        self.model = MarketModel(supply=int(self.market.accountOf(self.account_id)[1]))
        for who in [*self.consumers, self.producer]:
            self.model.balance[str(who)] = int(self.market.fundsOf(who)[0])
        self.pending: list[tuple[eip712.CommitToPay, eip712.Terms, bytes]] = []
        self.next_leaf = 0
        self.next_nonce = {str(c): 0 for c in self.consumers}
        self.payments: dict[bytes, int] = {}  # ctp id -> Settled events seen on chain
        self.touched: tuple | None = None  # (ctp, ctp id) the last step acted on
        for who in self.consumers:  # every run starts with funded consumers
            self.model.deposit(str(who), INITIAL_DEPOSIT)
            self.market.deposit(INITIAL_DEPOSIT, {"from": who, "value": INITIAL_DEPOSIT})

    # -- helpers -----------------------------------------------------------------------
    def _expect(self, rule_name, model_call, contract_call):
        try:
            model_call()
        except Refused as refusal:
            with brownie.reverts(revert_pattern=f"{refusal.error}: .*|{refusal.error}$"):
                contract_call()
            COUNTS[f"{rule_name} refused"] += 1
            COUNTS[f"reason {refusal.error}"] += 1
            return False
        tx = contract_call()
        COUNTS[f"{rule_name} accepted"] += 1
        if "Settled" in tx.events:
            for event in tx.events["Settled"]:
                ctp_id = bytes(event["ctpId"])
                self.payments[ctp_id] = self.payments.get(ctp_id, 0) + 1
        return True

    def _next_block_time(self, at_least: int = 0) -> int:
        """Pin the next block's timestamp (one second on, or `at_least`) so the model sees
        exactly the contract's clock."""
        t = max(now(self.chain) + 1, at_least)
        brownie.web3.provider.make_request("evm_setNextBlockTimestamp", [t])
        return t

    def _nonce(self, who, choice) -> int:
        window = self.model.window(str(who))
        if choice == "stale":
            used = [n for n in range(max(0, window.base - 1), window.base + 32) if window.used(n)]
            if used:
                return used[0]
        if choice == "far":
            return window.base + 64 + secrets.randbelow(1_000)
        if choice == "busy":
            busy = [
                c.nonce + 32
                for (owner, _), ctp_id in self.model.slots.items()
                for c in [self.model.ctps[ctp_id]]
                if owner == str(who) and c.status == "pending" and c.nonce + 32 < window.base + 64
            ]
            if busy:
                return busy[0]
        nonce = max(self.next_nonce[str(who)], window.base)
        while window.used(nonce):
            nonce += 1
        self.next_nonce[str(who)] = nonce + 1
        return nonce

    def _leaf(self, meter_choice) -> int:
        if meter_choice == "used" and self.model.used_leaves:
            return min(self.model.used_leaves)
        leaf = self.next_leaf
        self.next_leaf += 1
        return leaf

    def _ctp(self, who, price, energy, ttl, nonce, leaf, t):
        terms = eip712.Terms(energy, RATE, secrets.token_bytes(32), self.meter.keys[leaf].address)
        expiry = min(t + ttl, 2**64 - 1)
        ctp = eip712.CommitToPay(who.address, self.account_id, expiry, price, terms.contract_hash, nonce)
        ctp_id = eip712.ctp_digest(ctp, self.chain.id, self.market.address)
        return ctp, terms, ctp_id, Ctp(str(who), nonce, price, energy, expiry, leaf)

    def _erc(self, ctp, terms, ctp_id, leaf, meter_choice):
        """The ERC and what signed it: (args, erc price, the consumer meter's leaf or None)."""
        price = ctp.price + 1 if meter_choice == "wrong_price" else ctp.price
        pool, index, signer_leaf = self.meter, leaf, leaf
        if meter_choice == "producer":
            pool, index, signer_leaf = self.own_meter, secrets.randbelow(len(self.own_meter.keys) - 1), None
        erc = EnergyReceipt.signed(
            pool.keys[index].key,
            ctp_id,
            price,
            terms.energy_wh,
            pool.root,
            index,
            0,
            pool.proof(index),
            self.chain.id,
            self.market.address,
        )
        return erc.as_args(), price, signer_leaf

    def _signature(self, ctp, who, signer_choice):
        key = who.private_key if signer_choice == "consumer" else Account.create().key
        return eip712.sign_ctp(ctp, key, self.chain.id, self.market.address), signer_choice == "consumer"

    # -- rules -------------------------------------------------------------------------
    # The funds operations share one rule (and the two ways to freeze a CTP another), so
    # that hypothesis, which picks rules uniformly, spends more steps on settlements.
    @rule(
        action=st.sampled_from(["deposit", "withdraw", "withdraw", "withdraw_to"]),
        who=st_who,
        amount=st_withdrawal,
        over=sometimes(True, st.just(False), one_in=4),
        to_zero=sometimes(True, st.just(False), one_in=3),
    )
    def funds(self, action, who, amount, over, to_zero):
        w = self.consumers[who]
        if action == "deposit":
            self._expect(
                "deposit",
                lambda: self.model.deposit(str(w), amount),
                lambda: self.market.deposit(amount, {"from": w, "value": amount}),
            )
            return
        if over:  # one unit more than is free, or far more: always refused
            amount = self.model.free(str(w)) + 1 + amount
        if action == "withdraw":
            self._expect(
                "withdraw",
                lambda: self.model.withdraw(str(w), amount),
                lambda: self.market.withdraw(amount, {"from": w}),
            )
            return
        to = ZERO if to_zero else self.producer.address
        self._expect(
            "withdraw_to",
            lambda: self.model.withdraw(str(w), amount, None if to_zero else to),
            lambda: self.market.withdrawTo(to, amount, {"from": w}),
        )

    @rule(lifetime=st_lifetime)
    def set_max_lifetime(self, lifetime):
        self._expect(
            "set_max_lifetime",
            lambda: self.model.set_max_lifetime(lifetime),
            lambda: self.market.setMaxCtpLifetime(lifetime, {"from": self.governor}),
        )

    @rule(
        form=st.sampled_from(["commit", "freeze_signed"]),
        who=st_who,
        price=st_price,
        energy=st_energy,
        ttl=st_ttl,
        nonce=st_nonce,
        meter=st_meter,
        signer=st_signer,
    )
    def freeze(self, form, who, price, energy, ttl, nonce, meter, signer):
        """An on-chain CTP: committed by the consumer, or signed and frozen by the producer."""
        w = self.consumers[who]
        t = self._next_block_time()
        ctp, terms, ctp_id, model_ctp = self._ctp(w, price, energy, ttl, self._nonce(w, nonce), self._leaf(meter), t)
        if form == "commit":
            ok = self._expect(
                "commit",
                lambda: self.model.freeze(ctp_id, model_ctp, t),
                lambda: self.market.commit(ctp.as_args(), {"from": w}),
            )
        else:
            signature, signer_ok = self._signature(ctp, w, signer)
            ok = self._expect(
                "freeze_signed",
                lambda: self.model.freeze(ctp_id, model_ctp, t, signer_ok=signer_ok),
                lambda: self.market.freezeSigned(ctp.as_args(), signature, {"from": self.producer}),
            )
        if ok:
            self.pending.append((ctp, terms, ctp_id))
            self.touched = (ctp, ctp_id)

    @precondition(lambda self: self.pending)
    @rule(
        pick=st_pick,
        meter=st_meter,
        live=sometimes(False, st.just(True), one_in=4),
        late=sometimes(True, st.just(False), one_in=6),
    )
    def settle(self, pick, meter, live, late):
        candidates = self.pending
        if live:  # mostly a CTP the model still holds pending (else any, to meet the refusals)
            candidates = [p for p in self.pending if self.model.ctps[p[2]].status == "pending"] or self.pending
        ctp, terms, ctp_id = candidates[pick % len(candidates)]
        self.touched = (ctp, ctp_id)
        leaf = self.model.ctps[ctp_id].leaf
        erc, erc_price, signer_leaf = self._erc(ctp, terms, ctp_id, leaf, meter)
        t = self._next_block_time(ctp.expiry + 1 if late else 0)  # late: the delivery came after expiry
        self._expect(
            "settle",
            lambda: self.model.settle(ctp_id, t, erc_price=erc_price, signer_leaf=signer_leaf),
            lambda: self.market.settle(ctp.as_args(), terms.as_args(), erc, {"from": self.producer}),
        )

    @rule(who=st_who, price=st_price, energy=st_energy, ttl=st_ttl, nonce=st_nonce, meter=st_meter, signer=st_signer)
    def settle_signed(self, who, price, energy, ttl, nonce, meter, signer):
        w = self.consumers[who]
        t = self._next_block_time()
        ttl = ttl if ttl < 2**40 else 3_000  # the lifetime cap applies to freezes, not to this form
        leaf = self._leaf(meter)
        ctp, terms, ctp_id, model_ctp = self._ctp(w, price, energy, ttl, self._nonce(w, nonce), leaf, t)
        signature, signer_ok = self._signature(ctp, w, signer)
        erc, erc_price, signer_leaf = self._erc(ctp, terms, ctp_id, leaf, meter)
        self._expect(
            "settle_signed",
            lambda: self.model.settle_signed(
                ctp_id, model_ctp, t, signer_ok=signer_ok, erc_price=erc_price, signer_leaf=signer_leaf
            ),
            lambda: self.market.settleSigned(ctp.as_args(), signature, terms.as_args(), erc, {"from": self.producer}),
        )

    @rule(seconds=st_seconds)
    def advance(self, seconds):
        """Time passes; the producer collects its earnings meanwhile."""
        self.chain.sleep(seconds)
        self.chain.mine()
        self.model.collect(str(self.producer))
        self.market.collect(self.account_id, {"from": self.producer})
        COUNTS["collect accepted"] += 1

    @precondition(lambda self: self.pending)
    @rule(pick=st_pick, late=st.booleans())
    def release(self, pick, late):
        ctp, _, ctp_id = self.pending[pick % len(self.pending)]
        self.touched = (ctp, ctp_id)
        t = self._next_block_time(ctp.expiry + 1 if late else 0)
        self._expect(
            "release",
            lambda: self.model.release(ctp_id, t),
            lambda: self.market.release(ctp.as_args(), {"from": self.producer}),
        )

    # -- invariants ----------------------------------------------------------------------
    @invariant()
    def holdings_equal_balances_plus_earnings(self):
        COUNTS["steps"] += 1
        total = 0
        for who in [*self.consumers, self.producer]:
            balance, frozen = (int(v) for v in self.market.fundsOf(who))
            assert (balance, frozen) == (self.model.balance.get(str(who), 0), self.model.frozen.get(str(who), 0))
            assert frozen <= balance
            total += balance
        earned = int(self.market.accountOf(self.account_id)[2])
        assert earned == self.model.earnings
        assert self.market.balance() == total + earned

    @invariant()
    def no_ctp_paid_twice_and_statuses_agree(self):
        assert all(times == 1 for times in self.payments.values())
        assert self.payments == self.model.paid
        if self.touched is not None and self.touched[1] in self.model.ctps:
            self._check_status(*self.touched)

    @invariant()
    def nonce_windows_agree(self):
        for who in self.consumers:
            window = self.model.window(str(who))
            for nonce in (window.base, window.base + 31):
                assert self.market.isNonceUsed(who, nonce) == window.used(nonce)

    @invariant()
    def supply_never_negative(self):
        supply = int(self.market.accountOf(self.account_id)[1])
        assert supply == self.model.supply >= 0

    def _check_status(self, ctp, ctp_id):
        model = self.model.ctps[ctp_id]
        status = 0 if model.overwritten else {"pending": 1, "settled": 2, "released": 3}[model.status]
        assert self.market.commitmentStatus(ctp.as_args()) == status

    def teardown(self):
        for ctp, _, ctp_id in self.pending:
            self._check_status(ctp, ctp_id)


def test_market_money_and_rules_hold_under_random_operations(
    market, consumers, producer, account_id, register_coe, chain, governor
):
    pool, own = make_pool(2000), make_pool(64)
    register_coe(pool, holder=1999)
    register_coe(own)  # the producer's own genuine meter
    owner = market.accountOf(account_id)[0]
    # a smaller supply so that over-selling is exercised
    fresh = market.openAccountByBurn({"from": owner, "value": market.accountFee()}).return_value
    market.supplyEnergy(fresh, SUPPLY, RATE, True, {"from": owner})
    MarketMachine.ctx = dict(
        market=market,
        consumers=consumers,
        producer=producer,
        governor=governor,
        account_id=fresh,
        meter=pool,
        own_meter=own,
        chain=chain,
    )
    COUNTS.clear()
    chain.snapshot()
    # hypothesis chooses each run's length: keep running until 1,000 steps were checked and
    # every rule and refusal reason was met its minimum number of times — or 3,000 steps
    # passed, which fails below
    at_1000 = None
    while COUNTS["steps"] < 1000 or (_short() and COUNTS["steps"] < 3000):
        if at_1000 is None and COUNTS["steps"] >= 1000:
            at_1000 = _short()
            print(f"\nafter {COUNTS['steps']} steps still short of: {at_1000}")
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
    table = "\n".join(f"  {name:45s} {count:6d}" for name, count in sorted(COUNTS.items()))
    print(f"\nSPB market stateful run:\n{table}")
    assert COUNTS["steps"] >= 1000
    short = _short()
    assert not short, f"exercised too rarely in {COUNTS['steps']} steps (minimum): {short}\n{table}"


def _short() -> dict[str, int]:
    """The rules and refusal reasons not yet seen their minimum number of times."""
    return {
        **{f"{r} accepted": n for r, n in MIN_ACCEPTED.items() if COUNTS[f"{r} accepted"] < n},
        **{f"{r} refused": n for r, n in MIN_REFUSED.items() if COUNTS[f"{r} refused"] < n},
        **{f"reason {r}": n for r, n in MIN_REASONS.items() if COUNTS[f"reason {r}"] < n},
    }
