"""Node processes are watched by PID on a busy machine: processes come and go during a scan."""

import subprocess
import threading
import time

from offchain.kernel.process import _pgid, spawn


def test_the_group_of_a_process_that_is_gone_is_none_not_an_error():
    proc = subprocess.Popen(["true"])
    proc.wait()  # exited and reaped: its PID no longer exists
    assert _pgid(proc.pid) is None


def test_group_pids_keeps_working_while_other_processes_start_and_exit(tmp_path):
    node = spawn("sleeper", ["sleep", "60"], tmp_path / "sleeper.log", rpc_url="-")
    stop = threading.Event()

    def churn() -> None:  # short-lived processes exit at any point of a scan
        while not stop.is_set():
            subprocess.run(["true"], check=True)

    threads = [threading.Thread(target=churn, daemon=True) for _ in range(3)]
    for t in threads:
        t.start()
    try:
        deadline, scans = time.monotonic() + 3, 0
        while time.monotonic() < deadline:
            assert node.group_pids() == [node.pid]
            scans += 1
        assert scans > 10
    finally:
        stop.set()
        for t in threads:
            t.join(10)
        node.stop()
    assert node.group_pids() == [] and not node.alive()
