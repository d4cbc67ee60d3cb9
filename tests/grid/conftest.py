"""Fixtures of the grid tests: role-named accounts, a GridEvents with two registered
locations, their storage sensors and delivery devices, a rate, a funded purchaser, and
factories for the paper's events."""

from __future__ import annotations

import pytest

from offchain.grid.client import label32

from tests.grid.helpers import AVAILABLE, CAPACITY, DEPOSIT, ETHER, LOC, OTHER_LOCATION, RATE, START


@pytest.fixture(autouse=True)
def isolation(fn_isolation):
    pass


@pytest.fixture(scope="module")
def operator(accounts):
    return accounts[0]


@pytest.fixture(scope="module")
def sensor(accounts):
    return accounts[1]


@pytest.fixture(scope="module")
def device(accounts):
    return accounts[2]


@pytest.fixture(scope="module")
def purchaser(accounts):
    return accounts[3]


@pytest.fixture(scope="module")
def stranger(accounts):
    return accounts[4]


@pytest.fixture(scope="module")
def other_sensor(accounts):
    return accounts[5]


@pytest.fixture(scope="module")
def other_device(accounts):
    return accounts[6]


@pytest.fixture(scope="module")
def grid(GridEvents, operator, sensor, device, other_sensor, other_device, purchaser, stranger):
    """GridEvents (ether) with `north-feeder` (sensor, device, rate) and `east-feeder`
    (other_sensor, other_device); the purchaser and the stranger have deposited."""
    g = GridEvents.deploy(operator, ETHER, {"from": operator})
    east = label32(OTHER_LOCATION)
    g.registerLocation(LOC, {"from": operator})
    g.registerLocation(east, {"from": operator})
    g.registerSensor(sensor, LOC, {"from": operator})
    g.registerDevice(device, LOC, {"from": operator})
    g.registerSensor(other_sensor, east, {"from": operator})
    g.registerDevice(other_device, east, {"from": operator})
    g.setRate(LOC, RATE, {"from": operator})
    for who in (purchaser, stranger):
        g.deposit(DEPOSIT, {"from": who, "value": DEPOSIT})
    return g


@pytest.fixture
def record_storage(grid, sensor):
    def make(capacity=CAPACITY, available=AVAILABLE, by=sensor):
        return grid.recordStorage(capacity, available, {"from": by})

    return make


@pytest.fixture
def deadline(chain):
    """A delivery deadline one hour ahead."""
    return lambda seconds=3_600: chain[-1].timestamp + seconds


@pytest.fixture
def record_purchase(grid, purchaser, deadline):
    def make(quantity=4_000, by=purchaser, location=LOC, deliver_by=None):
        return grid.recordPurchase(location, quantity, deliver_by or deadline(), {"from": by})

    return make


@pytest.fixture
def record_transfer(grid, device, purchaser):
    def make(amount=4_000, purchase_id=0, start=START, end=START + 3_600, to=purchaser, by=device, name="meter-1"):
        return grid.recordTransfer(to, purchase_id, label32(name), amount, start, end, {"from": by})

    return make


@pytest.fixture
def delivered(record_storage, record_purchase, record_transfer):
    """Storage, purchase and transfer recorded for the purchaser: a bill may be anchored."""
    record_storage()
    record_purchase()
    record_transfer()
