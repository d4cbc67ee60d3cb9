"""Exception hierarchy of the GridLedger off-chain package.

Every error the package raises on purpose derives from :class:`GridLedgerError`, so a
caller (or the CLI) can catch one class and print a one-line message.
"""

from __future__ import annotations

__all__ = [
    "GridLedgerError",
    "ConfigError",
    "UsageError",
    "StateFileError",
    "NetworkError",
    "ChainIdMismatchError",
    "ToolchainError",
    "ContractError",
    "TransactionFailedError",
    "SignatureError",
]


class GridLedgerError(Exception):
    """Base class of every error raised by the ``offchain`` package.

    ``exit_code``: what the ``gridledger`` command exits with (1: a refused operation)."""

    exit_code = 1


class ConfigError(GridLedgerError):
    """A setting, file or command-line value is missing or malformed."""


class UsageError(ConfigError):
    """The command line itself is wrong (options that do not go together): exit code 2."""

    exit_code = 2


class StateFileError(ConfigError):
    """A state file (``state.json``, ``daemon.json``, ``backbone.json``) is unreadable or corrupt.

    The message names the file and the one command that clears it."""


class SignatureError(GridLedgerError):
    """A signature is malformed, unrecoverable, or made by another key than claimed."""


class ToolchainError(GridLedgerError):
    """A project-local tool (anvil, solc shim, node) is missing or failed."""


class NetworkError(GridLedgerError):
    """An RPC endpoint is unreachable or answered something unusable."""


class ChainIdMismatchError(NetworkError):
    """The connected chain is not the chain the caller expected.

    Raised before anything is sent, so that a script pointed at the wrong network
    refuses instead of spending funds there.
    """

    def __init__(self, expected: int, actual: int, url: str) -> None:
        super().__init__(f"chain id mismatch at {url}: expected {expected}, connected chain reports {actual}")
        self.expected = expected
        self.actual = actual
        self.url = url


class ContractError(GridLedgerError):
    """A contract artifact is missing or a contract call was refused."""


class TransactionFailedError(ContractError):
    """A transaction was mined but reverted, or a call reverted with a custom error."""

    def __init__(
        self,
        message: str,
        *,
        tx_hash: str | None = None,
        error_name: str | None = None,
        error_args: tuple | None = None,
    ) -> None:
        super().__init__(message)
        self.tx_hash = tx_hash
        self.error_name = error_name
        self.error_args = error_args or ()
