"""SPB's part of the trading day: bilateral trades negotiated over the routing backbone.

Every household has an SPB consumer (deposit, smart meter with a certified key pool; the
first two meters share a group CoE) and every PV household also a producer (an energy
account opened by burn, with supply). In each slot, households with a forecast surplus sell
to households with a forecast deficit (greedy matching, capped by what is actually there,
so the meter can confirm it): each pair negotiates a price with signed offers over real
backbone processes (TCP; every third negotiation in onion mode through two hops), the
consumer signs a CTP (EIP-712), its meter signs the ERC after delivery, and each producer
settles its slot's trades in one packed batch transaction. At the end producers collect
their earnings.
"""

from __future__ import annotations

import asyncio
import secrets
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from ..kernel.chain import Chain
from ..kernel.mechanism import DayContext, DayOutcome, Flow, SlotActions, SlotState
from ..negotiation import ConcessionStrategy, Party, negotiate
from ..routing import ArbTransport, BackgroundBackbone, RegularNode
from .agents import Deal
from .market import MarketClient, Settlement
from .scenario import Population, build_population

__all__ = ["SpbDayPart", "factory", "payments_from_events"]

#: smallest trade worth a negotiation (Wh)
MIN_TRADE_WH = 20
#: (opening, reservation) in €/kWh: sellers start high and concede down, buyers the other way
SELL_EUR = (0.27, 0.12)
BUY_EUR = (0.10, 0.26)


def factory() -> SpbDayPart:
    return SpbDayPart()


def payments_from_events(
    chain: Chain, deployed: Mapping[str, str], owner_of: Mapping[str, int], *, from_block: int = 0
) -> dict[int, int]:
    """household → wei paid through SPB (> 0 paid), from ``AccountOpened`` and ``Settled`` alone:
    a household pays what its consumer addresses settled and receives what settled into the
    accounts its addresses own."""
    market = MarketClient(chain, deployed["SpbMarket"]).contract
    account_owner = {
        int(log["args"]["accountId"]): str(log["args"]["owner"]).lower()
        for log in market.events.AccountOpened().get_logs(from_block=from_block)
    }
    net: dict[int, int] = defaultdict(int)
    for log in market.events.Settled().get_logs(from_block=from_block):
        price = int(log["args"]["price"])
        buyer = owner_of.get(str(log["args"]["consumer"]).lower())
        seller = owner_of.get(account_owner.get(int(log["args"]["accountId"]), ""))
        if buyer is not None:
            net[buyer] += price
        if seller is not None:
            net[seller] -= price
    return dict(net)


