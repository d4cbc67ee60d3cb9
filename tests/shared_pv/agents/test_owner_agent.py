"""The co-owner agent gives portions through the client, journals every gift, and never gives twice."""

from __future__ import annotations

import datetime as dt
import json

from offchain.shared_pv.agents import GiftState, OwnerAgent

from tests.shared_pv.offchain.conftest import START_DAY

DAY = START_DAY + dt.timedelta(days=1)


def test_an_away_owner_gives_its_whole_day_to_a_neighbour(plant, owner_keys, owners, tmp_path):
    a, b, _ = owners
    agent = OwnerAgent(plant, owner_keys[0], tmp_path / "a.json")
    gift = agent.give_day("away", b, DAY)
    slots = plant.clock.day_slots(DAY)
    assert gift.state is GiftState.CONFIRMED and gift.amount_bp == 2_000
    assert set(plant.portions(a, slots.start, slots.stop - 1)) == {0}
    assert set(plant.portions(b, slots.start, slots.stop - 1)) == {4_000}
    saved = json.loads((tmp_path / "a.json").read_text())
    assert saved["gifts"][0]["state"] == "confirmed" and saved["gifts"][0]["tx_hash"] == gift.tx_hash


def test_a_gift_sent_again_after_a_restart_is_not_given_twice(plant, owner_keys, owners, tmp_path):
    a, b, _ = owners
    slots = plant.clock.day_slots(DAY)
    first = OwnerAgent(plant, owner_keys[0], tmp_path / "a.json")
    first.give_day("away", b, DAY, 500)
    again = OwnerAgent(plant, owner_keys[0], tmp_path / "a.json")  # restarted: reads its journal
    assert again.give_day("away", b, DAY, 500).state is GiftState.CONFIRMED
    assert plant.portion(a, slots[10]) == 1_500


def test_a_gift_broadcast_before_a_crash_is_found_on_chain_not_resent(plant, owner_keys, owners, tmp_path):
    """The agent crashed after planning and after the transaction was mined, before journaling it."""
    a, b, _ = owners
    slots = plant.clock.day_slots(DAY)
    agent = OwnerAgent(plant, owner_keys[0], tmp_path / "a.json")
    agent.plan("lunch", b, range(slots[48], slots[52]), 700)
    plant.transfer(b, slots[48], slots[51], 700, sender=owner_keys[0])  # what the crashed agent sent
    restarted = OwnerAgent(plant, owner_keys[0], tmp_path / "a.json")
    [gift] = restarted.resume()
    assert gift.state is GiftState.CONFIRMED and gift.tx_hash
    assert plant.portion(a, slots[48]) == 1_300  # given once, not twice


def test_a_journaled_hash_that_the_node_never_mined_is_sent_again(plant, owner_keys, owners, tmp_path):
    a, b, _ = owners
    slots = plant.clock.day_slots(DAY)
    agent = OwnerAgent(plant, owner_keys[0], tmp_path / "a.json")
    gift = agent.plan("evening", b, range(slots[70], slots[71]), 100)
    agent._put(gift.__class__(**{**gift.__dict__, "state": GiftState.SENT, "tx_hash": "0x" + "ab" * 32}))
    [done] = OwnerAgent(plant, owner_keys[0], tmp_path / "a.json").resume()
    assert done.state is GiftState.CONFIRMED and done.tx_hash != "0x" + "ab" * 32
    assert plant.portion(a, slots[70]) == 1_900


def test_a_refused_gift_is_recorded_with_the_contracts_error_and_not_retried(plant, owner_keys, owners, tmp_path):
    _, b, _ = owners
    agent = OwnerAgent(plant, owner_keys[0], tmp_path / "a.json")
    gift = agent.give_day("too-much", b, DAY, 2_001)
    assert gift.state is GiftState.REFUSED and gift.error == "SharesInsufficient"
    assert agent.resume() == []
