"""Backbone node processes plus an asyncio loop in a thread, for synchronous callers.

The trading day's parts (SPB, PriWatt, the auction) run slot by slot in plain Python while
their messages travel over real backbone processes; each used to start the cluster, an
event loop and its thread, and stop them again, itself. :class:`BackgroundBackbone` is that
plumbing once:

    backbone = BackgroundBackbone(3, log_dir, name="spb-day").start()
    nodes = [RegularNode(keys, backbone.addresses) for keys in ...]
    backbone.gather(n.start() for n in nodes)          # coroutines run on the loop
    result = backbone.run(negotiate(...), timeout=120)
    backbone.close(n.close() for n in nodes)           # best effort, then loop and processes stop
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Coroutine, Iterable
from pathlib import Path
from typing import Any

from .cluster import BackboneCluster

__all__ = ["BackgroundBackbone"]


class BackgroundBackbone:
    """``nodes`` backbone processes (:class:`BackboneCluster`) and a private event loop thread."""

    def __init__(self, nodes: int, log_dir: Path, *, name: str = "backbone") -> None:
        self.size = nodes
        self.log_dir = log_dir
        self.name = name
        self.cluster: BackboneCluster | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.thread: threading.Thread | None = None

    def start(self) -> BackgroundBackbone:
        """Start the processes (they answer when this returns) and the loop's thread."""
        self.cluster = BackboneCluster(self.size, log_dir=self.log_dir).start()
        try:
            self.loop = asyncio.new_event_loop()
            self.thread = threading.Thread(target=self.loop.run_forever, name=f"{self.name}-loop", daemon=True)
            self.thread.start()
        except BaseException:
            self.close()
            raise
        return self

    @property
    def addresses(self) -> Any:
        """The backbone nodes' addresses (for :class:`RegularNode`)."""
        return self._cluster().addresses

    @property
    def table(self) -> Any:
        """The routing table of the running backbone."""
        return self._cluster().table

    def run(self, coro: Coroutine[Any, Any, Any], timeout: float = 120.0) -> Any:
        """Run ``coro`` on the loop and wait for its result (its exception is raised here)."""
        if self.loop is None:
            coro.close()
            raise RuntimeError(f"{self.name}: the backbone is not running")
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def gather(self, coros: Iterable[Coroutine[Any, Any, Any]], timeout: float = 120.0) -> list[Any]:
        """Run ``coros`` concurrently on the loop; their results in order."""

        async def together() -> list[Any]:
            return list(await asyncio.gather(*coros))

        return self.run(together(), timeout)

    def close(self, closers: Iterable[Coroutine[Any, Any, Any]] = ()) -> None:
        """Run ``closers`` (best effort, 10 s), stop the loop and its thread, stop the processes."""
        closers = list(closers)
        if self.loop is not None:
            with contextlib.suppress(Exception):  # closing is best effort
                self.gather(closers, 10)
            self.loop.call_soon_threadsafe(self.loop.stop)
            if self.thread is not None:
                self.thread.join(5)
            self.loop = None
        else:
            for coro in closers:
                coro.close()
        if self.cluster is not None:
            self.cluster.stop()
            self.cluster = None

    def _cluster(self) -> BackboneCluster:
        if self.cluster is None:
            raise RuntimeError(f"{self.name}: the backbone is not running")
        return self.cluster
