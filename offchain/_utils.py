"""Private helpers shared by the off-chain modules (not part of the public API)."""

from __future__ import annotations

import os
import shutil
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from .errors import ToolchainError

T = TypeVar("T")

#: Root of the repository (the folder holding ``brownie-config.yaml``).
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def state_dir() -> Path:
    """Project-local folder for runtime state (devnets, keystores, queues)."""
    path = Path(os.environ.get("GRIDLEDGER_HOME", PROJECT_ROOT / ".gridledger"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def node_bin(name: str) -> str:
    """Path of an executable installed by npm into ``node_modules/.bin``."""
    local = PROJECT_ROOT / "node_modules" / ".bin" / name
    if local.exists():
        return str(local)
    found = shutil.which(name)
    if found:
        return found
    raise ToolchainError(f"{name} is not installed: run `make deps` (looked in {local.parent})")


def free_port() -> int:
    """An unused TCP port on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(predicate: Callable[[], T], timeout: float, interval: float = 0.1) -> T | None:
    """Poll ``predicate`` until it returns a truthy value or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            return None
        time.sleep(interval)