class SpbDayPart:
    name = "spb"

    def __init__(self, backbone_nodes: int = 3, onion_every: int = 3) -> None:
        self.backbone_nodes = backbone_nodes
        self.onion_every = onion_every
        self.pop: Population | None = None
        self.backbone: BackgroundBackbone | None = None
        self.nodes: dict[int, RegularNode] = {}
        self.producer_of: dict[int, int] = {}  # household -> producer index
        self.household_of_account: dict[int, int] = {}
        self.paid: dict[int, int] = defaultdict(int)
        self.received: dict[int, int] = defaultdict(int)
        self.messages = 0
        self.negotiations = 0
        self.onion_negotiations = 0
        self.no_agreement = 0
        self.coe_receipts: dict[str, int] = defaultdict(int)
        self.counter = 0
        self.failures: dict[str, int] = defaultdict(int)

    # -- setup -----------------------------------------------------------------------------
    def setup(self, ctx: DayContext) -> SlotActions:
        market = MarketClient(ctx.chain, ctx.deployed["SpbMarket"])
        pv = [h.index for h in ctx.households if h.pv_kwp > 0]
        producers = [ctx.account("spb-producer", h) for h in pv]
        consumers = [ctx.account("spb-consumer", h.index) for h in ctx.households]
        pool = 1 << max(4, (ctx.n_slots - 1).bit_length())  # one one-time key per possible ERC
        deposit = ctx.tariffs.wei_per_kwh(0.30) * 40  # 40 kWh at the utility tariff: 12 € of local purchases
        self.deposit = deposit
        self.pop = build_population(
            ctx.chain,
            [ctx.operator, *producers, *consumers],
            ctx.workdir / "spb",
            market=market,
            producers=len(pv),
            consumers=len(consumers),
            pool_size=pool,
            group_size=2,
            deposit=deposit,
            supply_wh=10**9,
            rng=ctx.rng,
        )
        wh = 1000  # €/kWh → wei per Wh
        for j, h in enumerate(pv):
            self.producer_of[h] = j
            p = self.pop.producers[j]
            jitter = ctx.rng.uniform(-0.01, 0.01)
            p.rates = tuple(ctx.tariffs.wei_per_kwh(e + jitter) // wh for e in SELL_EUR)  # type: ignore[assignment]
            self.household_of_account[p.account_id] = h
            ctx.note_address(h, "spb", "producer (energy account owner)", p.address)
        for h, c in enumerate(self.pop.consumers):
            jitter = ctx.rng.uniform(-0.01, 0.01)
            c.rates = tuple(ctx.tariffs.wei_per_kwh(e + jitter) // wh for e in BUY_EUR)  # type: ignore[assignment]
            ctx.note_address(h, "spb", "consumer (CTP signer)", c.address)
        # the backbone: real node processes over TCP, one regular node per household
        self.backbone = BackgroundBackbone(self.backbone_nodes, ctx.workdir / "backbone", name="spb-day").start()
        for h in range(len(ctx.households)):
            keys = [self.pop.consumers[h].key.key]
            if h in self.producer_of:
                keys.append(self.pop.producers[self.producer_of[h]].key.key)
            self.nodes[h] = RegularNode(keys, self.backbone.addresses)
        self.backbone.gather(n.start() for n in self.nodes.values())
        return SlotActions(
            notes=[
                f"{len(pv)} producers, {len(consumers)} consumers with meters (pool {pool} keys each; meters 0 and 1 "
                f"share a group CoE), deposit {deposit / 1e18:.4f} ETH each; backbone of {self.backbone_nodes} processes"
            ]
        )

    def _run(self, coro: Any, timeout: float = 120.0) -> Any:
        assert self.backbone is not None
        return self.backbone.run(coro, timeout)

    # -- one slot --------------------------------------------------------------------------
    def _matches(self, ctx: DayContext, state: SlotState) -> list[tuple[int, int, int]]:
        """(buyer, seller, Wh): forecast-driven, capped by the actual residuals."""
        offer = {
            h: min(-s.forecast_net_wh, state.surplus(h))
            for h, s in enumerate(state.households)
            if h in self.producer_of and s.forecast_net_wh < 0 and state.surplus(h) > 0
        }
        need = {
            h: min(s.forecast_net_wh, state.deficit(h))
            for h, s in enumerate(state.households)
            if s.forecast_net_wh > 0 and state.deficit(h) > 0
        }
        matches = []
        buyers = sorted(need, key=lambda h: -need[h])
        for b in buyers:
            if not offer:
                break
            s = max(offer, key=lambda h: offer[h])
            amount = min(need[b], offer[s])
            if amount < MIN_TRADE_WH:
                continue
            matches.append((b, s, amount))
            offer[s] -= amount
            if offer[s] < MIN_TRADE_WH:
                del offer[s]
        return matches

    async def _negotiate(self, parties: list[tuple[int, int, Party, Party, int]]) -> list[Any]:
        async def one(b: int, s: int, buyer: Party, seller: Party, amount: int) -> Any:
            onion = 2 if self.onion_every and self.counter % self.onion_every == 0 else 0
            self.counter += 1
            transport = ArbTransport([self.nodes[b], self.nodes[s]], onion=onion)
            try:
                agreement = await negotiate(buyer, seller, transport, amount=amount, offer_limit=10, timeout=20)
            except Exception as exc:  # noqa: BLE001 - a failed negotiation just leaves the energy to the grid
                agreement = exc
            return agreement, transport.sent, onion

        # one key reads one inbox: a seller's negotiations run one after the other, sellers in parallel
        by_seller: dict[int, list[int]] = defaultdict(list)
        for k, p in enumerate(parties):
            by_seller[p[1]].append(k)
        results: list[Any] = [None] * len(parties)

        async def seller_queue(indices: list[int]) -> None:
            for k in indices:
                results[k] = await one(*parties[k])

        await asyncio.gather(*(seller_queue(ix) for ix in by_seller.values()))
        return results

    def on_slot(self, ctx: DayContext, state: SlotState) -> SlotActions:
        assert self.pop is not None
        pop = self.pop
        matches = self._matches(ctx, state)
        if not matches:
            return SlotActions()
        parties = []
        for b, s, amount in matches:
            c, p = pop.consumers[b], pop.producers[self.producer_of[s]]
            o, r = (x * amount for x in c.rates)
            buyer = Party(c.key.key, ConcessionStrategy.buyer(initial=o, reservation=r))
            o, r = (x * amount for x in p.rates)
            seller = Party(p.key.key, ConcessionStrategy.seller(initial=o, reservation=r))
            parties.append((b, s, buyer, seller, amount))
        results = self._run(self._negotiate(parties))
        batches: dict[int, list[Any]] = defaultdict(list)
        for (b, s, _amount), (agreement, sent, onion) in zip(matches, results, strict=True):
            self.negotiations += 1
            self.messages += sent
            self.onion_negotiations += bool(onion)
            if isinstance(agreement, BaseException):
                self.no_agreement += 1
                self.failures[type(agreement).__name__] += 1
                continue
            c, p, m = pop.consumers[b], pop.producers[self.producer_of[s]], pop.meters[b]
            deal = Deal(
                agreement.negotiation_id,
                p.account_id,
                agreement.price,
                agreement.amount,
                secrets.token_bytes(32),
                c.meter_key_for(agreement.negotiation_id),
            )
            p.remember(deal)
            ctp, signature = c.sign(deal, ttl=3 * 3600)
            receipt = m.confirm_delivery(ctp, deal)  # delivered: the buyer's meter confirms
            batches[s].append((ctp, signature, receipt, b, deal))
        actions = SlotActions()
        for s, items in batches.items():
            p = pop.producers[self.producer_of[s]]
            # fresh CTPs only: the producer checks each against its terms (accept) and settles the
            # slot's trades in one lenient packed batch, without the agent's crash-recovery look-ups
            batch = [Settlement(ctp, sig, p.accept(ctp).terms, rec) for ctp, sig, rec, _b, _d in items]
            tx = pop.market.settle_batch(batch, atomic=False, sender=p.key)
            settled = {bytes(e["ctpId"]) for e in pop.market.events(tx, "Settled")} if tx else set()
            tx_hash = "0x" + bytes(tx["transactionHash"]).hex() if tx else ""
            for ctp, _sig, rec, b, deal in items:
                if pop.market.ctp_id(ctp) not in settled:
                    continue
                self.paid[b] += deal.price
                self.received[s] += deal.price
                self.coe_receipts["0x" + rec.coe_root.hex()] += 1
                actions.flows.append(Flow("spb", state.index, s, b, deal.energy_wh, deal.price, "local", tx_hash))
        return actions

    # -- end of day ------------------------------------------------------------------------
    def finish(self, ctx: DayContext) -> DayOutcome:
        assert self.pop is not None
        collected = {}
        try:
            for h, j in self.producer_of.items():
                p = self.pop.producers[j]
                if self.pop.market.account(p.account_id).earnings:
                    collected[h] = p.collect()
        finally:
            self.close()
        payments = {h.index: self.paid.get(h.index, 0) - self.received.get(h.index, 0) for h in ctx.households}
        settled = sum(self.coe_receipts.values())
        groups = [[f"H{i:02d}" for i in g] for g in self.pop.groups]
        roots = {}
        for h, m in enumerate(self.pop.meters):
            for pool in m.meter.pools:
                if pool.root is not None:
                    roots.setdefault("0x" + pool.root.hex(), []).append(h)
        links = {
            "receipts per CoE root": [
                {
                    "coe_root": root,
                    "meters (households) behind it": ", ".join(f"H{h:02d}" for h in roots.get(root, [])),
                    "receipts (Settled events)": n,
                }
                for root, n in sorted(self.coe_receipts.items(), key=lambda kv: -kv[1])
            ],
        }
        return DayOutcome(
            f"{settled} SPB trades settled ({self.negotiations} negotiations over the backbone, "
            f"{self.onion_negotiations} in onion mode, {self.messages} messages)",
            payments_wei=payments,
            links=links,
            data={
                "negotiations": self.negotiations,
                "onion_negotiations": self.onion_negotiations,
                "messages": self.messages,
                "no_agreement": self.no_agreement,
                "failed_negotiations": dict(self.failures),
                "settled": settled,
                "collected_wei": {str(h): v for h, v in collected.items()},
                "deposit_wei": self.deposit,
                "group_coe_households": groups,
                "backbone_nodes": self.backbone_nodes,
                "account_of_household": {str(h): self.pop.producers[j].account_id for h, j in self.producer_of.items()},
            },
        )

    def close(self) -> None:
        if self.backbone is not None:
            self.backbone.close(n.close() for n in self.nodes.values())
            self.backbone = None
