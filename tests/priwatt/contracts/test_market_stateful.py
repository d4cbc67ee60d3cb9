"""Stateful test of the PriWatt market against the reference model in ``model.py``.

Random posts, locks (also of energy already locked or sold), fundings, escrow settlements
by every pair of approvers (also single-party and DSO-only ones), channel closes (also
overdrawn ones, and old states after a close), refunds (also before the time lock),
deposits, withdrawals and clock advances. After every step: every actor's balance and
frozen part equal the model's, the contract holds exactly Σ balances (money conserved),
every offer's status equals the model's, no offer was paid out twice, and no trade paid
the seller more than the buyer locked. At least 1,000 steps in all, with minimum counts
per rule and per refusal reason over all runs, asserted and printed at the end.

Each run is a hypothesis example: a seed from which ``STEPS_PER_RUN`` rules (weighted)
and all their arguments are drawn uniformly. Hypothesis' own per-argument draws were
tried first (``RuleBasedStateMachine``, then ``st.data()``): its generator favours simple
and repeated values, so from one run to the next whole kinds of trade went missing (4
settled escrows in 1,300 steps in one run, 5 closed channels in another) and the
per-rule minimums below failed by chance. A failing run is reported with its seed and
replays exactly; shrinking is limited to trying other seeds. The chain is reverted to a snapshot before
every run. Steps whose outcome would hinge on the very second the next block gets (within
``MARGIN`` seconds of a lock or time-lock end) are skipped, so the model never has to guess
the block time.
"""

from __future__ import annotations

import itertools
import random
import secrets
from collections import Counter

import brownie
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from offchain.kernel.crypto import keccak256
from offchain.priwatt import eip712
from offchain.priwatt.eip712 import BPS, OfferStatus, TradeKind

from tests.priwatt.contracts.helpers import now
from tests.priwatt.contracts.model import PriWattModel, Refused

MARGIN = 30
RUNS = 12
STEPS_PER_RUN = 130
ZERO = "0x" + "00" * 20
INITIAL = 10**18  # every run starts from the snapshot: the buyers never run dry
COUNTS: Counter = Counter()
_claims = itertools.count(1)


def _one_of(*values):
    return lambda r: r.choice(values)


def _between(low, high):
    return lambda r: r.randint(low, high)


#: mostly the offers a rule applies to; now and then the others (refusals)
RIGHT = _one_of(True, True, True, False)
INDEX = _between(0, 2**16)
AMOUNT = _between(10**14, 3 * 10**16)

#: each rule's arguments, drawn from the run's seeded generator
RULES: dict[str, dict] = {
    "post": {"s": _between(0, 1)},
    "lock": {
        "i": INDEX,
        "right": RIGHT,
        "b": _between(0, 1),
        "amount": AMOUNT,
        "channel": _one_of(True, False),
        "hold": _between(600, 40_000),
        "duration": _between(120, 6_000),
    },
    "open": {"i": INDEX, "right": RIGHT, "stranger": _one_of(False, False, False, True)},
    "settle": {
        "i": INDEX,
        "right": RIGHT,
        # the two refusals (one party twice, the DSO's two keys) twice as often as each pair
        "mode": _one_of("seller+buyer", "buyer+seller", "seller+dso", "dso+buyer", *["seller+seller", "dso+dso2"] * 2),
        "bps": _one_of(0, 2_500, 7_000, BPS),
    },
    "close": {"i": INDEX, "right": RIGHT, "tenths": _one_of(0, 3, 5, 7, 10, 11, 11)},  # 11: more than locked
    "refund": {"i": INDEX, "right": RIGHT},
    "withdraw": {"who": _between(0, 3), "amount": AMOUNT},
    "advance": {"seconds": _between(100, 5_000)},
}
#: a rule listed n times is drawn n times as often
WEIGHTED = [
    "post",
    *["lock"] * 3,
    *["open"] * 3,
    *["settle"] * 3,
    *["close"] * 2,
    *["refund"] * 2,
    "withdraw",
    *["advance"] * 2,
]


