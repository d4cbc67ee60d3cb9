"""Registering Certificates of Existence against the manufacturer CA chain."""

from eth_account import Account

from offchain.kernel.crypto import personal_sign

from tests.spb.contracts.helpers import coe_inner, make_pool, reverts


def test_coe_of_a_certified_verifier_is_registered(market, register_coe, verifier_meter, manufacturer):
    pool = make_pool(4)
    tx = register_coe(pool)
    ev = tx.events["CoERegistered"]
    assert (bytes(ev["root"]), ev["verifier"], ev["manufacturer"]) == (
        pool.root,
        verifier_meter.address,
        manufacturer.address,
    )
    assert market.coeOf(pool.root) == (manufacturer.address, verifier_meter.address)


def test_root_is_registered_once(register_coe):
    pool = make_pool(2)
    register_coe(pool)
    with reverts("CoEAlreadyRegistered", pool.root):
        register_coe(pool)


def test_verifier_certified_by_an_unregistered_ca_is_refused(register_coe):
    pool = make_pool(2)
    verifier, ca = Account.create(), Account.create()
    with reverts("CoEUncertifiedVerifier", verifier.address, ca.address):
        register_coe(pool, verifier=verifier, ca=ca)


def test_certificate_for_another_meter_does_not_certify_the_signer(
    market, certify, manufacturer, verifier_meter, stranger
):
    pool = make_pool(2)
    impostor = Account.create()
    cert_of_real_verifier = certify(manufacturer, verifier_meter.address)
    signature = personal_sign(impostor, coe_inner(pool.root))
    # the CA recovered from a certificate over the impostor's address is not the manufacturer
    from offchain.kernel.crypto import recover_personal
    from offchain.spb.certificates import certificate_inner

    recovered = recover_personal(certificate_inner(impostor.address), cert_of_real_verifier)
    with reverts("CoEUncertifiedVerifier", impostor.address, recovered):
        market.registerCoE(pool.root, cert_of_real_verifier, signature, {"from": stranger})


def test_truncated_signature_is_refused(market, certify, manufacturer, verifier_meter, stranger):
    pool = make_pool(2)
    sig = personal_sign(verifier_meter, coe_inner(pool.root))[:64]
    from eth_account.messages import _hash_eip191_message, encode_defunct

    digest = _hash_eip191_message(encode_defunct(primitive=coe_inner(pool.root)))
    with reverts("CoEMalformedSignature", digest):
        market.registerCoE(pool.root, certify(manufacturer, verifier_meter.address), sig, {"from": stranger})


def test_manufacturer_registry_is_governed(market, stranger):
    with reverts("AccessControlUnauthorizedAccount", stranger.address, bytes(market.GOVERNOR_ROLE())):
        market.setManufacturer(stranger.address, True, {"from": stranger})
