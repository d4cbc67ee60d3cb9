"""Fixtures for the devnet tests: devnet factories whose every process is stopped by PID."""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator

import psutil
import pytest

from offchain.app.deploy import deployment_path
from offchain.devnet import AnvilDevnet, Devnet, GanacheDevnet, PoaDevnet

_names = itertools.count()


def assert_no_process_left(devnet: Devnet) -> None:
    """Every PID the devnet started is gone (or a reaped zombie), with its whole group."""
    for node in devnet.nodes:
        assert not node.alive(), f"{node.name} (PID {node.pid}) still running"
        assert node.group_pids() == [], f"{node.name}: processes of group {node.pid} still running"
        try:  # the PID may have been reused by an unrelated process, which may itself exit now
            reused = psutil.Process(node.pid).create_time()
        except psutil.NoSuchProcess:
            continue
        assert reused != pytest.approx(node.create_time, abs=1.0), f"{node.name} (PID {node.pid}) still exists"


@pytest.fixture
def no_process_left() -> Callable[[Devnet], None]:
    """``no_process_left(devnet)`` asserts that none of its processes runs any more."""
    return assert_no_process_left


@pytest.fixture
def devnet_factory(tmp_path) -> Iterator[Callable[..., Devnet]]:
    """``devnet_factory(PoaDevnet, signers=1, period=1)`` → a started devnet, stopped at teardown."""
    started: list[Devnet] = []

    def make(cls: type[Devnet], *, start: bool = True, **params) -> Devnet:
        name = f"{cls.kind}-{os.getpid()}-{next(_names)}"  # unique across parallel test processes
        devnet = cls(name, home=tmp_path / name, **params)
        started.append(devnet)
        if start:
            devnet.start(timeout=90)
        return devnet

    yield make
    for devnet in started:
        devnet.stop()
        deployment_path(f"test-{devnet.name}").unlink(missing_ok=True)
    for devnet in started:
        assert_no_process_left(devnet)


@pytest.fixture
def single_signer_devnet(devnet_factory) -> PoaDevnet:
    return devnet_factory(PoaDevnet, signers=1, period=1)


@pytest.fixture
def anvil_devnet(devnet_factory) -> AnvilDevnet:
    return devnet_factory(AnvilDevnet)


@pytest.fixture
def ganache_devnet(devnet_factory) -> GanacheDevnet:
    return devnet_factory(GanacheDevnet)
