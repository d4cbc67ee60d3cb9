"""Gas of the grid events (``gridledger gas --only grid``) and the paper's cost table.

:func:`measure` runs one household's cycle on a fresh chain and returns the gas used by
each event type; :func:`cost_table` turns measured gas into the paper's table: cost at
3, 4.5 and 20 gwei and how many such transactions fit in a day at a given block gas
limit and block time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..kernel.chain import Chain
from ..kernel.errors import ContractError
from .cid import cid_of, cid_to_digest
from .client import GridClient
from .deploy import deploy

__all__ = ["measure", "cost_table", "CostRow", "PAPER_GWEI", "PAPER_GAS", "print_cost_table"]

#: Gas prices of the paper's table (slow, medium, fast), in gwei.
PAPER_GWEI = (3.0, 4.5, 20.0)
#: The paper's push transaction gas limit.
PAPER_GAS = 54_246


#: the bench pins the chain's clock here, so that delivery deadlines are fixed calldata
CHAIN_START = 2_000_000_000
RATE = 123_456  # payment-asset units (wei) per kWh


def measure(chain: Chain, accounts: list[Any]) -> dict[str, int]:
    """Gas used per event type by one household on ``chain`` (fresh GridEvents, paid in ether)."""
    operator, sensor, device, purchaser = accounts[:4]
    if int(chain.w3.eth.get_block("latest")["timestamp"]) < CHAIN_START:
        chain.w3.provider.make_request("evm_setNextBlockTimestamp", [CHAIN_START])  # type: ignore[arg-type]
    address = deploy(chain, operator, {})["GridEvents"]
    client = GridClient.at(chain, address)
    gas: dict[str, int] = {"deploy": int(chain.w3.eth.get_transaction_receipt(_deploy_tx(chain, address))["gasUsed"])}
    client.register_location("measure-grid", sender=operator)
    gas["register_sensor"] = _gas(client.register_sensor(sensor.address, "measure-grid", sender=operator))
    gas["register_device"] = _gas(client.register_device(device.address, "measure-grid", sender=operator))
    gas["set_rate"] = _gas(client.set_rate("measure-grid", RATE, sender=operator))
    gas["storage_event"] = _gas(client.record_storage(50_000_000, 40_000_000, sender=sensor))
    gas["storage_event_update"] = _gas(client.record_storage(50_000_000, 39_500_000, sender=sensor))
    client.ledger.deposit(10**18, sender=purchaser)
    deadline = CHAIN_START + 86_400
    gas["purchase_event"] = _gas(client.record_purchase("measure-grid", 4_200, deadline, sender=purchaser))
    gas["purchase_event_repeat"] = _gas(client.record_purchase("measure-grid", 1_800, deadline, sender=purchaser))
    gas["transfer_event"] = _gas(
        client.record_transfer(purchaser.address, 0, "inverter-7", 2_100, 1_700_000_000, 1_700_003_600, sender=device)
    )
    gas["cancel_purchase"] = _gas(client.cancel_purchase(purchaser.address, "measure-grid", 1, sender=operator))
    gas["bill_anchor"] = _gas(client.anchor_bill(cid_to_digest(cid_of(b"measure bill 1\n")), sender=purchaser))
    gas["bill_anchor_repeat"] = _gas(client.anchor_bill(cid_to_digest(cid_of(b"measure bill 2\n")), sender=purchaser))
    return gas


def _gas(receipt: Any) -> int:
    return int(receipt["gasUsed"])


def _deploy_tx(chain: Chain, address: str) -> Any:
    # the deployment is the latest contract creation: scan back from the head
    for number in range(chain.w3.eth.block_number, -1, -1):
        for tx in chain.w3.eth.get_block(number, full_transactions=True)["transactions"]:
            receipt = chain.w3.eth.get_transaction_receipt(tx["hash"])
            if receipt.get("contractAddress") == address:
                return tx["hash"]
    raise ContractError(f"no deployment of {address} found")


@dataclass(frozen=True)
class CostRow:
    operation: str
    gas: int
    eth_at: tuple[float, ...]  # cost in ETH at each gas price
    tx_per_day: int  # fitting in blocks of `block_gas_limit` every `block_time` seconds


def cost_table(
    gas: dict[str, int],
    *,
    gwei: tuple[float, ...] = PAPER_GWEI,
    block_gas_limit: int = 30_000_000,
    block_time: float = 12.0,
) -> list[CostRow]:
    """The paper's cost table for measured ``gas`` (operation → gas used)."""
    blocks_per_day = 86_400 / block_time
    rows = []
    for op, used in gas.items():
        rows.append(
            CostRow(
                operation=op,
                gas=int(used),
                eth_at=tuple(used * g * 1e-9 for g in gwei),
                tx_per_day=int((block_gas_limit // used) * blocks_per_day),
            )
        )
    return rows


def print_cost_table(
    console: Any,
    gas: dict[str, int],
    *,
    gwei: tuple[float, ...] = PAPER_GWEI,
    block_gas_limit: int = 30_000_000,
    block_time: float = 12.0,
    title: str | None = None,
) -> list[CostRow]:
    """Print (rich) the cost table, with the paper's 54,246-gas push transaction for reference."""
    from rich.table import Table

    rows = cost_table(
        {**gas, "paper push tx (gas limit)": PAPER_GAS},
        gwei=gwei,
        block_gas_limit=block_gas_limit,
        block_time=block_time,
    )
    table = Table(title=title or f"gas cost (block gas limit {block_gas_limit:,}, block time {block_time:g} s)")
    table.add_column("transaction")
    table.add_column("gas used", justify="right")
    for g in gwei:
        table.add_column(f"ETH @ {g:g} gwei", justify="right")
    table.add_column("tx/day", justify="right")
    for row in rows:
        table.add_row(row.operation, f"{row.gas:,}", *(f"{c:.6f}" for c in row.eth_at), f"{row.tx_per_day:,}")
    console.print(table)
    return rows
