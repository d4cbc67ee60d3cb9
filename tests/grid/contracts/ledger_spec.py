"""How the shared funds tests (tests/common) drive GridEvents' ledger: a purchase freezes its
cost. The rate is 1,000 units per kWh, so a purchase of N Wh freezes exactly N."""

from __future__ import annotations

import brownie

from tests.common.ledger_harness import LedgerSpec

LOCATION = b"ledger-test".ljust(32, b"\0")


def _deploy(project, governor, asset):
    grid = project.GridEvents.deploy(governor, asset, {"from": governor})
    sensor = brownie.accounts[9]
    grid.registerLocation(LOCATION, {"from": governor})
    grid.registerSensor(sensor, LOCATION, {"from": governor})
    grid.setRate(LOCATION, 1_000, {"from": governor})
    grid.recordStorage(2**63, 2**63, {"from": sensor})
    return grid


def _freeze(grid, who, amount: int) -> None:
    deliver_by = brownie.chain[-1].timestamp + 3_600
    grid.recordPurchase(LOCATION, amount, deliver_by, {"from": who})


SPEC = LedgerSpec(name="grid", deploy=_deploy, freeze=_freeze)
