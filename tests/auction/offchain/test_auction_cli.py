"""The `gridledger auction` command, run as a user would (in-process)."""

from __future__ import annotations

import json

import pytest

from offchain.app.cli import main

BOOK = [
    {"owner": "0x" + "00" * 19 + "01", "side": "bid", "energy_wh": 1_000, "limit_price": 300_000},
    {"owner": "0x" + "00" * 19 + "02", "side": "bid", "energy_wh": 2_000, "limit_price": 280_000},
    {"owner": "0x" + "00" * 19 + "03", "side": "ask", "energy_wh": 2_000, "limit_price": 150_000},
    {"owner": "0x" + "00" * 19 + "04", "side": "ask", "energy_wh": 3_000, "limit_price": 290_000},
]


@pytest.fixture
def run(capsys):
    def call(*argv: str) -> tuple[int, str, str]:
        try:
            code = main(list(argv))
        except SystemExit as exc:
            code = int(exc.code or 0)
        out = capsys.readouterr()
        return code, out.out, out.err

    return call


@pytest.fixture
def book(tmp_path):
    path = tmp_path / "book.json"
    path.write_text(json.dumps(BOOK))
    return path


def test_solve_prints_the_uniform_price_the_fills_and_gsy_es_point(run, book):
    code, out, _ = run("auction", "solve", str(book))
    assert code == 0
    assert "pay-as-clear: price 280000, volume 2000 Wh" in out
    assert "gsy-e pay-as-clear point: rate 300000, energy 1000 Wh" in out


def test_solve_as_json_lists_the_pay_as_bid_matches(run, book):
    code, out, _ = run("auction", "solve", str(book), "--pricing", "pay-as-bid", "--json")
    assert code == 0
    result = json.loads(out)
    assert result["pricing"] == "pay-as-bid" and result["volume_wh"] == 3_000
    assert sum(q for _, _, q in result["matches"]) == 3_000


def test_a_missing_book_is_a_one_line_error(run, tmp_path):
    code, out, err = run("auction", "solve", str(tmp_path / "missing.json"))
    assert code != 0 and out == ""
    assert len(err.strip().splitlines()) == 1 and "cannot read" in err


def test_a_malformed_order_is_a_one_line_error(run, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(
        json.dumps([{"owner": "0x" + "00" * 19 + "01", "side": "sideways", "energy_wh": 1, "limit_price": 1}])
    )
    code, _, err = run("auction", "solve", str(path))
    assert code != 0 and "order 0 is malformed" in err and len(err.strip().splitlines()) == 1


def test_run_refuses_a_slot_count_out_of_range(run):
    code, _, err = run("auction", "run", "--slots", "0")
    assert code == 2 and "--slots: must be between 1 and 96" in err


@pytest.mark.parametrize("argv", [("auction",), ("auction", "solve"), ("auction", "run")])
def test_every_subcommand_has_help(run, argv):
    code, out, _ = run(*argv, "--help")
    assert code == 0 and "usage: gridledger auction" in out
