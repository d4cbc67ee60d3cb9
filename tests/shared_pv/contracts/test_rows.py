"""The representation: run-length rows of 128 slots, cheap ranges, rows that spill over several
words, and the bound on how many runs a row can hold."""

from tests.shared_pv.contracts.helpers import FULL, ROW, portions, runs

#: upper bound on a transfer touching one row of 128 runs per party (docs/shared-pv.md, worst case)
WORST_ROW_GAS = 500_000


def _next_row_start(slot: int) -> int:
    return (slot // ROW + 1) * ROW


def test_a_range_is_two_runs_in_each_owners_row_however_long(plant, owner_a, owner_b, tomorrow):
    start = _next_row_start(tomorrow[0])
    plant.movePortions(owner_b, start + 10, start + 100, 700, {"from": owner_a})
    assert runs(plant, owner_a, start) == [(start, 2_000), (start + 10, 1_300), (start + 101, 2_000)]
    assert runs(plant, owner_b, start) == [(start, 2_000), (start + 10, 2_700), (start + 101, 2_000)]


def test_a_row_nobody_touched_is_one_run_of_the_default_share(plant, owner_c, tomorrow):
    live, valid, cached, first, starts, values = plant.rowOf(owner_c, tomorrow[3])
    assert not live and list(values) == [6_000] and list(starts) == [0]
    assert first == tomorrow[3] // ROW * ROW


def test_equal_neighbours_merge_so_a_transfer_undone_leaves_one_run(plant, owner_a, owner_b, tomorrow):
    start = _next_row_start(tomorrow[0])
    plant.movePortions(owner_b, start + 5, start + 9, 300, {"from": owner_a})
    plant.movePortions(owner_a, start + 5, start + 9, 300, {"from": owner_b})
    assert runs(plant, owner_a, start) == [(start, 2_000)]
    assert runs(plant, owner_b, start) == [(start, 2_000)]


def test_a_range_across_a_row_boundary_changes_both_rows(plant, owner_a, owner_b, tomorrow):
    boundary = _next_row_start(tomorrow[0])
    plant.movePortions(owner_b, boundary - 3, boundary + 2, 1_000, {"from": owner_a})
    assert portions(plant, owner_a, boundary - 4, boundary + 3) == [2_000] + [1_000] * 6 + [2_000]
    assert runs(plant, owner_a, boundary - 1)[-1] == (boundary - 3, 1_000)
    assert runs(plant, owner_a, boundary)[:2] == [(boundary, 1_000), (boundary + 3, 2_000)]


def test_a_row_of_many_runs_spills_into_more_words_and_still_adds_up(plant, owner_a, owner_b, owner_c, tomorrow):
    start = _next_row_start(tomorrow[0])
    for i in range(30):  # b breaks a's row into 61 runs
        plant.movePortions(owner_a, start + 2 * i + 1, start + 2 * i + 1, 1 + i, {"from": owner_b})
    assert len(runs(plant, owner_a, start)) == 61
    plant.movePortions(owner_c, start + 20, start + 40, 2_000, {"from": owner_a})
    got = portions(plant, owner_a, start, start + ROW - 1)
    expected = [2_000] * ROW
    for i in range(30):
        expected[2 * i + 1] += 1 + i
    for s in range(20, 41):
        expected[s] -= 2_000
    assert got == expected
    table = [portions(plant, o, start, start + ROW - 1) for o in (owner_a, owner_b, owner_c)]
    assert all(sum(col) == FULL for col in zip(*table, strict=True))


def test_a_row_holds_at_most_one_run_per_slot_so_its_cost_is_bounded(plant, owner_a, owner_b, tomorrow):
    start = _next_row_start(tomorrow[0])
    for i in range(64):  # every other slot differs: the most runs a row of 128 slots can have
        plant.movePortions(owner_a, start + 2 * i, start + 2 * i, 1, {"from": owner_b})
    assert len(runs(plant, owner_a, start)) == ROW
    # the worst row still moves: one slot, then a range over all of it
    tx = plant.movePortions(owner_b, start + 9, start + 9, 1, {"from": owner_a})
    assert tx.gas_used < WORST_ROW_GAS
    tx = plant.movePortions(owner_b, start, start + ROW - 1, 1_999, {"from": owner_a})
    assert tx.gas_used < WORST_ROW_GAS
    assert portions(plant, owner_a, start, start + 3) == [2, 1, 2, 1]


def test_sixteen_and_ninety_six_slots_cost_about_what_one_slot_costs(plant, owner_a, owner_b, tomorrow):
    one = plant.movePortions(owner_b, tomorrow[3], tomorrow[3], 100, {"from": owner_a}).gas_used
    sixteen = plant.movePortions(owner_b, tomorrow[40], tomorrow[55], 100, {"from": owner_a}).gas_used
    whole_day = plant.movePortions(owner_b, tomorrow[0], tomorrow[95], 100, {"from": owner_a}).gas_used
    assert sixteen <= 1.5 * one and whole_day <= 2 * one, (one, sixteen, whole_day)