@pytest.fixture(scope="module")
def actors(accounts):
    out = []
    for _ in range(5):  # buyers 0, 1; sellers 2, 3; a second DSO key 4
        acct = accounts.add(secrets.token_hex(32))
        accounts[9].transfer(acct, "20 ether")
        out.append(acct)
    return out


class PriWattMachine:
    """One run: the market reverted to the snapshot, the model, and the rules below."""

    def __init__(self, ctx: dict):
        for key, value in ctx.items():
            setattr(self, key, value)
        self.chain.revert()
        self.buyers, self.sellers, self.dso2 = self.actors[:2], self.actors[2:4], self.actors[4]
        self.model = PriWattModel(dso={str(self.dso), str(self.dso2)})
        everyone = [*self.buyers, *self.sellers, self.dso, self.dso2]
        self.model.balance = {str(a): int(self.market.fundsOf(a)[0]) for a in everyone}
        self.model.frozen = {str(a): int(self.market.fundsOf(a)[1]) for a in everyone}
        # deposits the module's fixtures made for accounts this machine never touches
        self.untouched = int(self.market.balance()) - sum(self.model.balance.values())
        for who in self.buyers:
            self.model.deposit(str(who), INITIAL)
            self.market.deposit(INITIAL, {"from": who, "value": INITIAL})
        self.ids: list[bytes] = []
        self.by_address = {str(a): a for a in everyone}
        self.touched: bytes | None = None  # the offer the last step acted on
        self.step_actors: set[str] = set()  # other addresses the last step touched
        self.nonces = {
            str(b): next(n for n in itertools.count() if not self.market.isNonceUsed(b, n)) for b in self.buyers
        }
        for s in (0, 1, 0):  # every run starts with offers on the board
            self._post(s)

    # -- helpers -------------------------------------------------------------------------
    def _expect(self, rule_name, model_call, contract_call):
        try:
            result = model_call()
        except Refused as refusal:
            with brownie.reverts(revert_pattern=f"{refusal.error}: .*|{refusal.error}$"):
                contract_call()
            COUNTS[f"{rule_name} refused"] += 1
            COUNTS[f"reason {refusal.error}"] += 1
            return None, None
        tx = contract_call()
        COUNTS[f"{rule_name} accepted"] += 1
        return result, tx

    def _pick(self, i, statuses, right):
        """An offer in one of ``statuses`` (``right``) or in any other status; the other
        kind when there is none of the kind asked for (every step acts)."""
        pool = [oid for oid in self.ids if (self.model.offers[oid].status in statuses) == right]
        pool = pool or [oid for oid in self.ids if (self.model.offers[oid].status in statuses) != right]
        return pool[i % len(pool)] if pool else None

    def _near(self, deadline: int) -> bool:
        return abs(now(self.chain) - deadline) <= MARGIN

    # -- rules ---------------------------------------------------------------------------
    def post(self, s):
        self.touched = self._post(s)
        COUNTS["post accepted"] += 1

    def _post(self, s) -> bytes:
        seller = self.sellers[s]
        claim = eip712.EnergyClaim(
            keccak256(f"stateful-{next(_claims)}-{secrets.token_hex(4)}".encode()),
            seller.address, 10_000, 1, 2, now(self.chain) + 30 * 86_400,
        )  # fmt: skip
        sig = eip712.sign_claim(claim, self.dso.private_key, self.chain.id, self.market.address)
        self.market.postOffer(claim.as_args(), sig, 10**16, b"", {"from": seller})
        self.model.post(claim.claim_id, eip712.Trade(claim.claim_id, seller.address, claim.expiry))
        self.ids.append(claim.claim_id)
        return claim.claim_id

    def lock(self, i, right, b, amount, channel, hold, duration):
        oid = self._pick(i, (OfferStatus.OPEN, OfferStatus.LOCKED), right)
        if oid is None:
            return
        offer = self.model.offers[oid]
        self.touched = oid
        if offer.status is OfferStatus.LOCKED and self._near(offer.record.deadline):
            COUNTS["skipped near a deadline"] += 1
            return
        buyer, seller = self.buyers[b], self.by_address[offer.record.seller]
        until = now(self.chain) + hold
        kind = TradeKind.CHANNEL if channel else TradeKind.ESCROW
        _, tx = self._expect(
            "lock",
            lambda: self.model.lock(offer, str(seller), str(buyer), now(self.chain)),
            lambda: self.market.lockOffer(offer.record.as_args(), buyer, amount, until, duration, int(kind), {"from": seller}),
        )  # fmt: skip
        if tx is not None:
            offer.record = offer.record.locked(buyer.address, amount, until, duration, kind)
            offer.status = OfferStatus.LOCKED

    def open(self, i, right, stranger):
        oid = self._pick(i, (OfferStatus.LOCKED,), right)
        if oid is None:
            return
        offer = self.model.offers[oid]
        self.touched = oid
        if offer.status is OfferStatus.LOCKED and self._near(offer.record.deadline):
            COUNTS["skipped near a deadline"] += 1
            return
        buyer = self.by_address.get(offer.record.buyer, self.buyers[0])
        if stranger:
            buyer = self.buyers[1] if buyer == self.buyers[0] else self.buyers[0]
        nonce = self.nonces[str(buyer)]  # the model knows each buyer's next nonce
        _, tx = self._expect(
            "open",
            lambda: self.model.open(offer, str(buyer), now(self.chain)),
            lambda: self.market.openTrade(offer.record.as_args(), nonce, {"from": buyer}),
        )
        if tx is not None:
            self.nonces[str(buyer)] += 1
            self.model.funded(offer, offer.record.funded(int(tx.events["TradeOpened"]["deadline"]), nonce))

    def settle(self, i, right, mode, bps):
        oid = self._pick(i, (OfferStatus.ESCROW,), right)
        if oid is None:
            return
        offer = self.model.offers[oid]
        self.touched = oid
        r = offer.record
        if offer.status is OfferStatus.ESCROW:
            COUNTS[f"settle an escrow by {mode}"] += 1
        who = {"seller": self.by_address.get(r.seller), "buyer": self.by_address.get(r.buyer, self.buyers[0]),
               "dso": self.dso, "dso2": self.dso2}  # fmt: skip
        submitter, cosigner = (who[p] for p in mode.split("+"))
        trade_id = eip712.trade_id(r, self.chain.id, self.market.address)
        deadline = now(self.chain) + 3_600
        sig = eip712.sign_settlement(cosigner.private_key, trade_id, bps, deadline, self.chain.id, self.market.address)
        paid, tx = self._expect(
            "settle",
            lambda: self.model.settle(offer, str(submitter), str(cosigner), bps),
            lambda: self.market.settleEscrow(r.as_args(), bps, deadline, sig, {"from": submitter}),
        )
        if tx is not None:
            assert tx.events["EscrowSettled"]["toSeller"] == paid <= r.amount

    def close(self, i, right, tenths):
        oid = self._pick(i, (OfferStatus.CHANNEL,), right)
        if oid is None:
            return
        offer = self.model.offers[oid]
        self.touched = oid
        r = offer.record
        cumulative = r.amount * tenths // 10 if tenths <= 10 else r.amount + 1  # 11: more than was locked
        if offer.status is OfferStatus.SOLD and offer.states:  # an old state after a newer one closed
            cumulative = offer.states[0]
        buyer = self.by_address.get(r.buyer, self.buyers[0])
        trade_id = eip712.trade_id(r, self.chain.id, self.market.address)
        sig = eip712.sign_channel_state(buyer.private_key, trade_id, cumulative, self.chain.id, self.market.address)
        seller = self.by_address[r.seller]
        _, tx = self._expect(
            "close",
            lambda: self.model.close(offer, str(seller), cumulative),
            lambda: self.market.closeChannel(r.as_args(), cumulative, sig, {"from": seller}),
        )
        if tx is not None:
            assert tx.events["ChannelClosed"]["paid"] == cumulative <= r.amount
            offer.states.append(cumulative)

    def refund(self, i, right):
        oid = self._pick(i, (OfferStatus.ESCROW, OfferStatus.CHANNEL), right)
        if oid is None:
            return
        offer = self.model.offers[oid]
        self.touched = oid
        if offer.status in (OfferStatus.ESCROW, OfferStatus.CHANNEL) and self._near(offer.record.deadline):
            COUNTS["skipped near a deadline"] += 1
            return
        buyer = self.by_address.get(offer.record.buyer, self.buyers[0])
        self._expect(
            "refund",
            lambda: self.model.refund(offer, str(buyer), now(self.chain)),
            lambda: self.market.refund(offer.record.as_args(), {"from": buyer}),
        )

    def withdraw(self, who, amount):
        actor = self.actors[who]
        self.step_actors = {str(actor)}
        self._expect(
            "withdraw",
            lambda: self.model.withdraw(str(actor), amount),
            lambda: self.market.withdraw(amount, {"from": actor}),
        )

    def advance(self, seconds):
        self.chain.sleep(seconds)
        self.chain.mine()
        COUNTS["advance"] += 1

    # -- invariants ----------------------------------------------------------------------
    def money_is_conserved_and_matches_the_model(self):
        """The contract holds exactly Σ balances; the actors of the last step match the model
        (the others cannot have changed: only this machine sends transactions)."""
        COUNTS["steps"] += 1
        assert int(self.market.balance()) == sum(self.model.balance.values()) + self.untouched
        offer = self.model.offers.get(self.touched) if self.touched else None
        actors = {offer.record.buyer, offer.record.seller} - {ZERO} if offer else set()
        self._check_funds(actors | self.step_actors)
        self.step_actors = set()

    def _check_funds(self, addresses):
        for address in addresses:
            balance, frozen = map(int, self.market.fundsOf(address))
            assert (balance, frozen) == (self.model.balance.get(address, 0), self.model.frozen.get(address, 0))
            assert frozen <= balance

    def the_offer_acted_on_matches_the_model_and_none_is_sold_twice(self):
        if self.touched is not None:
            assert OfferStatus(self.market.offerStatus(self.touched)) is self.model.offers[self.touched].status
        assert all(o.sold <= 1 for o in self.model.offers.values())

    def teardown(self):
        self._check_funds(self.model.balance)  # every actor, once at the end of the run
        for oid in self.ids:  # every offer of the run, once at its end
            assert OfferStatus(self.market.offerStatus(oid)) is self.model.offers[oid].status


