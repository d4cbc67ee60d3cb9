"""`gridledger shares` and `gridledger clearing`: one-line errors, non-zero exit, --help everywhere."""

from __future__ import annotations

import csv
import datetime as dt
import json

import pytest
from brownie import web3 as brownie_web3

from offchain.app.cli import main

from tests.shared_pv.offchain.conftest import START_DAY, advance_past

DAY = START_DAY + dt.timedelta(days=1)


@pytest.mark.parametrize(
    "argv",
    [
        ["shares", "--help"],
        ["shares", "day-slots", "--help"],
        ["shares", "create", "--help"],
        ["shares", "show", "--help"],
        ["shares", "transfer", "--help"],
        ["shares", "admit", "--help"],
        ["shares", "revoke", "--help"],
        ["shares", "history", "--help"],
        ["clearing", "--help"],
        ["clearing", "bill", "--help"],
    ],
)
def test_every_command_has_help(argv, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 0 and "usage:" in capsys.readouterr().out


def test_day_slots_counts_both_change_days(capsys):
    assert main(["shares", "day-slots", "2026-03-29"]) == 0
    assert main(["shares", "day-slots", "2026-10-25"]) == 0
    assert main(["shares", "day-slots", "2026-06-02"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split()[2] for line in out] == ["92", "100", "96"]


def test_a_command_without_a_chain_is_a_one_line_error(capsys, monkeypatch):
    monkeypatch.delenv("GRIDLEDGER_RPC_URL", raising=False)
    assert main(["shares", "show", "--plant", "0x" + "11" * 20]) == 1
    err = capsys.readouterr().err
    assert err.startswith("gridledger: error:") and "--rpc-url" in err and "Traceback" not in err


def test_a_refused_transfer_is_a_one_line_error_naming_the_contracts_error(plant, owners, capsys):
    a, b, _ = owners
    slot = plant.clock.day_slots(DAY)[5]
    url = brownie_web3.provider.endpoint_uri
    argv = [
        "shares",
        "transfer",
        b,
        "2001",
        "--slot",
        str(slot),
        "--from",
        a,
        "--plant",
        plant.address,
        "--rpc-url",
        url,
    ]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "SharesInsufficient" in err


def test_transfer_show_and_bill_through_the_command_line(plant, owners, owner_keys, chain, tmp_path, capsys):
    a, b, c = owners
    slots = plant.clock.day_slots(DAY)
    url = brownie_web3.provider.endpoint_uri
    net = ["--plant", plant.address, "--rpc-url", url]
    argv = ["shares", "transfer", b, "500", "--day", DAY.isoformat(), "--from", a, *net]
    assert main(argv) == 0
    assert f"{len(slots)} slots" in capsys.readouterr().out
    assert main(["shares", "show", "--owner", b, "--day", DAY.isoformat(), *net]) == 0
    shown = capsys.readouterr().out
    assert "default 2000 bp" in shown and shown.rstrip().endswith(" 2500")
    advance_past(chain, plant, DAY)
    (tmp_path / "cons.csv").write_text(
        "position," + ",".join(owners) + "\n" + "".join(f"{i},100,100,100\n" for i in range(96))
    )
    (tmp_path / "gen.csv").write_text("position,generation_wh\n" + "".join(f"{i},0\n" for i in range(96)))
    (tmp_path / "t.json").write_text(json.dumps({"grid_price_per_kwh": "0.25", "feed_in_price_per_kwh": "0.05"}))
    out_csv = tmp_path / "bill.csv"
    argv = ["clearing", "bill", DAY.isoformat(), "--consumption", str(tmp_path / "cons.csv")]
    argv += ["--generation", str(tmp_path / "gen.csv"), "--tariff", str(tmp_path / "t.json"), "--csv", str(out_csv)]
    assert main([*argv, *net]) == 0
    rows = [r for r in csv.DictReader(out_csv.open()) if r["slot"] == "TOTAL"]
    assert {r["net_EUR"] for r in rows} == {"2.4000"}  # 96 × 0.1 kWh × 0.25, no generation
    assert main(["shares", "history", *net]) == 0
    assert "transfer" in capsys.readouterr().out


def test_a_malformed_tariff_is_a_one_line_error(tmp_path, capsys):
    (tmp_path / "t.json").write_text("[1]")
    (tmp_path / "c.csv").write_text("slot,0xA\n1,1\n")
    (tmp_path / "g.csv").write_text("slot,generation_wh\n1,1\n")
    argv = ["clearing", "bill", "2026-06-02", "--consumption", str(tmp_path / "c.csv")]
    argv += ["--generation", str(tmp_path / "g.csv"), "--tariff", str(tmp_path / "t.json")]
    assert main(argv) == 1
    assert "must be a JSON object" in capsys.readouterr().err
