import gc
import importlib
import time
from pathlib import Path

import pytest
import requests

# brownie's own anvil: London like the EthereumJS PoA devnet (brownie 1.22's compiled
# config loader rejects a `networks:` section in brownie-config.yaml, so it is set here),
# and a free port so that several test runs on one machine never share a chain.
# importlib keeps brownie's conftest hasher, which parses imported modules, away from
# the compiled config module.
_config = importlib.import_module("brownie._config").CONFIG
_kernel_fs = importlib.import_module("offchain.kernel.fs")
_kernel_chain = importlib.import_module("offchain.kernel.chain")
_config.networks["development"]["cmd_settings"].update(
    {"evm_version": "london", "gas_limit": 30_000_000, "port": _kernel_fs.free_port()}
)
# and no state written to disk: without --prune-history anvil writes the state of every
# block older than its in-memory window to ~/.foundry/anvil/tmp and never deletes it (one
# stateful test left 69 MB; repeated test runs filled this machine's 252 GB disk). brownie
# passes the command string through (split at spaces); the kernel's launcher uses the same
# window (offchain.kernel.anvil.ANVIL_STATE_HISTORY).
_anvil_state_history = importlib.import_module("offchain.kernel.anvil").ANVIL_STATE_HISTORY
if _config.networks["development"]["cmd"] == "anvil":
    _config.networks["development"]["cmd"] = f"anvil --prune-history {_anvil_state_history}"


# -- brownie's "Tx dropped without known replacement" ------------------------------------
# brownie waits for a receipt by asking the node for the sender's nonce first and then for
# the receipt; on anvil the nonce can move a moment before the receipt is queryable, and
# brownie then declares the transaction dropped (TransactionError) although it was mined —
# seen on this 2-core machine under load, in a stateful test. Wait (bounded) for the receipt
# before brownie's own loop runs; a transaction that is really dropped still ends in
# brownie's error, 30 s later.
_transaction = importlib.import_module("brownie.network.transaction")
_await_confirmation = _transaction.TransactionReceipt._await_confirmation


def _await_receipt_first(self, block_number=None, required_confs=1):
    web3 = _transaction.web3
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            receipt = web3.eth.get_transaction_receipt(self.txid)
            if receipt is not None and receipt["blockHash"] is not None:
                break
        except _transaction.TransactionNotFound:
            pass
        time.sleep(0.02)
    return _await_confirmation(self, block_number, required_confs)


_transaction.TransactionReceipt._await_confirmation = _await_receipt_first


# -- one HTTP round trip per RPC call --------------------------------------------------
# Profiled on the funds-ledger stateful test (1,502 steps, 146 s): web3's validation
# middleware asks the node for eth_chainId before every eth_call and transaction (11,860
# extra round trips, 46 s), and requests looks up proxy settings in the environment for
# every request (26,238 lookups, 23 s). The test chain is a local anvil whose chain id
# never changes while brownie is connected to it: cache eth_chainId on the provider and
# use a session that ignores proxy variables. A new connection gets a new provider and so
# a fresh cache.
_web3 = importlib.import_module("brownie.network.web3")
_connect = _web3.Web3.connect


def _connect_without_repeated_lookups(self, uri, timeout=30):
    _connect(self, uri, timeout)
    provider = self.provider
    if type(provider) is _web3.HTTPProvider:
        session = requests.Session()
        session.trust_env = False
        self.provider = _web3.HTTPProvider(
            provider.endpoint_uri,
            provider.get_request_kwargs(),
            session=session,
            cache_allowed_requests=True,
            cacheable_requests=_kernel_chain.CACHEABLE_REQUESTS,
        )


_web3.Web3.connect = _connect_without_repeated_lookups


# -- layout guard ----------------------------------------------------------------------
# Every test folder is a package (has __init__.py), so pytest imports each test module
# under its path (tests.spb.contracts.test_settle): two mechanisms may both have a
# test_settle.py. A folder without __init__.py would make pytest import its modules under
# their bare file names (and put the folder on sys.path), where the second test_settle.py
# collides with the first. This hook refuses such a layout on every run, even before a
# second module of the same name exists; tests/test_layout.py checks the tree statically.
_ROOT = Path(__file__).resolve().parent.parent


def _expected_module_name(path: Path) -> str | None:
    try:
        rel = path.resolve().relative_to(_ROOT)
    except ValueError:
        return None
    return ".".join(rel.with_suffix("").parts)


def pytest_collection_modifyitems(session, config, items):
    modules = {item.module for item in items if getattr(item, "module", None) is not None}
    wrong = sorted(
        f"{m.__file__}: imported as {m.__name__!r}, expected {expected!r}"
        for m in modules
        if (expected := _expected_module_name(Path(m.__file__))) and m.__name__ != expected
    )
    if wrong:
        raise pytest.UsageError(
            "test modules not imported under their package path (a test folder lacks __init__.py?):\n  "
            + "\n  ".join(wrong)
        )


# -- cheap reverts ---------------------------------------------------------------------
# brownie runs a full gc.collect() on every chain.revert() (the autouse isolation after
# each test, and each example of a stateful test). With the project, the compiler output
# and every test module on the heap, one collection took ~160 ms, 13 s of a 1,500-step
# stateful test. Everything loaded by the end of collection lives for the whole session:
# move it to the permanent generation (gc.freeze) so that collections skip it; objects made
# by the tests themselves are still collected as before.
def pytest_collection_finish(session):
    gc.freeze()
