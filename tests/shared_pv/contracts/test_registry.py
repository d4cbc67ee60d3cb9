"""The registry where the consortium creates plants and clearing servers find them."""

import pytest

from tests.shared_pv.contracts.helpers import KEY, member, reverts


@pytest.fixture(scope="module")
def registry(SharedPvRegistry, consortium):
    return SharedPvRegistry.deploy(consortium, {"from": consortium})


def test_the_consortium_creates_a_plant_governed_by_the_address_it_names(
    registry, consortium, accounts, owner_a, owner_b, owner_c, clock, SharedPvPlant
):
    utility = accounts[7]
    tx = registry.createPlant(utility, clock.as_args(), [owner_a, owner_b, owner_c], list(KEY), {"from": consortium})
    ev = tx.events["PlantCreated"]
    assert (ev["consortium"], ev["creator"], ev["owners"]) == (utility, consortium, 3)
    plant = SharedPvPlant.at(ev["plant"])
    assert registry.plantCount() == 1 and registry.plantAt(0) == plant.address
    assert plant.hasRole(plant.CONSORTIUM_ROLE(), utility)
    assert not plant.hasRole(plant.CONSORTIUM_ROLE(), registry.address)
    assert member(plant, owner_c) == (True, 6_000)


def test_only_the_consortium_creates_plants(registry, owner_a, owner_b, clock):
    with reverts("AccessControlUnauthorizedAccount", owner_a.address, bytes(registry.CONSORTIUM_ROLE())):
        registry.createPlant(owner_a, clock.as_args(), [owner_a, owner_b], [5_000, 5_000], {"from": owner_a})


def test_a_bad_key_is_refused_at_creation(registry, consortium, owner_a, owner_b, clock):
    with reverts("SharesKeyNotFull", 9_999):
        registry.createPlant(consortium, clock.as_args(), [owner_a, owner_b], [5_000, 4_999], {"from": consortium})
