"""Opening energy accounts: distributor certificates, fee burns, governance."""

import secrets

import pytest
from eth_account import Account

from offchain.spb import eip712

from tests.spb.contracts.helpers import ACCOUNT_FEE, reverts


@pytest.fixture
def certificate(market, distributor, chain):
    def _cert(owner, cert_id=None, signer=None):
        cert_id = cert_id or secrets.token_bytes(32)
        sig = eip712.sign_account_certificate(
            (signer or distributor).key, owner.address, cert_id, chain.id, market.address
        )
        return cert_id, sig

    return _cert


def test_certificate_from_registered_distributor_opens_account(market, producer, distributor, certificate):
    cert_id, sig = certificate(producer)
    tx = market.openAccountWithCertificate(cert_id, sig, {"from": producer})
    assert tx.return_value == 1
    assert tx.events["AccountOpened"]["owner"] == producer
    assert tx.events["AccountOpened"]["distributor"] == distributor.address
    assert market.accountOf(1)[0] == producer


def test_certificate_from_unknown_signer_is_refused(market, producer, certificate):
    impostor = Account.create()
    cert_id, sig = certificate(producer, signer=impostor)
    with reverts("AccountUnknownDistributor", impostor.address):
        market.openAccountWithCertificate(cert_id, sig, {"from": producer})


def test_certificate_opens_only_one_account(market, producer, certificate):
    cert_id, sig = certificate(producer)
    market.openAccountWithCertificate(cert_id, sig, {"from": producer})
    with reverts("AccountCertificateUsed", cert_id):
        market.openAccountWithCertificate(cert_id, sig, {"from": producer})


def test_certificate_for_another_owner_cannot_be_used(market, producer, stranger, certificate, distributor, chain):
    cert_id, sig = certificate(producer)
    digest = eip712.account_certificate_digest(stranger.address, cert_id, chain.id, market.address)
    recovered = Account._recover_hash(digest, signature=sig)
    with reverts("AccountUnknownDistributor", recovered):
        market.openAccountWithCertificate(cert_id, sig, {"from": stranger})


def test_revoked_distributor_can_no_longer_certify(market, producer, governor, distributor, certificate):
    market.setDistributor(distributor.address, False, {"from": governor})
    cert_id, sig = certificate(producer)
    with reverts("AccountUnknownDistributor", distributor.address):
        market.openAccountWithCertificate(cert_id, sig, {"from": producer})


def test_burning_the_fee_opens_account_and_the_fee_leaves_the_contract(market, producer, web3):
    zero_before = web3.eth.get_balance("0x" + "00" * 20)
    tx = market.openAccountByBurn({"from": producer, "value": ACCOUNT_FEE})
    assert tx.events["AccountOpened"]["feeBurned"] == ACCOUNT_FEE
    assert market.balance() == 0
    assert web3.eth.get_balance("0x" + "00" * 20) == zero_before + ACCOUNT_FEE


@pytest.mark.parametrize("sent", [0, ACCOUNT_FEE - 1, ACCOUNT_FEE + 1])
def test_burn_with_wrong_fee_is_refused(market, producer, sent):
    with reverts("AccountWrongFee", sent, ACCOUNT_FEE):
        market.openAccountByBurn({"from": producer, "value": sent})


def test_one_owner_may_open_many_accounts(market, producer):
    ids = [market.openAccountByBurn({"from": producer, "value": ACCOUNT_FEE}).return_value for _ in range(3)]
    assert ids == [1, 2, 3]
    assert market.accountCount() == 3
    assert all(market.accountOf(i)[0] == producer for i in ids)


def test_fee_change_is_governed(market, governor, stranger):
    with reverts("AccessControlUnauthorizedAccount", stranger.address, bytes(market.GOVERNOR_ROLE())):
        market.setAccountFee(0, {"from": stranger})
    market.setAccountFee(0, {"from": governor})
    assert market.accountFee() == 0


def test_distributor_registry_is_governed(market, stranger):
    with reverts("AccessControlUnauthorizedAccount", stranger.address, bytes(market.GOVERNOR_ROLE())):
        market.setDistributor(stranger.address, True, {"from": stranger})
