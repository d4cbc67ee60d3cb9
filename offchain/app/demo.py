"""The ``make demo`` scenario: every mechanism's demo part, in registry order, on one chain.

Runs on an embedded anvil (London) that it starts and stops itself:

1. deploys every mechanism with the one deploy function (``deployments/demo.json``);
2. runs each mechanism's part (its registry entry's ``demo``) with a
   :class:`~offchain.kernel.mechanism.DemoContext` — today SPB's trades between agents
   (:mod:`offchain.spb.demo`), then grid events and bills (:mod:`offchain.grid.demo`);
3. prints one closing line made of every part's summary.
"""

from __future__ import annotations

import random
import shutil
import time
from typing import Any

from rich.console import Console

from ..kernel.anvil import EmbeddedAnvil, anvil_keys
from ..kernel.fs import state_dir
from ..kernel.mechanism import DemoContext, DemoOutcome, load
from .deploy import deploy_all
from .registry import mechanisms

__all__ = ["run_demo"]


def run_demo(console: Console | None = None, *, seed: int = 7) -> dict[str, Any]:
    """Run the whole scenario; returns each part's data by mechanism name (also printed)."""
    console = console or Console(width=110)
    workdir = state_dir() / "demo"
    shutil.rmtree(workdir, ignore_errors=True)
    started = time.monotonic()
    outcomes: dict[str, DemoOutcome] = {}
    with EmbeddedAnvil() as chain:
        keys = anvil_keys(10)
        console.print(f"[bold]GridLedger demo[/] on anvil {chain.url} (chain id {chain.chain_id}, London)")
        addresses = deploy_all(chain, keys[0], network="demo")
        console.print("deployed: " + ", ".join(f"{k} {v}" for k, v in addresses.items()))
        ctx = DemoContext(chain, keys, addresses, console, workdir, random.Random(seed))
        for mechanism in mechanisms():
            if mechanism.demo is None:
                continue
            console.rule(mechanism.demo_title or mechanism.name)
            outcomes[mechanism.name] = load(mechanism.demo)(ctx)
    elapsed = time.monotonic() - started
    console.print(f"[bold green]demo finished[/] in {elapsed:.1f}s: " + ", ".join(o.summary for o in outcomes.values()))
    return {name: dict(o.data) for name, o in outcomes.items()}
