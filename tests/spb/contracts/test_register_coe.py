"""Registering Certificates of Existence against the manufacturer CA chain."""

from eth_account import Account

from offchain.kernel.crypto import personal_sign

from tests.spb.contracts.helpers import ANY, coe_inner, make_pool, reverts


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
    assert market.isLeafUsed(pool.root, 3)  # the possession key never signs an ERC


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
    market, certify, manufacturer, verifier_meter, stranger, possession
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
        market.registerCoE(
            pool.root, cert_of_real_verifier, signature, possession(pool, impostor.address), {"from": stranger}
        )


def test_truncated_signature_is_refused(market, certify, manufacturer, verifier_meter, stranger, possession):
    pool = make_pool(2)
    sig = personal_sign(verifier_meter, coe_inner(pool.root))[:64]
    from eth_account.messages import _hash_eip191_message, encode_defunct

    digest = _hash_eip191_message(encode_defunct(primitive=coe_inner(pool.root)))
    with reverts("CoEMalformedSignature", digest):
        market.registerCoE(
            pool.root,
            certify(manufacturer, verifier_meter.address),
            sig,
            possession(pool, verifier_meter.address),
            {"from": stranger},
        )


def test_manufacturer_registry_is_governed(market, stranger):
    with reverts("AccessControlUnauthorizedAccount", stranger.address, bytes(market.GOVERNOR_ROLE())):
        market.setManufacturer(stranger.address, True, {"from": stranger})


def test_a_front_runner_cannot_register_a_victims_root_under_its_own_verifier(
    market, certify, manufacturer, verifier_meter, stranger, possession, register_coe, governor
):
    """CoE root squatting: the attacker copies the victim's root from the mempool and registers
    it first with a verifier (and CA) it controls; once that CA is revoked the pool is dead.
    Registration needs a leaf key's signature over (root, verifier): the attacker has none."""
    victim = make_pool(4)
    attacker_verifier = Account.create()
    attacker_ca = Account.create()
    market.setManufacturer(attacker_ca.address, True, {"from": governor})
    # it reuses the victim's possession signature, made for the victim's verifier
    stolen = possession(victim, verifier_meter.address)
    with reverts("CoEPossessionNotProven", victim.root, stolen[0], ANY):
        market.registerCoE(
            victim.root,
            certify(attacker_ca, attacker_verifier.address),
            personal_sign(attacker_verifier, coe_inner(victim.root)),
            stolen,
            {"from": stranger},
        )
    # or signs possession with a key of its own
    forged = possession(victim, attacker_verifier.address, key=Account.create())
    with reverts("CoEPossessionNotProven", victim.root, forged[0], ANY):
        market.registerCoE(
            victim.root,
            certify(attacker_ca, attacker_verifier.address),
            personal_sign(attacker_verifier, coe_inner(victim.root)),
            forged,
            {"from": stranger},
        )
    register_coe(victim)  # the owner's registration still goes through
    assert market.coeOf(victim.root) == (manufacturer.address, verifier_meter.address)


def test_a_replayed_registration_is_harmless(market, register_coe, verifier_meter, manufacturer, stranger):
    """A front-runner may copy the owner's whole registration: it registers exactly what the
    owner asked for (same verifier, same CA); the owner's own transaction then finds it done."""
    pool = make_pool(4)
    register_coe(pool)  # as sent by the front-runner
    with reverts("CoEAlreadyRegistered", pool.root):
        register_coe(pool)
    assert market.coeOf(pool.root) == (manufacturer.address, verifier_meter.address)


def test_the_possession_key_is_used_up(market, register_coe, make_ctp, make_erc, funded, producer, meter):
    """The leaf that proved possession never signs an ERC (a leaf key signs one message)."""
    pool = make_pool(4)
    register_coe(pool, holder=1)
    ctp, terms = make_ctp(leaf=1, pool=pool)
    market.commit(ctp.as_args(), {"from": funded})
    with reverts("CoELeafKeyUsed", pool.root, 1):
        market.settle(ctp.as_args(), terms.as_args(), make_erc(ctp, terms, pool=pool), {"from": producer})
