"""Fixtures of the PETra command tests: the CLI run in-process against brownie's anvil."""

from __future__ import annotations

import brownie
import pytest

from offchain.app.cli import main


@pytest.fixture
def rpc() -> str:
    return str(brownie.web3.provider.endpoint_uri)


@pytest.fixture
def run(capsys, rpc):
    """Factory: run ``gridledger petra ...`` on brownie's chain; returns (exit code, stdout, stderr)."""

    def call(*argv: str, chain: bool = True) -> tuple[int, str, str]:
        args = ["petra", *argv]
        if chain and "--help" not in argv:
            args += ["--rpc-url", rpc]
        try:
            code = main(args)
        except SystemExit as exc:  # argparse errors and --help
            code = int(exc.code or 0)
        out = capsys.readouterr()
        return code, out.out, out.err

    return call
