"""One short trading day on an embedded anvil, shared by the day's tests: 3 households, 8 slots
from 11:30 (PV is up, so SPB trades happen), the real backbone processes and IPFS node.

While the chain still runs, the report is written and every household's net payment is
recomputed from raw logs here (:func:`net_from_raw_logs`: topics and ABI decoding by hand,
not the report's code), so the tests compare two independent readings."""

from __future__ import annotations

from collections import defaultdict

import pytest
from eth_abi import decode
from eth_utils import keccak
from rich.console import Console

SETTLED = "Settled(bytes32,uint64,bytes32,address,uint96,uint128,uint256,bool)"
ACCOUNT_OPENED = "AccountOpened(uint64,address,address,bytes32,uint256)"
TRANSFER = "TransferRecorded(address,bytes32,address,uint256,bytes32,uint256,uint256,uint256,uint256,uint256)"


def _logs(chain, address: str, signature: str) -> list:
    topic = "0x" + keccak(text=signature).hex()
    return chain.w3.eth.get_logs({"address": address, "topics": [topic], "fromBlock": 0, "toBlock": "latest"})


def _topic_address(topic) -> str:
    return "0x" + bytes(topic)[-20:].hex()


def net_from_raw_logs(chain, deployed: dict, households: list[dict]) -> dict[str, int]:
    """household name -> wei paid on chain (SPB purchases - SPB sales + grid deliveries), from logs alone."""
    owner = {a.lower(): h["name"] for h in households for a in h["addresses"]}
    net: dict[str, int] = defaultdict(int)
    account_owner = {
        int.from_bytes(bytes(log["topics"][1]), "big"): _topic_address(log["topics"][2]).lower()
        for log in _logs(chain, deployed["SpbMarket"], ACCOUNT_OPENED)
    }
    for log in _logs(chain, deployed["SpbMarket"], SETTLED):
        consumer, price, _wh, _leaf, _signed = decode(
            ["address", "uint96", "uint128", "uint256", "bool"], bytes(log["data"])
        )
        account = int.from_bytes(bytes(log["topics"][2]), "big")
        if consumer.lower() in owner:
            net[owner[consumer.lower()]] += price
        seller = owner.get(account_owner.get(account, ""))
        if seller is not None:
            net[seller] -= price
    for log in _logs(chain, deployed["GridEvents"], TRANSFER):
        purchaser = _topic_address(log["topics"][1]).lower()
        fields = decode(
            ["uint256", "bytes32", "uint256", "uint256", "uint256", "uint256", "uint256"], bytes(log["data"])
        )
        if purchaser in owner:
            net[owner[purchaser]] += fields[5]
    return dict(net)


@pytest.fixture(scope="session")
def short_day(tmp_path_factory):
    from offchain.app.day.loop import DayOptions, run_day
    from offchain.app.day.report import build_results, write_report

    out = tmp_path_factory.mktemp("day-report")
    captured: dict = {}

    def on_done(run, chain):
        results = build_results(run, chain)
        captured["page"] = write_report(results, out)
        captured["results"] = results
        captured["raw_net"] = net_from_raw_logs(chain, results["meta"]["deployed"], results["households"])

    run_day(DayOptions(households=3, slots=8, first_slot=46, seed=11), Console(width=110, quiet=True), on_done)
    captured["out"] = out
    return captured
