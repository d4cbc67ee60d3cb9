"""Grid events: a household pays the ``cost`` of every ``TransferRecorded`` to its purchaser address."""

from __future__ import annotations

from collections import defaultdict

from eth_abi import decode

from . import logs, topic_address

MECHANISM = "grid"
TRANSFER = "TransferRecorded(address,bytes32,address,uint256,bytes32,uint256,uint256,uint256,uint256,uint256)"


def net(chain, deployed: dict, owner: dict[str, str]) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for log in logs(chain, deployed["GridEvents"], TRANSFER):
        purchaser = topic_address(log["topics"][1]).lower()
        fields = decode(
            ["uint256", "bytes32", "uint256", "uint256", "uint256", "uint256", "uint256"], bytes(log["data"])
        )
        if purchaser in owner:
            out[owner[purchaser]] += fields[5]
    return dict(out)
