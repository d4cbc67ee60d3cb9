"""The `gridledger merkle` and `gridledger meter` commands, run as a user would."""

from __future__ import annotations

import json

import pytest
from eth_account import Account

from offchain.app.cli import main
from offchain.kernel.crypto import recover_address
from offchain.spb import eip712
from offchain.spb.merkle import COE_LEAF, StandardMerkleTree

MARKET = "0x" + "42" * 20
ERC_ARGS = (
    "--ctp-id",
    "0x" + "ab" * 32,
    "--price",
    "9",
    "--energy-wh",
    "90",
    "--chain-id",
    "31337",
    "--market",
    MARKET,
)


@pytest.fixture
def run(capsys):
    """Factory: run the CLI in-process; returns (exit code, stdout, stderr)."""

    def call(*argv: str) -> tuple[int, str, str]:
        try:
            code = main(list(argv))
        except SystemExit as exc:  # argparse errors and --help
            code = int(exc.code or 0)
        out = capsys.readouterr()
        return code, out.out, out.err

    return call


@pytest.fixture
def meter_env(monkeypatch, passphrase):
    monkeypatch.setenv("GRIDLEDGER_METER_PASSPHRASE", passphrase)
    monkeypatch.setenv("GRIDLEDGER_VERIFIER_PASSPHRASE", passphrase + "-v")


def test_merkle_root_prints_only_the_js_librarys_root(run, tmp_path, js_tree):
    addresses = [Account.create().address for _ in range(21)]
    path = tmp_path / "addresses.txt"
    path.write_text("\n".join(a.lower() if i % 2 else a for i, a in enumerate(addresses)) + "\n")
    code, out, _ = run("merkle", "root", str(path))
    assert code == 0
    assert out == js_tree(["address"], [[a] for a in addresses])["root"] + "\n"


def test_merkle_proof_prints_the_js_librarys_proof(run, tmp_path, js_tree):
    addresses = [Account.create().address for _ in range(6)]
    path = tmp_path / "a.txt"
    path.write_text("\n".join(addresses))
    code, out, _ = run("merkle", "proof", str(path), addresses[4])
    assert code == 0 and out.split() == js_tree(["address"], [[a] for a in addresses])["proofs"][4]


def test_a_bad_line_is_named_in_a_one_line_error(run, tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(f"{Account.create().address}\n\n0xnot-an-address\n")
    code, out, err = run("merkle", "root", str(path))
    assert code != 0 and out == ""
    assert err.count("\n") == 1 and "line 3" in err and "Traceback" not in err


def test_every_meter_subcommand_has_help(run):
    for action in ("init", "coe", "reserve", "erc", "info"):
        code, out, _ = run("meter", action, "--help")
        assert code == 0 and "usage: gridledger meter " + action in out
    assert run("merkle", "root", "--help")[0] == 0


def test_init_coe_and_erc_from_the_command_line(run, tmp_path, meter_env, monkeypatch, passphrase):
    meter, verifier = tmp_path / "meter.json", tmp_path / "verifier.json"
    code, out, err = run("meter", "init", str(meter), "--pool-size", "4", "--kdf-n", "1024")
    assert code == 0, err
    created = json.loads(out)
    assert created["caKeystore"] == f"{meter}.ca.json" and created["poolSize"] == 4
    monkeypatch.setenv("GRIDLEDGER_METER_PASSPHRASE", passphrase + "-v")
    monkeypatch.setenv("GRIDLEDGER_CA_PASSPHRASE", passphrase)
    code, out, err = run(
        "meter", "init", str(verifier), "--pool-size", "1", "--kdf-n", "1024", "--ca-keystore", f"{meter}.ca.json"
    )
    assert code == 0, err
    assert json.loads(out)["ca"] == created["ca"]
    monkeypatch.setenv("GRIDLEDGER_METER_PASSPHRASE", passphrase)
    code, out, err = run(
        "meter",
        "coe",
        str(meter),
        "--verifier",
        str(verifier),
        "--out",
        str(tmp_path / "coe.json"),
        "--market",
        MARKET,
        "--chain-id",
        "31337",
    )
    assert code == 0, err
    coe = json.loads(out)
    assert coe["root"] == created["poolRoot"] and coe["ca"] == created["ca"]
    assert json.loads((tmp_path / "coe.json").read_text()) == coe
    possession = coe["possession"]  # a leaf key's EIP-712 signature over (root, verifier): used up
    digest = eip712.coe_registration_digest(bytes.fromhex(coe["root"][2:]), coe["verifier"], 31337, MARKET)
    holder = recover_address(digest, bytes.fromhex(possession["signature"][2:]))
    assert StandardMerkleTree.verify(
        bytes.fromhex(coe["root"][2:]), COE_LEAF, (possession["leafIndex"], holder), possession["proof"]
    )
    code, out, err = run("meter", "reserve", str(meter))
    assert code == 0, err
    reserved = json.loads(out)
    assert reserved["coeRoot"] == coe["root"] and reserved["meterKey"] != holder
    code, out, err = run(
        "meter",
        "erc",
        "--meter-key",
        reserved["meterKey"],
        str(meter),
        "--ctp-id",
        "0x" + "ab" * 32,
        "--price",
        "9",
        "--energy-wh",
        "90",
        "--chain-id",
        "31337",
        "--market",
        MARKET,
    )
    assert code == 0, err
    from offchain.spb import EnergyReceipt

    erc = EnergyReceipt.from_json(json.loads(out))
    assert erc.recover() == erc.signer == reserved["meterKey"]
    assert erc.verify_proof() and erc.coe_root.hex() == coe["root"][2:] and erc.leaf_index == reserved["leafIndex"]
    info = json.loads(run("meter", "info", str(meter))[1])
    assert info["pools"][0]["unused"] == 2 and info["pools"][0]["coe"] is True  # possession + reserved
    # a key the meter never reserved (someone else's, or a guess) signs nothing
    stranger = "0x" + "11" * 20
    code, _, err = run("meter", "erc", "--meter-key", stranger, str(meter), *ERC_ARGS)
    assert code == 1 and err.count("\n") == 1 and "belongs to none of this meter's pools" in err


def test_a_wrong_passphrase_is_a_one_line_error(run, tmp_path, meter_env, monkeypatch):
    meter = tmp_path / "m.json"
    assert run("meter", "init", str(meter), "--pool-size", "1", "--kdf-n", "1024")[0] == 0
    monkeypatch.setenv("GRIDLEDGER_METER_PASSPHRASE", "nope")
    code, _, err = run("meter", "info", str(meter))
    assert code == 1 and "wrong passphrase" in err and err.count("\n") == 1
