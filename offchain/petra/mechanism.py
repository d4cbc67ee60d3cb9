"""Registry entry of the PETra mechanism (Bergquist et al.; PETra, Laszka et al.).

Dotted paths only (resolved on use), so that reading this entry stays cheap.
"""

from __future__ import annotations

from ..kernel.mechanism import Mechanism

MECHANISM = Mechanism(
    name="petra",
    summary="PETra: DSO-minted quantised energy assets (ERC-1155), fiat cents, offers with splits, feeder limits",
    deploy="offchain.petra.deploy:deploy",
    gas_sections={"petra": "offchain.petra.gasreport:measure"},
    gas_goals={
        "petra.mint_asset": 38_000,
        "petra.post_offer": 43_000,
        "petra.rescind_offer": 19_000,
        "petra.accept_offer": 34_000,
        "petra.accept_split": 112_000,
    },
    gas_misses={},
    commands=("offchain.petra.commands.petra",),
    demo="offchain.petra.demo:run",
    demo_title="PETra assets and offers within feeder limits",
)
