"""`gridledger pv | board | channel | escrow`, run in-process as a user would: results on
stdout, one-line errors with a non-zero exit, `--help` everywhere."""

from __future__ import annotations

import json

import brownie
import pytest

from offchain.app.cli import main
from offchain.kernel.anvil import anvil_keys
from offchain.kernel.chain import connect
from offchain.priwatt.client import PriWattClient
from offchain.priwatt.eip712 import EnergyClaim


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


@pytest.fixture(scope="module")
def rpc():
    return brownie.web3.provider.endpoint_uri


@pytest.mark.parametrize(
    "argv",
    [
        ("pv",),
        ("board",),
        ("board", "list"),
        ("board", "show"),
        ("channel",),
        ("channel", "run"),
        ("escrow",),
        ("escrow", "run"),
    ],
)
def test_every_command_has_help(run, argv):
    code, out, _ = run(*argv, "--help")
    assert code == 0 and "usage: gridledger" in out


def test_pv_prints_one_line_per_sunny_slot_and_the_total(run):
    code, out, _ = run("pv", "--date", "2026-06-21", "--start", "10:00", "--end", "12:00", "--area", "10")
    assert code == 0
    lines = out.splitlines()
    assert sum(1 for line in lines if line.startswith("slot ")) == 8
    assert lines[-1].startswith("total ") and lines[-1].endswith("in 8 slots")


def test_pv_json_lists_every_slot_with_its_energy(run):
    code, out, _ = run("pv", "--date", "2026-12-21", "--json", "--all-slots", "--linke", "3")
    rows = json.loads(out)
    assert code == 0 and len(rows) == 96
    assert all(r["energy_wh"] >= 0 for r in rows) and rows[0]["energy_wh"] == 0  # midnight


@pytest.mark.parametrize(
    "argv, words",
    [
        (("pv", "--lat", "95"), "latitude"),
        (("pv", "--yield", "1.5"), "yield"),
        (("pv", "--date", "2026-13-01"), "date"),
        (("pv", "--tz", "Mars/Olympus"), "zone"),
        (("pv", "--start", "12:00", "--end", "11:00"), "end"),
    ],
)
def test_pv_refuses_bad_input_in_one_line(run, argv, words):
    code, out, err = run(*argv)
    assert code != 0 and out == ""
    assert words in err.lower() and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_board_lists_the_offers_on_sale_filtered_by_price_and_energy(run, rpc):
    chain = connect(rpc)
    governor, seller = anvil_keys(3)[0], anvil_keys(3)[2]
    market = PriWattClient.deploy(chain, sender=governor, dso=governor.address)
    now = int(chain.w3.eth.get_block("latest")["timestamp"])
    ids = []
    for n, (wh, price) in enumerate([(2_000, 4 * 10**15), (5_000, 5 * 10**15)]):
        claim = EnergyClaim(bytes([n + 1]) * 32, seller.address, wh, 10, 12, now + 86_400)
        market.post_offer(claim, market.sign_claim(governor.key, claim), price, b"", sender=seller)
        ids.append(claim.claim_id)
    code, out, _ = run("board", "list", "--rpc-url", rpc, "--market", market.address)
    assert code == 0 and out.startswith("2 offer(s)")
    code, out, _ = run("board", "list", "--rpc-url", rpc, "--market", market.address, "--json",
                       "--max-price-per-kwh", str(10**15))  # fmt: skip
    assert [r["offer_id"] for r in json.loads(out)] == ["0x" + ids[1].hex()]
    code, out, _ = run(
        "board", "list", "--rpc-url", rpc, "--market", market.address, "--json", "--min-energy-wh", "6000"
    )
    assert json.loads(out) == []
    code, out, _ = run("board", "show", "--rpc-url", rpc, "--market", market.address, "0x" + ids[0].hex())
    assert code == 0 and out.startswith(f"offer 0x{ids[0].hex()}: open")


@pytest.mark.parametrize(
    "argv, words",
    [
        (("board", "list", "--market", "0x1234"), "not a 0x-address"),
        (("board", "list", "--market", "0x" + "42" * 20), "no contract"),
        (("board", "show", "--market", "0x" + "42" * 20, "0x12"), "32 bytes"),
        (("board", "list", "--market", "0x" + "42" * 20, "--min-energy-wh", "-1"), "negative"),
    ],
)
def test_board_refuses_bad_input_in_one_line(run, rpc, argv, words):
    code, _, err = run(*argv[:2], "--rpc-url", rpc, *argv[2:])
    assert code != 0 and words in err and "Traceback" not in err


def test_channel_run_pays_only_the_kwh_the_buyer_signed(run, rpc):
    code, out, err = run("channel", "run", "--rpc-url", rpc, "--backbone", "0", "--kwh", "3", "--stop-after", "1")
    assert code == 0, err
    assert "delivered 2 kWh, paid 1 kWh (stopped: the buyer stopped signing)" in out


def test_escrow_run_with_a_short_delivery_goes_to_the_dsos_split(run, rpc):
    code, out, err = run("escrow", "run", "--rpc-url", rpc, "--backbone", "0", "--energy-wh", "2000",
                         "--short-wh", "500")  # fmt: skip
    assert code == 0, err
    assert "disputed: the DSO's split gives the seller 75.00 %" in out


@pytest.mark.parametrize(
    "argv, words",
    [
        (("channel", "run", "--kwh", "0"), "--kwh"),
        (("escrow", "run", "--short-wh", "5000"), "--short-wh"),
        (("channel", "run", "--onion", "3", "--backbone", "1"), "--onion"),
    ],
)
def test_trades_refuse_bad_input_in_one_line(run, rpc, argv, words):
    code, _, err = run(*argv[:2], "--rpc-url", rpc, *argv[2:])
    assert code != 0 and words in err and "Traceback" not in err
