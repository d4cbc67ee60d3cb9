"""PETra agents: the DSO, producers and consumers, driving the market through :class:`PetraClient`.

- :class:`DsoAgent` keeps the registry (feeders, prosumers and their anonymous accounts),
  mints energy assets only within each prosumer's capacity (checked off chain first, so a
  refusal names the slot and the excess before anything is sent; the contract checks again),
  issues fiat cents against money received and redeems them, and records deliveries.
- :class:`ProducerAgent` offers its production assets as asks and sells into bids.
- :class:`ConsumerAgent` deposits cents, buys from asks (cheapest first, the overlap of its
  consumption asset with each ask) and posts bids.

Every agent persists what it holds and did (``state_path``, JSON written atomically; asset
states as :class:`HoldingState` values) and reads the order book from events only.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_account.signers.local import LocalAccount

from ..kernel.fs import atomic_write
from .client import AssetKind, AssetStatus, FiatClient, Offer, PetraClient, Portion, Trade
from .errors import AgentError, NoMatchError

__all__ = ["HoldingState", "Holding", "DsoAgent", "ProducerAgent", "ConsumerAgent", "overlap"]


class HoldingState(enum.StrEnum):
    """What an agent knows of one of its assets."""

    HELD = "held"
    OFFERED = "offered"
    MATCHED = "matched"
    DELIVERED = "delivered"
    GONE = "gone"  # split into pieces, retired or rescinded into a new id


@dataclass(frozen=True)
class Holding:
    id: int
    state: HoldingState


def overlap(a_first: int, a_last: int, b_first: int, b_last: int) -> tuple[int, int] | None:
    """The common slots of two intervals, or ``None``."""
    first, last = max(a_first, b_first), min(a_last, b_last)
    return (first, last) if first <= last else None


class _Agent:
    def __init__(self, name: str, key: LocalAccount, market: PetraClient, state_path: Path) -> None:
        self.name = name
        self.key = key
        self.market = market
        self.state_path = Path(state_path)
        self.state: dict[str, Any] = self._load()

    @property
    def address(self) -> str:
        return str(self.key.address)

    def _load(self) -> dict[str, Any]:
        if not self.state_path.exists():
            return {"holdings": {}, "trades": []}
        try:
            data: dict[str, Any] = json.loads(self.state_path.read_text())
        except json.JSONDecodeError as exc:
            raise AgentError(f"{self.name}: state file {self.state_path} is not JSON: {exc}") from exc
        return data

    def _save(self) -> None:
        atomic_write(self.state_path, json.dumps(self.state, indent=1, sort_keys=True))

    def _hold(self, token_id: int, state: HoldingState) -> None:
        self.state["holdings"][str(token_id)] = str(state)

    def holdings(self, state: HoldingState | None = None) -> list[Holding]:
        items = [Holding(int(k), HoldingState(v)) for k, v in self.state["holdings"].items()]
        return [h for h in items if state is None or h.state is state]

    def receive(self, token_id: int) -> None:
        """Note an asset minted (or transferred) to this agent's account."""
        asset = self.market.asset(token_id)
        if asset.owner.lower() != self.address.lower():
            raise AgentError(f"{self.name}: asset {token_id:#x} belongs to {asset.owner}")
        self._hold(token_id, HoldingState.HELD)
        self._save()

    def _record_trade(self, trade: Trade, side: str) -> None:
        mine, theirs = (
            (trade.asset_pieces, trade.offer_pieces) if side == "acceptor" else (trade.offer_pieces, trade.asset_pieces)
        )
        old = trade.asset_id if side == "acceptor" else trade.offer_id
        self._hold(old, HoldingState.GONE)
        self._hold(mine[0], HoldingState.MATCHED)
        for piece in mine[1:]:
            self._hold(piece, HoldingState.HELD)
        self.state["trades"].append(
            {"offer": trade.offer_id, "asset": trade.asset_id, "cost": trade.cost, "side": side, "tx": trade.tx_hash}
        )
        self._save()

    def sync(self) -> None:
        """Refresh holdings from the chain: offered assets that were accepted (by someone
        else) become their matched piece plus held leftovers; burned ones are gone."""
        for h in self.holdings():
            if h.state in (HoldingState.GONE, HoldingState.DELIVERED):
                continue
            if not self.market.exists(h.id):
                self._hold(h.id, HoldingState.GONE)
                continue
            asset = self.market.asset(h.id)
            self._hold(h.id, _STATE[asset.status])
        for token in self.market.assets_of(self.address):
            if str(token) not in self.state["holdings"] and self.market.exists(token):
                self._hold(token, _STATE[self.market.asset(token).status])
        self._save()

    def funds(self) -> Any:
        return self.market.funds(self.address)


_STATE = {AssetStatus.HELD: HoldingState.HELD, AssetStatus.OFFERED: HoldingState.OFFERED,
          AssetStatus.MATCHED: HoldingState.MATCHED}  # fmt: skip


