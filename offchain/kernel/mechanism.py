"""What a mechanism declares to the application: the :class:`Mechanism` registry entry.

Each mechanism package ``offchain/<name>/`` has a small ``mechanism.py`` defining
``MECHANISM = Mechanism(...)``. Every reference in it is a lazy dotted path
``"package.module:function"`` (or a module path for commands), resolved with
:func:`load` only when the application needs it, so reading the registry (for
``gridledger --help``) imports nothing heavy. The application keeps one list of the
mechanism packages (``offchain/app/registry.py``) and derives its deploy order, gas
sections and goals, benches, commands and the demo from the entries.

Signatures the paths must have:

* ``deploy``: ``(chain, deployer, deployed: dict[str, str]) -> dict[str, str]`` (contract name → address);
* ``gas_sections[area]``: ``(chain, accounts) -> dict[str, int]``; snapshot keys are ``<area>.<operation>``;
* ``benches[name]``: ``(argv: list[str]) -> int`` (an exit code);
* ``commands``: modules with ``register(subparsers)``, one top-level ``gridledger`` command each;
* ``demo``: ``(DemoContext) -> DemoOutcome``, this mechanism's one-shot demo part;
* ``day``: ``() -> DayPart``, a factory of this mechanism's part of the trading day
  (``gridledger demo`` / ``make demo``; see :class:`DayPart` and ``docs/trading-day.md``).

The trading day's part protocol (the loop lives in ``offchain/app/day/``)::

    part = load(mechanism.day)()                 # one part object per day
    part.setup(ctx)            -> SlotActions    # accounts, deposits, registrations (gas counted as setup)
    for each slot:
        part.on_slot(ctx, state) -> SlotActions  # act on state.residual_wh, in registry order
    part.finish(ctx)           -> DayOutcome     # settle, bill, collect; per-household on-chain payments
"""

from __future__ import annotations

import datetime as dt
import importlib
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from .errors import ConfigError

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount
    from rich.console import Console

    from .chain import Chain

__all__ = [
    "Mechanism",
    "DemoContext",
    "DemoOutcome",
    "load",
    "DayContext",
    "DayOutcome",
    "DayPart",
    "Flow",
    "GasUse",
    "HouseholdInfo",
    "HouseholdSlot",
    "SlotActions",
    "SharedPlant",
    "SlotState",
    "split_by_key",
    "Tariffs",
]


@dataclass(frozen=True)
class Mechanism:
    """One mechanism's registry entry (see the module docstring for the path signatures)."""

    #: short name, also the component name in ``deployments/<network>.json`` order (``spb``)
    name: str
    #: one line for humans
    summary: str
    #: ``"module:function"`` deploying its contracts, or ``None``
    deploy: str | None = None
    #: gas snapshot area → ``"module:function"`` measuring it
    gas_sections: Mapping[str, str] = field(default_factory=dict)
    #: gas goal per snapshot key (upper bounds, ``"<area>.<operation>"``)
    gas_goals: Mapping[str, int] = field(default_factory=dict)
    #: goals knowingly missed: snapshot key → the reason (the snapshot test fails on any
    #: other miss, and on a listed miss that is met again)
    gas_misses: Mapping[str, str] = field(default_factory=dict)
    #: bench name → ``"module:function"`` (``gridledger bench NAME``)
    benches: Mapping[str, str] = field(default_factory=dict)
    #: command modules (each defines ``register(subparsers)``)
    commands: Sequence[str] = ()
    #: ``"module:function"`` running its part of the demo, or ``None``
    demo: str | None = None
    #: title printed above its demo part
    demo_title: str = ""
    #: ``"module:factory"`` returning this mechanism's :class:`DayPart` for the trading day, or ``None``
    #: (then the day lists the mechanism as "not in this day")
    day: str | None = None

    def __post_init__(self) -> None:
        for area in self.gas_sections:
            if "." in area:
                raise ConfigError(f"mechanism {self.name}: gas area {area!r} must not contain '.'")
        for key in self.gas_goals:
            if key.partition(".")[0] not in self.gas_sections:
                raise ConfigError(f"mechanism {self.name}: gas goal {key!r} names no gas area of its own")
        for key in self.gas_misses:
            if key not in self.gas_goals:
                raise ConfigError(f"mechanism {self.name}: accepted gas miss {key!r} is not one of its goals")


