"""How the shared funds tests (tests/common) drive SpbMarket's ledger: a CTP freezes funds
and spends a nonce of its consumer."""

from __future__ import annotations

import secrets

import brownie

from offchain.spb import eip712

from tests.common.ledger_harness import LedgerSpec

_ACCOUNTS: dict[str, int] = {}


def _deploy(project, governor, asset):
    market = project.SpbMarket.deploy(governor, 0, asset, {"from": governor})
    tx = market.openAccountByBurn({"from": governor, "value": 0})
    _ACCOUNTS[market.address] = tx.return_value
    return market


def _commit(market, who, price: int, nonce: int) -> None:
    terms = eip712.Terms(1, 1, secrets.token_bytes(32), "0x" + secrets.token_hex(20))
    expiry = brownie.chain[-1].timestamp + 3_600  # the shared tests never settle or release
    ctp = eip712.CommitToPay(who.address, _ACCOUNTS[market.address], expiry, price, terms.contract_hash, nonce)
    market.commit(ctp.as_args(), {"from": who})


def _freeze(market, who, amount: int) -> None:
    """One on-chain CTP of `amount`, on the first free nonce of 32..63 (the nonce tests
    drive nonces themselves and never freeze)."""
    nonce = next(n for n in range(32, 64) if not market.isNonceUsed(who, n))
    _commit(market, who, amount, nonce)


SPEC = LedgerSpec(
    name="spb",
    deploy=_deploy,
    freeze=_freeze,
    use_nonce=lambda market, who, nonce: _commit(market, who, 1, nonce),
)
