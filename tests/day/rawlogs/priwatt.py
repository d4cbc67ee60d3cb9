"""PriWatt: the buyer that opened a trade pays and the offer's seller receives what
``ChannelClosed`` (paid) and ``EscrowSettled`` (toSeller) carry; refunds are no payment."""

from __future__ import annotations

from collections import defaultdict

from eth_abi import decode

from . import logs, topic_address

MECHANISM = "priwatt"
OFFER_POSTED = "OfferPosted(bytes32,address,address,uint64,uint96,uint32,uint32,uint64,bytes)"
TRADE_OPENED = "TradeOpened(bytes32,bytes32,address,uint96,uint64,uint32,uint8)"
CHANNEL_CLOSED = "ChannelClosed(bytes32,bytes32,uint256,uint256)"
ESCROW_SETTLED = "EscrowSettled(bytes32,bytes32,uint256,uint256,address,address)"


def net(chain, deployed: dict, owner: dict[str, str]) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    market = deployed["PriWattMarket"]
    seller = {
        bytes(log["topics"][1]): topic_address(log["topics"][2]).lower() for log in logs(chain, market, OFFER_POSTED)
    }
    buyer = {
        bytes(log["topics"][1]): topic_address(log["topics"][3]).lower() for log in logs(chain, market, TRADE_OPENED)
    }
    paid = [
        (bytes(log["topics"][1]), decode(["uint256", "uint256"], bytes(log["data"]))[0])
        for log in logs(chain, market, CHANNEL_CLOSED)
    ]
    paid += [
        (bytes(log["topics"][1]), decode(["uint256", "uint256", "address", "address"], bytes(log["data"]))[0])
        for log in logs(chain, market, ESCROW_SETTLED)
    ]
    for offer_id, wei in paid:
        b, s = owner.get(buyer.get(offer_id, "")), owner.get(seller.get(offer_id, ""))
        if b is not None:
            out[b] += wei
        if s is not None:
            out[s] -= wei
    return dict(out)
