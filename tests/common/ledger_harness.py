"""Harness for the funds-ledger rules that every money-holding market must keep.

Each market's test folder declares how to deploy it and how its mechanism freezes funds
and spends nonces in a ``ledger_spec.py`` exposing ``SPEC = LedgerSpec(...)``; the tests
in ``tests/common`` find every such file and run the same rules against each market, in
ether mode and in ERC-20 mode. Adding a market's ledger to the shared tests = one file
in its own test folder.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import brownie

ETHER = "0x" + "00" * 20
TESTS = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class LedgerSpec:
    """How the shared tests drive one market's ledger.

    ``deploy(project, governor, asset)`` returns the deployed contract (asset = token
    address or ETHER). ``freeze(contract, owner, amount)`` freezes ``amount`` of ``owner``'s
    free balance through the mechanism (a CTP, a bid, an escrow…). ``use_nonce(contract,
    owner, nonce)``, where the mechanism spends owner nonces, spends one (leaving 1 unit
    frozen or paid is fine: tests read the nonce state only).
    """

    name: str
    deploy: Callable[[Any, Any, str], Any]
    freeze: Callable[[Any, Any, int], None]
    use_nonce: Callable[[Any, Any, int], None] | None = None
    notes: dict[str, str] = field(default_factory=dict)


def discover() -> list[LedgerSpec]:
    """Every ``SPEC`` in a ``ledger_spec.py`` below ``tests/`` (test folders are packages)."""
    specs = []
    for path in sorted(TESTS.rglob("ledger_spec.py")):
        module = ".".join(path.relative_to(TESTS.parent).with_suffix("").parts)
        specs.append(importlib.import_module(module).SPEC)
    if not specs:
        raise RuntimeError("no ledger_spec.py found: the shared funds tests would test nothing")
    return specs


def reverts(error: str, *args: Any):
    """``brownie.reverts`` for a custom error with exactly these arguments."""

    def fmt(value: Any) -> str:
        if isinstance(value, bytes | bytearray):
            return str(bytes(value))
        return str(value).lower() if isinstance(value, str) else str(value)

    parts = [re.escape(fmt(a)) for a in args]
    return brownie.reverts(revert_pattern=f"{re.escape(error)}: {', '.join(parts)}")


class Ledger:
    """One deployed market seen only through its ledger, in one payment asset."""

    def __init__(self, spec: LedgerSpec, contract: Any, token: Any | None) -> None:
        self.spec = spec
        self.contract = contract
        self.token = token

    @property
    def ether(self) -> bool:
        return self.token is None

    def held(self) -> int:
        """What the contract holds of the payment asset."""
        return int(self.contract.balance() if self.ether else self.token.balanceOf(self.contract))

    def wallet(self, who: Any) -> int:
        """What ``who`` holds of the payment asset outside the ledger."""
        return int(who.balance() if self.ether else self.token.balanceOf(who))

    def deposit(self, who: Any, amount: int) -> Any:
        """Fund ``who`` with the asset if needed (token mode mints and approves), then deposit."""
        if self.ether:
            return self.contract.deposit(amount, {"from": who, "value": amount})
        self.token.mint(who, amount, {"from": who})
        self.token.approve(self.contract, amount, {"from": who})
        return self.contract.deposit(amount, {"from": who})

    def funds(self, who: Any) -> tuple[int, int]:
        balance, frozen = self.contract.fundsOf(who)
        return int(balance), int(frozen)

    def freeze(self, who: Any, amount: int) -> None:
        self.spec.freeze(self.contract, who, amount)
