"""Views answer for the transfer window only: past slots are read from the events."""

from tests.shared_pv.contracts.helpers import ROW, current, member, reverts


def test_the_window_runs_from_the_next_slot_to_the_end_of_the_row_31_rows_ahead(plant):
    now = current(plant)
    first, last = plant.transferWindow()
    assert first == now + 1
    assert last == (now // ROW + 32) * ROW - 1
    assert plant.ROW_SLOTS() == ROW and plant.RING_ROWS() == 32


def test_portions_of_the_current_slot_are_not_answered(plant, owner_a):
    now = current(plant)
    first, last = plant.transferWindow()
    with reverts("SharesSlotOutOfWindow", now, first, last):
        plant.portionOf(owner_a, now)


def test_portions_past_the_window_are_not_answered(plant, owner_a):
    first, last = plant.transferWindow()
    with reverts("SharesSlotOutOfWindow", last + 1, first, last):
        plant.portionsOf(owner_a, first, last + 1)
    with reverts("SharesSlotOutOfWindow", last + 1, first, last):
        plant.rowOf(owner_a, last + 1)


def test_a_non_member_holds_nothing(plant, stranger, tomorrow):
    assert plant.portionOf(stranger, tomorrow[0]) == 0
    assert member(plant, stranger) == (False, 0)


def test_a_reversed_range_is_refused(plant, owner_a, tomorrow):
    with reverts("SharesEmptyRange", tomorrow[2], tomorrow[1]):
        plant.portionsOf(owner_a, tomorrow[2], tomorrow[1])


def test_the_slot_clock_is_the_common_one(plant, clock, days, tomorrow):
    assert tuple(plant.slotConfig()) == clock.as_args()
    day = days.day_of(tomorrow[0])[0]
    assert tuple(plant.daySlots(day)) == (tomorrow[0], 96)
