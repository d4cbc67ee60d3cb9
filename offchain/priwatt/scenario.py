"""PriWatt trades between agents, end to end: used by the demo, the CLI and the tests.

A :class:`Community` is one market, one DSO agent, sellers with PV panels (their
production per 15-minute slot comes from :mod:`offchain.sim.pv`; the DSO's meter data is
that production) and buyers, all talking over one :class:`~offchain.priwatt.messaging.Network`.
:func:`channel_trade` and :func:`escrow_trade` run one whole trade through the agents
only: claim → offer → board query → negotiation → lock → funding → delivery → payment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eth_account.signers.local import LocalAccount

from ..kernel.chain import Chain
from .agents import (
    BuyerAgent,
    ChannelOutcome,
    DeliveryMeter,
    DsoAgent,
    EscrowOutcome,
    SellerAgent,
    negotiate_offer,
    run_concurrently,
)
from .board import BoardQuery
from .client import DAY, PriWattClient
from .eip712 import TradeKind
from .errors import PriWattError
from .messaging import Network

__all__ = ["Community", "build_community", "channel_trade", "escrow_trade", "pv_production", "GAS_MONEY"]

#: what a fresh per-trade address receives for its gas
GAS_MONEY = 10**17


def pv_production(
    panels: dict[str, Any],
    day: dt.date,
    *,
    latitude: float = 48.21,
    longitude: float = 16.37,
    zone: str = "Europe/Vienna",
) -> dict[str, dict[int, int]]:
    """Clear-sky production per slot (Wh, integers) of each meter's panel on ``day``."""
    from zoneinfo import ZoneInfo

    from ..common.slots import SlotClock
    from ..sim.pv import PvSite, simulate

    site = PvSite(latitude, longitude, 190, zone, "community")
    start = dt.datetime.combine(day, dt.time(0), ZoneInfo(zone))
    end = start + dt.timedelta(days=1)
    return {
        meter: {s.slot: int(s.energy_wh) for s in simulate(site, panel, start, end, clock=SlotClock())}
        for meter, panel in panels.items()
    }


@dataclass
class Community:
    client: PriWattClient
    network: Network
    dso: DsoAgent
    sellers: list[SellerAgent]
    buyers: list[BuyerAgent]
    production: dict[str, dict[int, int]]
    gas: dict[str, list[int]] = field(default_factory=dict)

    def record_gas(self, op: str, receipt: Any) -> int:
        used = int(receipt["gasUsed"])
        self.gas.setdefault(op, []).append(used)
        return used

    def sunny_slots(self, meter: str, wh: int) -> tuple[int, int]:
        """The shortest run of slots around the day's best one whose production not yet
        attested by the DSO covers ``wh``."""
        slots = {s: wh_ - self.dso._attested(meter, s, s) for s, wh_ in self.production[meter].items()}
        ordered = sorted(slots)
        best = max(ordered, key=lambda s: slots[s])
        first = last = best
        total = slots[best]
        while total < wh:
            before, after = slots.get(first - 1, 0), slots.get(last + 1, 0)
            if before == 0 and after == 0:
                raise PriWattError(f"meter {meter} does not produce {wh} Wh on this day")
            if after >= before:
                last += 1
                total += after
            else:
                first -= 1
                total += before
        return first, last


def build_community(
    chain: Chain,
    keys: Sequence[LocalAccount],
    workdir: Path,
    network: Network,
    *,
    market: PriWattClient | None = None,
    dso_key: LocalAccount | None = None,
    sellers: int = 2,
    buyers: int = 2,
    day: dt.date = dt.date(2026, 6, 21),
    panel_area_m2: float = 20.0,
) -> Community:
    """A market (deployed by ``keys[0]`` unless given), its DSO and the agents. ``keys[1]``
    pays the fresh addresses' gas; ``dso_key`` (default ``keys[0]``) holds the DSO role."""
    from ..sim.pv import PvPanel

    governor, funder = keys[0], keys[1]
    dso_key = dso_key or governor
    client = market or PriWattClient.deploy(chain, sender=governor, dso=dso_key.address)
    if not client.is_dso(dso_key.address):
        client.set_dso(dso_key.address, True, sender=governor)

    def fund(address: str) -> None:
        chain.send({"to": address, "value": GAS_MONEY}, funder, what="gas for a fresh address")

    panels = {f"meter-{i}": PvPanel(area_m2=panel_area_m2 * (1 + i / 2), efficiency=0.21, performance_ratio=0.85)
              for i in range(sellers)}  # fmt: skip
    production = pv_production(panels, day)

    def measured(meter: str, first: int, last: int) -> int:
        return sum(production.get(meter, {}).get(s, 0) for s in range(first, last + 1))

    dso = DsoAgent("dso", client, network, workdir / "dso.json", key=dso_key, production=measured)
    seller_agents = [
        SellerAgent(f"seller-{i}", client, network, workdir / f"seller-{i}.json", meter=m, gas_funder=fund)
        for i, m in enumerate(panels)
    ]
    buyer_agents = [
        BuyerAgent(f"buyer-{i}", client, network, workdir / f"buyer-{i}.json", gas_funder=fund) for i in range(buyers)
    ]
    return Community(client, network, dso, seller_agents, buyer_agents, production)


