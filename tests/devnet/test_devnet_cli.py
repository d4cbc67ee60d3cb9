"""``gridledger devnet`` up / status / logs / down, refusals, and an interrupted start."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from offchain.app.cli import main
from offchain.devnet import load
from offchain.kernel.fs import free_port
from offchain.kernel.process import NodeProcess


@pytest.fixture
def gridledger_home(tmp_path, monkeypatch):
    monkeypatch.setenv("GRIDLEDGER_HOME", str(tmp_path))
    yield tmp_path
    # whatever a test left behind is stopped by PID
    for state in tmp_path.glob("devnets/*/state.json"):
        for node in json.loads(state.read_text())["nodes"]:
            NodeProcess.from_json(node).stop()


def test_up_status_logs_and_down_manage_a_background_anvil_by_pid(gridledger_home, capsys):
    port = free_port()
    assert main(["devnet", "up", "--kind", "anvil", "--name", "cli", "--port", str(port)]) == 0
    out = capsys.readouterr().out
    assert f"rpc=http://127.0.0.1:{port}" in out and "chain id 31337" in out
    devnet = load("cli")
    (node,) = devnet.nodes
    assert node.alive()

    assert main(["devnet", "status", "cli"]) == 0
    assert str(node.pid) in capsys.readouterr().out
    assert main(["devnet", "logs", "cli", "-n", "5"]) == 0
    assert "==> cli/anvil <==" in capsys.readouterr().out

    assert main(["devnet", "down", "cli"]) == 0
    assert f"stopped PID {node.pid}" in capsys.readouterr().out
    assert not node.alive() and node.group_pids() == []


def test_a_second_up_under_the_same_name_is_refused_in_one_line(gridledger_home, capsys):
    port = free_port()
    assert main(["devnet", "up", "--kind", "ganache", "--name", "twice", "--port", str(port)]) == 0
    capsys.readouterr()
    assert main(["devnet", "up", "--kind", "ganache", "--name", "twice", "--port", str(free_port())]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "already running" in err and "devnet down twice" in err
    assert main(["devnet", "down", "twice"]) == 0


def test_bad_input_gives_a_one_line_error_and_no_traceback(gridledger_home, capsys):
    assert main(["devnet", "down", "nothing-here"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("gridledger: error: no devnet named 'nothing-here'") and "Traceback" not in err
    assert main(["devnet", "up", "--kind", "anvil", "--signers", "3"]) == 1
    assert "--kind poa only" in capsys.readouterr().err


def test_interrupting_up_stops_every_node_it_had_started(gridledger_home):
    env = {**os.environ, "GRIDLEDGER_HOME": str(gridledger_home)}
    cmd = [sys.executable, "-m", "offchain", "devnet", "up", "--kind", "poa", "--name", "cut"]
    cmd += ["--signers", "2", "--port", str(free_port())]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    state = gridledger_home / "devnets" / "cut" / "state.json"
    deadline = time.monotonic() + 60
    while not (state.exists() and json.loads(state.read_text())["nodes"]):
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.1)
    started = [NodeProcess.from_json(n) for n in json.loads(state.read_text())["nodes"]]
    assert started and all(n.alive() for n in started)

    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and b"interrupted" in err
    recorded = [NodeProcess.from_json(n) for n in json.loads(state.read_text())["nodes"]]
    assert recorded and all(not n.alive() and n.group_pids() == [] for n in recorded)
