"""The one list of mechanisms, and everything the application derives from their entries.

Each mechanism package has ``mechanism.py`` with ``MECHANISM = Mechanism(...)``
(:class:`offchain.kernel.mechanism.Mechanism`); adding a mechanism adds one line to
:data:`MECHANISMS`. Deploy order, gas sections and goals, benches, commands and the
demo follow this order. Reading the entries imports only the small ``mechanism.py``
modules (their paths are resolved when used).
"""

from __future__ import annotations

import importlib
from functools import cache

from ..kernel.errors import ConfigError
from ..kernel.mechanism import Mechanism

__all__ = [
    "MECHANISMS",
    "INFRA_BENCHES",
    "APP_COMMANDS",
    "mechanisms",
    "gas_sections",
    "gas_goals",
    "gas_misses",
    "benches",
    "command_modules",
]

#: mechanism packages, in deploy / demo order; the trading day runs their parts in this order,
#: each on what the earlier ones left: shared PV first (a co-owner's portion of the building's
#: plant is its own generation behind the building's connection, settled before any market sees
#: what is left), then the local markets, and the grid last (the supplier of last resort: it
#: covers every deficit it sees)
MECHANISMS: tuple[str, ...] = (
    "offchain.shared_pv",
    "offchain.spb",
    "offchain.petra",
    "offchain.priwatt",
    "offchain.auction",
    "offchain.grid",
)

#: benches of the infrastructure (not of one mechanism): name → ``"module:function(argv) -> int"``
INFRA_BENCHES: dict[str, str] = {
    "routing": "offchain.routing.bench:main",
    "devnet": "offchain.app.benches:devnet",
}

#: commands that belong to no single mechanism
APP_COMMANDS: tuple[str, ...] = (
    "offchain.app.commands.backbone",
    "offchain.app.commands.bench",
    "offchain.app.commands.chain",
    "offchain.app.commands.demo",
    "offchain.app.commands.devnet",
    "offchain.app.commands.gas",
    "offchain.app.commands.ipfs",
    "offchain.app.commands.negotiate",
)


@cache
def mechanisms() -> tuple[Mechanism, ...]:
    """The registry entries, in :data:`MECHANISMS` order (checked for clashes)."""
    entries = []
    for package in MECHANISMS:
        entry = getattr(importlib.import_module(f"{package}.mechanism"), "MECHANISM", None)
        if not isinstance(entry, Mechanism):
            raise ConfigError(f"{package}.mechanism defines no MECHANISM = Mechanism(...)")
        entries.append(entry)
    _check_unique("mechanism name", [m.name for m in entries])
    _check_unique("gas area", [a for m in entries for a in m.gas_sections])
    _check_unique("bench", [*INFRA_BENCHES, *(b for m in entries for b in m.benches)])
    _check_unique("command module", [*APP_COMMANDS, *(c for m in entries for c in m.commands)])
    return tuple(entries)


def _check_unique(what: str, names: list[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ConfigError(f"two registry entries declare the {what} {name!r}")
        seen.add(name)


def gas_sections() -> dict[str, str]:
    """Gas snapshot area → measuring function path, over every mechanism."""
    return {area: path for m in mechanisms() for area, path in m.gas_sections.items()}


def gas_goals() -> dict[str, int]:
    """Gas goal per snapshot key, over every mechanism."""
    return {key: goal for m in mechanisms() for key, goal in m.gas_goals.items()}


def gas_misses() -> dict[str, str]:
    """Goals knowingly missed (snapshot key → reason), over every mechanism."""
    return {key: reason for m in mechanisms() for key, reason in m.gas_misses.items()}


def benches() -> dict[str, str]:
    """Bench name → function path: the mechanisms' and the infrastructure's."""
    return {**{b: path for m in mechanisms() for b, path in m.benches.items()}, **INFRA_BENCHES}


def command_modules() -> list[str]:
    """Every command module (application and mechanisms), sorted by command name as ``--help`` lists them."""
    modules = [*APP_COMMANDS, *(c for m in mechanisms() for c in m.commands)]
    return sorted(modules, key=lambda path: path.rpartition(".")[2])
