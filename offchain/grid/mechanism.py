"""Registry entry of the grid events and bills mechanism (Vashistha & Barbhuiya).

Dotted paths only (resolved on use), so that reading this entry stays cheap.
"""

from __future__ import annotations

from ..kernel.mechanism import Mechanism

MECHANISM = Mechanism(
    name="grid",
    summary="grid events (storage, purchase, transfer) and bills on IPFS anchored on chain",
    deploy="offchain.grid.deploy:deploy",
    gas_sections={"grid": "offchain.grid.gasreport:measure"},
    gas_goals={
        "grid.storage_event": 35_000,
        "grid.bill_anchor": 50_000,
    },
    gas_misses={
        "grid.bill_anchor": (
            "the (purchaser, digest) record (a new slot, 22,100) lets the chain refuse a second anchoring "
            "and answer billOf(purchaser, digest); kept over the cheaper log-only design (docs/grid.md)"
        ),
    },
    commands=("offchain.grid.commands.bill",),
    demo="offchain.grid.demo:run",
    demo_title="grid events and bills",
    day="offchain.grid.day:factory",
)
