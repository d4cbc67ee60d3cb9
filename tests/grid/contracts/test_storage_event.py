from tests.grid.helpers import AVAILABLE, CAPACITY, LOC, RATE, reverts


def test_a_sensor_records_the_storage_of_its_location_and_gets_the_count(grid, sensor, record_storage):
    tx = record_storage()
    assert tx.return_value == 1
    assert record_storage(available=AVAILABLE - 5).return_value == 2
    assert grid.storageCount(LOC) == 2
    capacity, available, rate, count, registered = grid.locationOf(LOC)
    assert (capacity, available, rate, count, registered) == (CAPACITY, AVAILABLE - 5, RATE, 2, True)


def test_the_storage_event_carries_the_full_record(grid, sensor, record_storage):
    event = record_storage().events["StorageRecorded"]
    assert event["location"] == "0x" + LOC.hex()
    assert event["sensor"] == sensor
    assert (event["capacityWh"], event["availableWh"], event["rateMilliPerKWh"]) == (CAPACITY, AVAILABLE, RATE)
    assert event["storageCount"] == 1


def test_a_stranger_cannot_record_storage(stranger, record_storage):
    with reverts("GridDeviceNotRegistered", stranger.address):
        record_storage(by=stranger)


def test_a_revoked_sensor_cannot_record_storage(grid, operator, sensor, record_storage):
    grid.revokeDevice(sensor, {"from": operator})
    with reverts("GridDeviceNotRegistered", sensor.address):
        record_storage()


def test_available_storage_above_capacity_is_refused(record_storage):
    with reverts("GridStorageExceedsCapacity", CAPACITY + 1, CAPACITY):
        record_storage(available=CAPACITY + 1)


def test_zero_capacity_or_zero_rate_is_refused(record_storage):
    with reverts("GridStorageInvalid", 0, RATE):
        record_storage(capacity=0, available=0)
    with reverts("GridStorageInvalid", CAPACITY, 0):
        record_storage(rate=0)


def test_only_the_operator_registers_locations_and_devices(grid, stranger):
    with reverts("OwnableUnauthorizedAccount", stranger.address):
        grid.registerDevice(stranger, LOC, {"from": stranger})
    with reverts("OwnableUnauthorizedAccount", stranger.address):
        grid.registerLocation(b"x".ljust(32, b"\0"), {"from": stranger})


def test_devices_are_registered_only_for_known_locations(grid, operator, stranger):
    unknown = b"nowhere".ljust(32, b"\0")
    with reverts("GridLocationUnknown", unknown):
        grid.registerDevice(stranger, unknown, {"from": operator})
    with reverts("GridLocationExists", LOC):
        grid.registerLocation(LOC, {"from": operator})
    with reverts("GridZeroLocation"):
        grid.registerLocation(b"\0" * 32, {"from": operator})