@dataclass(frozen=True)
class DemoContext:
    """What the demo hands each mechanism's part: one chain and everything already deployed."""

    chain: Chain
    keys: Sequence[LocalAccount]
    deployed: Mapping[str, str]
    console: Console
    workdir: Path
    rng: random.Random


@dataclass(frozen=True)
class DemoOutcome:
    """A demo part's result: one summary phrase for the closing line, and its data."""

    summary: str
    data: Mapping[str, Any] = field(default_factory=dict)


# -- the trading day: what the loop hands each mechanism's part, and what the part hands back --------


@dataclass(frozen=True)
class Tariffs:
    """Money in the day: the payment asset is ether (wei); euros are a display conversion.

    ``wei_per_eur`` converts (default 1 € = 10^15 wei, i.e. 1 ETH = 1,000 €); every price is
    also kept in wei per kWh, which is what contracts and events carry."""

    utility_eur_per_kwh: float = 0.30
    feed_in_eur_per_kwh: float = 0.08
    wei_per_eur: int = 10**15

    def wei_per_kwh(self, eur_per_kwh: float) -> int:
        return round(eur_per_kwh * self.wei_per_eur)

    def eur(self, wei: int) -> float:
        return wei / self.wei_per_eur

    @property
    def utility_wei_per_kwh(self) -> int:
        return self.wei_per_kwh(self.utility_eur_per_kwh)

    @property
    def feed_in_wei_per_kwh(self) -> int:
        return self.wei_per_kwh(self.feed_in_eur_per_kwh)


@dataclass(frozen=True)
class HouseholdInfo:
    """One household of the community (static facts; the slot values are in :class:`HouseholdSlot`)."""

    index: int
    name: str
    annual_kwh: float
    pv_kwp: float  # 0: no rooftop PV
    #: the household's day-ahead forecast of what it will need beyond its own PV (Wh), for day-ahead purchases
    day_ahead_import_wh: int = 0


@dataclass(frozen=True)
class HouseholdSlot:
    """A household's energy in one slot, in Wh: what happened and what its agents forecast."""

    load_wh: int
    pv_wh: int
    forecast_load_wh: int
    forecast_pv_wh: int

    @property
    def net_wh(self) -> int:
        """> 0: needs energy; < 0: has surplus."""
        return self.load_wh - self.pv_wh

    @property
    def forecast_net_wh(self) -> int:
        return self.forecast_load_wh - self.forecast_pv_wh


@dataclass(frozen=True)
class SharedPlant:
    """A PV plant co-owned by households of an apartment building (the shared-PV issue).

    ``owners`` (household indices) hold the plant's output by the default key ``key_bp``
    (basis points, Σ = 10,000); each owner's ``HouseholdSlot.pv_wh`` / ``forecast_pv_wh``
    include its :meth:`split` of ``generation_wh`` / ``forecast_wh`` (per slot of the day).
    ``owner_forecast_net_wh[k][i]``: owner ``owners[k]``'s forecast load minus its own
    rooftop PV in slot ``i`` (what its agent plans with). ``zone``, ``date`` and
    ``first_slot`` place slot 0 of the day on the local clock (``first_slot`` quarter hours
    after local midnight of ``date``)."""

    kwp: float
    owners: tuple[int, ...]
    key_bp: tuple[int, ...]
    generation_wh: tuple[int, ...]
    forecast_wh: tuple[int, ...]
    owner_forecast_net_wh: tuple[tuple[int, ...], ...]
    zone: str
    date: dt.date
    first_slot: int = 0

    def split(self, wh: int) -> tuple[int, ...]:
        """``wh`` split by the default key (:func:`split_by_key`)."""
        return split_by_key(wh, self.key_bp)


