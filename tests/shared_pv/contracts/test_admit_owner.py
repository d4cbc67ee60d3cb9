"""The consortium admits owners; admitted owners start with no default share."""

from tests.shared_pv.contracts.helpers import member, reverts


def test_an_admitted_owner_holds_nothing_until_it_receives_portions(plant, consortium, newcomer, owner_c, tomorrow):
    tx = plant.admitOwner(newcomer, {"from": consortium})
    assert tx.events["OwnerAdmitted"]["owner"] == newcomer and tx.events["OwnerAdmitted"]["defaultBp"] == 0
    assert member(plant, newcomer) == (True, 0)
    assert plant.portionOf(newcomer, tomorrow[10]) == 0
    plant.movePortions(newcomer, tomorrow[10], tomorrow[20], 1_500, {"from": owner_c})
    assert plant.portionOf(newcomer, tomorrow[10]) == 1_500
    plant.movePortions(owner_c, tomorrow[12], tomorrow[12], 1_500, {"from": newcomer})  # and passes them on
    assert plant.portionOf(owner_c, tomorrow[12]) == 6_000


def test_only_the_consortium_admits(plant, owner_a, newcomer):
    with reverts("AccessControlUnauthorizedAccount", owner_a.address, bytes(plant.CONSORTIUM_ROLE())):
        plant.admitOwner(newcomer, {"from": owner_a})


def test_a_member_cannot_be_admitted_twice(plant, consortium, owner_a):
    with reverts("SharesAlreadyMember", owner_a.address):
        plant.admitOwner(owner_a, {"from": consortium})


def test_the_zero_address_cannot_be_admitted(plant, consortium):
    with reverts("SharesZeroAddress"):
        plant.admitOwner("0x" + "00" * 20, {"from": consortium})


def test_another_utility_can_be_given_the_consortium_role(plant, consortium, accounts, newcomer):
    utility = accounts[7]
    plant.grantRole(plant.CONSORTIUM_ROLE(), utility, {"from": consortium})
    plant.admitOwner(newcomer, {"from": utility})
    assert member(plant, newcomer)[0]
