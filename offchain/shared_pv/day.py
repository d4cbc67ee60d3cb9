"""The shared-PV part of the trading day: co-owners of an apartment building's PV plant shift portions.

The community's :class:`~offchain.kernel.mechanism.SharedPlant` (about a third of the
households, at least two, co-own a plant; their ``pv_wh`` include their default-key share
of its output) becomes a ``SharedPvPlant``: in ``setup`` the consortium (the day's operator,
governor of the deployment's ``SharedPvRegistry``) creates it with the owners' accounts and
the default key — one transaction that admits them all. Its slot clock runs on the day's
chain time (plant slot of day slot ``i`` = the local quarter hour of that slot).

Every hour (day slots 0, 4, 8, …) the owners' agents look at the next four slots, which are
still in the future (past and current slots are immutable on chain), with their forecasts:
an owner whose forecast portion of the plant exceeds its forecast need (load minus its own
rooftop PV) in every one of them gives the smallest spare (in basis points) to the co-owner
with the largest forecast deficit — **one** ``movePortions`` transaction for the four-slot
range per matched pair. Night hours (no forecast output) send nothing.

When a slot with a transferred portion comes, the part delivers
``min(transferred Wh, giver's surplus, receiver's deficit)`` as a local :class:`Flow`
(giver → receiver, ``amount_wei`` 0: no money moves on chain — the clearing server bills)
and records any difference. The part runs first in the day (registry order): a co-owner's
portion is its own generation behind the building's connection, so it is settled before
any market sees the residuals. In ``finish`` the clearing server
(:mod:`offchain.shared_pv.clearing`) rebuilds every slot's portions from the plant's events
and bills each owner (its metered consumption — load minus its own rooftop PV — against the
plant's generation, at the day's utility and feed-in tariffs); the bills go to the day's
data (``DayOutcome.data``), not to IPFS.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from eth_account.signers.local import LocalAccount

from ..common.slots import SLOT_SECONDS, SlotConfig
from ..kernel.chain import Chain
from ..kernel.errors import TransactionFailedError
from ..kernel.mechanism import DayContext, DayOutcome, Flow, SharedPlant, SlotActions, SlotState
from .clearing import Tariff, bill_day, portions_from_events
from .client import FULL_BP, OwnerShare, PlantClient, PortionsTransferred, RegistryClient

__all__ = ["SharedPvDayPart", "factory", "payments_from_events", "PLAN_EVERY", "MIN_TRANSFER_BP"]

#: the agents plan every this many slots, for the next this many slots (one range transfer per pair)
PLAN_EVERY = 4
#: smallest portion worth a transaction (basis points)
MIN_TRANSFER_BP = 50
#: off anvil, slots this many beyond the head's are still future when a transfer is mined
FUTURE_MARGIN = 2


def factory() -> SharedPvDayPart:
    return SharedPvDayPart()


def payments_from_events(
    chain: Chain, deployed: Mapping[str, str], owner_of: Mapping[str, int], *, from_block: int = 0
) -> dict[int, int]:
    """Always ``{}``: the plant holds portions, not money — no wei moves through shared PV on
    chain (``PortionsTransferred`` carries basis points; the clearing server bills off chain)."""
    return {}


class SharedPvDayPart:
    name = "shared_pv"

    def __init__(self) -> None:
        self.plant: SharedPlant | None = None
        self.client: PlantClient | None = None
        self.accounts: dict[int, LocalAccount] = {}
        self.household_of: dict[str, int] = {}
        self.base_slot = 0
        self.from_block = 0
        #: day slot index -> [(giver, receiver, bp, tx)]
        self.incoming: dict[int, list[tuple[int, int, int, str]]] = {}
        self.transfers: list[dict[str, Any]] = []
        self.deliveries: list[dict[str, Any]] = []
        self.refused: list[str] = []
        #: household -> day slot index -> Wh its building meter saw (load minus its own rooftop PV)
        self.metered: dict[int, dict[int, int]] = {}
        self.local_time: dict[int, str] = {}
        #: wall-clock seconds this part took, per phase (what it adds to the day)
        self.seconds = {"setup": 0.0, "slots": 0.0, "finish": 0.0}

    # -- setup -------------------------------------------------------------------------------
    def setup(self, ctx: DayContext) -> SlotActions:
        started = time.monotonic()
        try:
            return self._setup(ctx)
        finally:
            self.seconds["setup"] += time.monotonic() - started

    def _setup(self, ctx: DayContext) -> SlotActions:
        plant = ctx.shared_plant
        if plant is None or len(plant.owners) < 2:
            return SlotActions(notes=["no shared PV plant in this community"])
        self.plant = plant
        for h in plant.owners:
            account = ctx.account("shared_pv-owner", h)
            self.accounts[h] = account
            self.household_of[account.address.lower()] = h
            ctx.note_address(h, "shared_pv", "plant co-owner", account.address)
            self.metered[h] = {}
        midnight = int(dt.datetime.combine(plant.date, dt.time(0), ZoneInfo(plant.zone)).timestamp())
        epoch = midnight + plant.first_slot * SLOT_SECONDS
        config = SlotConfig(zone=plant.zone, genesis=ctx.slot_start(0), epoch=epoch, slot_seconds=ctx.slot_seconds)
        self.base_slot = epoch // SLOT_SECONDS
        self.from_block = int(ctx.chain.w3.eth.block_number)
        registry = RegistryClient(ctx.chain, ctx.deployed["SharedPvRegistry"])
        owners = [OwnerShare(self.accounts[h].address, bp) for h, bp in zip(plant.owners, plant.key_bp, strict=True)]
        self.client = registry.create_plant(owners, sender=ctx.operator, clock=config)
        key = ", ".join(f"H{h:02d} {bp / 100:.2f} %" for h, bp in zip(plant.owners, plant.key_bp, strict=True))
        return SlotActions(notes=[f"shared plant {plant.kwp:g} kWp at {self.client.address}, default key {key}"])

    # -- slots -------------------------------------------------------------------------------
    def on_slot(self, ctx: DayContext, state: SlotState) -> SlotActions:
        started = time.monotonic()
        try:
            return self._on_slot(ctx, state)
        finally:
            self.seconds["slots"] += time.monotonic() - started

    def _on_slot(self, ctx: DayContext, state: SlotState) -> SlotActions:
        actions = SlotActions()
        plant = self.plant
        if plant is None:
            return actions
        i = state.index
        self.local_time[i] = state.local_time
        parts = plant.split(plant.generation_wh[i])
        for k, h in enumerate(plant.owners):
            own_pv = state.households[h].pv_wh - parts[k]
            self.metered[h][i] = max(0, state.households[h].load_wh - own_pv)
        residual = list(state.residual_wh)
        for giver, receiver, bp, tx in self.incoming.pop(i, []):
            transferred = plant.generation_wh[i] * bp // FULL_BP
            delivered = max(0, min(transferred, -residual[giver], residual[receiver]))
            self.deliveries.append(
                {
                    "slot": i,
                    "time": state.local_time,
                    "giver": giver,
                    "receiver": receiver,
                    "bp": bp,
                    "transferred_wh": transferred,
                    "delivered_wh": delivered,
                    "shortfall_wh": transferred - delivered,
                    "tx": tx,
                }
            )
            if delivered:
                residual[giver] += delivered
                residual[receiver] -= delivered
                actions.flows.append(Flow(self.name, i, giver, receiver, delivered, 0, "local", tx))
        if i % PLAN_EVERY == 0:
            self._plan(ctx, i, actions)
        return actions

    def _plan(self, ctx: DayContext, i: int, actions: SlotActions) -> None:
        """Give spare portions of the next slots (future: changeable) to co-owners short of them."""
        plant, client = self.plant, self.client
        assert plant is not None and client is not None
        first, last = i + 1, min(i + PLAN_EVERY, ctx.n_slots - 1)
        if ctx.network != "anvil":
            # a compressed day's chain time runs ahead of the loop's slots: plan only slots still
            # future when the transfer is mined (a couple of blocks from now); read from the head's
            # time (EthereumJS may answer calls against an older state than its receipts show)
            now = int(ctx.chain.w3.eth.get_block("latest")["timestamp"])
            first = max(first, (now - ctx.slot_start(0)) // ctx.slot_seconds + 1 + FUTURE_MARGIN)
        block = range(first, last + 1)
        if not block or not all(plant.forecast_wh[t] for t in block):
            return  # nothing left to plan, or the sun is not up in all of them
        spare: dict[int, int] = {}
        need: dict[int, int] = {}
        for k, h in enumerate(plant.owners):
            margins = []
            for t in block:
                portion = plant.split(plant.forecast_wh[t])[k]
                margins.append((portion - plant.owner_forecast_net_wh[k][t]) * FULL_BP // plant.forecast_wh[t])
            if min(margins) > 0:
                spare[h] = min(min(margins), plant.key_bp[k])
            elif max(margins) < 0:
                need[h] = -max(margins)
        while spare and need:
            giver = max(spare, key=lambda h: (spare[h], -h))
            receiver = max(need, key=lambda h: (need[h], -h))
            bp = min(spare.pop(giver), need.pop(receiver))
            if bp < MIN_TRANSFER_BP:
                break
            try:
                receipt = client.transfer(
                    self.accounts[receiver].address,
                    self.base_slot + block.start,
                    self.base_slot + block.stop - 1,
                    bp,
                    sender=self.accounts[giver],
                )
            except TransactionFailedError as exc:
                self.refused.append(f"slot {i}: H{giver:02d} → H{receiver:02d} {bp} bp refused: {exc}")
                actions.notes.append(self.refused[-1])
                continue
            tx = "0x" + bytes(receipt["transactionHash"]).hex()
            self.transfers.append(
                {
                    "in_slot": i,
                    "giver": giver,
                    "receiver": receiver,
                    "first_slot": block.start,
                    "last_slot": block.stop - 1,
                    "bp": bp,
                    "gas": int(receipt["gasUsed"]),
                    "tx": tx,
                }
            )
            for t in block:
                self.incoming.setdefault(t, []).append((giver, receiver, bp, tx))

    # -- finish ------------------------------------------------------------------------------
    def finish(self, ctx: DayContext) -> DayOutcome:
        started = time.monotonic()
        outcome = self._finish(ctx)
        self.seconds["finish"] = time.monotonic() - started
        data = {**outcome.data, "seconds": {k: round(v, 2) for k, v in self.seconds.items()}}
        return DayOutcome(outcome.summary, outcome.gas, outcome.payments_wei, outcome.bills, outcome.links, data)

    def _finish(self, ctx: DayContext) -> DayOutcome:
        plant, client = self.plant, self.client
        if plant is None or client is None:
            return DayOutcome("no shared PV plant in this community")
        slots = range(self.base_slot, self.base_slot + ctx.n_slots)
        address = {h: self.accounts[h].address for h in plant.owners}
        consumption = {address[h]: {self.base_slot + i: wh for i, wh in m.items()} for h, m in self.metered.items()}
        generation = {self.base_slot + i: wh for i, wh in enumerate(plant.generation_wh)}
        tariff = Tariff(
            grid_price_per_kwh=Decimal(str(ctx.tariffs.utility_eur_per_kwh)),
            feed_in_price_per_kwh=Decimal(str(ctx.tariffs.feed_in_eur_per_kwh)),
        )
        # the clearing server bills from the plant's events alone; the day's last slot is the
        # chain's current slot, whose portions the contract already refuses to change
        events = client.history(self.from_block)
        bill = bill_day(events, client.clock, plant.date, consumption, generation, tariff, slots=slots)
        portions = portions_from_events(events, slots)
        per_slot = {
            str(s - self.base_slot): {f"H{self.household_of[o.lower()]:02d}": bp for o, bp in row.items()}
            for s, row in portions.items()
        }
        bills = []
        for h in plant.owners:
            t = bill.totals[address[h]]
            bills.append(
                {
                    "household": h,
                    "owner": address[h],
                    "consumption_wh": str(t.consumption_wh),
                    "plant_wh": str(t.allocated_wh),
                    "grid_wh": str(t.grid_wh),
                    "fed_in_wh": str(t.surplus_wh),
                    "grid_eur": str(bill.money(t.grid_cost)),
                    "feed_in_eur": str(bill.money(t.feed_in_credit)),
                    "net_eur": str(bill.money(t.net)),
                }
            )
        on_chain = [e for e in events if isinstance(e, PortionsTransferred)]
        delivered = sum(d["delivered_wh"] for d in self.deliveries)
        transferred = sum(d["transferred_wh"] for d in self.deliveries)
        links = {
            "shared PV portion transfers (co-owners linked by the plant)": [
                {"giver": f"H{x['giver']:02d}", "receiver": f"H{x['receiver']:02d}", "bp": x["bp"], "tx": x["tx"]}
                for x in self.transfers
            ]
        }
        return DayOutcome(
            f"{len(self.transfers)} portion transfers among {len(plant.owners)} co-owners, "
            f"{delivered:,} of {transferred:,} Wh delivered, {len(bills)} owners billed by the clearing server",
            payments_wei={},
            links=links if self.transfers else {},
            data={
                "plant": client.address,
                "kwp": plant.kwp,
                "owners": list(plant.owners),
                "owner_addresses": {str(h): a for h, a in address.items()},
                "default_key_bp": list(plant.key_bp),
                "base_slot": self.base_slot,
                "generation_wh": list(plant.generation_wh),
                "transfers": self.transfers,
                "transfer_events": len(on_chain),
                "deliveries": self.deliveries,
                "delivered_wh": delivered,
                "transferred_wh": transferred,
                "shortfall_wh": transferred - delivered,
                "refused": self.refused,
                "portions": per_slot,
                "bills": bills,
                "bill_csv": bill.to_csv(),
            },
        )
