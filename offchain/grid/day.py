"""The grid mechanism's part of the trading day: the community battery and the utility supply.

A storage location (the community battery, ``community-battery``) with a storage sensor and
a delivery device. Each household buys day-ahead from it (a purchase event for its forecast
import, topped up when the real import runs past it); every hour the device records a
transfer per household for what the household actually drew from the grid in that hour
(paid out of the purchase's frozen cost), and every four hours the sensor records the
battery's storage. At the end the operator cancels what was bought but not drawn (refund),
and each household's bill — built from chain events alone — goes to the day's IPFS node
(js-ipfs, Kubo RPC API) and its CID is anchored on chain by the household, then verified.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from ..kernel.chain import Chain
from ..kernel.mechanism import DayContext, DayOutcome, Flow, SlotActions, SlotState
from .bill import make_bill, verify_bills
from .client import GridClient
from .errors import BillNotFoundError
from .queue import BillQueue, QueueState
from .store import IpfsBillStore

__all__ = ["GridDayPart", "factory", "payments_from_events", "LOCATION"]

LOCATION = "community-battery"
DEVICE = "battery-inverter"
#: battery capacity and initial charge (Wh)
CAPACITY_WH = 2_000_000_000
#: day-ahead purchase = forecast import × this margin
MARGIN = 1.2


def factory() -> GridDayPart:
    return GridDayPart()


def payments_from_events(
    chain: Chain, deployed: Mapping[str, str], owner_of: Mapping[str, int], *, from_block: int = 0
) -> dict[int, int]:
    """household → wei paid for grid deliveries: ``cost`` of every ``TransferRecorded`` whose
    purchaser is one of the household's addresses."""
    grid = GridClient.at(chain, deployed["GridEvents"]).contract
    paid: dict[int, int] = defaultdict(int)
    for log in grid.events.TransferRecorded().get_logs(from_block=from_block):
        h = owner_of.get(str(log["args"]["purchaser"]).lower())
        if h is not None:
            paid[h] += int(log["args"]["cost"])
    return dict(paid)


