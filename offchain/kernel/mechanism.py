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
* ``demo``: ``(DemoContext) -> DemoOutcome``, this mechanism's part of the demo / trading day.
"""

from __future__ import annotations

import importlib
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ConfigError

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount
    from rich.console import Console

    from .chain import Chain

__all__ = ["Mechanism", "DemoContext", "DemoOutcome", "load"]


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


def load(path: str) -> Any:
    """Resolve ``"package.module:attribute"`` (or a bare module path) by importing it now."""
    module, _, attribute = path.partition(":")
    try:
        loaded = importlib.import_module(module)
        return getattr(loaded, attribute) if attribute else loaded
    except (ImportError, AttributeError) as exc:
        raise ConfigError(f"registry entry {path!r} does not resolve: {exc}") from exc
