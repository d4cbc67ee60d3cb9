"""Helpers shared by the SPB contract tests.

Kept out of conftest.py: several test folders have a conftest, and `from conftest import`
picks whichever was imported first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import brownie
from eth_abi import encode
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils import function_signature_to_4byte_selector

from offchain.kernel.crypto import keccak256
from offchain.spb.merkle import COE_LEAF, StandardMerkleTree

ACCOUNT_FEE = 10**15
ETHER = "0x" + "00" * 20  #: payment asset of an ether ledger
SUPPLY_WH = 1_000_000
DEPOSIT = 10 * 10**18
PRICE = 10**16
RATE = 10**12  # wei per Wh (0.001 ether per kWh)
COE_TAG = keccak256(b"GridLedger.CertificateOfExistence.v1")


def coe_inner(root: bytes) -> bytes:
    return keccak256(COE_TAG + root)


def fmt(value) -> str:
    """Format a value like brownie's decoded custom-error message does."""
    if isinstance(value, bytes | bytearray):
        return str(bytes(value))
    if isinstance(value, str):
        return value.lower()
    if isinstance(value, bool):
        return str(value)
    return str(value)


ANY = object()  #: matches any value of one error argument


def reverts(error: str, *args):
    """``brownie.reverts`` for a custom error with these exact arguments (``ANY`` matches one)."""
    parts = [".*" if a is ANY else re.escape(fmt(a)) for a in args]
    return brownie.reverts(revert_pattern=f"{re.escape(error)}: {', '.join(parts)}")


def encoded_error(signature: str, types: list[str], args: list) -> bytes:
    """An ABI-encoded custom error, as batch events and MarketBatchItemFailed carry it."""
    return function_signature_to_4byte_selector(signature) + encode(types, args)


def earnings(market, account_id) -> int:
    """Uncollected earnings (wei) of an energy account."""
    return int(market.accountOf(account_id)[2])


def funds(market, owner) -> tuple[int, int]:
    """(balance, frozen) of ``owner`` as plain ints."""
    balance, frozen = market.fundsOf(owner)
    return int(balance), int(frozen)


@dataclass
class KeyPool:
    """A meter's pool of one-time keys and its CoE tree (leaves = (index, address))."""

    keys: list[LocalAccount]
    tree: StandardMerkleTree

    @property
    def root(self) -> bytes:
        return self.tree.root

    def proof(self, index: int) -> list[bytes]:
        return self.tree.get_proof((index, self.keys[index].address))


def make_pool(size: int) -> KeyPool:
    keys = [Account.create() for _ in range(size)]
    return KeyPool(keys, StandardMerkleTree.of([(i, k.address) for i, k in enumerate(keys)], COE_LEAF))


def now(chain) -> int:
    """Timestamp of the latest block (brownie's ``chain.time()`` can drift from it)."""
    return chain[-1].timestamp


def pin_next_block_time(timestamp: int) -> None:
    """Make the next block's timestamp exactly ``timestamp`` (anvil)."""
    brownie.web3.provider.make_request("evm_setNextBlockTimestamp", [timestamp])


def advance(chain, seconds: int) -> None:
    """Move the chain's clock forward and mine a block."""
    chain.sleep(seconds)
    chain.mine()