class GridDayPart:
    name = "grid"

    def __init__(self) -> None:
        self.client: GridClient | None = None
        self.purchases: dict[int, list[list[int]]] = {}  # household -> [[purchase id, remaining Wh], ...]
        self.pending: dict[int, int] = defaultdict(int)  # Wh drawn since the last transfer
        self.hour_start: int = 0
        self.paid: dict[int, int] = defaultdict(int)
        self.available = CAPACITY_WH
        self.refunded: dict[int, int] = defaultdict(int)

    def setup(self, ctx: DayContext) -> SlotActions:
        chain, operator = ctx.chain, ctx.operator
        self.client = client = GridClient.at(chain, ctx.deployed["GridEvents"])
        self.sensor = ctx.account("grid-sensor", None)
        self.device = ctx.account("grid-device", None)
        if not client.location_registered(LOCATION):
            client.register_location(LOCATION, sender=operator)
        client.register_sensor(self.sensor.address, LOCATION, sender=operator)
        client.register_device(self.device.address, LOCATION, sender=operator)
        self.rate = ctx.tariffs.utility_wei_per_kwh
        client.set_rate(LOCATION, self.rate, sender=operator)
        client.record_storage(CAPACITY_WH, self.available, sender=self.sensor)
        deliver_by = ctx.slot_start(ctx.n_slots) + 86_400
        self.deliver_by = deliver_by
        self.purchaser = {}
        for h in ctx.households:
            purchaser = ctx.account("grid-purchaser", h.index)
            self.purchaser[h.index] = purchaser
            ctx.note_address(h.index, "grid", "purchaser (bill owner)", purchaser.address)
            quantity = max(1_000, round(h.day_ahead_import_wh * MARGIN))
            client.ledger.deposit(client.cost_of(quantity * 3, self.rate) + 10**12, sender=purchaser)
            self._buy(h.index, quantity)
        self.hour_start = ctx.slot_start(0)
        return SlotActions(notes=[f"battery {CAPACITY_WH / 1e6:,.0f} kWh at {LOCATION}, rate {self.rate:,} wei/kWh"])

    def _buy(self, h: int, quantity: int) -> None:
        assert self.client is not None
        purchaser = self.purchaser[h]
        pid = self.client.purchaser_counts(purchaser.address).purchases
        self.client.record_purchase(LOCATION, quantity, self.deliver_by, sender=purchaser)
        self.purchases.setdefault(h, []).append([pid, quantity])
        self.available -= quantity

    def on_slot(self, ctx: DayContext, state: SlotState) -> SlotActions:
        actions = SlotActions()
        for h in range(len(state.households)):
            need = state.deficit(h)
            if need:
                self.pending[h] += need
                # the amount is paid on chain in the hour's transfer (rounded there); shown here at the rate
                actions.flows.append(
                    Flow("grid", state.index, None, h, need, need * self.rate // 1000, "grid_import", "")
                )
        if state.index % 4 == 3 or state.index == ctx.n_slots - 1:
            self._transfer_hour(ctx, state)
            if state.index % 16 == 15:
                assert self.client is not None
                self.client.record_storage(CAPACITY_WH, self.available, sender=self.sensor)
        return actions

    def _transfer_hour(self, ctx: DayContext, state: SlotState) -> None:
        assert self.client is not None
        start, end = self.hour_start, max(state.start + 1, self.hour_start + 1)
        for h, wh in sorted(self.pending.items()):
            while wh > 0:
                open_ = [p for p in self.purchases[h] if p[1] > 0]
                if not open_:
                    self._buy(h, max(wh, 1_000))
                    continue
                pid, remaining = open_[0]
                amount = min(wh, remaining)
                receipt = self.client.record_transfer(
                    self.purchaser[h].address, pid, DEVICE, amount, start, end, sender=self.device
                )
                for event in self.client.contract.events.TransferRecorded().process_receipt(receipt):
                    self.paid[h] += int(event["args"]["cost"])
                open_[0][1] -= amount
                wh -= amount
        self.pending.clear()
        self.hour_start = end

    @staticmethod
    def _verify(client: GridClient, store: IpfsBillStore, purchaser: str, cid: str, wait: float = 15.0) -> list[Any]:
        """Verify the purchaser's anchored bills; a node whose state trails its receipts (EthereumJS)
        gets up to ``wait`` seconds to show the new anchoring."""
        deadline = time.monotonic() + wait
        while True:
            try:
                checks = verify_bills(client, store, purchaser)
            except BillNotFoundError:
                checks = []
            if (checks and all(c.ok for c in checks) and cid in {c.cid for c in checks}) or time.monotonic() > deadline:
                return checks
            time.sleep(0.5)

    def finish(self, ctx: DayContext) -> DayOutcome:
        assert self.client is not None
        client = self.client
        for h, purchases in self.purchases.items():
            for pid, remaining in purchases:
                if remaining > 0:
                    receipt = client.cancel_purchase(self.purchaser[h].address, LOCATION, pid, sender=ctx.operator)
                    for event in client.contract.events.PurchaseCancelled().process_receipt(receipt):
                        self.refunded[h] += int(event["args"]["refund"])
        store = IpfsBillStore(ctx.ipfs_api())
        queue = BillQueue(ctx.workdir / "bill-queue")
        bills = []
        unbilled = []
        for h, purchaser in self.purchaser.items():
            if not self.paid.get(h):
                unbilled.append(h)  # nothing delivered from the grid: nothing to bill (a bill needs a transfer)
                continue
            doc, entry = make_bill(client, purchaser, store, queue)
            checks = self._verify(client, store, purchaser.address, entry.cid)
            bills.append(
                {
                    "household": h,
                    "purchaser": purchaser.address,
                    "cid": entry.cid,
                    "anchor_tx": entry.tx_hash or "",
                    "anchored": entry.state is QueueState.ANCHORED,
                    "verified": all(c.ok for c in checks) and entry.cid in {c.cid for c in checks},
                    "check": "; ".join(f"{c.status}: {c.detail}" for c in checks),
                    "delivered_wh": doc["totals"]["delivered_wh"],
                    "paid_wei": doc["totals"]["paid"],
                    "refunded_wei": doc["totals"]["refunded"],
                }
            )
        verified = sum(b["verified"] for b in bills)
        links: dict[str, Any] = {}
        return DayOutcome(
            f"{len(bills)} household bills on IPFS, anchored ({verified} verified)",
            payments_wei={h: self.paid.get(h, 0) for h in self.purchaser},
            bills=bills,
            links=links,
            data={
                "location": LOCATION,
                "rate_wei_per_kwh": self.rate,
                "ipfs_api": ctx.ipfs_api(),
                "refunded_wei": {str(h): v for h, v in self.refunded.items()},
                "not_billed_no_delivery": unbilled,
                "sensor": self.sensor.address,
                "device": self.device.address,
            },
        )
