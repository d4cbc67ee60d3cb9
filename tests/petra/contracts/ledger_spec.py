"""How the shared funds tests (tests/common) drive PetraMarket's ledger: a bid freezes its
escrow, and a DSO-signed mint order spends a nonce of its signer.

A bid of a 16 kW consumption asset over 250 slots costs exactly its price per MWh
(16,000 W x 250 slots / 4,000,000), so the freeze is exact for any amount the shared tests
use; the prosumer's 16.7 MW capacity holds a thousand such assets. The owner is made a DSO for the nonce tests: its signed mint orders spend its nonces."""

from __future__ import annotations

import brownie

from offchain.kernel.anvil import anvil_keys
from offchain.petra.client import AssetKind, MintOrder

from tests.common.ledger_harness import LedgerSpec
from tests.petra.contracts.helpers import CONSUMPTION, REAL_TIME

PROSUMER = 1
POWER, SLOTS = 16_000, 250  # 4,000,000 watt-slots: one MWh


def _deploy(project, governor, asset):
    market = project.PetraMarket.deploy(governor, governor, asset, REAL_TIME, {"from": governor})
    market.setFeeder(1, 2**28 - 1, 2**28 - 1, {"from": governor})
    market.registerProsumer(PROSUMER, 1, 2**24 - 1, 2**24 - 1, {"from": governor})
    return market


def _first(market) -> int:
    return int(market.currentSlot()) + 4


def _freeze(market, who, amount: int) -> None:
    first = _first(market)
    tx = market.mint(PROSUMER, who, CONSUMPTION, POWER, first, first + SLOTS - 1, 0, {"from": _governor(market)})
    market.postOffer(int(tx.events["TransferSingle"]["id"]), amount, {"from": who})


def _governor(market):
    """The deployer, who is the DSO and the admin of these markets (the first DSO among brownie's accounts)."""
    return next(a for a in brownie.accounts if market.hasRole(market.DEFAULT_ADMIN_ROLE(), a))


def _use_nonce(market, who, nonce: int) -> None:
    key = next(k for k in anvil_keys(10) if k.address == who.address)
    if not market.hasRole(market.DSO_ROLE(), who):
        market.grantRole(market.DSO_ROLE(), who, {"from": _governor(market)})
    first = _first(market)
    order = MintOrder(PROSUMER, who.address, AssetKind.CONSUMPTION, 1, first, first, 0, nonce, 2**40)
    signature = order.sign(key, brownie.chain.id, market.address)
    market.mintSigned(order.as_args(), signature, {"from": who})


SPEC = LedgerSpec(name="petra", deploy=_deploy, freeze=_freeze, use_nonce=_use_nonce)
