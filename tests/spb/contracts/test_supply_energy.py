"""Supplying energy: owner only, chained entries (P_T_ID), bounded amounts."""

import pytest
from eth_abi import encode
from eth_utils import keccak

from tests.spb.contracts.helpers import ACCOUNT_FEE, reverts


@pytest.fixture
def fresh_account(market, producer):
    return market.openAccountByBurn({"from": producer, "value": ACCOUNT_FEE}).return_value


def test_supply_entries_form_a_hash_chain(market, producer, fresh_account, chain):
    first = market.supplyEnergy(fresh_account, 500, 7, True, {"from": producer})
    second = market.supplyEnergy(fresh_account, 300, 8, False, {"from": producer})
    e1, e2 = first.events["EnergySupplied"], second.events["EnergySupplied"]
    assert bytes(e1["previousSupplyId"]) == bytes(32)
    assert bytes(e2["previousSupplyId"]) == bytes(e1["supplyId"])
    expected = keccak(
        encode(
            ["uint256", "address", "uint64", "bytes32", "uint96", "uint128", "bool"],
            [chain.id, market.address, fresh_account, bytes(e1["supplyId"]), 300, 8, False],
        )
    )
    assert bytes(e2["supplyId"]) == expected
    owner, supply, earned, last = market.accountOf(fresh_account)
    assert (owner, supply, earned, bytes(last)) == (producer, 800, 0, expected)


def test_only_the_owner_supplies(market, stranger, fresh_account):
    with reverts("AccountNotOwner", fresh_account, stranger.address):
        market.supplyEnergy(fresh_account, 1, 1, True, {"from": stranger})


def test_unknown_account_cannot_be_supplied(market, producer):
    with reverts("AccountUnknown", 99):
        market.supplyEnergy(99, 1, 1, True, {"from": producer})


def test_zero_supply_is_refused(market, producer, fresh_account):
    with reverts("AccountZeroSupply", fresh_account):
        market.supplyEnergy(fresh_account, 0, 1, True, {"from": producer})


def test_supply_cannot_overflow_its_counter(market, producer, fresh_account):
    top = 2**96 - 1
    market.supplyEnergy(fresh_account, top, 1, True, {"from": producer})
    with reverts("AccountSupplyOverflow", fresh_account, top, 1):
        market.supplyEnergy(fresh_account, 1, 1, True, {"from": producer})
