"""Gas of PriWatt's board, escrows and channels, for ``gas-snapshot.json`` (``gridledger gas``).

Deterministic: the keys and claim ids are derived from fixed seeds, every amount is a
constant, and the chain clock is pinned before each transaction
(``evm_setNextBlockTimestamp``) so that lock ends, time locks and signature deadlines —
all calldata — are the same on every run; a change in the snapshot means a change in the
contracts. Steady state as for SPB: the buyer has deposited, and the seller's ledger
record already exists (an earlier trade paid it). The ``*_fresh_seller`` figures are the
same steps for a seller whose per-trade address has no ledger record yet (PriWatt's fresh
address per trade: the first credit creates the record, +20,000 gas of SSTORE).
"""

from __future__ import annotations

from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount

from ..common.funds import ETHER
from ..kernel.chain import Chain
from ..kernel.crypto import keccak256
from .client import PriWattClient
from .eip712 import BPS, EnergyClaim, Trade, TradeKind

__all__ = ["measure", "T0", "PRICE"]

#: the pinned clock: 2100-01-01 00:00:00 UTC, advanced by STEP per transaction
T0 = 4_102_444_800
STEP = 12
PRICE = 5 * 10**15  # wei for the whole offer (10 kWh at 0.0005 ether per kWh)
ENERGY_WH = 10_000
EXPIRY = T0 + 2 * 86_400  # the claim's expiry
DURATION = 86_400  # PriWatt's 24 h time lock
LOCK = 3_600


def _key(label: str, i: int = 0) -> LocalAccount:
    """A deterministic key for the benchmark (never for real funds)."""
    return Account.from_key(keccak256(f"gridledger-priwatt-gas/{label}/{i}".encode()))


class _Bench:
    def __init__(self, chain: Chain, accounts: list[LocalAccount]) -> None:
        self.chain = chain
        self.governor, self.funder = accounts[0], accounts[1]
        self.dso = _key("dso")
        self.buyer = _key("buyer")
        self.seller = _key("seller")
        self.now = T0
        for who in (self.buyer, self.seller, _key("fresh-seller", 0), _key("fresh-seller", 1)):
            self._pay_gas(who)
        self.market = PriWattClient.deploy(chain, sender=self.governor, dso=self.dso.address, payment_asset=ETHER)
        self._tick()
        self.market.deposit(10**18, sender=self.buyer)
        self.claims = 0

    def _pay_gas(self, who: LocalAccount) -> None:
        self.chain.send({"to": who.address, "value": 10 * 10**18}, self.funder, what="fund gas")

    def _tick(self, seconds: int = STEP) -> int:
        """Pin the next block's timestamp; returns it."""
        self.now += seconds
        self.chain.w3.provider.make_request("evm_setNextBlockTimestamp", [self.now])
        return self.now

    def jump(self, seconds: int) -> None:
        """Mine an empty block ``seconds`` later (gas estimates then see the new time too)."""
        self.now += seconds
        self.chain.w3.provider.make_request("evm_mine", [self.now])

    def post(self, seller: LocalAccount) -> tuple[Trade, int]:
        self.claims += 1
        claim = EnergyClaim(
            keccak256(f"gridledger-priwatt-gas/claim/{self.claims}".encode()),
            seller.address,
            ENERGY_WH,
            100,
            103,
            EXPIRY,
        )
        signature = self.market.sign_claim(self.dso.key, claim)
        self._tick()
        key = keccak256(b"messaging-key-a") + keccak256(b"messaging-key-b")
        offer = self.market.post_offer(claim, signature, PRICE, key, sender=seller)
        return offer, self._last_gas()

    def lock(self, offer: Trade, seller: LocalAccount, kind: TradeKind) -> tuple[Trade, int]:
        until = self._tick() + LOCK
        locked = self.market.lock_offer(offer, self.buyer.address, PRICE, until, DURATION, kind, sender=seller)
        return locked, self._last_gas()

    def open(self, locked: Trade) -> tuple[Trade, int]:
        self._tick()
        funded = self.market.open_trade(locked, sender=self.buyer)
        return funded.record, int(funded.receipt["gasUsed"])

    def funded(self, seller: LocalAccount, kind: TradeKind) -> dict[str, Any]:
        offer, post = self.post(seller)
        locked, lock = self.lock(offer, seller, kind)
        trade, opened = self.open(locked)
        return {"trade": trade, "post": post, "lock": lock, "open": opened}

    def release(self, trade: Trade, seller: LocalAccount) -> int:
        deadline = self.now + 600
        sig = self.market.sign_settlement(self.buyer.key, trade, BPS, deadline)
        self._tick()
        return int(self.market.settle_escrow(trade, BPS, deadline, sig, sender=seller)["gasUsed"])

    def dispute(self, trade: Trade, seller: LocalAccount) -> int:
        deadline = self.now + 600
        sig = self.market.sign_settlement(self.dso.key, trade, 7_000, deadline)  # the DSO's split, 70 % to the seller
        self._tick()
        return int(self.market.settle_escrow(trade, 7_000, deadline, sig, sender=seller)["gasUsed"])

    def close(self, trade: Trade, seller: LocalAccount, kwh: int) -> int:
        cumulative = PRICE * kwh // 10
        sig = self.market.sign_state(self.buyer.key, trade, cumulative)
        self._tick()
        return int(self.market.close_channel(trade, cumulative, sig, sender=seller)["gasUsed"])

    def _last_gas(self) -> int:
        block = self.chain.w3.eth.get_block("latest", full_transactions=False)
        receipt = self.chain.w3.eth.get_transaction_receipt(block["transactions"][-1])
        return int(receipt["gasUsed"])


