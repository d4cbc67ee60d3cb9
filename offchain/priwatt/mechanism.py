"""Registry entry of the PriWatt mechanism: everything the application needs to know about it.

Dotted paths only (resolved on use), so that reading this entry stays cheap.
"""

from __future__ import annotations

from ..kernel.mechanism import Mechanism

MECHANISM = Mechanism(
    name="priwatt",
    summary="PriWatt: auction board with DSO-attested ownership lock, 2-of-3 escrow, micropayment channels, PV",
    deploy="offchain.priwatt.deploy:deploy",
    gas_sections={"priwatt": "offchain.priwatt.gasreport:measure"},
    gas_goals={
        # µRaiden's one-way channel: createChannel 120,090 + cooperativeClose 71,182 = 191,272
        "priwatt.channel_open_plus_close": 95_000,
        # today's plain escrow (no 2-of-3): open + confirm 111,933
        "priwatt.escrow_open_plus_release": 95_000,
    },
    benches={"priwatt": "offchain.priwatt.bench:main"},
    commands=(
        "offchain.priwatt.commands.board",
        "offchain.priwatt.commands.channel",
        "offchain.priwatt.commands.escrow",
        "offchain.priwatt.commands.pv",
    ),
    demo="offchain.priwatt.demo:run",
    demo_title="PriWatt: auction board, a micropayment channel for a long delivery, an escrow with a dispute",
    day="offchain.priwatt.day:factory",
)