async def _offer_and_deal(
    c: Community, seller_i: int, buyer_i: int, energy_wh: int, ask_price: int, deposit: int
) -> tuple[SellerAgent, BuyerAgent, Any, Any, Any]:
    seller, buyer = c.sellers[seller_i], c.buyers[buyer_i]
    await c.network.join(c.dso.identity.msg_private)
    slots = c.sunny_slots(seller.meter, energy_wh)
    offer = await seller.new_offer(c.dso, energy_wh, slots, ask_price)
    matches = buyer.find(BoardQuery(max_price_per_kwh=ask_price * 1000 // energy_wh + 1, min_energy_wh=energy_wh))
    chosen = next((o for o in matches if o.offer_id == offer.offer_id), None)
    if chosen is None:
        raise PriWattError("the buyer's board query did not find the new offer")
    me = await buyer.new_identity(deposit)
    agreement = await negotiate_offer(buyer, me, seller, chosen, energy_wh=energy_wh)
    return seller, buyer, offer, chosen, (me, agreement)


async def channel_trade(
    c: Community,
    seller_i: int,
    buyer_i: int,
    *,
    kwh: int,
    ask_price: int,
    stop_after_kwh: int | None = None,
    duration: int = DAY,
) -> ChannelOutcome:
    """A micropayment channel for ``kwh`` kWh: the buyer pays per kWh its meter confirms;
    with ``stop_after_kwh`` the buyer stops signing and the seller stops delivering."""
    seller, buyer, offer, chosen, (me, agreement) = await _offer_and_deal(
        c, seller_i, buyer_i, kwh * 1_000, ask_price, deposit=ask_price
    )
    per_kwh = agreement.price // kwh
    deposit = per_kwh * kwh
    locked = seller.lock(offer, me.address, deposit, TradeKind.CHANNEL, duration=duration)
    gas = {"post_offer": _gas_of_post(c, offer.offer_id)}
    gas["lock_offer"] = _last_gas(c)
    trade = buyer.fund(locked)
    gas["channel_open"] = _last_gas(c)
    meter = DeliveryMeter()
    seller_msg = seller.identity(offer.offer_id).msg_public
    (delivered, paid_kwh, _sig, stopped), _ = await run_concurrently(
        seller.deliver_channel(trade, meter, me.msg_public, kwh=kwh, price_per_kwh=per_kwh),
        buyer.pay_channel(trade, meter, seller_msg, price_per_kwh=per_kwh, stop_after_kwh=stop_after_kwh),
    )
    if paid_kwh == 0:
        raise PriWattError("the buyer never signed a state: nothing to close (the buyer refunds after the time lock)")
    receipt = seller.close_channel(trade)
    gas["channel_close"] = c.record_gas("channel_close", receipt)
    closed = c.client.events(receipt, "ChannelClosed")[0]
    for op in ("post_offer", "lock_offer", "channel_open"):
        c.gas.setdefault(op, []).append(gas[op])
    return ChannelOutcome(
        offer.offer_id, c.client.trade_id(trade), delivered, paid_kwh, int(closed["paid"]), int(closed["refunded"]),
        stopped, gas,
    )  # fmt: skip


async def escrow_trade(
    c: Community, seller_i: int, buyer_i: int, *, energy_wh: int, ask_price: int, loss_wh: int = 0
) -> EscrowOutcome:
    """Full ownership through the 2-of-3 escrow; ``loss_wh`` > 0 makes the delivery fall
    short, the buyer disputes and the DSO's split (from its meter) settles it."""
    seller, buyer, offer, chosen, (me, agreement) = await _offer_and_deal(
        c, seller_i, buyer_i, energy_wh, ask_price, deposit=ask_price
    )
    locked = seller.lock(offer, me.address, agreement.price, TradeKind.ESCROW)
    gas = {"post_offer": _gas_of_post(c, offer.offer_id), "lock_offer": _last_gas(c)}
    trade = buyer.fund(locked)
    gas["escrow_open"] = _last_gas(c)
    meter = DeliveryMeter(loss_wh=loss_wh)
    seller_msg, dso_msg = seller.identity(offer.offer_id).msg_public, c.dso.msg_public
    await seller.deliver_escrow(trade, meter, me.msg_public, energy_wh)
    disputed = await buyer.accept_escrow(trade, meter, seller_msg, dso_msg, energy_wh)
    if disputed:
        bps, (receipt, seller_bps, _), buyer_bps = await run_concurrently(
            c.dso.serve_dispute(meter),
            seller.collect_escrow(trade, me.msg_public, dso_msg),
            buyer.take_split(trade, dso_msg),
        )
        if not bps == seller_bps == buyer_bps:
            raise PriWattError("the parties saw different splits")
    else:
        receipt, seller_bps, _ = await seller.collect_escrow(trade, me.msg_public, dso_msg)
    op = "escrow_dispute_release" if disputed else "escrow_release"
    gas[op] = c.record_gas(op, receipt)
    for k in ("post_offer", "lock_offer", "escrow_open"):
        c.gas.setdefault(k, []).append(gas[k])
    ev = c.client.events(receipt, "EscrowSettled")[0]
    return EscrowOutcome(
        offer.offer_id, c.client.trade_id(trade), disputed, seller_bps, int(ev["toSeller"]), int(ev["toBuyer"]), gas
    )


def _last_gas(c: Community) -> int:
    w3 = c.client.chain.w3
    block = w3.eth.get_block("latest")
    return int(w3.eth.get_transaction_receipt(block["transactions"][-1])["gasUsed"])


def _gas_of_post(c: Community, offer_id: bytes) -> int:
    logs = c.client._logs("OfferPosted", offerId=offer_id)
    tx = logs[0]["transactionHash"]
    return int(c.client.chain.w3.eth.get_transaction_receipt(tx)["gasUsed"])
