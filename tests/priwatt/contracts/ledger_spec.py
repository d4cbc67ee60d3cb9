"""How the shared funds tests (tests/common) drive PriWattMarket's ledger: a funded trade
freezes the buyer's money and spends one of its nonces (post a DSO-signed claim, lock it
for the buyer, open the trade)."""

from __future__ import annotations

import itertools

from eth_account import Account

from offchain.kernel.crypto import keccak256
from offchain.priwatt import eip712

from tests.common.ledger_harness import LedgerSpec

EXPIRY = 2**40  # far in the future: the shared tests never settle or refund
DAY = 86_400
_DSO = Account.from_key(keccak256(b"gridledger-tests/priwatt-ledger-dso"))
_claims = itertools.count(1)


def _deploy(project, governor, asset):
    return project.PriWattMarket.deploy(governor, _DSO.address, asset, {"from": governor})


def _seller(who):
    import brownie

    return brownie.accounts[1] if who != brownie.accounts[1] else brownie.accounts[2]


def _trade(market, who, amount: int, nonce: int) -> None:
    import brownie

    seller = _seller(who)
    claim = eip712.EnergyClaim(keccak256(f"ledger-claim-{next(_claims)}".encode()), seller.address, 1_000, 0, 0, EXPIRY)
    sig = eip712.sign_claim(claim, _DSO.key, brownie.chain.id, market.address)
    market.postOffer(claim.as_args(), sig, 1, b"", {"from": seller})
    offer = eip712.Trade(claim.claim_id, seller.address, EXPIRY)
    until = brownie.chain[-1].timestamp + 3_600
    market.lockOffer(offer.as_args(), who, amount, until, DAY, 0, {"from": seller})
    market.openTrade(
        offer.locked(who.address, amount, until, DAY, eip712.TradeKind.ESCROW).as_args(), nonce, {"from": who}
    )


def _freeze(market, who, amount: int) -> None:
    """One funded escrow of `amount`, on the first free nonce of 32..63 (the nonce tests
    drive nonces themselves and never freeze)."""
    nonce = next(n for n in range(32, 64) if not market.isNonceUsed(who, n))
    _trade(market, who, amount, nonce)


SPEC = LedgerSpec(
    name="priwatt",
    deploy=_deploy,
    freeze=_freeze,
    use_nonce=lambda market, who, nonce: _trade(market, who, 1, nonce),
)
