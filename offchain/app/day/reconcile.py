"""Each household's net on-chain payment, recomputed from chain events alone.

SPB: ``AccountOpened`` (account → owner) and ``Settled`` (consumer, account, price): a
household pays what its consumer addresses settled and receives what settled into the
accounts its addresses own. Grid: ``TransferRecorded`` pays ``cost`` per delivery of the
household's purchaser. Only the household → addresses map comes from the report (what an
observer cannot know); every amount comes from the logs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

from ...grid.client import GridClient
from ...kernel.chain import Chain
from ...spb.market import MarketClient

__all__ = ["net_payments_from_events"]


def net_payments_from_events(
    chain: Chain,
    deployed: Mapping[str, str],
    addresses: Mapping[int, Sequence[str]],
    *,
    from_block: int = 0,
) -> dict[int, dict[str, int]]:
    """household → {"spb_paid", "spb_received", "grid_paid", "net"} in wei (net > 0: paid)."""
    owner_of = {a.lower(): h for h, addrs in addresses.items() for a in addrs}
    out: dict[int, dict[str, int]] = {h: defaultdict(int) for h in addresses}  # type: ignore[misc]
    if "SpbMarket" in deployed:
        market = MarketClient(chain, deployed["SpbMarket"]).contract
        account_owner = {
            int(log["args"]["accountId"]): str(log["args"]["owner"]).lower()
            for log in market.events.AccountOpened().get_logs(from_block=from_block)
        }
        for log in market.events.Settled().get_logs(from_block=from_block):
            price = int(log["args"]["price"])
            buyer = owner_of.get(str(log["args"]["consumer"]).lower())
            seller = owner_of.get(account_owner.get(int(log["args"]["accountId"]), ""))
            if buyer is not None:
                out[buyer]["spb_paid"] += price
            if seller is not None:
                out[seller]["spb_received"] += price
    if "GridEvents" in deployed:
        grid = GridClient.at(chain, deployed["GridEvents"]).contract
        for log in grid.events.TransferRecorded().get_logs(from_block=from_block):
            h = owner_of.get(str(log["args"]["purchaser"]).lower())
            if h is not None:
                out[h]["grid_paid"] += int(log["args"]["cost"])
    result = {}
    for h, d in out.items():
        row = {k: int(d.get(k, 0)) for k in ("spb_paid", "spb_received", "grid_paid")}
        row["net"] = row["spb_paid"] - row["spb_received"] + row["grid_paid"]
        result[h] = row
    return result
