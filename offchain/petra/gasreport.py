"""Gas of PETra operations in steady state, for ``gas-snapshot.json`` (``gridledger gas``).

Steady state of a market that has run for a while: the parties have non-zero balances, the
asset positions a mint or split writes were freed by earlier deliveries and retirements
(the tombstone is rewritten, 5,000 gas, instead of a new slot, 22,100), and the per-block
capacity and feeder counter words were last written a ring's length (1,024 slots) earlier,
so they are rewritten too. A "previous day" of trades sets this up; then each operation is
measured once. Figures are ``gasUsed`` of real transactions on anvil (London), refunds
included. Deterministic: anvil's fixed keys, a slot clock whose epoch is a fixed date and
whose genesis is the chain time at deploy (slot numbers, hence calldata, repeat exactly),
and fixed amounts of time travel.

Also measured, for docs/petra.md: the same operations writing new positions, and the
representation PETra did not choose (``PetraLayoutProbe``: OpenZeppelin ERC-1155 balances
per (kind, slot)).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from eth_account.signers.local import LocalAccount

from ..common.slots import SlotConfig
from ..kernel.chain import Chain
from ..kernel.contracts import deploy
from .client import AssetKind, FiatClient, PetraClient, Portion

__all__ = ["measure", "GAS_CLOCK_DAY"]

#: market day of the gas bench's clock (a fixed date: slot numbers repeat run after run)
GAS_CLOCK_DAY = dt.date(2027, 1, 4)
#: chain seconds per slot in the bench (an hour: the bench never crosses a slot by accident)
SLOT_SECONDS = 3600
RING_SLOTS = 1024
PRICE = 25_000  # cents per MWh
DEPOSIT = 10_000_000
P, C = AssetKind.PRODUCTION, AssetKind.CONSUMPTION


class _Bench:
    def __init__(self, chain: Chain, keys: list[LocalAccount]) -> None:
        self.chain = chain
        self.governor, self.dso = keys[0], keys[1]
        self.producer, self.consumer, self.other = keys[2], keys[3], keys[4]
        genesis = int(chain.w3.eth.get_block("latest")["timestamp"])
        clock = SlotConfig.compressed("Europe/Vienna", genesis, GAS_CLOCK_DAY, SLOT_SECONDS)
        self.fiat = FiatClient.deploy(chain, sender=self.governor, issuer=self.dso.address)
        self.market = PetraClient.deploy(
            chain, sender=self.governor, dso=self.dso.address, payment_asset=self.fiat.address, clock=clock
        )
        m, dso = self.market, self.dso
        m.set_feeder(1, 200_000, 100_000, sender=dso)
        m.register_prosumer(1, 1, 20_000, 20_000, sender=dso)
        m.register_prosumer(2, 1, 20_000, 20_000, sender=dso)
        for who in (self.producer, self.consumer, self.other):
            self.fiat.issue(who.address, DEPOSIT, sender=dso)
            m.deposit(DEPOSIT, sender=who)
        # the first block start at least 2 slots ahead: every asset below lies in one 8-slot block
        self.base = (m.current_slot() // 8 + 1) * 8
        self.free: list[int] = []
        #: transaction hash of each measured operation of the last day (for ``breakdown``)
        self.txs: dict[str, str] = {}

    def mint(
        self, prosumer: int, who: LocalAccount, kind: AssetKind, power: int, first: int, last: int
    ) -> tuple[int, int]:
        hint = self.free.pop(0) if self.free else 0
        token, receipt = self.market.mint(
            prosumer, who.address, kind, power, first, last, position_hint=hint, sender=self.dso
        )
        self.last_tx = "0x" + bytes(receipt["transactionHash"]).hex()
        return token, int(receipt["gasUsed"])

    def travel(self, slots: int) -> None:
        w3 = self.chain.w3
        w3.provider.make_request("evm_increaseTime", [slots * SLOT_SECONDS])  # type: ignore[arg-type]
        w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]

    def day(self, start: int, *, hinted: bool) -> dict[str, int]:
        """One day's operations from slot ``start`` (block-aligned); returns their gas."""
        m, p, c = self.market, self.producer, self.consumer
        if not hinted:
            self.free = []
        out: dict[str, int] = {}
        ask, out["mint_asset"] = self.mint(1, p, P, 2_000, start, start + 3)
        self.txs["mint_asset"] = self.last_tx
        need, _ = self.mint(2, c, C, 2_000, start, start + 3)
        out["post_offer_ask"] = self._gas("post_offer_ask", m.post_offer(ask, PRICE, sender=p))
        out["rescind_offer"] = self._gas("rescind_offer", m.rescind_offer(ask, sender=p))
        m.post_offer(ask, PRICE, sender=p)
        out["post_offer"] = self._gas("post_offer", m.post_offer(need, PRICE, sender=c))  # a bid: escrow frozen
        out["rescind_bid"] = self._gas("rescind_bid", m.rescind_offer(need, sender=c))
        exact = m.accept(ask, need, Portion(2_000, start, start + 3), PRICE, sender=c)
        out["accept_offer"], self.txs["accept_offer"] = exact.gas_used, exact.tx_hash
        # PETra's measured case, three splits: the offer is cut by start, by end and by power,
        # the acceptor's asset is the portion itself
        big, _ = self.mint(1, p, P, 3_000, start, start + 7)
        m.post_offer(big, PRICE, sender=p)
        part, _ = self.mint(2, c, C, 2_000, start + 2, start + 5)
        hints = [self.free.pop(0) for _ in range(min(3, len(self.free)))]
        trade = m.accept(big, part, Portion(2_000, start + 2, start + 5), PRICE, hints=hints, sender=c)
        out["accept_split"], self.txs["accept_split"] = trade.gas_used, trade.tx_hash
        # the worst case, six splits: both assets cut by start, by end and by power
        big2, _ = self.mint(1, p, P, 3_000, start, start + 7)
        m.post_offer(big2, PRICE, sender=p)
        part2, _ = self.mint(2, c, C, 2_500, start + 1, start + 6)
        hints = [self.free.pop(0) for _ in range(min(6, len(self.free)))]
        trade2 = m.accept(big2, part2, Portion(2_000, start + 2, start + 5), PRICE, hints=hints, sender=c)
        out["accept_split_both"], self.txs["accept_split_both"] = trade2.gas_used, trade2.tx_hash
        self.finish = [ask, need, *trade.offer_pieces, *trade.asset_pieces, *trade2.offer_pieces, *trade2.asset_pieces]
        return out

    def _gas(self, name: str, receipt: Any) -> int:
        self.txs[name] = "0x" + bytes(receipt["transactionHash"]).hex()
        return int(receipt["gasUsed"])

    def close_day(self) -> None:
        """After the day: deliveries recorded for matched assets, the rest retired (positions freed)."""
        matched = [t for t in self.finish if self.market.asset(t).status == 2]
        held = [t for t in self.finish if self.market.asset(t).status != 2]
        for t in matched:
            a = self.market.asset(t)
            self.market.record_delivery(t, a.power * a.slots * 250, sender=self.dso)
        self.market.retire(held, sender=self.consumer)
        self.free = sorted({t & (2**40 - 1) for t in self.finish} | set(self.free))