class DsoAgent(_Agent):
    """The distribution system operator: registry, minting within capacity, money in and out,
    delivery records."""

    def __init__(
        self, key: LocalAccount, market: PetraClient, fiat: FiatClient, state_path: Path, name: str = "dso"
    ) -> None:
        super().__init__(name, key, market, state_path)
        self.fiat = fiat
        self.state.setdefault("prosumers", {})

    def set_feeder(self, feeder: int, internal_limit: int, exchange_limit: int) -> None:
        self.market.set_feeder(feeder, internal_limit, exchange_limit, sender=self.key)

    def register(self, prosumer: int, account: str, feeder: int, max_production: int, max_consumption: int) -> None:
        """Register a prosumer (on chain: feeder and capacities; off chain only: which
        anonymous account its assets go to)."""
        self.market.register_prosumer(prosumer, feeder, max_production, max_consumption, sender=self.key)
        self.state["prosumers"][str(prosumer)] = account
        self._save()

    def account_of(self, prosumer: int) -> str:
        try:
            return str(self.state["prosumers"][str(prosumer)])
        except KeyError:
            raise AgentError(f"{self.name}: prosumer {prosumer} is not registered") from None

    def headroom(self, prosumer: int, kind: AssetKind, first: int, last: int) -> int:
        """The most watts that can still be minted for ``prosumer`` in every slot of the interval."""
        p = self.market.prosumer(prosumer)
        cap = p.max_consumption if kind is AssetKind.CONSUMPTION else p.max_production
        return min(cap - self.market.capacity_used(prosumer, kind, s) for s in range(first, last + 1))

    def mint(self, prosumer: int, kind: AssetKind, power: int, first: int, last: int) -> int:
        """Mint an asset to the prosumer's account, refused off chain beyond its capacity."""
        p = self.market.prosumer(prosumer)
        if not p.registered:
            raise AgentError(f"{self.name}: prosumer {prosumer} is not registered on chain")
        cap = p.max_consumption if kind is AssetKind.CONSUMPTION else p.max_production
        for slot in range(first, last + 1):
            would_be = self.market.capacity_used(prosumer, kind, slot) + power
            if would_be > cap:
                raise AgentError(
                    f"{self.name}: prosumer {prosumer} {kind.name.lower()} in slot {slot} would be "
                    f"{would_be} W, {would_be - cap} W over its capacity {cap} W"
                )
        hints = self.market.free_positions()
        token, _ = self.market.mint(
            prosumer, self.account_of(prosumer), kind, power, first, last,
            position_hint=hints[0] if hints else 0, sender=self.key,
        )  # fmt: skip
        self.state["holdings"][str(token)] = f"minted for {prosumer}"
        self._save()
        return token

    def pay_in(self, account: str, cents: int) -> None:
        """Money in: the DSO received ``cents`` in fiat and issues them to ``account``."""
        self.fiat.issue(account, cents, sender=self.key)

    def pay_out(self, holder: LocalAccount, cents: int) -> None:
        """Money out: ``holder`` approves the DSO and the DSO redeems (burns) the cents it pays out in fiat."""
        self.fiat.approve(self.address, cents, sender=holder)
        self.fiat.redeem(holder.address, cents, sender=self.key)

    def record_delivery(self, token_id: int, delivered_mwh: int) -> None:
        self.market.record_delivery(token_id, delivered_mwh, sender=self.key)


class _Trader(_Agent):
    kind: AssetKind

    def offer(self, token_id: int, price: int) -> None:
        """Post a held asset (an ask or a bid) at ``price`` cents per MWh."""
        self.market.post_offer(token_id, price, sender=self.key)
        self._hold(token_id, HoldingState.OFFERED)
        self._save()

    def rescind(self, token_id: int) -> None:
        self.market.rescind_offer(token_id, sender=self.key)
        self._hold(token_id, HoldingState.HELD)
        self._save()

    def _candidates(self, offers: dict[int, Offer], asset_id: int, want_ask: bool) -> list[tuple[Offer, Portion]]:
        asset = self.market.asset(asset_id)
        current = self.market.current_slot()
        found = []
        for o in offers.values():
            if o.is_ask != want_ask or o.owner.lower() == self.address.lower():
                continue
            common = overlap(asset.first, asset.last, o.content.first, o.content.last)
            if common is None or common[1] <= current:
                continue
            first = max(common[0], current + 1)
            found.append((o, Portion(min(asset.power, o.content.power), first, common[1])))
        return found

    def trade(self, asset_id: int, *, limit_price: int) -> list[Trade]:
        """Trade as much of held asset ``asset_id`` as the book allows at ``limit_price``:
        best price first, each time with the held piece that is left. Raises
        :class:`NoMatchError` if nothing in the book fits."""
        trades: list[Trade] = []
        current = asset_id
        want_ask = self.kind is AssetKind.CONSUMPTION
        while current is not None:
            book = self.market.order_book()
            found = self._candidates(book, current, want_ask)
            found = [(o, p) for o, p in found if (o.price <= limit_price if want_ask else o.price >= limit_price)]
            if not found:
                break
            found.sort(key=lambda op: op[0].price if want_ask else -op[0].price)
            offer, portion = found[0]
            trade = self.market.accept(
                offer.id, current, portion, limit_price, hints=self.market.free_positions()[:6], sender=self.key
            )
            self._record_trade(trade, "acceptor")
            trades.append(trade)
            current = self._leftover(trade)
        if not trades:
            raise NoMatchError(f"{self.name}: no offer in the book fits asset {asset_id:#x} at {limit_price}")
        return trades

    def _leftover(self, trade: Trade) -> int | None:
        """A held leftover of the acceptor's asset that may still overlap other offers."""
        for piece in trade.asset_pieces[1:]:
            if self.market.exists(piece) and self.market.asset(piece).status is AssetStatus.HELD:
                return piece
        return None


class ProducerAgent(_Trader):
    """A producer's anonymous account: asks from its production assets, sells into bids."""

    kind = AssetKind.PRODUCTION


class ConsumerAgent(_Trader):
    """A consumer's anonymous account: buys from asks (or posts bids) with its consumption assets."""

    kind = AssetKind.CONSUMPTION

    def deposit(self, cents: int) -> None:
        """Move ``cents`` of fiat from the wallet into the market's funds ledger (approving it first)."""
        self.market.deposit(cents, sender=self.key)
