"""Auction: per settled slot, the standing clearing's records (a buyer pays amount + fee, a seller
receives its amount), then each account's deviation (charged − credited)."""

from __future__ import annotations

from collections import defaultdict

from eth_abi import decode

from . import logs, topic_address, topic_int

MECHANISM = "auction"
CLEARING = "ClearingSubmitted(uint64,address,bytes32,uint8,uint64,uint64,uint128,bytes)"
SETTLED = "SlotSettled(uint64,bytes32,uint64,uint256,uint256,uint256,uint256)"
DEVIATION = "DeviationSettled(uint64,address,uint8,uint32,uint32,uint256,uint256,uint256)"
RECORD = 49  # owner 20 | side 1 | energy 4 | amount 12 | fee 12


def net(chain, deployed: dict, owner: dict[str, str]) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    market = deployed.get("AuctionMarketDay") or deployed.get("AuctionMarket")
    if not market:
        return {}
    settled = {}  # slot -> hash of the records that were paid
    for log in logs(chain, market, SETTLED):
        (records_hash, *_rest) = decode(
            ["bytes32", "uint64", "uint256", "uint256", "uint256", "uint256"], bytes(log["data"])
        )
        settled[topic_int(log["topics"][1])] = bytes(records_hash)
    for log in logs(chain, market, CLEARING):
        records_hash, _pricing, _price, _volume, _welfare, records = decode(
            ["bytes32", "uint8", "uint64", "uint64", "uint128", "bytes"], bytes(log["data"])
        )
        if settled.get(topic_int(log["topics"][1])) != bytes(records_hash):
            continue  # replaced, or never settled: nothing was paid
        for pos in range(0, len(records), RECORD):
            chunk = records[pos : pos + RECORD]
            who = owner.get("0x" + chunk[:20].hex())
            amount, fee = int.from_bytes(chunk[25:37], "big"), int.from_bytes(chunk[37:49], "big")
            if who is not None:
                out[who] += amount + fee if chunk[20] == 0 else -amount
    for log in logs(chain, market, DEVIATION):
        if topic_int(log["topics"][1]) not in settled:
            continue
        who = owner.get(topic_address(log["topics"][2]).lower())
        _side, _traded, _delivered, charged, _unpaid, credited = decode(
            ["uint8", "uint32", "uint32", "uint256", "uint256", "uint256"], bytes(log["data"])
        )
        if who is not None:
            out[who] += charged - credited
    return dict(out)
