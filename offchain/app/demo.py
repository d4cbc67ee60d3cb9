"""The ``make demo`` scenario: the trading day (:mod:`offchain.app.day`) and its report.

Kept as the application's demo entry point; the one-shot mechanism demos (``Mechanism.demo``)
are still registered and run by :func:`run_parts` (used by nothing in ``make demo`` any more).
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path
from typing import Any

from rich.console import Console

from ..kernel.fs import state_dir
from ..kernel.mechanism import DemoContext, DemoOutcome, load
from .registry import mechanisms

__all__ = ["run_demo", "run_parts"]


def run_demo(
    console: Console | None = None,
    *,
    seed: int = 7,
    households: int = 10,
    network: str = "anvil",
    rpc_url: str | None = None,
    chain_id: int | None = None,
    signers: int = 1,
    period: int = 1,
    slots: int = 96,
    first_slot: int = 0,
    out: Path | None = None,
) -> tuple[dict[str, Any], Path]:
    """Run the trading day and write its report; returns (results, path of index.html)."""
    from .day import DayOptions, run_and_report

    options = DayOptions(
        households=households,
        seed=seed,
        network=network,
        rpc_url=rpc_url,
        chain_id=chain_id,
        signers=signers,
        period=period,
        slots=slots,
        first_slot=first_slot,
    )
    return run_and_report(options, out=out, console=console)


def run_parts(console: Console | None = None, *, seed: int = 7) -> dict[str, Any]:
    """The former demo: every mechanism's one-shot ``demo`` part on an embedded anvil."""
    from ..kernel.anvil import EmbeddedAnvil, anvil_keys
    from .deploy import deploy_all

    console = console or Console(width=110)
    workdir = state_dir() / "demo"
    shutil.rmtree(workdir, ignore_errors=True)
    outcomes: dict[str, DemoOutcome] = {}
    with EmbeddedAnvil() as chain:
        keys = anvil_keys(10)
        addresses = deploy_all(chain, keys[0], network="demo", write=False)
        ctx = DemoContext(chain, keys, addresses, console, workdir, random.Random(seed))
        for mechanism in mechanisms():
            if mechanism.demo is not None:
                console.rule(mechanism.demo_title or mechanism.name)
                outcomes[mechanism.name] = load(mechanism.demo)(ctx)
    return {name: dict(o.data) for name, o in outcomes.items()}
