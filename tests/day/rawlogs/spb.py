"""SPB: a household pays its consumers' ``Settled`` prices and receives those settled into its accounts."""

from __future__ import annotations

from collections import defaultdict

from eth_abi import decode

from . import logs, topic_address, topic_int

MECHANISM = "spb"
SETTLED = "Settled(bytes32,uint64,bytes32,address,uint96,uint128,uint256,bool)"
ACCOUNT_OPENED = "AccountOpened(uint64,address,address,bytes32,uint256)"


def net(chain, deployed: dict, owner: dict[str, str]) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    market = deployed["SpbMarket"]
    account_owner = {
        topic_int(log["topics"][1]): topic_address(log["topics"][2]).lower()
        for log in logs(chain, market, ACCOUNT_OPENED)
    }
    for log in logs(chain, market, SETTLED):
        consumer, price, _wh, _leaf, _signed = decode(
            ["address", "uint96", "uint128", "uint256", "bool"], bytes(log["data"])
        )
        if consumer.lower() in owner:
            out[owner[consumer.lower()]] += price
        seller = owner.get(account_owner.get(topic_int(log["topics"][2]), ""))
        if seller is not None:
            out[seller] -= price
    return dict(out)
