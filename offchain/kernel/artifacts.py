"""Compiled contract artifacts: the JSON files ``brownie compile`` writes to ``build/contracts``.

The off-chain package and the brownie tests therefore run exactly the same bytecode.
"""

from __future__ import annotations

import json
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

from .errors import ContractError
from .fs import PROJECT_ROOT

__all__ = ["BUILD_DIR", "artifact", "compile_project", "compiled_abis"]

BUILD_DIR = PROJECT_ROOT / "build" / "contracts"


def compile_project() -> None:
    """Run ``brownie compile`` in the project (``ContractError`` with its output if it fails)."""
    brownie = Path(sys.executable).with_name("brownie")
    result = subprocess.run([str(brownie), "compile"], cwd=PROJECT_ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        raise ContractError(f"brownie compile failed:\n{result.stdout[-2000:]}{result.stderr[-2000:]}")


@cache
def artifact(name: str) -> dict[str, Any]:
    """ABI and bytecode of contract ``name`` (compiling the project first if needed)."""
    path = BUILD_DIR / f"{name}.json"
    if not path.exists():
        compile_project()
    if not path.exists():
        raise ContractError(f"no compiled artifact for contract {name!r} in {BUILD_DIR}")
    data = json.loads(path.read_text())
    return {"abi": data["abi"], "bytecode": data["bytecode"], "name": name}


def compiled_abis() -> list[list[dict[str, Any]]]:
    """The ABI of every compiled artifact (none before the first compile)."""
    if not BUILD_DIR.exists():
        return []
    return [json.loads(path.read_text()).get("abi", []) for path in sorted(BUILD_DIR.glob("*.json"))]
