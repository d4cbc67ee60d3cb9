"""Revocation: from the next slot on, the revoked owner's default share and every portion it
holds go to the successor the consortium names; past and current slots stay as they were."""

from tests.shared_pv.contracts.helpers import FULL, ROW, current, member, portions, reverts


def test_the_successor_takes_the_default_share_and_every_future_portion(
    plant, consortium, owner_a, owner_b, owner_c, tomorrow
):
    plant.movePortions(owner_b, tomorrow[40], tomorrow[55], 2_000, {"from": owner_a})  # a gave some away
    plant.movePortions(owner_a, tomorrow[60], tomorrow[63], 1_000, {"from": owner_c})  # and received some
    tx = plant.revokeOwner(owner_a, owner_c, {"from": consortium})
    ev = tx.events["OwnerRevoked"]
    assert (ev["owner"], ev["successor"], ev["defaultBp"]) == (owner_a, owner_c, 2_000)
    assert ev["effectiveSlot"] == current(plant) + 1
    assert member(plant, owner_a) == (False, 0)
    assert member(plant, owner_c) == (True, 8_000)
    assert owner_a.address not in plant.members()
    got = portions(plant, owner_c, tomorrow[0], tomorrow[-1])
    assert got[0] == 8_000 and got[40:56] == [6_000] * 16 and got[60:64] == [8_000] * 4
    assert portions(plant, owner_a, tomorrow[0], tomorrow[-1]) == [0] * 96
    table = [portions(plant, o, tomorrow[0], tomorrow[-1]) for o in (owner_a, owner_b, owner_c)]
    assert all(sum(col) == FULL for col in zip(*table, strict=True))


def test_rows_far_ahead_move_too(plant, consortium, owner_a, owner_b):
    first, last = plant.transferWindow()
    plant.movePortions(owner_b, last - 200, last, 500, {"from": owner_a})
    plant.movePortions(owner_a, last - 5, last - 5, 1_000, {"from": owner_b})
    plant.revokeOwner(owner_a, owner_b, {"from": consortium})
    # whatever a and b moved between them, b now holds both shares in every slot
    assert portions(plant, owner_b, last - 201, last) == [4_000] * 202
    assert plant.portionOf(owner_a, last) == 0


def test_the_revoked_owner_can_no_longer_move_portions(plant, consortium, owner_a, owner_b, tomorrow):
    plant.revokeOwner(owner_a, owner_b, {"from": consortium})
    with reverts("SharesNotMember", owner_a.address):
        plant.movePortions(owner_b, tomorrow[5], tomorrow[5], 1, {"from": owner_a})


def test_the_revoked_owner_can_no_longer_receive_portions(plant, consortium, owner_a, owner_b, tomorrow):
    plant.movePortions(owner_b, tomorrow[5], tomorrow[5], 1, {"from": owner_a})  # a's row is live
    plant.revokeOwner(owner_a, owner_b, {"from": consortium})
    with reverts("SharesNotMember", owner_a.address):
        plant.movePortions(owner_a, tomorrow[5], tomorrow[5], 1, {"from": owner_b})


def test_only_the_consortium_revokes(plant, owner_b, owner_a):
    with reverts("AccessControlUnauthorizedAccount", owner_b.address, bytes(plant.CONSORTIUM_ROLE())):
        plant.revokeOwner(owner_a, owner_b, {"from": owner_b})


def test_a_non_member_cannot_be_revoked(plant, consortium, stranger, owner_a):
    with reverts("SharesNotMember", stranger.address):
        plant.revokeOwner(stranger, owner_a, {"from": consortium})


def test_the_successor_must_be_another_member(plant, consortium, owner_a, stranger):
    with reverts("SharesInvalidSuccessor", owner_a.address, owner_a.address):
        plant.revokeOwner(owner_a, owner_a, {"from": consortium})
    with reverts("SharesInvalidSuccessor", owner_a.address, stranger.address):
        plant.revokeOwner(owner_a, stranger, {"from": consortium})


def test_a_readmitted_owner_starts_again_with_nothing(plant, consortium, owner_a, owner_b, tomorrow):
    plant.movePortions(owner_a, tomorrow[5], tomorrow[9], 700, {"from": owner_b})
    plant.revokeOwner(owner_a, owner_b, {"from": consortium})
    plant.admitOwner(owner_a, {"from": consortium})
    assert member(plant, owner_a) == (True, 0)
    assert portions(plant, owner_a, tomorrow[4], tomorrow[10]) == [0] * 7
    with reverts("SharesInsufficient", owner_a.address, tomorrow[5], 0, 1):
        plant.movePortions(owner_b, tomorrow[5], tomorrow[5], 1, {"from": owner_a})


def test_a_revocation_in_the_middle_of_a_row_leaves_that_rows_earlier_slots_alone(
    plant, consortium, owner_a, owner_c, chain, clock
):
    from tests.shared_pv.contracts.helpers import advance_to

    now = current(plant)
    row_start = (now // ROW + 1) * ROW
    plant.movePortions(owner_c, row_start + 10, row_start + 40, 1_500, {"from": owner_a})
    advance_to(chain, clock, row_start + 20)  # the revocation happens while slot row_start+20 is current
    tx = plant.revokeOwner(owner_a, owner_c, {"from": consortium})
    effective = tx.events["OwnerRevoked"]["effectiveSlot"]
    assert effective == row_start + 21
    live, _, _, first, starts, values = plant.rowOf(owner_c, effective)
    row = dict(zip((first + s for s in starts), values, strict=True))
    # c's own slots before the revocation keep what c held (7,500 from a's transfer), later slots hold a's too
    assert row[row_start + 10] == 7_500 and row[effective] == 8_000
    assert portions(plant, owner_c, effective, row_start + 45) == [8_000] * 25


def test_the_successors_cached_default_share_follows_the_revocation(plant, consortium, owner_a, owner_b, tomorrow):
    plant.prepareRows(owner_b, {"from": owner_b})
    plant.revokeOwner(owner_a, owner_b, {"from": consortium})
    live, valid, cached, *_ = plant.rowOf(owner_b, tomorrow[0])
    assert (valid, cached) == (True, 4_000)
    live, valid, cached, *_ = plant.rowOf(owner_a, tomorrow[0])
    assert not valid and not live


def test_revoking_an_owner_whose_rows_are_all_busy_stays_within_a_block(plant, consortium, owner_a, owner_b, owner_c):
    first, last = plant.transferWindow()
    for row in range(first // ROW, last // ROW + 1):  # every one of the 32 rows holds runs for both
        lo = max(first, row * ROW)
        plant.movePortions(owner_b, lo, lo + 3, 10, {"from": owner_a})
        plant.movePortions(owner_c, lo + 5, lo + 6, 10, {"from": owner_b})
    tx = plant.revokeOwner(owner_a, owner_b, {"from": consortium})
    assert tx.gas_used < 2_000_000
