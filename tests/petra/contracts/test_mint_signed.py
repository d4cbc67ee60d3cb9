"""Anyone submits a mint the DSO signed off chain (EIP-712, nonce, expiry)."""

import pytest
from eth_account import Account

from offchain.kernel.anvil import anvil_keys
from offchain.petra.client import AssetKind, MintOrder

from tests.petra.contracts.helpers import ANY, HELD, PRODUCTION, asset, now, reverts


@pytest.fixture(scope="module")
def dso_key(dso):
    return next(k for k in anvil_keys(10) if k.address == dso.address)


@pytest.fixture
def order(producer, start, chain):
    def _order(nonce=1, expiry=None, power=1_500):
        return MintOrder(
            1,
            producer.address,
            AssetKind.PRODUCTION,
            power,
            start,
            start + 1,
            0,
            nonce,
            expiry if expiry is not None else now(chain) + 600,
        )

    return _order


def test_anyone_submits_a_mint_order_the_dso_signed(market, order, dso_key, stranger, producer, chain, start):
    o = order()
    tx = market.mintSigned(o.as_args(), o.sign(dso_key, chain.id, market.address), {"from": stranger})
    token = int(tx.events["TransferSingle"]["id"])
    assert asset(market, token) == (producer.address, PRODUCTION, HELD, 1, 1_500, start, start + 1, 0)
    assert market.isNonceUsed(dso_key.address, 1)
    from eth_account.messages import _hash_eip191_message, encode_typed_data

    digest = _hash_eip191_message(encode_typed_data(full_message=o.typed_data(chain.id, market.address)))
    assert bytes(market.hashMintOrder(o.as_args())) == bytes(digest)


def test_a_signed_order_mints_once(market, order, dso_key, stranger, chain):
    o = order(nonce=4)
    sig = o.sign(dso_key, chain.id, market.address)
    market.mintSigned(o.as_args(), sig, {"from": stranger})
    with reverts("FundsNonceUsed", dso_key.address, 4):
        market.mintSigned(o.as_args(), sig, {"from": stranger})


def test_an_order_signed_by_someone_else_is_refused(market, order, stranger, chain):
    o = order()
    forger = Account.create()
    with reverts("PetraNotSignedByDso", forger.address):
        market.mintSigned(o.as_args(), o.sign(forger, chain.id, market.address), {"from": stranger})


def test_an_order_signed_for_another_chain_or_market_is_refused(market, order, dso_key, stranger, chain, producer):
    o = order()
    for sig in (o.sign(dso_key, chain.id + 1, market.address), o.sign(dso_key, chain.id, producer.address)):
        with reverts("PetraNotSignedByDso", ANY):
            market.mintSigned(o.as_args(), sig, {"from": stranger})


def test_an_expired_order_is_refused(market, order, dso_key, stranger, chain):
    o = order(expiry=now(chain) - 1)
    with reverts("PetraOrderExpired", o.expiry, ANY):
        market.mintSigned(o.as_args(), o.sign(dso_key, chain.id, market.address), {"from": stranger})


def test_a_signed_order_keeps_to_the_capacity(market, order, dso_key, stranger, chain, start):
    o = order(power=10_001)
    with reverts("PetraCapacityExceeded", 1, PRODUCTION, start, 10_000, 10_001):
        market.mintSigned(o.as_args(), o.sign(dso_key, chain.id, market.address), {"from": stranger})


def test_a_dso_whose_role_was_revoked_signs_nothing_more(market, order, dso_key, dso, governor, stranger, chain):
    market.revokeRole(market.DSO_ROLE(), dso, {"from": governor})
    o = order()
    with reverts("PetraNotSignedByDso", dso_key.address):
        market.mintSigned(o.as_args(), o.sign(dso_key, chain.id, market.address), {"from": stranger})
