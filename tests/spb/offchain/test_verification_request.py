"""CoE issuance: a verifier meter signs a certified meter's root and refuses everything else."""

from __future__ import annotations

import dataclasses
import random

import pytest
from eth_account import Account
from eth_account.messages import encode_defunct
from eth_utils import keccak

from offchain.spb import (
    BadSignatureError,
    CoEError,
    UncertifiedMeterError,
    VerificationRequest,
    VerifierMeter,
    WrongRecipientError,
    make_verification_request,
    open_sealed_coe,
    request_coe,
)
from offchain.spb.certificates import MeterCertificate
from offchain.spb.coe import GroupCoordinator


def _personal_digest_signer(inner: bytes, signature: bytes) -> str:
    return Account.recover_message(encode_defunct(primitive=inner), signature=signature)


def test_the_coe_and_certificate_follow_the_on_chain_formats(make_meter, verifiers, manufacturer):
    meter = make_meter(pool=8)
    root = meter.pools[0].root
    coe = request_coe(meter, root, verifiers, rng=random.Random(1))
    # recomputed independently of the package: abi.encode(bytes32 tag, bytes32 root) / (bytes32, address)
    coe_inner = keccak(keccak(b"GridLedger.CertificateOfExistence.v1") + root)
    cert_inner = keccak(keccak(b"GridLedger.MeterCertificate.v1") + bytes(12) + bytes.fromhex(coe.verifier[2:]))
    assert _personal_digest_signer(coe_inner, coe.signature) == coe.verifier
    assert _personal_digest_signer(cert_inner, coe.verifier_certificate.signature) == manufacturer.address
    assert len(coe.signature) == 65 and len(coe.verifier_certificate.signature) == 65
    assert coe.verifier in {v.meter.address for v in verifiers} and coe.verifier != meter.address
    assert coe.registration_args() == (root, coe.verifier_certificate.signature, coe.signature)
    assert meter.coe(root) == coe


def test_the_verifier_is_chosen_at_random_among_the_others(make_meter, verifiers):
    meter = make_meter()
    chosen = set()
    for seed in range(30):
        pool = meter.create_pool(1)
        chosen.add(request_coe(meter, pool.root, verifiers, rng=random.Random(seed)).verifier)
    assert chosen == {v.meter.address for v in verifiers}


