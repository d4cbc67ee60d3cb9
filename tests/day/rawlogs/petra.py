"""PETra: for every ``OfferAccepted``, the holder of the production asset (ERC-1155 transfers
followed by hand) receives ``cost`` and the holder of the consumption asset pays it; costs are
the DSO's fiat cents, counted at the day's 1 cent = 10^13 wei."""

from __future__ import annotations

from collections import defaultdict

from eth_abi import decode

from . import logs, topic_address, topic_int

MECHANISM = "petra"
OFFER_ACCEPTED = "OfferAccepted(uint256,uint256,uint32,uint64,uint64,uint256)"
TRANSFER_SINGLE = "TransferSingle(address,address,address,uint256,uint256)"
TRANSFER_BATCH = "TransferBatch(address,address,address,uint256[],uint256[])"
#: 1 € = 10^15 wei, so 1 cent = 10^13 wei
CENT_WEI = 10**13


def _kind(token_id: int) -> int:
    """0 production, 1 consumption: the id's content (above the 40-bit position), bit 64."""
    return (token_id >> 40) >> 64


def net(chain, deployed: dict, owner: dict[str, str]) -> dict[str, int]:
    market = deployed["PetraMarket"]
    events = []  # ((block, log index), what, payload)
    for log in logs(chain, market, TRANSFER_SINGLE):
        token, _value = decode(["uint256", "uint256"], bytes(log["data"]))
        events.append(((log["blockNumber"], log["logIndex"]), "to", (topic_address(log["topics"][3]), [token])))
    for log in logs(chain, market, TRANSFER_BATCH):
        tokens, _values = decode(["uint256[]", "uint256[]"], bytes(log["data"]))
        events.append(((log["blockNumber"], log["logIndex"]), "to", (topic_address(log["topics"][3]), list(tokens))))
    for log in logs(chain, market, OFFER_ACCEPTED):
        *_portion, cost = decode(["uint32", "uint64", "uint64", "uint256"], bytes(log["data"]))
        ids = (topic_int(log["topics"][1]), topic_int(log["topics"][2]))
        events.append(((log["blockNumber"], log["logIndex"]), "accepted", (ids, cost)))
    holder: dict[int, str] = {}
    out: dict[str, int] = defaultdict(int)
    for _at, what, payload in sorted(events, key=lambda e: e[0]):
        if what == "to":
            to, tokens = payload
            for token in tokens:
                holder[token] = to.lower()
            continue
        ids, cost = payload
        for token in ids:
            name = owner.get(holder.get(token, ""))
            if name is not None:
                out[name] += -cost * CENT_WEI if _kind(token) == 0 else cost * CENT_WEI
    return dict(out)