def split_by_key(wh: int, key_bp: Sequence[int]) -> tuple[int, ...]:
    """``wh`` (≥ 0) split by a key in basis points summing to 10,000, largest remainder first:
    the parts sum to ``wh`` exactly."""
    exact = [wh * bp for bp in key_bp]
    parts = [e // 10_000 for e in exact]
    order = sorted(range(len(parts)), key=lambda k: (-(exact[k] % 10_000), k))
    for k in order[: wh - sum(parts)]:
        parts[k] += 1
    return tuple(parts)


@dataclass
class SlotState:
    """One slot as the parts see it, in registry order.

    ``residual_wh[h]`` starts at the household's actual net (load − PV) and every part that
    moves energy for ``h`` reduces its magnitude (the loop applies each returned
    :class:`Flow`): > 0 still to be bought, < 0 still to be sold. What is left after the last
    part goes to / comes from the utility at the tariffs, off chain."""

    index: int  # position in the day, 0 .. n_slots-1
    slot: int  # SlotClock slot number
    start: int  # chain time at which the slot began
    local_time: str  # "HH:MM" local wall clock
    households: Sequence[HouseholdSlot]
    residual_wh: list[int]

    def deficit(self, h: int) -> int:
        return max(self.residual_wh[h], 0)

    def surplus(self, h: int) -> int:
        return max(-self.residual_wh[h], 0)


@dataclass(frozen=True)
class Flow:
    """Energy a mechanism moved in a slot and what the buyer paid the seller for it.

    ``seller`` / ``buyer``: household index, or ``None`` for the grid / utility side.
    ``amount_wei``: paid on chain through the mechanism (0 if nothing was paid on chain)."""

    mechanism: str
    slot: int  # index in the day
    seller: int | None
    buyer: int | None
    energy_wh: int
    amount_wei: int
    kind: str = "local"  # "local" (household to household), "grid_import", "grid_export"
    tx: str = ""  # transaction that carried it ('' = off chain, or settled later in a batch)


@dataclass(frozen=True)
class GasUse:
    """Gas one transaction used, with who caused it (``household`` ``None``: the operator / community)."""

    mechanism: str
    operation: str
    gas: int
    household: int | None = None
    phase: str = "slot"  # "setup", "slot" or "finish"


@dataclass
class SlotActions:
    """What a part did in ``setup`` or one slot."""

    flows: list[Flow] = field(default_factory=list)
    gas: list[GasUse] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class DayOutcome:
    """A part's end of day.

    ``payments_wei[h]``: the household's net on-chain payment through this mechanism over the
    day (> 0 paid, < 0 received), as the part's own receipts show (the report's reconciliation
    recomputes it from events). ``links``: what an outside observer of the chain can link
    (free-form, rendered as tables: e.g. receipts per CoE root). ``bills``: one row per
    household bill (``household``, ``cid``, ``anchor_tx``, ``verified``)."""

    summary: str
    gas: list[GasUse] = field(default_factory=list)
    payments_wei: Mapping[int, int] = field(default_factory=dict)
    bills: list[dict[str, Any]] = field(default_factory=list)
    links: Mapping[str, Any] = field(default_factory=dict)
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class DayContext:
    """What the trading day hands every part: chain, deployment, community and helpers.

    ``account(role, household)`` gives a funded local account, new for each (role, household)
    pair and the same when asked again (deterministic from the seed); parts must use it
    rather than ``keys`` so that any number of households works on any network.
    ``note_address`` records which addresses a household used (the observer table).
    ``ipfs_api()`` blocks until the day's IPFS node answers and returns its API multiaddr."""

    chain: Chain
    operator: LocalAccount
    deployed: Mapping[str, str]
    households: Sequence[HouseholdInfo]
    n_slots: int
    slot_seconds: int
    tariffs: Tariffs
    console: Console
    workdir: Path
    rng: random.Random
    network: str
    account: Callable[[str, int | None], LocalAccount]
    ipfs_api: Callable[[], str]
    addresses: dict[int, list[tuple[str, str, str]]] = field(default_factory=dict)
    #: set by the loop: chain time at which slot index i begins is ``slot_start(i)``
    slot_start: Callable[[int], int] = field(default=lambda i: 0)
    #: the community's shared PV plant (an apartment building's co-owners), if it has one
    shared_plant: SharedPlant | None = None

    def note_address(self, household: int, mechanism: str, role: str, address: str) -> None:
        self.addresses.setdefault(household, []).append((mechanism, role, address))


@runtime_checkable
class DayPart(Protocol):
    """A mechanism's part of the trading day (returned by the entry's ``day`` factory)."""

    #: the mechanism's registry name
    name: str

    def setup(self, ctx: DayContext) -> SlotActions: ...

    def on_slot(self, ctx: DayContext, state: SlotState) -> SlotActions: ...

    def finish(self, ctx: DayContext) -> DayOutcome: ...


def load(path: str) -> Any:
    """Resolve ``"package.module:attribute"`` (or a bare module path) by importing it now."""
    module, _, attribute = path.partition(":")
    try:
        loaded = importlib.import_module(module)
        return getattr(loaded, attribute) if attribute else loaded
    except (ImportError, AttributeError) as exc:
        raise ConfigError(f"registry entry {path!r} does not resolve: {exc}") from exc
