"""The one "start again on fresh ports" rule every launcher uses (devnets, the backbone, the day's IPFS node).

The launchers themselves are tested against real processes holding real ports
(``tests/devnet/test_start_ports.py``, ``tests/routing/test_cluster_ports.py``,
``tests/grid/offchain/test_ipfs_node.py``); these tests pin the rule they share.
"""

from __future__ import annotations

import logging
import socket
import subprocess
import sys

import pytest

from offchain.kernel.errors import ConfigError, ToolchainError
from offchain.kernel.process import START_ATTEMPTS, port_taken_in_log, port_taken_lines, start_on_fresh_ports


class PortTaken(ToolchainError):
    pass


def _evidence(exc: Exception) -> list[str]:
    return [str(exc)] if isinstance(exc, PortTaken) else []


def test_a_start_whose_port_was_taken_is_cleaned_up_and_made_again_and_the_retry_names_the_evidence(caplog):
    made, cleaned = [], []

    def attempt(number: int) -> str:
        made.append(number)
        if number == 1:
            raise PortTaken("node0: Error: listen EADDRINUSE: address already in use 127.0.0.1:4242")
        return f"started on attempt {number}"

    with caplog.at_level(logging.WARNING, logger="offchain.kernel.process"):
        result = start_on_fresh_ports("devnet x", attempt, ports_taken=_evidence, cleanup=lambda: cleaned.append(1))
    assert result == "started on attempt 2"
    assert made == [1, 2] and cleaned == [1]  # the failed start is cleaned up before the next one
    (record,) = caplog.records
    assert "devnet x" in record.getMessage() and "127.0.0.1:4242" in record.getMessage()
    assert f"(2 of {START_ATTEMPTS})" in record.getMessage()


def test_a_failure_without_a_taken_port_is_raised_at_once_after_the_cleanup():
    made, cleaned = [], []

    def attempt(number: int) -> str:
        made.append(number)
        raise ConfigError("genesis is invalid")

    with pytest.raises(ConfigError, match="genesis is invalid"):
        start_on_fresh_ports("devnet x", attempt, ports_taken=_evidence, cleanup=lambda: cleaned.append(1))
    assert made == [1] and cleaned == [1]


def test_a_port_taken_on_every_attempt_raises_the_last_failure_after_the_last_attempt():
    made, cleaned = [], []

    def attempt(number: int) -> str:
        made.append(number)
        raise PortTaken(f"attempt {number}: EADDRINUSE")

    with pytest.raises(PortTaken, match=f"attempt {START_ATTEMPTS}: EADDRINUSE"):
        start_on_fresh_ports("backbone cluster", attempt, ports_taken=_evidence, cleanup=lambda: cleaned.append(1))
    assert made == list(range(1, START_ATTEMPTS + 1)) and len(cleaned) == START_ATTEMPTS


def test_ctrl_c_during_a_start_cleans_up_and_is_not_retried():
    made, cleaned = [], []

    def attempt(number: int) -> str:
        made.append(number)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        start_on_fresh_ports("x", attempt, ports_taken=lambda exc: ["EADDRINUSE"], cleanup=lambda: cleaned.append(1))
    assert made == [1] and cleaned == [1]


def test_the_log_of_a_child_that_found_its_port_taken_gives_the_evidence_line(tmp_path):
    """A real child (Python's own socket error) binding a port another socket holds."""
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    port = holder.getsockname()[1]
    log = tmp_path / "child.log"
    try:
        with log.open("wb") as out:
            child = f"import socket; s = socket.socket(); s.bind(('127.0.0.1', {port}))"
            done = subprocess.run([sys.executable, "-c", child], stdout=out, stderr=subprocess.STDOUT, timeout=60)
    finally:
        holder.close()
    assert done.returncode != 0
    assert port_taken_in_log(log)
    (line,) = port_taken_lines(log)
    assert "address already in use" in line.lower()
    assert not port_taken_lines(tmp_path / "no-such.log") and not port_taken_in_log(tmp_path / "no-such.log")
