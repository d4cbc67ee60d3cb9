"""Registry entry of the per-slot double auction (issue 15).

Dotted paths only (resolved on use), so that reading this entry stays cheap.
"""

from __future__ import annotations

from ..kernel.mechanism import Mechanism

MECHANISM = Mechanism(
    name="auction",
    summary="per-slot double auction: signed orders, clearing solved off chain and verified on chain, "
    "grid fees, delivery deviations",
    deploy="offchain.auction.deploy:deploy",
    gas_sections={"auction": "offchain.auction.gasreport:measure"},
    gas_goals={
        "auction.clear_100_per_order": 25_000,
    },
    benches={"auction": "offchain.auction.bench:main"},
    commands=("offchain.auction.commands.auction",),
    demo="offchain.auction.demo:run",
    demo_title="per-slot double auction",
    day="offchain.auction.day:factory",
)