def test_the_verifier_never_sees_the_leaves(make_meter, verifiers):
    meter = make_meter(pool=16)
    pool = meter.pools[0]
    request = make_verification_request(meter, pool.root, verifiers[0].info)
    wire = request.to_bytes()
    leaf_material = [pool.root] + pool.tree[len(pool.tree) // 2 :] + pool.keys
    for value in leaf_material:
        assert value not in wire and value.hex().encode() not in wire
    assert verifiers[0].verify_request(VerificationRequest.from_bytes(wire)) == pool.root


def test_a_meter_certified_by_an_untrusted_ca_is_refused(make_meter, verifiers, rogue_manufacturer):
    rogue = make_meter(ca=rogue_manufacturer, pool=4)
    request = make_verification_request(rogue, rogue.pools[0].root, verifiers[0].info)
    with pytest.raises(UncertifiedMeterError, match="not a trusted manufacturer CA"):
        verifiers[0].handle(request)
    assert verifiers[0].transcript == []


def test_a_certificate_borrowed_from_another_meter_is_refused(make_meter, verifiers):
    honest, thief = make_meter(), make_meter(pool=4)
    request = make_verification_request(thief, thief.pools[0].root, verifiers[0].info)
    forged = dataclasses.replace(request, requester_certificate=honest.certificate)
    with pytest.raises(UncertifiedMeterError, match="certificate is for meter"):
        verifiers[0].handle(forged)


def test_a_forged_certificate_signature_is_refused(make_meter, verifiers):
    meter = make_meter(pool=4)
    request = make_verification_request(meter, meter.pools[0].root, verifiers[0].info)
    bad = MeterCertificate(meter.address, bytes(64) + b"\x1b")
    with pytest.raises(UncertifiedMeterError):
        verifiers[0].handle(dataclasses.replace(request, requester_certificate=bad))


def test_a_request_signed_by_another_key_is_refused(make_meter, verifiers):
    meter, other = make_meter(pool=4), make_meter()
    request = make_verification_request(meter, meter.pools[0].root, verifiers[0].info)
    resigned = dataclasses.replace(request, signature=other.sign_inner(b"\x01" * 32))
    with pytest.raises(BadSignatureError, match="not by the requester"):
        verifiers[0].handle(resigned)


def test_a_tampered_encrypted_root_is_refused(make_meter, verifiers):
    meter = make_meter(pool=4)
    request = make_verification_request(meter, meter.pools[0].root, verifiers[0].info)
    flipped = bytearray(request.encrypted_root)
    flipped[-1] ^= 1
    with pytest.raises(BadSignatureError):
        verifiers[0].handle(dataclasses.replace(request, encrypted_root=bytes(flipped)))


def test_a_request_for_another_verifier_is_refused(make_meter, verifiers):
    meter = make_meter(pool=4)
    request = make_verification_request(meter, meter.pools[0].root, verifiers[1].info)
    with pytest.raises(WrongRecipientError, match="addressed to verifier"):
        verifiers[0].handle(request)


def test_a_root_encrypted_to_another_verifier_is_refused_even_if_addressed_here(make_meter, verifiers):
    meter = make_meter(pool=4)
    meant_for_1 = make_verification_request(meter, meter.pools[0].root, verifiers[1].info)
    mislabelled = dataclasses.replace(verifiers[0].info, public_key=verifiers[1].info.public_key)
    with pytest.raises(CoEError, match="is not its key"):
        make_verification_request(meter, meter.pools[0].root, mislabelled)
    # a buggy requester that signs recipient=0 but encrypts to 1
    from offchain.spb.coe import request_inner

    sig = meter.sign_inner(request_inner(verifiers[0].meter.address, meter.address, meant_for_1.encrypted_root))
    request = dataclasses.replace(meant_for_1, recipient=verifiers[0].meter.address, signature=sig)
    with pytest.raises(WrongRecipientError, match="not encrypted to verifier"):
        verifiers[0].handle(request)


def test_a_coe_sealed_for_one_meter_cannot_be_opened_by_another(make_meter, verifiers):
    meter, other = make_meter(pool=4), make_meter()
    sealed = verifiers[0].handle(make_verification_request(meter, meter.pools[0].root, verifiers[0].info))
    assert open_sealed_coe(meter, sealed).root == meter.pools[0].root
    with pytest.raises(CoEError, match="cannot open the sealed CoE"):
        open_sealed_coe(other, sealed)


def test_a_coe_signed_by_an_uncertified_verifier_is_refused_by_the_requester(
    make_meter, manufacturer, rogue_manufacturer
):
    meter = make_meter(pool=4)
    rogue_verifier = VerifierMeter(make_meter(ca=rogue_manufacturer), [manufacturer.address])
    sealed = rogue_verifier.handle(make_verification_request(meter, meter.pools[0].root, rogue_verifier.info))
    with pytest.raises(UncertifiedMeterError, match="not a trusted CA"):
        open_sealed_coe(meter, sealed, trusted_cas=[manufacturer.address])


def test_a_group_coordinator_requests_the_coe_without_holding_the_root_pool(make_meter, verifiers):
    members = [make_meter() for _ in range(2)]
    coordinator = GroupCoordinator()
    shares = [(m, m.contribute_to_group(3)) for m in members]
    for _, share in shares:
        coordinator.add(share.leaf_hashes)
    group = coordinator.finalize()
    for m, share in shares:
        m.join_group(share.pool_id, group)
    coe = request_coe(members[0], group.root, verifiers)
    members[1].attach_coe(coe)
    assert all(m.coe(group.root) == coe for m in members)
    assert [root for _, root in sum((v.transcript for v in verifiers), [])] == [group.root]
