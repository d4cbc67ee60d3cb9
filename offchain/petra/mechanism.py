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
    gas_misses={
        "petra.mint_asset": (
            "floor 41,495 measured by opcode (docs/petra.md): 21,000 + calldata 1,308 + 4 cold SLOADs 8,400 "
            "(DSO role, prosumer, capacity counters, position) + 2 SSTOREs 5,800 + TransferSingle 2,387 + the "
            "ERC-1155 receiver's EXTCODESIZE 2,600, before any computation"
        ),
        "petra.rescind_offer": (
            "below the 21,000 every transaction pays; floor 27,669 (docs/petra.md): intrinsic + calldata 288 + "
            "the offer's cold SLOAD 2,100 + its SSTORE 2,900 + OfferRescinded 1,381"
        ),
        "petra.accept_offer": (
            "floor 52,108 measured by opcode (docs/petra.md): 21,000 + calldata 1,284 + 6 cold SLOADs (two "
            "assets, two balances, feeder, flow counter) + 5 SSTOREs 14,500 + OfferAccepted 2,524; without "
            "feeder limits still 41,000"
        ),
    },
    commands=("offchain.petra.commands.petra",),
    demo="offchain.petra.demo:run",
    demo_title="PETra assets and offers within feeder limits",
    day="offchain.petra.day:factory",
)
