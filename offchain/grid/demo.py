"""The grid mechanism's part of the demo: events, bills in the embedded store, anchoring, verification, cost table."""

from __future__ import annotations

import time
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount
from rich.console import Console
from rich.table import Table

from ..kernel.chain import Chain
from ..kernel.crypto import keccak256
from ..kernel.mechanism import DemoContext, DemoOutcome
from .bill import make_bill, verify_bills
from .client import GridClient
from .deploy import deploy
from .gasreport import print_cost_table
from .queue import BillQueue, QueueState
from .store import LocalBillStore

__all__ = ["run", "run_households", "HOUSEHOLDS"]

#: (location, sensor capacity Wh, available Wh, rate wei/kWh, purchases Wh, device name)
HOUSEHOLDS = [
    ("north-feeder", 80_000_000, 60_000_000, 15 * 10**13, [4_000, 2_500], "smart-meter-n1"),
    ("east-feeder", 50_000_000, 35_000_000, 18 * 10**13, [6_000], "smart-meter-e1"),
    ("south-feeder", 120_000_000, 90_000_000, 12 * 10**13, [3_200, 1_100, 900], "smart-meter-s1"),
]
#: what each purchaser deposits into the grid's ledger before buying (wei)
DEPOSIT = 10**16
#: what the operator sends each delivery device for its gas (wei)
DEVICE_GAS_MONEY = 10**16


def run(ctx: DemoContext) -> DemoOutcome:
    """Demo part: the households below on ``ctx.chain``, against the deployed ``GridEvents``."""
    rows = run_households(ctx.chain, list(ctx.keys), ctx.console, grid_address=ctx.deployed.get("GridEvents"))
    return DemoOutcome(f"{len(rows)} household bills anchored and verified", {"households": rows})


def run_households(
    chain: Chain, accounts: list[LocalAccount], console: Console, grid_address: str | None = None
) -> list[dict[str, Any]]:
    """Record events for a few households, bill them, anchor and verify; one summary row each.

    ``accounts``: funded local accounts; the first is the grid operator, then per household
    a storage sensor and a purchaser (7 accounts for the 3 households); each location's
    delivery device is a key of its own (a separate role from the sensor), funded by the
    operator for its gas. Purchases are paid in ether through the grid's funds ledger. Bills
    go to the embedded content-addressed store (no IPFS daemon needed).
    """
    operator = accounts[0]
    address = grid_address or deploy(chain, operator, {})["GridEvents"]
    client = GridClient.at(chain, address)
    store = LocalBillStore()
    queue = BillQueue()
    gas: dict[str, list[int]] = {}

    def note(op: str, receipt: Any) -> Any:
        gas.setdefault(op, []).append(int(receipt["gasUsed"]))
        return receipt

    rows = []
    now = int(time.time())
    head = int(chain.w3.eth.get_block("latest")["timestamp"])
    for i, (location, capacity, available, rate, purchases, device_name) in enumerate(HOUSEHOLDS):
        sensor, purchaser = accounts[1 + 2 * i], accounts[2 + 2 * i]
        device = Account.from_key(keccak256(f"gridledger-demo/delivery-device/{location}".encode()))
        if not client.location_registered(location):
            client.register_location(location, sender=operator)
            chain.send({"to": device.address, "value": DEVICE_GAS_MONEY}, operator, what="fund the delivery device")
        client.register_sensor(sensor.address, location, sender=operator)
        client.register_device(device.address, location, sender=operator)
        client.set_rate(location, rate, sender=operator)
        note("storage_event", client.record_storage(capacity, available, sender=sensor))
        client.ledger.deposit(DEPOSIT, sender=purchaser)
        first_id = client.purchaser_counts(purchaser.address).purchases
        for k, quantity in enumerate(purchases):
            note("purchase_event", client.record_purchase(location, quantity, head + 86_400, sender=purchaser))
            start = now - 3600 * (len(purchases) - k)
            note(
                "transfer_event",
                client.record_transfer(
                    purchaser.address, first_id + k, device_name, quantity, start, start + 3000, sender=device
                ),
            )
        doc, entry = make_bill(client, purchaser, store, queue)
        if entry.tx_hash:
            note("bill_anchor", chain.w3.eth.get_transaction_receipt(entry.tx_hash))
        checks = verify_bills(client, store, purchaser.address)
        rows.append(
            {
                "purchaser": purchaser.address,
                "location": location,
                "purchases": len(doc["purchases"]),
                "delivered_wh": doc["totals"]["delivered_wh"],
                "paid_wei": doc["totals"]["paid"],
                "bill_cid": entry.cid,
                "anchored": entry.state is QueueState.ANCHORED,
                "verified": all(c.ok for c in checks) and entry.cid in {c.cid for c in checks},
            }
        )
    _print(console, rows, gas)
    return rows


def _print(console: Console, rows: list[dict[str, Any]], gas: dict[str, list[int]]) -> None:
    table = Table(title="grid bills (embedded content-addressed store, CIDs anchored on chain)")
    for col in ("purchaser", "location", "delivered Wh", "paid (ETH)", "bill CID", "anchored", "verified"):
        table.add_column(col)
    for r in rows:
        table.add_row(
            r["purchaser"],
            r["location"],
            f"{r['delivered_wh']:,}",
            f"{r['paid_wei'] / 1e18:.6f}",
            r["bill_cid"],
            "yes" if r["anchored"] else "no",
            "yes" if r["verified"] else "NO",
        )
    console.print(table)
    measured = {op: max(values) for op, values in gas.items()}
    print_cost_table(console, measured, title="grid events: measured gas and cost (paper's table)")
