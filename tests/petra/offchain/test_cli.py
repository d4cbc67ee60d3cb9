"""`gridledger petra ...`, run as a user would against a chain."""

from __future__ import annotations

import pytest

from offchain.kernel.anvil import anvil_keys

DSO, PRODUCER, CONSUMER = anvil_keys(4)[0], anvil_keys(4)[2], anvil_keys(4)[3]


@pytest.fixture
def market(run):
    code, out, err = run("deploy", "--dev-account", "0")
    assert code == 0, err
    addresses = dict(line.split() for line in out.splitlines())
    assert set(addresses) == {"FiatToken", "PetraMarket"}
    m = addresses["PetraMarket"]
    assert run("feeder", "1", "8000", "3000", "--market", m, "--dev-account", "0")[0] == 0
    assert run("prosumer", "1", "1", "5000", "0", "--market", m, "--dev-account", "0")[0] == 0
    assert run("prosumer", "2", "1", "0", "5000", "--market", m, "--dev-account", "0")[0] == 0
    return addresses


def _slot(rpc: str, market: str) -> int:
    from offchain.kernel.chain import connect
    from offchain.petra.client import PetraClient

    return PetraClient(connect(rpc), market).current_slot()


def test_every_command_has_help(run):
    for command in ("deploy", "feeder", "prosumer", "mint", "offer", "rescind", "accept", "deposit", "book",
                    "asset", "reputation"):  # fmt: skip
        code, out, _ = run(command, "--help")
        assert code == 0 and "usage: gridledger petra " + command in out
    code, out, _ = run("--help")
    assert code == 0 and "order book" in out


def test_a_trade_from_the_command_line(run, rpc, market):
    m = market["PetraMarket"]
    s = _slot(rpc, m) + 4
    code, out, _ = run("mint", "1", PRODUCER.address, "production", "3000", str(s), str(s + 3), "--market", m,
                       "--dev-account", "0")  # fmt: skip
    assert code == 0
    ask = out.split()[1]
    code, out, _ = run("mint", "2", CONSUMER.address, "consumption", "2000", str(s + 1), str(s + 2), "--market", m,
                       "--dev-account", "0")  # fmt: skip
    need = out.split()[1]
    # the DSO issues cents to the consumer, who deposits them
    from offchain.kernel.chain import connect
    from offchain.petra.client import FiatClient

    FiatClient(connect(rpc), market["FiatToken"]).issue(CONSUMER.address, 5_000, sender=DSO)
    code, out, _ = run("deposit", "5000", "--market", m, "--dev-account", "3")
    assert code == 0 and "balance 5000" in out
    code, out, _ = run("offer", ask, "40000", "--market", m, "--dev-account", "2")
    assert code == 0 and "escrow 0 cents" in out
    code, out, _ = run("book", "--market", m)
    assert code == 0 and out.startswith(f"ask {ask} 3000 W slots {s}..{s + 3}")
    code, out, _ = run("accept", ask, need, "2000", str(s + 1), str(s + 2), "40000", "--market", m,
                       "--dev-account", "3")  # fmt: skip
    assert code == 0, out
    assert out.splitlines()[0] == f"accepted 2000 W in slots {s + 1}..{s + 2} for {2000 * 2 * 40000 // 4_000_000} cents"
    assert len(out.splitlines()[1].split()) == 2 + 4  # the offer: matched piece, before, after, power left
    code, out, _ = run("book", "--market", m)
    assert out == "no open offers\n"
    code, out, _ = run("asset", need, "--market", m)
    assert code == 0 and out.startswith("consumption 2000 W") and " matched " in out
    code, out, _ = run("reputation", PRODUCER.address, "--market", m)
    assert code == 0 and "delivered 0 of 0 mWh" in out


def test_a_refusal_is_one_line_and_a_non_zero_exit(run, rpc, market):
    m = market["PetraMarket"]
    s = _slot(rpc, m) + 4
    code, out, err = run("mint", "1", PRODUCER.address, "production", "6000", str(s), str(s), "--market", m,
                         "--dev-account", "0")  # fmt: skip
    assert code != 0 and out == ""
    assert len(err.strip().splitlines()) == 1 and f"PetraCapacityExceeded(1, 0, {s}, 5000, 6000)" in err


def test_a_stranger_cannot_mint(run, rpc, market):
    m = market["PetraMarket"]
    s = _slot(rpc, m) + 4
    code, _, err = run("mint", "1", PRODUCER.address, "production", "1000", str(s), str(s), "--market", m,
                       "--dev-account", "5")  # fmt: skip
    assert code != 0 and "AccessControlUnauthorizedAccount" in err


def test_without_a_key_nothing_is_sent(run, market, monkeypatch):
    monkeypatch.delenv("GRIDLEDGER_PETRA_KEY", raising=False)
    code, _, err = run("offer", "1", "1", "--market", market["PetraMarket"])
    assert code != 0 and "no signing key" in err


def test_a_market_address_without_code_is_refused(run):
    code, _, err = run("book", "--market", "0x" + "42" * 20)
    assert code != 0 and "no contract at" in err
