from __future__ import annotations

import json

import pytest

from offchain.app.cli import main


def test_negotiate_runs_two_agents_over_a_temporary_backbone_and_prints_the_deal(capsys):
    rc = main(["negotiate", "--amount", "4000", "--buyer", "80:120", "--seller", "150:100", "--onion", "2", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 0
    assert 100 <= out["price_wei"] <= 120 and out["amount_wh"] == 4000 and out["onion_hops"] == 2


def test_negotiate_without_overlap_exits_non_zero_with_one_line(capsys):
    rc = main(["negotiate", "--amount", "4000", "--buyer", "60:90", "--seller", "150:100", "--nodes", "2"])
    err = capsys.readouterr().err
    assert rc == 1 and err.startswith("gridledger: error: no agreement") and err.count("\n") == 1


@pytest.mark.parametrize(
    "args, message",
    [
        (["--buyer", "x", "--seller", "150:100"], "INITIAL:RESERVATION"),
        (["--buyer", "130:120", "--seller", "150:100"], "wrong side"),
        (["--buyer", "80:120", "--seller", "150:100", "--offer-limit", "1"], "offer-limit"),
        (["--buyer", "80:120", "--seller", "150:100", "--onion", "9", "--nodes", "2"], "needs at least 9"),
    ],
)
def test_negotiate_refuses_bad_input_with_one_line(capsys, args, message):
    rc = main(["negotiate", "--amount", "100", *args])
    err = capsys.readouterr().err
    assert rc == 1 and message in err and "Traceback" not in err and err.count("\n") == 1


def test_backbone_status_without_a_running_backbone_says_how_to_start_one(capsys, tmp_path):
    rc = main(["backbone", "status", "--state", str(tmp_path / "none.json")])
    assert rc == 1 and "gridledger backbone up" in capsys.readouterr().err


def test_backbone_up_starts_the_processes_writes_the_table_and_stops_them(capsys, tmp_path):
    state = tmp_path / "backbone.json"
    rc = main(["backbone", "up", "--nodes", "2", "--duration", "0.5", "--state", str(state)])
    out = capsys.readouterr().out
    assert rc == 0 and "backbone stopped" in out and "00-7f" in out
    assert len(json.loads(state.read_text())["nodes"]) == 2
