"""The process supervisor: a reused PID is never signalled; a signal leaves nothing behind.

- ``down`` (devnet, IPFS, backbone) and ``devnet prune`` leave alone an unrelated process
  that now holds a recorded PID (recorded start time or command line differ).
- ``ipfs up``, ``backbone up``, ``negotiate``, ``trade`` and ``devnet up`` interrupted by
  SIGINT or SIGTERM mid-way exit 128 + signal, and leave no process (checked by PID and
  start time, and by a scan for processes carrying the test's ``$GRIDLEDGER_HOME``) and no
  temporary folder. Every wait is on a condition with a generous deadline (busy machine).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import psutil
import pytest

from offchain.app.cli import main
from offchain.kernel.fs import PROJECT_ROOT, free_port


@pytest.fixture
def home(tmp_path, monkeypatch):
    path = tmp_path / "home"
    path.mkdir()
    monkeypatch.setenv("GRIDLEDGER_HOME", str(path))
    return path


def wait_for(predicate: Callable[[], object], timeout: float, what: str) -> object:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out after {timeout:.0f}s waiting for {what}"
        time.sleep(0.05)


# -- a recorded PID reused by an unrelated process ---------------------------------------
def test_down_and_prune_leave_a_process_that_reused_a_recorded_pid_alone(home, capsys):
    # the unrelated process leads its own process group: exactly what a killpg would hit
    sleeper = subprocess.Popen(["sleep", "300"], start_new_session=True)
    started = psutil.Process(sleeper.pid).create_time()
    wrong_time = {"name": "anvil", "pid": sleeper.pid, "create_time": started - 1000.0, "cmd": ["sleep", "300"],
                  "log": str(home / "gone.log"), "rpc_url": "http://127.0.0.1:1"}  # fmt: skip
    # right start time, but the command line recorded is another program's
    wrong_cmd = {**wrong_time, "create_time": started, "cmd": ["/opt/anvil", "--port", "1"]}
    try:
        for i, record in enumerate((wrong_time, wrong_cmd)):
            state = home / "devnets" / f"reused{i}" / "state.json"
            state.parent.mkdir(parents=True)
            state.write_text(json.dumps({"kind": "anvil", "name": f"reused{i}", "chain_id": 31337, "params": {},
                                         "nodes": [record]}))  # fmt: skip
            assert main(["devnet", "down", f"reused{i}"]) == 0
            assert "nothing was running" in capsys.readouterr().out

            (home / "ipfs").mkdir(exist_ok=True)
            (home / "ipfs" / "daemon.json").write_text(json.dumps({"api": "/ip4/127.0.0.1/tcp/1/http", "node": record}))
            assert main(["ipfs", "status"]) == 1
            assert main(["ipfs", "down"]) == 0
            assert "no IPFS node was running" in capsys.readouterr().out

            table = home / f"backbone{i}.json"
            table.write_text(json.dumps({"supervisor": record, "processes": [record]}))
            assert main(["backbone", "down", "--state", str(table)]) == 0
            assert "nothing was running" in capsys.readouterr().out
        assert main(["devnet", "prune"]) == 0
        assert "devnet reused0: removed" in capsys.readouterr().out
        assert sleeper.poll() is None and psutil.Process(sleeper.pid).create_time() == started
    finally:
        sleeper.kill()
        sleeper.wait()


def test_a_devnet_nodes_child_left_by_its_wrapper_is_still_stopped(home, capsys):
    """The other side of the check: a process of our group that outlived its leader is ours (tag)."""
    from offchain.kernel.process import spawn

    node = spawn("wrapper", ["sh", "-c", "sleep 300 & exit 0"], home / "w.log", rpc_url="-", ephemeral=False)
    wait_for(lambda: not node.alive() and node.group_pids(), 30, "the wrapper to exit leaving its child")
    (child,) = node.group_pids()
    state = home / "devnets" / "wrapped" / "state.json"
    state.parent.mkdir(parents=True)
    state.write_text(json.dumps({"kind": "anvil", "name": "wrapped", "chain_id": 31337, "params": {},
                                 "nodes": [node.to_json()]}))  # fmt: skip
    assert main(["devnet", "down", "wrapped"]) == 0
    assert f"stopped PID {node.pid}" in capsys.readouterr().out
    assert not psutil.pid_exists(child) or psutil.Process(child).status() == psutil.STATUS_ZOMBIE


# -- signals mid-way -----------------------------------------------------------------------
def _descendants(pid: int) -> set[tuple[int, float]]:
    """(pid, start time) of every process below ``pid``; a child that ends during the walk makes
    psutil raise, which is not "no children": walk again (empty only once ``pid`` itself is gone)."""
    for _ in range(20):
        try:
            return {(p.pid, p.create_time()) for p in psutil.Process(pid).children(recursive=True)}
        except psutil.NoSuchProcess:
            if not psutil.pid_exists(pid):
                return set()
        except psutil.Error:
            return set()
    return set()


def _alive(pid: int, created: float) -> bool:
    try:
        proc = psutil.Process(pid)
        return proc.create_time() == created and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _carrying(home: Path) -> list[int]:
    """Processes of this user whose environment names this test's $GRIDLEDGER_HOME."""
    found = []
    for proc in psutil.process_iter(["uids"]):
        try:
            if proc.info["uids"].real != os.getuid() or proc.pid == os.getpid():
                continue
            if proc.environ().get("GRIDLEDGER_HOME") == str(home) and proc.status() != psutil.STATUS_ZOMBIE:
                found.append(proc.pid)
        except (psutil.Error, AttributeError):
            continue
    return found