def measure(chain: Chain, accounts: list[LocalAccount]) -> dict[str, int]:
    """priwatt.post_offer, lock_offer, escrow_open/_release/_dispute_release, channel_open/_close/_refund."""
    bench = _Bench(chain, accounts)
    seller = bench.seller
    # warm-up: one escrow released, so the seller's ledger record exists (steady state)
    warm = bench.funded(seller, TradeKind.ESCROW)
    bench.release(warm["trade"], seller)

    escrow = bench.funded(seller, TradeKind.ESCROW)
    release = bench.release(escrow["trade"], seller)
    disputed = bench.funded(seller, TradeKind.ESCROW)
    dispute = bench.dispute(disputed["trade"], seller)
    channel = bench.funded(seller, TradeKind.CHANNEL)
    close = bench.close(channel["trade"], seller, kwh=7)
    refunded = bench.funded(seller, TradeKind.CHANNEL)
    bench.jump(DURATION + 1)
    bench._tick()
    refund = int(bench.market.refund(refunded["trade"], sender=bench.buyer)["gasUsed"])

    fresh_escrow_seller, fresh_channel_seller = _key("fresh-seller", 0), _key("fresh-seller", 1)
    fresh_escrow = bench.funded(fresh_escrow_seller, TradeKind.ESCROW)
    fresh_release = bench.release(fresh_escrow["trade"], fresh_escrow_seller)
    fresh_channel = bench.funded(fresh_channel_seller, TradeKind.CHANNEL)
    fresh_close = bench.close(fresh_channel["trade"], fresh_channel_seller, kwh=7)
    return {
        "post_offer": escrow["post"],
        "lock_offer": escrow["lock"],
        "escrow_open": escrow["open"],
        "escrow_release": release,
        "escrow_open_plus_release": escrow["open"] + release,
        "escrow_dispute_release": dispute,
        "channel_open": channel["open"],
        "channel_close": close,
        "channel_open_plus_close": channel["open"] + close,
        "channel_refund": refund,
        "escrow_release_fresh_seller": fresh_release,
        "channel_close_fresh_seller": fresh_close,
        "trade_escrow_total": escrow["post"] + escrow["lock"] + escrow["open"] + release,
    }
