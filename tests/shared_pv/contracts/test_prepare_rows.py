"""prepareRows: anyone may pay for an owner's row storage up front; nothing else changes."""

from tests.shared_pv.contracts.helpers import portions, reverts


def test_prepared_rows_cache_the_default_share_and_change_no_portion(plant, owner_c, stranger, tomorrow):
    before = portions(plant, owner_c, tomorrow[0], tomorrow[-1])
    tx = plant.prepareRows(owner_c, {"from": stranger})
    assert tx.events["RowsPrepared"]["owner"] == owner_c
    live, valid, cached, *_ = plant.rowOf(owner_c, tomorrow[0])
    assert (live, valid, cached) == (False, True, 6_000)
    assert portions(plant, owner_c, tomorrow[0], tomorrow[-1]) == before


def test_a_transfer_into_prepared_rows_writes_no_new_storage(plant, owner_a, owner_b, tomorrow):
    cold = plant.movePortions(owner_b, tomorrow[3], tomorrow[3], 10, {"from": owner_a}).gas_used
    plant.prepareRows(owner_a, {"from": owner_a})
    plant.prepareRows(owner_b, {"from": owner_b})
    far = plant.transferWindow()[1]
    warm = plant.movePortions(owner_b, far, far, 10, {"from": owner_a}).gas_used
    assert cold - warm > 2 * 17_000  # two words of new storage (22,100 each) avoided


def test_rows_of_a_non_member_cannot_be_prepared(plant, stranger):
    with reverts("SharesNotMember", stranger.address):
        plant.prepareRows(stranger, {"from": stranger})


def test_preparing_twice_changes_nothing(plant, owner_a):
    plant.prepareRows(owner_a, {"from": owner_a})
    again = plant.prepareRows(owner_a, {"from": owner_a})
    assert again.gas_used < 120_000  # 32 reads (2,100 each), no writes (2,900 or more each)
