"""Registry entry of the SPB mechanism: everything the application needs to know about it.

Dotted paths only (resolved on use), so that reading this entry stays cheap.
"""

from __future__ import annotations

from ..kernel.mechanism import Mechanism

MECHANISM = Mechanism(
    name="spb",
    summary="SPB: energy accounts, CTP + ERC atomic meta-transactions, anonymous meters with CoEs",
    deploy="offchain.spb.deploy:deploy",
    gas_sections={
        "spb": "offchain.spb.gasreport:measure",
        "escrow_baseline": "offchain.spb.gasreport:measure_escrow",
        # the funds decision (docs/common.md): SPB on the inherited ledger vs a shared vault
        "arch": "offchain.spb.gasreport:measure_funds_layout",
    },
    gas_goals={
        "spb.ctp_plus_erc": 115_000,
        "spb.settle_single": 75_000,
        "spb.batch50_per_trade": 30_000,
    },
    gas_misses={
        "spb.batch50_per_trade": (
            "packed batch item 31,224: calldata 9,696 (663 bytes), two ecrecover 6,200, Settled log 3,155, "
            "storage ~1,550, hashing ~1,200, base share 420; the ~9,000 left is interpretation that only "
            "hand-written assembly of the whole settlement would remove (docs/spb.md)"
        ),
    },
    benches={"merkle": "offchain.spb.bench:merkle_main"},
    commands=("offchain.spb.commands.meter", "offchain.spb.commands.merkle", "offchain.spb.commands.trade"),
    demo="offchain.spb.demo:run",
    demo_title="SPB trades between agents",
    day="offchain.spb.day:factory",
)