def test_money_is_conserved_and_nothing_is_sold_twice_under_random_operations(market, actors, dso, chain, governor):
    market.grantRole(market.DSO_ROLE(), actors[4], {"from": governor})
    ctx = {"market": market, "actors": actors, "dso": dso, "chain": chain}
    COUNTS.clear()
    chain.snapshot()

    @settings(max_examples=RUNS, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(seed=st.integers(min_value=0, max_value=2**32 - 1))
    def runs(seed):
        machine = PriWattMachine(ctx)
        # rules and arguments come from one seed hypothesis draws (see the module docstring)
        order = random.Random(seed)
        for _ in range(STEPS_PER_RUN):
            name = order.choice(WEIGHTED)
            kwargs = {k: draw(order) for k, draw in RULES[name].items()}
            getattr(machine, name)(**kwargs)
            machine.money_is_conserved_and_matches_the_model()
            machine.the_offer_acted_on_matches_the_model_and_none_is_sold_twice()
        machine.teardown()

    runs()
    print("\nPriWatt stateful run:")
    for key, value in sorted(COUNTS.items()):
        print(f"  {key:<32} {value:>6}")
    assert COUNTS["steps"] >= 1000, COUNTS
    for name in ("post", "lock", "open", "settle", "close", "refund", "withdraw"):
        assert COUNTS[f"{name} accepted"] >= 10, (name, COUNTS)
    for name in ("lock", "open", "settle", "close", "refund", "withdraw"):
        assert COUNTS[f"{name} refused"] >= 5, (name, COUNTS)
    for reason in (
        "OfferWrongStatus",
        "OfferLockedUntil",
        "TradeNotBuyer",
        "FundsInsufficient",
        "EscrowSameParty",
        "EscrowDsoOnly",
        "ChannelOverdrawn",
        "TradeNotExpired",
    ):
        assert COUNTS[f"reason {reason}"] >= 3, (reason, COUNTS)
