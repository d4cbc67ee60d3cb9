"""Gas of the per-slot double auction, for ``gas-snapshot.json`` (``gridledger gas``).

Steady state: every trader registered by the DSO and funded (its funds record non-zero),
the DSO's account already credited once; one order per trader (the worst case for the
per-owner costs), half bids and half asks, every order filled. A slot's cost is its
``submitClearing`` plus its ``settle``; ``clear_<n>_per_order`` divides it by the ``n``
orders. Figures are ``gasUsed`` of real transactions on anvil (London).

Deterministic: keys come from fixed seeds, the chain clock is pinned to fixed instants
(slots, expiries and so every signature and calldata byte repeat exactly), so the
snapshot changes only when the contracts do.
"""

from __future__ import annotations

from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount

from ..common.slots import SlotConfig
from ..kernel.chain import Chain, connect
from ..kernel.crypto import keccak256
from ..kernel.errors import ToolchainError
from .client import AuctionClient, Timing
from .encoding import Clearing, Fill, MarketParams, Match, settlement_records
from .orders import Order, Pricing, Side, SignedOrder, sign_order

__all__ = ["measure", "T0", "PARAMS"]

#: a fixed chain time (2030-03-17, a slot boundary): the measurements pin the clock there
T0 = 1_900_000_800
SLOT = 900
EXPIRY = T0 + 30 * 86_400
WINDOW = 300
PARAMS = MarketParams(const_fee_per_mwh=10_000, fee_bps=500, imbalance_price_per_mwh=200_000, penalty_bps=2_000)
DEPOSIT = 10**15
CAP = 100_000


def _key(label: str, i: int) -> LocalAccount:
    """A deterministic key for the benchmark (never for real funds)."""
    return Account.from_key(keccak256(f"gridledger-auction-gas/{label}/{i}".encode()))