def measure(chain: Chain, accounts: list[LocalAccount]) -> dict[str, Any]:
    """petra.mint_asset, post_offer (a bid), post_offer_ask, rescind_offer (an ask), rescind_bid,
    accept_offer (exact match), accept_split (the offer split by start, end and power: PETra's
    three-split case), accept_split_both (both assets split that way: six leftovers), the
    first-day figures (new positions and counter words) and the ERC-1155-per-slot probe."""
    bench = _Bench(chain, accounts)
    first_day = bench.day(bench.base, hinted=False)
    bench.travel(RING_SLOTS - 8)  # a ring's length later, at the same ring positions
    bench.close_day()
    steady = bench.day(bench.base + RING_SLOTS, hinted=True)
    out = dict(steady)
    out["mint_asset_new_slots"] = first_day["mint_asset"]
    out["accept_split_new_slots"] = first_day["accept_split"]
    out["accept_split_both_new_slots"] = first_day["accept_split_both"]
    out.update(_probe(chain, accounts))
    return out


def breakdown(chain: Chain, tx_hash: str) -> dict[str, int]:
    """Where a transaction's gas went, by opcode class (anvil's ``debug_traceTransaction``):
    the intrinsic cost (21,000 + calldata), cold and warm storage reads and writes, account
    access, logs, hashing and the rest; ``refund`` is what EIP-3529 gave back."""
    w3 = chain.w3
    tx = w3.eth.get_transaction(tx_hash)  # type: ignore[arg-type]
    receipt = w3.eth.get_transaction_receipt(tx_hash)  # type: ignore[arg-type]
    data = bytes(tx["input"])
    calldata = sum(16 if b else 4 for b in data)
    trace = w3.provider.make_request("debug_traceTransaction", [tx_hash, {"disableStack": True}])  # type: ignore[arg-type]
    logs = trace["result"]["structLogs"]
    out: dict[str, int] = {"intrinsic": 21_000, "calldata": calldata}
    for i, step in enumerate(logs):
        op, cost, depth = step["op"], int(step["gasCost"]), int(step["depth"])
        if depth != 1:
            continue  # inside a call: counted with the CALL
        if op in ("CALL", "STATICCALL", "DELEGATECALL") and i + 1 < len(logs):
            # the call's cost as the caller saw it: gas before it minus gas after return
            nxt = next((s for s in logs[i + 1 :] if int(s["depth"]) == 1), None)
            cost = int(step["gas"]) - int(nxt["gas"]) if nxt else cost
        key = op if op in ("SLOAD", "SSTORE", "EXTCODESIZE", "KECCAK256") or op.startswith("LOG") else "other"
        if op.startswith("LOG"):
            key = "LOG"
        if op in ("CALL", "STATICCALL", "DELEGATECALL"):
            key = "CALL"
        out[key] = out.get(key, 0) + cost
    executed = sum(v for k, v in out.items())
    out["refund"] = executed - int(receipt["gasUsed"])
    return out


def _probe(chain: Chain, accounts: list[LocalAccount]) -> dict[str, int]:
    """The rejected layout: an 8-slot asset minted and traded as per-slot ERC-1155 balances."""
    probe = deploy(chain, "PetraLayoutProbe", sender=accounts[0])
    seller, buyer = accounts[2], accounts[3]

    def gas(fn: Any, sender: LocalAccount) -> int:
        data = probe.encode_abi(fn.abi_element_identifier, args=fn.args)
        return int(chain.send({"to": probe.address, "data": data}, sender, what="probe")["gasUsed"])

    base = 2_000_000
    gas(probe.functions.mintAsset(seller.address, 0, 3_000, base, base + 7), seller)  # warm-up
    mint = gas(probe.functions.mintAsset(seller.address, 0, 3_000, base + 8, base + 15), seller)
    trade = gas(probe.functions.tradeCells(buyer.address, 0, 2_000, base + 8, base + 15), seller)
    return {"layout_per_slot_mint_8_slots": mint, "layout_per_slot_trade_8_slots": trade}
