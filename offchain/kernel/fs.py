"""Files, folders, ports and polling shared by every layer (kernel).

:func:`atomic_write` is the package's one way to replace a file: a temporary file in
the same folder, fsync, rename, fsync of the folder — a reader sees the old bytes or
the new ones, never a mix, even after a crash.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from .errors import StateFileError, ToolchainError

__all__ = [
    "PROJECT_ROOT",
    "state_dir",
    "node_bin",
    "free_port",
    "wait_until",
    "atomic_write",
    "fsync_dir",
    "read_state",
]

T = TypeVar("T")

#: Root of the repository (the folder holding ``brownie-config.yaml``).
PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent


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


def fsync_dir(path: Path) -> None:
    """fsync a folder (so a rename or a new file in it survives a crash); best effort."""
    with contextlib.suppress(OSError):  # some file systems refuse to open folders
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def atomic_write(path: str | Path, data: bytes | str, mode: int = 0o600) -> None:
    """Write ``data`` to ``path`` atomically with permissions ``mode`` (never partially).

    Creates the parent folder if needed; ``str`` data is written as UTF-8.
    """
    path = Path(path)
    if isinstance(data, str):
        data = data.encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    fsync_dir(path.parent)


def read_state(path: str | Path, *, reset: str) -> dict[str, Any] | None:
    """A JSON state file (an object), None if absent; :class:`StateFileError` in one line if unreadable.

    ``reset``: the command that clears the file, named in the message."""
    path = Path(path)
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        detail = " ".join(str(exc).split())[:120]
        raise StateFileError(
            f"state file {path} is unreadable or corrupt ({detail}); clear it with `{reset}`"
        ) from None
    if not isinstance(data, dict):
        raise StateFileError(f"state file {path} is corrupt (not a JSON object); clear it with `{reset}`")
    return data
