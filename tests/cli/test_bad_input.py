"""Every subcommand refuses bad input in one line: the issue-18 table, run in-process.

Each case runs ``gridledger`` (in this process, so the table stays fast) with a fresh
``$GRIDLEDGER_HOME`` holding a few fixtures (a folder, a binary file, corrupt state files,
a meter keystore, ...) and asserts the error contract of docs/cli.md:

- exit code non-zero (2 for a usage error refused by the parser, 1 for a refused operation);
- exactly one line on stderr, and no "Traceback";
- no file created, changed or left half-written anywhere under the test folder, and no
  temporary folder left behind;
- no process left behind: the descendants of this process (PID + start time) are the same
  before and after.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import psutil
import pytest
from eth_account import Account

from offchain.app.cli import main

GOOD = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"  # EIP-55 example
BAD_CHECKSUM = "0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"  # one letter's case flipped
HEX32 = "0x" + "ab" * 32
ERC = ["--ctp-id", HEX32, "--price", "9", "--energy-wh", "90", "--chain-id", "31337", "--market", GOOD]

# (case id, argv with {placeholders}, expected exit code, a fragment of the message)
USAGE = 2
REFUSED = 1
CASES: list[tuple[str, list[str], int, str]] = [
    # -- the mechanisms' commands (PETra, PriWatt, shared PV, auction) ------------------
    ("auction-solve-missing", ["auction", "solve", "{missing}"], REFUSED, "cannot read"),
    ("auction-solve-dir", ["auction", "solve", "{dir}"], REFUSED, "cannot read"),
    ("auction-solve-binary", ["auction", "solve", "{binary}"], REFUSED, "is not JSON"),
    ("auction-solve-pricing", ["auction", "solve", "{binary}", "--pricing", "bogus"], USAGE, "invalid choice"),
    ("auction-run-slots-zero", ["auction", "run", "--slots", "0"], USAGE, "--slots: must be between 1 and 96"),
    ("auction-run-slots-97", ["auction", "run", "--slots", "97"], USAGE, "--slots"),
    ("auction-run-seed", ["auction", "run", "--seed", "x"], USAGE, "not an integer"),
    ("auction-run-workdir-file", ["auction", "run", "--workdir", "{binary}"], USAGE, "exists and is not a folder"),
    ("auction-run-rpc-empty", ["auction", "run", "--rpc-url", ""], USAGE, "empty URL"),
    ("board-list-market-short", ["board", "list", "--market", "0x1234"], USAGE, "not a 0x-address"),
    ("board-list-market-checksum", ["board", "list", "--market", BAD_CHECKSUM], USAGE, "bad EIP-55 checksum"),
    ("board-list-energy-text", ["board", "list", "--market", GOOD, "--min-energy-wh", "x"], USAGE, "--min-energy-wh"),
    ("board-show-market", ["board", "show", "--market", "0x1234", "0x01"], USAGE, "not a 0x-address"),
    ("channel-run-kwh-zero", ["channel", "run", "--kwh", "0"], REFUSED, "--kwh must be positive"),
    ("channel-run-market", ["channel", "run", "--market", "0x1234"], USAGE, "not a 0x-address"),
    ("channel-run-backbone", ["channel", "run", "--backbone", "-1"], USAGE, "--backbone"),
    ("channel-run-workdir-file", ["channel", "run", "--workdir", "{binary}"], USAGE, "exists and is not a folder"),
    ("escrow-run-energy-zero", ["escrow", "run", "--energy-wh", "0"], REFUSED, "--energy-wh must be positive"),
    ("escrow-run-pow-bits", ["escrow", "run", "--pow-bits", "999"], USAGE, "--pow-bits"),
    ("escrow-run-onion", ["escrow", "run", "--onion", "-1"], USAGE, "--onion"),
    (
        "clearing-bill-day",
        [
            "clearing",
            "bill",
            "notadate",
            "--consumption",
            "{binary}",
            "--generation",
            "{binary}",
            "--tariff",
            "{binary}",
        ],
        USAGE,
        "not a date",
    ),  # fmt: skip
    (
        "clearing-bill-tariff",
        [
            "clearing",
            "bill",
            "2026-10-25",
            "--consumption",
            "{binary}",
            "--generation",
            "{binary}",
            "--tariff",
            "{binary}",
        ],
        REFUSED,
        "is not JSON",
    ),  # fmt: skip
    ("petra-deploy-dev-account", ["petra", "deploy", "--dev-account", "-1"], REFUSED, "--dev-account must be 0..9"),
    ("petra-feeder-market", ["petra", "feeder", "--market", "0x1234", "1", "2", "3"], USAGE, "not a 0x-address"),
    ("petra-feeder-text", ["petra", "feeder", "--market", GOOD, "x", "2", "3"], USAGE, "argument feeder"),
    ("petra-prosumer-text", ["petra", "prosumer", "--market", GOOD, "0x12", "1", "2", "3"], USAGE, "argument prosumer"),
    (
        "petra-mint-kind",
        ["petra", "mint", "--market", GOOD, "1", GOOD, "sideways", "1", "2", "3"],
        USAGE,
        "invalid choice",
    ),
    ("petra-offer-asset", ["petra", "offer", "--market", GOOD, "x", "3"], USAGE, "argument asset"),
    ("petra-rescind-asset", ["petra", "rescind", "--market", GOOD, "zz"], USAGE, "argument asset"),
    (
        "petra-accept-market",
        ["petra", "accept", "--market", BAD_CHECKSUM, "1", "2", "3", "4", "5", "6"],
        USAGE,
        "checksum",
    ),
    ("petra-deposit-market", ["petra", "deposit", "--market", "0x1234", "5"], USAGE, "not a 0x-address"),
    ("petra-book-market", ["petra", "book", "--market", "0x1234"], USAGE, "not a 0x-address"),
    ("petra-asset-market", ["petra", "asset", "--market", "", "1"], USAGE, "--market"),
    ("petra-reputation-market", ["petra", "reputation", "--market", BAD_CHECKSUM, GOOD], USAGE, "checksum"),
    (
        "clearing-bill-csv-binary",
        [
            "clearing",
            "bill",
            "2026-10-25",
            "--consumption",
            "{binary}",
            "--generation",
            "{binary}",
            "--tariff",
            "{tariff}",
        ],
        REFUSED,
        "not a text (CSV) file",
    ),  # fmt: skip
    (
        "clearing-bill-csv-dir",
        [
            "clearing",
            "bill",
            "2026-10-25",
            "--consumption",
            "{dir}",
            "--generation",
            "{dir}",
            "--tariff",
            "{tariff}",
        ],
        REFUSED,
        "is a folder",
    ),  # fmt: skip
    (
        "clearing-bill-tariff-list",
        [
            "clearing",
            "bill",
            "2026-10-25",
            "--consumption",
            "{dir}",
            "--generation",
            "{dir}",
            "--tariff",
            "{json_list}",
        ],
        REFUSED,
        "must be a JSON object",
    ),  # fmt: skip
    ("pv-lat", ["pv", "--lat", "95"], REFUSED, "out of range"),
    ("pv-date", ["pv", "--date", "notadate"], REFUSED, "bad date"),
    ("pv-zone", ["pv", "--tz", "Mars/Olympus"], REFUSED, "unknown time zone"),
    ("pv-area", ["pv", "--area", "-1"], REFUSED, "must be positive"),
    ("pv-pr-nan", ["pv", "--pr", "nan"], REFUSED, "must lie in (0, 1]"),
    ("shares-day-slots-day", ["shares", "day-slots", "notadate"], USAGE, "not a date"),
    ("shares-day-slots-zone", ["shares", "day-slots", "2026-10-25", "--zone", "Mars/Olympus"], REFUSED, "time zone"),
    (
        "shares-create-registry",
        ["shares", "create", "--registry", "0x1234", "--owner", "x", "--from", "0"],
        USAGE,
        "--registry",
    ),
    ("shares-show-day", ["shares", "show", "--day", "notadate"], USAGE, "not a date"),
    ("shares-show-plant", ["shares", "show", "--plant", BAD_CHECKSUM], USAGE, "checksum"),
    ("shares-transfer-day", ["shares", "transfer", "--day", "x", "--from", "0", GOOD, "5"], USAGE, "not a date"),
    (
        "shares-transfer-plant",
        ["shares", "transfer", "--slot", "5", "--from", "0", "--plant", "0x12", GOOD, "5"],
        USAGE,
        "--plant",
    ),
    ("shares-admit-no-chain", ["shares", "admit", "--from", "0", GOOD], REFUSED, "--rpc-url"),
    (
        "shares-revoke-plant",
        ["shares", "revoke", "--from", "0", "--plant", BAD_CHECKSUM, GOOD, GOOD],
        USAGE,
        "checksum",
    ),
    ("shares-history-plant", ["shares", "history", "--plant", "0x1234"], USAGE, "not a 0x-address"),
    # -- trade --------------------------------------------------------------------------
    ("trade-market-short", ["trade", "--market", "0x1234"], USAGE, "--market: not a 0x-address"),
    ("trade-market-checksum", ["trade", "--market", BAD_CHECKSUM], USAGE, "bad EIP-55 checksum"),
    ("trade-market-empty", ["trade", "--market", ""], USAGE, "--market"),
    ("trade-workdir-file", ["trade", "--workdir", "{binary}"], USAGE, "exists and is not a folder"),
    ("trade-workdir-missing-parent", ["trade", "--workdir", "{missing}/w"], USAGE, "does not exist"),
    ("trade-energy-zero", ["trade", "--energy-wh", "0"], USAGE, "--energy-wh: must be between 1"),
    ("trade-energy-negative", ["trade", "--energy-wh", "-5"], USAGE, "--energy-wh"),
    ("trade-energy-text", ["trade", "--energy-wh", "lots"], USAGE, "not an integer"),
    ("trade-energy-huge", ["trade", "--energy-wh", str(2**300)], USAGE, "--energy-wh"),
    ("trade-rpc-empty", ["trade", "--rpc-url", ""], USAGE, "--rpc-url: empty URL"),
    ("trade-rpc-blank", ["trade", "--rpc-url", "   "], USAGE, "--rpc-url: empty URL"),
    ("trade-chain-id-zero", ["trade", "--chain-id", "0"], USAGE, "--chain-id"),
    ("trade-chain-id-huge", ["trade", "--chain-id", str(2**300)], USAGE, "--chain-id"),
    ("trade-form", ["trade", "--form", "bogus"], USAGE, "invalid choice"),
    # -- meter --------------------------------------------------------------------------
    ("meter-kdf-huge", ["meter", "init", "{new}/m.json", "--kdf-n", "1073741824"], USAGE, "--kdf-n"),
    ("meter-kdf-not-pow2", ["meter", "init", "{new}/m.json", "--kdf-n", "1000"], USAGE, "power of two"),
    ("meter-kdf-one", ["meter", "init", "{new}/m.json", "--kdf-n", "1"], USAGE, "--kdf-n"),
    ("meter-ca-dir", ["meter", "init", "{new}/m.json", "--ca-keystore", "{dir}"], USAGE, "is a folder"),
    ("meter-ca-missing", ["meter", "init", "{new}/m.json", "--ca-keystore", "{missing}"], USAGE, "no such file"),
    ("meter-ca-meter", ["meter", "init", "{new}/m.json", "--ca-keystore", "{meter}"], REFUSED, "not an eth-account"),
    ("meter-ca-key-bad", ["meter", "init", "{new}/m.json", "--ca-key", "xyz"], REFUSED, "--ca-key"),
    ("meter-init-dir", ["meter", "init", "{dir}"], USAGE, "is a folder"),
    ("meter-init-missing-dir", ["meter", "init", "{missing}/m.json"], USAGE, "does not exist"),
    ("meter-init-exists", ["meter", "init", "{meter}"], REFUSED, "already exists"),
    ("meter-pool-zero", ["meter", "init", "{new}/m.json", "--pool-size", "0"], USAGE, "--pool-size"),
    ("meter-new-ca-dir", ["meter", "init", "{new}/m.json", "--new-ca", "{dir}"], USAGE, "--new-ca"),
    ("meter-info-n40", ["meter", "info", "{n40}"], REFUSED, "above the limit"),
    ("meter-info-binary", ["meter", "info", "{binary}"], REFUSED, "not a GridLedger keystore"),
    ("meter-info-dir", ["meter", "info", "{dir}"], USAGE, "is a folder"),
    ("meter-info-missing", ["meter", "info", "{missing}"], USAGE, "no such file"),
    ("meter-info-wrong-kind", ["meter", "info", "{state_json}"], REFUSED, "not a GridLedger keystore"),
    (
        "meter-erc-chain-huge",
        ["meter", "erc", "{meter}", *ERC[:6], "--chain-id", str(2**300), "--market", GOOD],
        USAGE,
        "--chain-id",
    ),  # fmt: skip
    ("meter-erc-ctp-short", ["meter", "erc", "{meter}", "--ctp-id", "0x12", *ERC[2:]], USAGE, "32 bytes"),
    ("meter-erc-ctp-hex", ["meter", "erc", "{meter}", "--ctp-id", "zz", *ERC[2:]], USAGE, "not hex"),
    ("meter-erc-market", ["meter", "erc", "{meter}", *ERC[:-1], BAD_CHECKSUM], USAGE, "checksum"),
    ("meter-erc-price", ["meter", "erc", "{meter}", "--ctp-id", HEX32, "--price", "-1", *ERC[4:]], USAGE, "--price"),
    (
        "meter-erc-price-big",
        ["meter", "erc", "{meter}", "--ctp-id", HEX32, "--price", str(2**96), *ERC[4:]],
        USAGE,
        "--price",
    ),  # fmt: skip
    ("meter-erc-meter-key", ["meter", "erc", "{meter}", *ERC, "--meter-key", "0x12"], USAGE, "--meter-key"),
    ("meter-erc-timestamp", ["meter", "erc", "{meter}", *ERC, "--timestamp", "-3"], USAGE, "--timestamp"),
    ("meter-coe-out-dir", ["meter", "coe", "{meter}", "--verifier", "{meter}", "--out", "{dir}"], USAGE, "--out"),
    (
        "meter-coe-out-missing",
        ["meter", "coe", "{meter}", "--verifier", "{meter}", "--out", "{missing}/c.json"],
        USAGE,
        "does not exist",
    ),  # fmt: skip
    ("meter-coe-root", ["meter", "coe", "{meter}", "--verifier", "{meter}", "--root", "0x1"], USAGE, "--root"),
    (
        "meter-coe-trusted",
        ["meter", "coe", "{meter}", "--verifier", "{meter}", "--trusted-ca", "x"],
        USAGE,
        "--trusted-ca",
    ),  # fmt: skip
    (
        "meter-coe-market-alone",
        ["meter", "coe", "{meter}", "--verifier", "{meter}", "--market", GOOD],
        REFUSED,
        "go together",
    ),  # fmt: skip
    ("meter-coe-verifier-dir", ["meter", "coe", "{meter}", "--verifier", "{dir}"], USAGE, "--verifier"),
    ("meter-reserve-root", ["meter", "reserve", "{meter}", "--root", "nothex"], USAGE, "--root"),
    # -- merkle -------------------------------------------------------------------------
    ("merkle-root-dir", ["merkle", "root", "{dir}"], USAGE, "is a folder"),
    ("merkle-root-missing", ["merkle", "root", "{missing}"], USAGE, "no such file"),
    ("merkle-root-binary", ["merkle", "root", "{binary}"], REFUSED, "cannot read"),
    ("merkle-root-checksum", ["merkle", "root", "{bad_checksum_list}"], REFUSED, "line 2: bad EIP-55 checksum"),
    ("merkle-root-duplicate", ["merkle", "root", "{duplicate_list}"], REFUSED, "duplicate leaf"),
    ("merkle-root-empty", ["merkle", "root", "{empty}"], REFUSED, "holds no address"),
    ("merkle-root-junk", ["merkle", "root", "{state_json}"], REFUSED, "not a 0x-address"),
    ("merkle-proof-checksum", ["merkle", "proof", "{good_list}", BAD_CHECKSUM], USAGE, "checksum"),
    ("merkle-proof-absent", ["merkle", "proof", "{good_list}", GOOD], REFUSED, "is not in"),
    # -- bill ---------------------------------------------------------------------------
    ("bill-make-checksum", ["bill", "make", BAD_CHECKSUM], USAGE, "checksum"),
    ("bill-make-html-dir", ["bill", "make", GOOD, "--html", "{dir}"], USAGE, "--html"),
    ("bill-make-html-missing", ["bill", "make", GOOD, "--html", "{missing}/b.html"], USAGE, "does not exist"),
    ("bill-make-no-chain", ["bill", "make", GOOD], REFUSED, "pass --rpc-url"),
    ("bill-make-rpc-empty", ["bill", "make", GOOD, "--rpc-url", ""], USAGE, "--rpc-url"),
    ("bill-make-grid", ["bill", "make", GOOD, "--grid", BAD_CHECKSUM], USAGE, "--grid"),
    ("bill-make-ipfs-empty", ["bill", "make", GOOD, "--ipfs-api", ""], USAGE, "--ipfs-api"),
    ("bill-verify-bad", ["bill", "verify", "0xnope"], USAGE, "not a 0x-address"),
    ("bill-verify-no-grid", ["bill", "verify", GOOD, "--rpc-url", "http://127.0.0.1:1"], REFUSED, "--grid"),
    ("bill-retry-no-chain", ["bill", "retry"], REFUSED, "pass --rpc-url"),
    ("bill-export-dir", ["bill", "export-car", "{dir}"], USAGE, "is a folder"),
    ("bill-export-missing", ["bill", "export-car", "{missing}/x.car"], USAGE, "does not exist"),
    ("bill-export-unknown-cid", ["bill", "export-car", "{new}/x.car", "bafkqaaa"], REFUSED, "not in the local"),
    ("bill-costs-nan", ["bill", "costs", "--gwei", "nan"], USAGE, "finite"),
    ("bill-costs-inf", ["bill", "costs", "--gwei", "inf"], USAGE, "finite"),
    ("bill-costs-negative", ["bill", "costs", "--gwei", "-1"], USAGE, "--gwei"),
    ("bill-costs-block-time", ["bill", "costs", "--block-time", "0"], USAGE, "--block-time"),
    ("bill-costs-gas-limit", ["bill", "costs", "--block-gas-limit", "-1"], USAGE, "--block-gas-limit"),
    ("bill-cid-missing", ["bill", "cid", "{missing}"], USAGE, "no such file"),
    ("bill-cid-dir", ["bill", "cid", "{dir}"], USAGE, "is a folder"),
    ("bill-put-dir", ["bill", "put", "{dir}"], USAGE, "is a folder"),
    # -- gas ----------------------------------------------------------------------------
    ("gas-write-dir", ["gas", "--write", "{dir}"], USAGE, "--write"),
    ("gas-write-missing", ["gas", "--write", "{missing}/g.json"], USAGE, "does not exist"),
    ("gas-write-binary", ["gas", "--write", "{binary}"], REFUSED, "not a gas snapshot"),
    ("gas-write-list", ["gas", "--write", "{json_list}"], REFUSED, "not a gas snapshot"),
    ("gas-only", ["gas", "--only", "nothing"], USAGE, "invalid choice"),
    # -- backbone / negotiate -----------------------------------------------------------
    ("backbone-state-dir", ["backbone", "up", "--state", "{dir}"], USAGE, "--state"),
    ("backbone-state-missing", ["backbone", "up", "--state", "{missing}/b.json"], USAGE, "does not exist"),
    ("backbone-nodes-zero", ["backbone", "up", "--nodes", "0"], USAGE, "--nodes"),
    ("backbone-nodes-huge", ["backbone", "up", "--nodes", "100000"], USAGE, "--nodes"),
    ("backbone-x", ["backbone", "up", "--x", "9"], USAGE, "--x"),
    ("backbone-pow", ["backbone", "up", "--pow-bits", "99"], USAGE, "--pow-bits"),
    ("backbone-duration", ["backbone", "up", "--duration", "-1"], USAGE, "--duration"),
    ("backbone-duration-nan", ["backbone", "up", "--duration", "nan"], USAGE, "finite"),
    ("backbone-load-nan", ["backbone", "up", "--load-threshold", "nan"], USAGE, "finite"),
    ("backbone-status-corrupt", ["backbone", "status", "--state", "{corrupt}"], REFUSED, "backbone down --force"),
    ("backbone-status-missing", ["backbone", "status", "--state", "{missing}"], REFUSED, "gridledger backbone up"),
    ("backbone-status-dir", ["backbone", "status", "--state", "{dir}"], REFUSED, "is a folder"),
    ("backbone-down-corrupt", ["backbone", "down", "--state", "{corrupt}"], REFUSED, "--force"),
    ("backbone-rebalance-corrupt", ["backbone", "rebalance", "--state", "{corrupt}"], REFUSED, "corrupt"),
    ("backbone-prune-dir", ["backbone", "prune", "--state", "{dir}"], REFUSED, "is a folder"),
    ("backbone-up-corrupt", ["backbone", "up", "--state", "{corrupt}"], REFUSED, "corrupt"),
    (
        "negotiate-backbone-dir",
        ["negotiate", "--amount", "5", "--buyer", "1:2", "--seller", "3:1", "--backbone", "{dir}"],
        USAGE,
        "--backbone",
    ),  # fmt: skip
    (
        "negotiate-backbone-missing",
        ["negotiate", "--amount", "5", "--buyer", "1:2", "--seller", "3:1", "--backbone", "{missing}"],
        USAGE,
        "no such file",
    ),  # fmt: skip
    (
        "negotiate-backbone-corrupt",
        ["negotiate", "--amount", "5", "--buyer", "80:120", "--seller", "150:100", "--backbone", "{corrupt}"],
        REFUSED,
        "corrupt",
    ),  # fmt: skip
    (
        "negotiate-backbone-binary",
        ["negotiate", "--amount", "5", "--buyer", "80:120", "--seller", "150:100", "--backbone", "{binary}"],
        REFUSED,
        "corrupt",
    ),  # fmt: skip
    ("negotiate-amount", ["negotiate", "--amount", "0", "--buyer", "1:2", "--seller", "3:1"], USAGE, "--amount"),
    (
        "negotiate-prices",
        ["negotiate", "--amount", "5", "--buyer", "a:b", "--seller", "3:1"],
        REFUSED,
        "INITIAL:RESERVATION",
    ),  # fmt: skip
    (
        "negotiate-nodes",
        ["negotiate", "--amount", "5", "--buyer", "1:2", "--seller", "3:1", "--nodes", "0"],
        USAGE,
        "--nodes",
    ),  # fmt: skip
    (
        "negotiate-rounds",
        ["negotiate", "--amount", "5", "--buyer", "1:2", "--seller", "3:1", "--rounds", "0"],
        USAGE,
        "--rounds",
    ),  # fmt: skip
    ("negotiate-missing-args", ["negotiate", "--amount", "5"], USAGE, "required"),
    # -- devnet -------------------------------------------------------------------------
    ("devnet-logs-negative", ["devnet", "logs", "poa", "-n", "-5"], USAGE, "--lines"),
    ("devnet-logs-corrupt", ["devnet", "logs", "broken"], REFUSED, "devnet prune broken"),
    ("devnet-status-corrupt", ["devnet", "status", "broken"], REFUSED, "devnet prune broken"),
    ("devnet-down-corrupt", ["devnet", "down", "broken"], REFUSED, "devnet prune broken"),
    ("devnet-down-all-corrupt", ["devnet", "down"], REFUSED, "devnet prune broken"),
    ("devnet-logs-unknown", ["devnet", "logs", "nothing-here"], REFUSED, "no devnet named"),
    ("devnet-down-unknown", ["devnet", "down", "nothing-here"], REFUSED, "no devnet named"),
    ("devnet-prune-unknown", ["devnet", "prune", "nothing-here"], REFUSED, "no devnet named"),
    ("devnet-port-big", ["devnet", "up", "--port", "99999"], USAGE, "--port"),
    ("devnet-port-negative", ["devnet", "up", "--port", "-1"], USAGE, "--port"),
    ("devnet-name", ["devnet", "up", "--name", "../x"], USAGE, "bad name"),
    ("devnet-timeout-nan", ["devnet", "up", "--timeout", "nan"], USAGE, "finite"),
    ("devnet-block-time", ["devnet", "up", "--block-time", "0"], USAGE, "--block-time"),
    ("devnet-signers", ["devnet", "up", "--kind", "poa", "--signers", "0"], USAGE, "--signers"),
    ("devnet-kind", ["devnet", "up", "--kind", "geth"], USAGE, "invalid choice"),
    ("devnet-signers-anvil", ["devnet", "up", "--kind", "anvil", "--signers", "3"], REFUSED, "--kind poa only"),
    ("devnet-block-time-poa", ["devnet", "up", "--kind", "poa", "--block-time", "1"], REFUSED, "--kind anvil only"),
    ("devnet-up-busy-port", ["devnet", "up", "--name", "a2", "--port", "{busy_port}"], REFUSED, "already in use"),
    # -- ipfs ---------------------------------------------------------------------------
    ("ipfs-port-big", ["ipfs", "up", "--port", "99999"], USAGE, "--port"),
    ("ipfs-port-negative", ["ipfs", "up", "--port", "-1"], USAGE, "--port"),
    ("ipfs-port-busy", ["ipfs", "up", "--port", "{busy_port}"], REFUSED, "already in use"),
    ("ipfs-status-corrupt", ["ipfs", "status"], REFUSED, "ipfs down --force"),
    ("ipfs-down-corrupt", ["ipfs", "down"], REFUSED, "ipfs down --force"),
    # -- bench, demo, chain, top level ----------------------------------------------------
    ("bench-sizes-zero", ["bench", "routing", "--sizes", "0"], USAGE, "--sizes"),
    ("bench-sizes-text", ["bench", "routing", "--sizes", "a,b"], USAGE, "--sizes"),
    ("bench-backbones-zero", ["bench", "routing", "--backbones", "0"], USAGE, "--backbones"),
    ("bench-negotiations-zero", ["bench", "routing", "--negotiations", "0"], USAGE, "--negotiations"),
    ("bench-messages-negative", ["bench", "routing", "--messages", "-5"], USAGE, "--messages"),
    ("bench-window-zero", ["bench", "routing", "--window", "0"], USAGE, "--window"),
    ("bench-merkle-keys", ["bench", "merkle", "--keys", "0"], USAGE, "--keys"),
    ("bench-devnet-txs", ["bench", "devnet", "--txs", "5"], USAGE, "--txs"),
    ("bench-devnet-rate", ["bench", "devnet", "--rate", "nan"], USAGE, "finite"),
    ("bench-unknown", ["bench", "nothing"], USAGE, "invalid choice"),
    ("demo-seed", ["demo", "--seed", "-1"], USAGE, "--seed"),
    ("chain-rpc-empty", ["chain", "info", "--rpc-url", ""], USAGE, "--rpc-url"),
    ("chain-id-text", ["chain", "info", "--chain-id", "one"], USAGE, "--chain-id"),
    ("unknown-command", ["frobnicate"], USAGE, "invalid choice"),
    ("missing-action", ["devnet"], USAGE, "required"),
]


@pytest.fixture
def fixtures(tmp_path, monkeypatch):
    """A $GRIDLEDGER_HOME and a folder of awkward inputs; placeholders for the table."""
    import socket

    from offchain.spb.certificates import ManufacturerCA
    from offchain.spb.keystore import FORMAT, KdfParams
    from offchain.spb.meter import KEYSTORE_KIND, Meter

    home = tmp_path / "home"
    files = tmp_path / "files"
    scratch = tmp_path / "tmp"
    for d in (home, files, scratch, files / "a-folder", files / "new"):
        d.mkdir(parents=True)
    monkeypatch.setenv("GRIDLEDGER_HOME", str(home))
    monkeypatch.setenv("GRIDLEDGER_METER_PASSPHRASE", "pass")
    monkeypatch.setenv("GRIDLEDGER_VERIFIER_PASSPHRASE", "pass")
    monkeypatch.delenv("GRIDLEDGER_RPC_URL", raising=False)
    monkeypatch.delenv("GRIDLEDGER_IPFS_API", raising=False)
    monkeypatch.delenv("GRIDLEDGER_GRID_ADDRESS", raising=False)
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))

    (files / "binary.bin").write_bytes(bytes(range(256)) * 4)
    (files / "empty.txt").write_text("")
    (files / "list.json").write_text("[1, 2]\n")
    (files / "corrupt.json").write_text('{"x": 1, "nodes": [')
    (files / "tariff.json").write_text('{"grid_price_per_kwh": "0.30", "feed_in_price_per_kwh": "0.08"}\n')
    meter = files / "meter.json"
    Meter.create(meter, "pass", ca=ManufacturerCA.generate(), kdf=KdfParams.light())
    n40 = {"format": FORMAT, "kind": KEYSTORE_KIND, "kdf": "scrypt", "cipher": "aes-256-gcm", "nonce": "00" * 12,
           "kdfparams": {"n": 2**40, "r": 8, "p": 1, "dklen": 32, "salt": "00" * 32}, "ciphertext": "", "tag": "00"}  # fmt: skip
    (files / "n40.json").write_text(json.dumps(n40))
    addresses = [Account.create().address for _ in range(3)]
    (files / "good.txt").write_text("\n".join(addresses) + "\n")
    (files / "dup.txt").write_text("\n".join([*addresses, addresses[1].lower()]) + "\n")
    (files / "badsum.txt").write_text(f"{addresses[0]}\n{BAD_CHECKSUM}\n")
    # corrupt state files: a devnet, the IPFS daemon
    (home / "devnets" / "broken").mkdir(parents=True)
    (home / "devnets" / "broken" / "state.json").write_text('{"kind": "anvil", "nodes": [{"pid": ')
    (home / "ipfs").mkdir()
    (home / "ipfs" / "daemon.json").write_text("\x00\x01 not json")

    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    values = {
        "dir": str(files / "a-folder"),
        "missing": str(files / "no-such-thing"),
        "new": str(files / "new"),
        "binary": str(files / "binary.bin"),
        "empty": str(files / "empty.txt"),
        "json_list": str(files / "list.json"),
        "corrupt": str(files / "corrupt.json"),
        "tariff": str(files / "tariff.json"),
        "meter": str(meter),
        "n40": str(files / "n40.json"),
        "good_list": str(files / "good.txt"),
        "duplicate_list": str(files / "dup.txt"),
        "bad_checksum_list": str(files / "badsum.txt"),
        "state_json": str(home / "devnets" / "broken" / "state.json"),
        "busy_port": str(busy.getsockname()[1]),
    }
    yield tmp_path, values
    busy.close()


def _files(root: Path) -> dict[str, tuple[int, int]]:
    return {str(p): (p.stat().st_size, p.stat().st_mtime_ns) for p in root.rglob("*") if p.is_file()}


def _descendants() -> set[tuple[int, float]]:
    out = set()
    for child in psutil.Process().children(recursive=True):
        try:
            if child.status() != psutil.STATUS_ZOMBIE:
                out.add((child.pid, child.create_time()))
        except psutil.Error:
            continue
    return out


def run_cli(argv: list[str], capsys) -> tuple[int, str, str]:
    try:
        code = main(argv)
    except SystemExit as exc:  # the parser's refusals
        code = exc.code if isinstance(exc.code, int) else 1
    out = capsys.readouterr()
    return code, out.out, out.err


def check_refusal(code: int, err: str, expected: int, fragment: str) -> None:
    lines = err.splitlines()
    assert "Traceback" not in err
    assert len(lines) == 1, f"expected one line on stderr, got {len(lines)}: {err!r}"
    assert code == expected, f"exit {code}, expected {expected}: {err!r}"
    assert fragment in lines[0], f"{fragment!r} not in {lines[0]!r}"
    assert lines[0].startswith("gridledger"), lines[0]


@pytest.mark.parametrize("argv, expected, fragment", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_refused_in_one_line_with_nothing_left_behind(fixtures, capsys, argv, expected, fragment):
    root, values = fixtures
    argv = [a.format(**values) for a in argv]
    files_before, procs_before = _files(root), _descendants()
    code, _, err = run_cli(argv, capsys)
    check_refusal(code, err, expected, fragment)
    assert _files(root) == files_before, "a file was created, changed or left half-written"
    assert not any((root / "tmp").iterdir()), "a temporary folder was left behind"
    assert _descendants() <= procs_before, "a process was left behind"


def test_the_table_covers_every_command_and_the_issues_examples():
    from tests.cli.test_gridledger_cli import all_command_paths

    covered = {tuple(c[1][:2]) for c in CASES} | {(c[1][0],) for c in CASES}
    leaves = [tuple(p) for p in all_command_paths()]
    parents = {p[:-1] for p in leaves}
    missing = [p for p in leaves if p not in parents and p not in covered and p[0] != "chain"]
    # every leaf command has at least one bad-input case (chain info: see the chain cases below)
    assert missing == [], missing
    assert len(CASES) >= 140


# -- refusals that need a chain: checked before anything is sent ------------------------
def _nonces(web3) -> tuple[int, list[int]]:
    return web3.eth.block_number, [web3.eth.get_transaction_count(a, "pending") for a in web3.eth.accounts[:4]]


def test_chain_refusals_send_nothing(fixtures, capsys, monkeypatch, web3):
    root, values = fixtures
    url = web3.provider.endpoint_uri
    eoa = web3.eth.accounts[5]
    before = _nonces(web3)
    cases = [
        (["trade", "--rpc-url", url, "--market", eoa], {}, "no contract there"),
        (["bill", "make", eoa, "--rpc-url", url, "--grid", eoa], {}, "no contract at"),
        (["bill", "verify", eoa, "--rpc-url", url, "--grid", eoa], {}, "no contract at"),
        (["trade", "--rpc-url", url, "--chain-id", "1"], {}, "chain id mismatch"),
        (["chain", "info", "--rpc-url", "http://127.0.0.1:1"], {}, "cannot reach"),
        (
            ["trade", "--rpc-url", url],
            {"GRIDLEDGER_TRADE_KEYS": ",".join(Account.create().key.hex() for _ in range(3))},
            "needs at least",
        ),  # fmt: skip
        (["trade", "--rpc-url", url], {"GRIDLEDGER_TRADE_KEYS": "0x12,zz"}, "not a private key"),
    ]
    for argv, env, fragment in cases:
        with monkeypatch.context() as m:
            for k, v in env.items():
                m.setenv(k, v)
            files_before, procs_before = _files(root), _descendants()
            code, _, err = run_cli(argv, capsys)
            check_refusal(code, err, 1, fragment)
            assert _files(root) == files_before and _descendants() <= procs_before
    assert _nonces(web3) == before  # nothing was sent


def test_debug_shows_the_traceback_of_an_unexpected_error(capsys, monkeypatch):
    import offchain.app.commands.chain as chain_cmd

    def boom(args):
        raise RuntimeError("first line\nsecond line")

    monkeypatch.setattr(chain_cmd, "_info", boom)
    monkeypatch.setenv("GRIDLEDGER_RPC_URL", "http://127.0.0.1:1")
    code, _, err = run_cli(["chain", "info"], capsys)
    assert code == 1 and err.count("\n") == 1 and "unexpected RuntimeError: first line second line" in err
    with pytest.raises(RuntimeError):
        main(["--debug", "chain", "info"])


def test_a_corrupt_state_file_is_cleared_with_one_command(fixtures, capsys):
    root, values = fixtures
    home = root / "home"
    assert run_cli(["devnet", "prune", "broken"], capsys)[0] == 0
    assert not (home / "devnets" / "broken").exists()
    assert run_cli(["devnet", "status"], capsys)[0] == 0
    assert run_cli(["ipfs", "down", "--force"], capsys)[0] == 0
    assert not (home / "ipfs" / "daemon.json").exists()
    code, out, _ = run_cli(["ipfs", "status"], capsys)
    assert code == 1 and "not running" in out
    corrupt = values["corrupt"]
    assert run_cli(["backbone", "down", "--force", "--state", corrupt], capsys)[0] == 0
    assert not Path(corrupt).exists()
    assert os.listdir(root / "tmp") == []


# -- half-done state -----------------------------------------------------------------------
def test_an_interrupted_meter_init_leaves_no_keystore_behind(fixtures, capsys, monkeypatch):
    from offchain.spb.meter import Meter

    root, values = fixtures
    target = Path(values["new"]) / "m.json"

    def interrupted(self, size):
        raise KeyboardInterrupt

    monkeypatch.setattr(Meter, "create_pool", interrupted)
    code, _, err = run_cli(["meter", "init", str(target), "--kdf-n", "16", "--pool-size", "2"], capsys)
    assert code == 130 and err.count("\n") == 1
    assert list(Path(values["new"]).iterdir()) == []  # neither the keystore nor the generated CA keystore
    monkeypatch.undo()
    monkeypatch.setenv("GRIDLEDGER_METER_PASSPHRASE", "pass")
    code, out, err = run_cli(["meter", "init", str(target), "--kdf-n", "16", "--pool-size", "2"], capsys)
    assert code == 0, err  # a second init is not refused
    assert json.loads(out)["poolSize"] == 2


def test_a_second_trade_on_the_market_of_the_first_reads_its_nonces_from_the_chain(capsys, web3, monkeypatch):
    monkeypatch.delenv("GRIDLEDGER_TRADE_KEYS", raising=False)
    url = web3.provider.endpoint_uri
    code, out, err = run_cli(["trade", "--rpc-url", url, "--form", "signed", "--energy-wh", "500"], capsys)
    assert code == 0, err
    market = out.split()[1]
    for form in ("signed", "onchain"):  # the consumer key's nonce 0 (then 1) is spent on this market
        code, out, err = run_cli(["trade", "--rpc-url", url, "--market", market, "--form", form], capsys)
        assert code == 0, err
        assert f"market {market}" in out and "settled" in out
