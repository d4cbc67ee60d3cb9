"""The one anvil launcher: anvil binds the port itself, and a start never talks to another program's chain."""

import json
import re
import socket
from pathlib import Path

import pytest
import yaml

from offchain.devnet import AnvilDevnet
from offchain.kernel.anvil import ANVIL_CHAIN_ID, ANVIL_STATE_HISTORY, EmbeddedAnvil, anvil_command, listening_port
from offchain.kernel.errors import ToolchainError
from offchain.kernel.process import listening_pids

ROOT = Path(__file__).resolve().parents[2]


def test_an_embedded_anvil_binds_a_port_of_its_own_choosing_and_answers_there():
    first, second = EmbeddedAnvil(), EmbeddedAnvil()
    assert first.port is None  # nothing is chosen before anvil binds
    with first as a, second as b:
        assert first.port != second.port
        assert a.chain_id == b.chain_id == ANVIL_CHAIN_ID
        assert first.node is not None and first.node.owns_port(first.port) is True
        assert listening_port(first.log_path) == first.port
        assert first.node.rpc_url == first.url
        pid, port = first.node.pid, first.port
    assert first.port is None and not first.log_path.exists()  # a restart binds afresh; no log left
    assert pid not in (listening_pids(port) or set())


def test_an_embedded_anvil_on_a_port_another_anvil_holds_refuses_instead_of_using_that_chain():
    with EmbeddedAnvil() as chain:
        other = EmbeddedAnvil(port=chain_port(chain))
        with pytest.raises(ToolchainError, match=r"exited during start-up|another process answers") as refused:
            other.start(timeout=30)
        log = Path(re.search(r"see (\S+\.log)", str(refused.value)).group(1))
        assert log.exists()  # the error names a log that is there to read
        assert other.node is None  # the refused anvil was stopped
        assert chain.w3.eth.block_number >= 0  # the first chain is untouched
        log.unlink()


def test_an_embedded_anvil_on_a_port_a_plain_socket_holds_names_its_log():
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        anvil = EmbeddedAnvil(port=held.getsockname()[1])
        with pytest.raises(ToolchainError, match=r"anvil (exited during start-up|did not answer)"):
            anvil.start(timeout=20)
        assert b"ddress already in use" in anvil.log_path.read_bytes()
        anvil.log_path.unlink()


def test_an_anvil_devnet_records_the_port_anvil_bound(tmp_path):
    devnet = AnvilDevnet("launcher", home=tmp_path / "d")
    try:
        chain = devnet.start(timeout=60)
        node = devnet.nodes[0]
        port = listening_port(node.log)
        assert node.rpc_url == f"http://127.0.0.1:{port}" and node.owns_port(port) is True
        assert chain.chain_id == ANVIL_CHAIN_ID
        assert json.loads(devnet.state_file.read_text())["nodes"][0]["rpc_url"] == node.rpc_url  # on disk too
    finally:
        devnet.stop()


def test_every_anvil_keeps_the_same_state_window_so_none_writes_old_states_to_disk():
    assert anvil_command(0)[-2:] == ["--prune-history", str(ANVIL_STATE_HISTORY)]
    networks = yaml.safe_load((ROOT / "tools" / "brownie-networks.yaml").read_text())
    anvil = [c for c in commands(networks) if c.split()[0] == "anvil"]
    assert anvil and all(c.split()[1:] == ["--prune-history", str(ANVIL_STATE_HISTORY)] for c in anvil)


def commands(tree) -> list[str]:
    if isinstance(tree, dict):
        return ([tree["cmd"]] if "cmd" in tree else []) + [c for v in tree.values() for c in commands(v)]
    return [c for v in tree for c in commands(v)] if isinstance(tree, list) else []


def chain_port(chain) -> int:
    return int(chain.url.rsplit(":", 1)[1])