def _state_has(path: Path, key: str) -> bool:
    try:
        return bool(json.loads(path.read_text()).get(key))
    except (OSError, ValueError):
        return False


# command, and the condition that says it is mid-way (something started, not finished)
MIDWAY: dict[str, tuple[list[str], Callable[[Path, set[tuple[int, float]]], bool]]] = {
    "ipfs-up": (["ipfs", "up"], lambda home, kids: bool(kids)),
    "backbone-up": (
        ["backbone", "up", "--nodes", "2"],
        lambda home, kids: _state_has(home / "backbone.json", "processes"),
    ),
    "negotiate": (
        [
            "negotiate",
            "--amount",
            "5000",
            "--buyer",
            "80:120",
            "--seller",
            "150:100",
            "--nodes",
            "2",
            "--pow-bits",
            "22",
        ],  # fmt: skip
        lambda home, kids: len(kids) >= 2,
    ),
    "trade": (["trade"], lambda home, kids: bool(kids)),
    "devnet-up": (
        ["devnet", "up", "--kind", "poa", "--name", "cut", "--signers", "1"],
        lambda home, kids: _state_has(home / "devnets" / "cut" / "state.json", "nodes"),
    ),
}


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
@pytest.mark.parametrize("command", list(MIDWAY))
def test_a_signal_mid_way_leaves_no_process_and_no_temporary_folder(tmp_path, command, sig):
    home, scratch = tmp_path / "home", tmp_path / "tmp"
    home.mkdir()
    scratch.mkdir()
    argv, midway = MIDWAY[command]
    if command == "devnet-up":
        argv = [*argv, "--port", str(free_port())]
    env = {**os.environ, "GRIDLEDGER_HOME": str(home), "TMPDIR": str(scratch)}
    env.pop("GRIDLEDGER_RPC_URL", None)
    proc = subprocess.Popen([sys.executable, "-m", "offchain", *argv], cwd=PROJECT_ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    try:
        seen: set[tuple[int, float]] = set()

        def ready() -> bool:
            kids = _descendants(proc.pid)  # one look: "mid-way" and "had started a process" agree
            seen.update(kids)
            assert proc.poll() is None, f"{command} ended before the signal: {proc.stderr.read().decode()[-500:]}"
            return midway(home, kids) and bool(seen)

        wait_for(ready, 180, f"{command} to be mid-way")
        seen.update(_descendants(proc.pid))
        assert seen, f"{command} had started no process"
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    text = err.decode()
    assert proc.returncode == 128 + sig, f"exit {proc.returncode}: {text[-800:]}"
    assert "Traceback" not in text and len(text.strip().splitlines()) == 1, text[-800:]
    assert f"interrupted by {sig.name}" in text
    wait_for(lambda: not [p for p in seen if _alive(*p)], 10, "the started processes to be gone")
    assert _carrying(home) == []
    assert list(scratch.iterdir()) == [], "a temporary folder was left behind"


def test_a_started_child_is_alive_while_its_command_line_is_not_the_recorded_one(tmp_path):
    # between fork and exec, and after a wrapper execs another program, the live command line
    # differs from the recorded one: a child we started and have not reaped is still ours
    # (on a busy machine `anvil exited during start-up` was reported for a healthy anvil)
    from offchain.kernel.process import spawn

    node = spawn("wrapper", ["sh", "-c", "exec sleep 60"], tmp_path / "wrapper.log", rpc_url="")
    try:
        deadline = time.monotonic() + 30
        while psutil.Process(node.pid).cmdline()[:1] != ["sleep"]:
            assert time.monotonic() < deadline, "the wrapper never exec'd sleep"
            time.sleep(0.02)
        assert node.alive() and node.running()
        node.stop(timeout=10)
        assert not node.alive()
        assert not psutil.pid_exists(node.pid) or psutil.Process(node.pid).status() == psutil.STATUS_ZOMBIE
    finally:
        node.kill()
