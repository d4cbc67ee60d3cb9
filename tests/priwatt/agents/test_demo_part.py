"""PriWatt's part of the trading day (the demo), on brownie's chain: deployed by the
registered deploy step, run through the registry entry like `gridledger demo` does."""

from __future__ import annotations

import io
import random

from rich.console import Console

from offchain.kernel.anvil import anvil_keys
from offchain.kernel.mechanism import DemoContext, load
from offchain.priwatt.mechanism import MECHANISM


def test_the_demo_part_runs_a_channel_and_two_escrows_one_disputed(chain_rpc, tmp_path):
    keys = anvil_keys(10)
    deployed = load(MECHANISM.deploy)(chain_rpc, keys[0], {})
    out = io.StringIO()
    ctx = DemoContext(chain_rpc, keys, deployed, Console(file=out, width=200), tmp_path, random.Random(1))
    outcome = load(MECHANISM.demo)(ctx)
    channel, released, disputed = outcome.data["trades"]
    assert channel.kwh_paid == channel.kwh_delivered == 8 and not channel.stopped
    assert not released.disputed and released.to_buyer == 0
    assert disputed.disputed and disputed.seller_bps == 7_500  # 1 of 4 kWh never arrived
    assert outcome.data["backbone"].get("sent", 0) > 0
    assert "PriWatt trades" in out.getvalue()
    assert outcome.summary.startswith("PriWatt: 1 channel (8 kWh paid per kWh), 2 escrows (1 disputed)")
