"""Storage events: only a location's storage sensor records them; the rate is the operator's."""

from eth_utils import keccak

from tests.grid.helpers import AVAILABLE, CAPACITY, LOC, RATE, reverts

GOVERNOR_ROLE = keccak(text="GOVERNOR_ROLE")


def test_a_sensor_records_the_storage_of_its_location_and_gets_the_count(grid, sensor, record_storage):
    tx = record_storage()
    assert tx.return_value == 1
    assert record_storage(available=AVAILABLE - 5).return_value == 2
    assert grid.storageCount(LOC) == 2
    capacity, available, rate, count, registered = grid.locationOf(LOC)
    assert (capacity, available, rate, count, registered) == (CAPACITY, AVAILABLE - 5, RATE, 2, True)


def test_the_storage_event_carries_the_full_record_with_the_operators_rate(grid, sensor, record_storage):
    event = record_storage().events["StorageRecorded"]
    assert event["location"] == "0x" + LOC.hex()
    assert event["sensor"] == sensor
    assert (event["capacityWh"], event["availableWh"], event["ratePerKWh"]) == (CAPACITY, AVAILABLE, RATE)
    assert event["storageCount"] == 1


def test_a_stranger_cannot_record_storage(stranger, record_storage):
    with reverts("GridSensorNotRegistered", stranger.address):
        record_storage(by=stranger)


def test_a_delivery_device_cannot_record_storage(device, record_storage):
    """Roles: a device that delivers energy must not also rewrite the storage it sells from."""
    with reverts("GridSensorNotRegistered", device.address):
        record_storage(by=device)


def test_a_revoked_sensor_cannot_record_storage(grid, operator, sensor, record_storage):
    grid.revokeSensor(sensor, {"from": operator})
    with reverts("GridSensorNotRegistered", sensor.address):
        record_storage()


def test_available_storage_above_capacity_is_refused(record_storage):
    with reverts("GridStorageExceedsCapacity", CAPACITY + 1, CAPACITY):
        record_storage(available=CAPACITY + 1)


def test_zero_capacity_is_refused(record_storage):
    with reverts("GridZeroCapacity"):
        record_storage(capacity=0, available=0)


def test_only_the_operator_sets_rates(grid, operator, sensor, stranger):
    """Roles: a sensor reports storage, it cannot set the price."""
    for who in (sensor, stranger):
        with reverts("AccessControlUnauthorizedAccount", who.address, GOVERNOR_ROLE):
            grid.setRate(LOC, 1, {"from": who})
    with reverts("GridZeroRate", LOC):
        grid.setRate(LOC, 0, {"from": operator})
    tx = grid.setRate(LOC, 7, {"from": operator})
    assert tx.events["GridRateSet"]["ratePerKWh"] == 7
    assert grid.locationOf(LOC)[2] == 7


def test_only_the_operator_registers_locations_sensors_and_devices(grid, stranger):
    for call in (
        lambda: grid.registerSensor(stranger, LOC, {"from": stranger}),
        lambda: grid.registerDevice(stranger, LOC, {"from": stranger}),
        lambda: grid.registerLocation(b"x".ljust(32, b"\0"), {"from": stranger}),
        lambda: grid.setPayee(stranger, {"from": stranger}),
    ):
        with reverts("AccessControlUnauthorizedAccount", stranger.address, GOVERNOR_ROLE):
            call()


def test_an_address_holds_one_role_only(grid, operator, sensor, device):
    with reverts("GridRoleTaken", sensor.address):
        grid.registerDevice(sensor, LOC, {"from": operator})
    with reverts("GridRoleTaken", device.address):
        grid.registerSensor(device, LOC, {"from": operator})


def test_sensors_and_devices_are_registered_only_for_known_locations(grid, operator, stranger):
    unknown = b"nowhere".ljust(32, b"\0")
    with reverts("GridLocationUnknown", unknown):
        grid.registerSensor(stranger, unknown, {"from": operator})
    with reverts("GridLocationUnknown", unknown):
        grid.registerDevice(stranger, unknown, {"from": operator})
    with reverts("GridLocationExists", LOC):
        grid.registerLocation(LOC, {"from": operator})
    with reverts("GridZeroLocation"):
        grid.registerLocation(b"\0" * 32, {"from": operator})
