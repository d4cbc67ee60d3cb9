"""Creating a plant: co-owners, the default key (Σ = 10,000 basis points) and the roles."""

import pytest

from tests.shared_pv.contracts.helpers import FULL, KEY, member, portions, reverts

ZERO = "0x" + "00" * 20


def test_the_default_key_applies_to_every_slot_nobody_moved(plant, owner_a, owner_b, owner_c, tomorrow):
    for owner, share in zip((owner_a, owner_b, owner_c), KEY, strict=True):
        assert member(plant, owner) == (True, share)
        assert portions(plant, owner, tomorrow[0], tomorrow[-1]) == [share] * 96
    assert set(plant.members()) == {owner_a.address, owner_b.address, owner_c.address}


def test_creation_announces_each_owner_and_its_share(plant):
    events = plant.tx.events["OwnerAdmitted"]
    assert [(e["owner"], e["defaultBp"]) for e in events] == list(zip((e["owner"] for e in events), KEY, strict=True))


def test_the_consortium_holds_its_role(plant, consortium, owner_a):
    assert plant.hasRole(plant.CONSORTIUM_ROLE(), consortium)
    assert not plant.hasRole(plant.CONSORTIUM_ROLE(), owner_a)


@pytest.mark.parametrize("shares", [(2_000, 2_000, 5_999), (2_000, 2_000, 6_001), (0, 0, 0)])
def test_a_key_that_is_not_the_whole_plant_is_refused(SharedPvPlant, consortium, accounts, clock, shares):
    with reverts("SharesKeyNotFull", sum(shares)):
        SharedPvPlant.deploy(consortium, clock.as_args(), accounts[1:4], list(shares), {"from": consortium})


def test_an_owner_listed_twice_is_refused(SharedPvPlant, consortium, accounts, clock):
    with reverts("SharesDuplicateOwner", accounts[1].address):
        SharedPvPlant.deploy(
            consortium, clock.as_args(), [accounts[1], accounts[2], accounts[1]], list(KEY), {"from": consortium}
        )


def test_the_zero_address_cannot_own(SharedPvPlant, consortium, accounts, clock):
    with reverts("SharesZeroAddress"):
        SharedPvPlant.deploy(consortium, clock.as_args(), [accounts[1], ZERO], [5_000, 5_000], {"from": consortium})


def test_a_plant_without_owners_is_refused(SharedPvPlant, consortium, clock):
    with reverts("SharesNoOwners"):
        SharedPvPlant.deploy(consortium, clock.as_args(), [], [], {"from": consortium})


def test_owners_and_shares_must_pair_up(SharedPvPlant, consortium, accounts, clock):
    with reverts("SharesKeyLengthMismatch", 2, 1):
        SharedPvPlant.deploy(consortium, clock.as_args(), accounts[1:3], [FULL], {"from": consortium})


def test_a_bad_slot_clock_is_refused(SharedPvPlant, consortium, accounts, clock):
    bad = (clock.genesis, clock.epoch + 1, 900, 60, 1)  # epoch not on a quarter hour
    with reverts("SlotInvalidConfig", 900, clock.epoch + 1, 60):
        SharedPvPlant.deploy(consortium, bad, accounts[1:2], [FULL], {"from": consortium})


def test_one_owner_may_hold_the_whole_plant(SharedPvPlant, consortium, accounts, clock):
    solo = SharedPvPlant.deploy(consortium, clock.as_args(), accounts[1:2], [FULL], {"from": consortium})
    assert member(solo, accounts[1]) == (True, FULL)