class _Bench:
    """A market on a pinned clock with ``n`` registered, funded traders."""

    def __init__(self, chain: Chain, accounts: list[LocalAccount], n: int) -> None:
        self.chain = chain
        self.governor, self.dso, self.operator, self.challenger = accounts[0], accounts[1], accounts[2], accounts[3]
        self._at(T0)
        self.market = AuctionClient.deploy(
            chain,
            sender=self.governor,
            dso=self.dso.address,
            clock=SlotConfig(zone="Europe/Vienna"),
            timing=Timing(WINDOW, 4, 96),
            params=PARAMS,
        )
        self.market.set_feeder(1, 10**12, 10**12, sender=self.dso)
        self.traders = [_key("trader", i) for i in range(n)]
        # setup only (not measured): impersonated sends with a fixed gas limit, no estimate,
        # no receipt polling — anvil mines each one as it arrives
        fees = chain.fee_fields()
        last = None
        for t in self.traders:
            chain.w3.provider.make_request("anvil_setBalance", [t.address, hex(10**18)])  # type: ignore[arg-type]
            self._setup_call(self.dso.address, "setAccount", [t.address, 1, CAP, CAP], 0, fees)
            last = self._setup_call(t.address, "deposit", [DEPOSIT], DEPOSIT, fees)
        # anvil mines them in the order they came, but may answer before the last is mined (a busy machine)
        receipt = chain.w3.eth.wait_for_transaction_receipt(last, timeout=120) if last else None
        if receipt is None or receipt["status"] != 1 or self.market.funds(self.traders[-1].address).balance != DEPOSIT:
            raise ToolchainError(f"auction gas bench: the last trader's deposit did not land ({receipt})")
        self.slot = T0 // SLOT + 2

    def _setup_call(self, sender: str, fn: str, args: list, value: int, fees: dict) -> Any:
        w3 = self.chain.w3
        w3.provider.make_request("anvil_impersonateAccount", [sender])  # type: ignore[arg-type]
        data = self.market.contract.encode_abi(fn, args=args)
        tx = {"from": sender, "to": self.market.address, "data": data, "value": value, "gas": 300_000, **fees}
        return w3.eth.send_transaction(tx)  # type: ignore[arg-type]

    def _at(self, t: int) -> None:
        """Mine an empty block at chain time ``t`` (gas estimates then see that time too)."""
        self.chain.w3.provider.make_request("evm_setNextBlockTimestamp", [t])  # type: ignore[arg-type]
        self.chain.w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]

    def next_slot(self) -> int:
        """A slot whose gate lies more than an hour after the chain's time."""
        latest = int(self.chain.w3.eth.get_block("latest")["timestamp"])
        self.slot = max(self.slot + 1, latest // SLOT + 6)
        return self.slot

    def orders(self, slot: int, n: int, *, first: int = 0) -> list[Order]:
        """``n`` orders for ``slot`` by traders ``first..first+n-1``: even ones bid, odd ones ask."""
        out = []
        for k in range(n):
            t = self.traders[first + k]
            bid = k % 2 == 0
            limit = 160_000 + k if bid else 140_000 - k
            out.append(Order(t.address, slot, 1, Side.BID if bid else Side.ASK, 1_000 + k // 2, limit, EXPIRY))
        return out

    def sign(self, order: Order) -> SignedOrder:
        key = next(t for t in self.traders if t.address == order.owner)
        return sign_order(order, key.key, self.chain.chain_id, self.market.address)

    def clearing(self, slot: int, orders: list[Order], signed: dict[Order, SignedOrder], shave: int = 0) -> Clearing:
        """Everything filled at 150,000 per MWh; ``shave`` Wh less on the first pair."""
        shaved = {orders[0], orders[1]}  # a bid and an ask of the same energy
        fills = []
        for o in sorted(orders, key=lambda o: o.key):
            fills.append(Fill(signed[o], o.energy_wh - (shave if o in shaved else 0)))
        c = Clearing(slot, Pricing.PAY_AS_CLEAR, 150_000, tuple(fills))
        if c.volume_wh != sum(f.fill_wh for f in fills if not f.order.order.is_bid):
            raise RuntimeError("unbalanced bench clearing")
        return c

    def submit(self, clearing: Clearing, *, sender: LocalAccount | None = None) -> int:
        self._at(clearing.slot * SLOT - WINDOW - 60)
        receipt = self.market.submit_clearing(clearing, sender=sender or self.operator)
        return int(receipt["gasUsed"])

    def settle(self, slot: int, clearing: Clearing) -> int:
        self._at(slot * SLOT)
        records = settlement_records(clearing, self.market.params_for(slot))
        return int(self.market.settle(slot, sender=self.operator, records=records)["gasUsed"])

    def cycle(self, n: int, *, posted: bool = False) -> tuple[int, int, Clearing, list[int]]:
        """One slot with ``n`` orders cleared and settled; (submit, settle, clearing, post gas)."""
        slot = self.next_slot()
        orders = self.orders(slot, n)
        post_gas = []
        if posted:
            self._at(slot * SLOT - 3_600)
            signed = {}
            for o in orders:
                key = next(t for t in self.traders if t.address == o.owner)
                before = self.chain.w3.eth.block_number
                signed[o] = self.market.post_order(o, sender=key)
                post_gas.append(int(self.chain.w3.eth.get_block(before + 1)["gasUsed"]))
        else:
            signed = {o: self.sign(o) for o in orders}
        c = self.clearing(slot, orders, signed)
        return self.submit(c), self.settle(slot, c), c, post_gas


def measure(chain: Chain, accounts: list[LocalAccount]) -> dict[str, int]:
    """auction.clear_{10,100,500}_per_order and the figures beside them (docs/auction.md)."""
    # a 500-order clearing takes anvil more than the embedded chain's 1-second read timeout
    # to estimate on a busy machine: talk to the same node with a patient connection
    chain = connect(chain.url, timeout=120.0)
    bench = _Bench(chain, accounts, 500)
    bench.cycle(4)  # warm-up: the DSO's account holds fees from here on
    out: dict[str, int] = {}
    for n in (10, 100, 500):
        submit, settle, _, _ = bench.cycle(n)
        out[f"clear_{n}_per_order"] = (submit + settle) // n
        if n == 100:
            out["submit_100"] = submit
            out["settle_100"] = settle
    out.update(_challenge_and_deviations(bench))
    submit, settle, _, post_gas = bench.cycle(100, posted=True)
    out["post_order"] = sum(post_gas) // len(post_gas)
    out["clear_100_posted_per_order"] = (submit + settle) // 100
    out.update(_pay_as_bid(bench))
    return out


def _challenge_and_deviations(bench: _Bench) -> dict[str, int]:
    """A 100-order clearing replaced by one trading 2 Wh more; then settled and reconciled."""
    slot = bench.next_slot()
    orders = bench.orders(slot, 100)
    signed = {o: bench.sign(o) for o in orders}
    short = bench.clearing(slot, orders, signed, shave=1)
    full = bench.clearing(slot, orders, signed)
    bench.submit(short)
    bench._at(slot * SLOT - 60)
    standing = settlement_records(short, PARAMS)
    challenge = int(bench.market.challenge_clearing(full, sender=bench.challenger, standing=standing)["gasUsed"])
    bench.settle(slot, full)
    records = settlement_records(full, PARAMS)
    # a third deliver exactly, a third fall 10 % short, a third overshoot by 5 %
    delivered = {}
    for i, r in enumerate(records):
        delivered[r.owner] = (
            r.energy_wh if i % 3 == 0 else (r.energy_wh * 9 // 10 if i % 3 == 1 else r.energy_wh * 21 // 20)
        )
    bench.market.deposit(10**12, sender=bench.dso)  # the DSO pays long positions
    bench._at((slot + 1) * SLOT)
    receipt = bench.market.settle_deviations(slot, delivered, sender=bench.dso, records=records)
    return {"challenge_100": challenge, "deviations_100_per_account": int(receipt["gasUsed"]) // len(records)}


def _pay_as_bid(bench: _Bench) -> dict[str, int]:
    """The same 100 orders cleared pay-as-bid: 50 matches, bid i with ask i."""
    params = MarketParams(**{**PARAMS.__dict__, "pricing": Pricing.PAY_AS_BID})
    bench._at(bench.slot * SLOT + 1)
    from_slot = bench.market.schedule_params(params, sender=bench.dso)
    bench.slot = max(bench.slot, from_slot - 1)
    slot = bench.next_slot()
    orders = bench.orders(slot, 100)
    signed = {o: bench.sign(o) for o in orders}
    ordered = sorted(orders, key=lambda o: o.key)
    index = {o: i for i, o in enumerate(ordered)}
    fills = tuple(Fill(signed[o], o.energy_wh) for o in ordered)
    matches = tuple(Match(index[orders[k]], index[orders[k + 1]], orders[k].energy_wh) for k in range(0, 100, 2))
    c = Clearing(slot, Pricing.PAY_AS_BID, 0, fills, matches)
    submit = bench.submit(c)
    settle = bench.settle(slot, c)
    return {"clear_100_pay_as_bid_per_order": (submit + settle) // 100}
