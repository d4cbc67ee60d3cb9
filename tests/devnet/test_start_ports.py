"""A devnet port taken between choosing it and a node binding it (another process on the machine)."""

from __future__ import annotations

import socket

import pytest

from offchain.devnet import PoaDevnet
from offchain.devnet import poa as poa_mod
from offchain.kernel.errors import ToolchainError
from offchain.kernel.process import START_ATTEMPTS, port_taken_in_log


@pytest.fixture
def held_port():
    """A port another process (this test) listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def _hand_out(monkeypatch, port: int, *, every_start: bool) -> None:
    """Make the devnet choose ``port`` for node 0's RPC (first start only, or every start)."""
    real, calls = poa_mod.free_port, iter(range(10_000))  # two ports per start: RPC, then p2p
    monkeypatch.setattr(
        poa_mod, "free_port", lambda: port if (n := next(calls)) == 0 or (every_start and n % 2 == 0) else real()
    )


def test_a_node_whose_chosen_port_was_taken_starts_again_on_a_fresh_one(devnet_factory, monkeypatch, held_port):
    _hand_out(monkeypatch, held_port, every_start=False)
    devnet = devnet_factory(PoaDevnet, signers=1, period=1)
    # the held port cost one start; a busy machine may take a fresh port once more (seen once)
    assert 1 <= devnet.start_retries < START_ATTEMPTS
    node = devnet.nodes[0]
    assert node.rpc_url != f"http://127.0.0.1:{held_port}" and node.owns_port(int(node.rpc_url.rsplit(":", 1)[1]))
    chain = devnet.chain()
    assert chain.chain_id == devnet.chain_id and chain.w3.eth.block_number >= 1


def test_a_port_that_stays_taken_fails_after_the_last_attempt_naming_the_nodes_log(
    devnet_factory, monkeypatch, held_port
):
    _hand_out(monkeypatch, held_port, every_start=True)
    devnet = devnet_factory(PoaDevnet, start=False, signers=1, period=1)
    with pytest.raises(ToolchainError, match=r"node0.*see .*node0\.log") as refused:
        devnet.start(timeout=60)
    assert devnet.start_retries == START_ATTEMPTS - 1
    assert port_taken_in_log(devnet.nodes[0].log), str(refused.value)
    assert devnet.running() == []  # nothing left running; the fixture checks the process table too
