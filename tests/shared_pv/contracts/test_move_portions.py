"""Moving portions: who may move what, in which slots, and what every slot holds afterwards."""

from tests.shared_pv.contracts.helpers import ANY, FULL, current, portions, reverts


def test_a_transfer_moves_the_amount_in_every_slot_of_the_range_and_nothing_else(plant, owner_a, owner_b, tomorrow):
    first, last = tomorrow[40], tomorrow[55]  # 10:00 to 14:00, the paper's "next 16 slots"
    tx = plant.movePortions(owner_b, first, last, 2_000, {"from": owner_a})
    ev = tx.events["PortionsTransferred"]
    assert (ev["from"], ev["to"], ev["firstSlot"], ev["lastSlot"], ev["amountBp"]) == (
        owner_a,
        owner_b,
        first,
        last,
        2_000,
    )
    assert portions(plant, owner_a, first - 1, last + 1) == [2_000] + [0] * 16 + [2_000]
    assert portions(plant, owner_b, first - 1, last + 1) == [2_000] + [4_000] * 16 + [2_000]


def test_portions_received_can_be_passed_on(plant, owner_a, owner_b, owner_c, tomorrow):
    slot = tomorrow[50]
    plant.movePortions(owner_b, slot, slot, 2_000, {"from": owner_a})
    plant.movePortions(owner_c, slot, slot, 4_000, {"from": owner_b})  # the paper's example: C then holds 100 %
    assert [plant.portionOf(o, slot) for o in (owner_a, owner_b, owner_c)] == [0, 0, FULL]


def test_nobody_moves_more_than_it_holds(plant, owner_a, owner_b, tomorrow):
    slot = tomorrow[10]
    with reverts("SharesInsufficient", owner_a.address, slot, 2_000, 2_001):
        plant.movePortions(owner_b, slot, slot, 2_001, {"from": owner_a})


def test_over_transfer_in_one_slot_of_a_range_is_refused_naming_that_slot(plant, owner_a, owner_b, owner_c, tomorrow):
    # a gave 500 away in slot 47 only; a range 40..55 of 1,800 fails exactly there
    plant.movePortions(owner_c, tomorrow[47], tomorrow[47], 500, {"from": owner_a})
    with reverts("SharesInsufficient", owner_a.address, tomorrow[47], 1_500, 1_800):
        plant.movePortions(owner_b, tomorrow[40], tomorrow[55], 1_800, {"from": owner_a})
    assert portions(plant, owner_a, tomorrow[40], tomorrow[46]) == [2_000] * 7  # nothing moved


def test_the_first_short_slot_is_named_when_several_are_short(plant, owner_a, owner_c, owner_b, tomorrow):
    plant.movePortions(owner_c, tomorrow[60], tomorrow[61], 300, {"from": owner_a})
    plant.movePortions(owner_c, tomorrow[50], tomorrow[50], 100, {"from": owner_a})
    with reverts("SharesInsufficient", owner_a.address, tomorrow[50], 1_900, 1_950):
        plant.movePortions(owner_b, tomorrow[0], tomorrow[95], 1_950, {"from": owner_a})


def test_a_whole_portion_can_be_moved_and_then_nothing_more(plant, owner_a, owner_b, tomorrow):
    plant.movePortions(owner_b, tomorrow[0], tomorrow[95], 2_000, {"from": owner_a})
    with reverts("SharesInsufficient", owner_a.address, tomorrow[0], 0, 1):
        plant.movePortions(owner_b, tomorrow[0], tomorrow[0], 1, {"from": owner_a})


def test_the_current_slot_is_immutable(plant, owner_a, owner_b):
    now = current(plant)
    with reverts("SharesSlotNotFuture", now, ANY):
        plant.movePortions(owner_b, now, now, 1, {"from": owner_a})


def test_past_slots_are_immutable(plant, owner_a, owner_b):
    now = current(plant)
    with reverts("SharesSlotNotFuture", now - 5, ANY):
        plant.movePortions(owner_b, now - 5, now + 5, 1, {"from": owner_a})


def test_the_next_slot_is_the_first_that_may_change(plant, owner_a, owner_b):
    nxt = current(plant) + 1
    plant.movePortions(owner_b, nxt, nxt, 100, {"from": owner_a})
    assert plant.portionOf(owner_a, nxt) == 1_900


def test_a_slot_past_the_window_is_refused(plant, owner_a, owner_b):
    first, last = plant.transferWindow()
    plant.movePortions(owner_b, last, last, 1, {"from": owner_a})  # the last slot of the window is fine
    with reverts("SharesBeyondHorizon", last + 1, last):
        plant.movePortions(owner_b, last - 3, last + 1, 1, {"from": owner_a})


def test_a_zero_amount_is_refused(plant, owner_a, owner_b, tomorrow):
    with reverts("SharesZeroAmount"):
        plant.movePortions(owner_b, tomorrow[1], tomorrow[1], 0, {"from": owner_a})


def test_a_range_ending_before_it_starts_is_refused(plant, owner_a, owner_b, tomorrow):
    with reverts("SharesEmptyRange", tomorrow[5], tomorrow[4]):
        plant.movePortions(owner_b, tomorrow[5], tomorrow[4], 10, {"from": owner_a})


def test_moving_to_oneself_is_refused(plant, owner_a, tomorrow):
    with reverts("SharesSelfTransfer", owner_a.address):
        plant.movePortions(owner_a, tomorrow[5], tomorrow[6], 10, {"from": owner_a})


def test_a_non_member_cannot_move_portions(plant, stranger, owner_b, tomorrow):
    with reverts("SharesNotMember", stranger.address):
        plant.movePortions(owner_b, tomorrow[5], tomorrow[6], 1, {"from": stranger})


def test_portions_cannot_go_to_a_non_member(plant, owner_a, stranger, tomorrow):
    with reverts("SharesNotMember", stranger.address):
        plant.movePortions(stranger, tomorrow[5], tomorrow[6], 1, {"from": owner_a})


def test_portions_cannot_go_to_the_zero_address(plant, owner_a, tomorrow):
    with reverts("SharesNotMember", "0x" + "00" * 20):
        plant.movePortions("0x" + "00" * 20, tomorrow[5], tomorrow[6], 1, {"from": owner_a})


def test_every_slot_still_sums_to_the_whole_plant_after_many_transfers(plant, owner_a, owner_b, owner_c, tomorrow):
    owners = (owner_a, owner_b, owner_c)
    moves = [
        (0, 1, 10, 30, 700),
        (1, 2, 20, 90, 1_100),
        (2, 0, 0, 95, 2_500),
        (0, 2, 25, 25, 3_200),
        (1, 0, 5, 60, 400),
    ]
    for src, dst, lo, hi, amount in moves:
        plant.movePortions(owners[dst], tomorrow[lo], tomorrow[hi], amount, {"from": owners[src]})
    table = [portions(plant, o, tomorrow[0], tomorrow[-1]) for o in owners]
    assert all(sum(col) == FULL for col in zip(*table, strict=True))
    assert all(v >= 0 for row in table for v in row)
