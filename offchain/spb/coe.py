"""Certificate of Existence (CoE) issuance: verification requests, verifier meters, group CoEs.

Protocol (SPB §CoE). A meter with a pool root sends a *Verification Request*
``Root || M-PK+ || Sign`` to a verifier meter chosen at random:

* ``Root`` is ECIES-encrypted (eciespy, secp256k1, AES-256-GCM) to the verifier's M public key;
* ``M-PK+`` is the requester's M public key plus its manufacturer certificate;
* ``Sign`` is the requester's M-key ``personal_sign`` over
  ``keccak256(abi.encode(keccak256("GridLedger.VerificationRequest.v1"), recipient, requester, keccak256(encryptedRoot)))``
  (binding the intended verifier, so a request cannot be redirected).

The verifier refuses (package exceptions) an uncertified requester, a bad signature and
a request meant for another verifier; otherwise it decrypts the root and signs it with
its M-key (the CoE, exact on-chain format below) and returns the CoE sealed (ECIES) to
the requester. It sees the root and the requester's identity, never the leaves.

On-chain format (checked by ``registerCoE(bytes32 root, bytes verifierCertificate, bytes coeSignature)``):
``coeSignature = personal_sign(keccak256(abi.encode(keccak256("GridLedger.CertificateOfExistence.v1"), root)))``
by the verifier's M-key; ``verifierCertificate`` is the CA's signature over the verifier's address.

Certificates themselves (:class:`CertificateOfExistence`, the meters' certificates) are
in :mod:`.certificates`, the errors in :mod:`.errors`, the group tree in :mod:`.pools`.

Group CoEs: several meters contribute leaf hashes (only hashes) to a
:class:`GroupCoordinator`, which builds the StandardMerkleTree over all of them and
publishes the hash tree; each member keeps only the proofs of its own leaves. Every
receipt under the root then has an anonymity set of ``members`` meters.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import ecies
from eth_utils import to_checksum_address

from ..kernel.crypto import address_bytes, address_of_public_key, from_hex, keccak256, recover_personal, to_hex
from ..kernel.errors import SignatureError
from .certificates import CertificateOfExistence, MeterCertificate, coe_inner
from .errors import BadSignatureError, CoEError, UncertifiedMeterError, WrongRecipientError
from .merkle import make_merkle_tree
from .meter import Meter
from .pools import GroupTree

__all__ = [
    "request_inner",
    "VerifierInfo",
    "VerificationRequest",
    "VerifierMeter",
    "make_verification_request",
    "open_sealed_coe",
    "choose_verifier",
    "request_coe",
    "GroupCoordinator",
]

_VR_TAG = keccak256(b"GridLedger.VerificationRequest.v1")
_ZERO12 = bytes(12)


def request_inner(recipient: str, requester: str, encrypted_root: bytes) -> bytes:
    """The digest a requester signs (personal_sign) for a verification request."""
    return keccak256(
        _VR_TAG + _ZERO12 + address_bytes(recipient) + _ZERO12 + address_bytes(requester) + keccak256(encrypted_root)
    )


def _requester_address(public_key: bytes) -> str:
    try:
        return address_of_public_key(public_key)
    except SignatureError as exc:
        raise CoEError(str(exc)) from exc


@dataclass(frozen=True)
class VerifierInfo:
    """The public directory entry of a verifier meter: address, M public key, certificate."""

    address: str
    public_key: bytes
    certificate: MeterCertificate

    @classmethod
    def of(cls, meter: Meter) -> VerifierInfo:
        return cls(meter.address, meter.public_key, meter.certificate)


@dataclass(frozen=True)
class VerificationRequest:
    """``Root || M-PK+ || Sign``: encrypted root, requester's public key and certificate, signature."""

    recipient: str
    encrypted_root: bytes
    requester_public_key: bytes
    requester_certificate: MeterCertificate
    signature: bytes

    def to_bytes(self) -> bytes:
        """Wire form (JSON) — what travels to the verifier."""
        return json.dumps(
            {
                "recipient": self.recipient,
                "encryptedRoot": to_hex(self.encrypted_root),
                "requesterPublicKey": to_hex(self.requester_public_key),
                "requesterCertificate": self.requester_certificate.to_json(),
                "signature": to_hex(self.signature),
            }
        ).encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> VerificationRequest:
        try:
            d = json.loads(data)
            return cls(
                to_checksum_address(d["recipient"]),
                from_hex(d["encryptedRoot"]),
                from_hex(d["requesterPublicKey"]),
                MeterCertificate.from_json(d["requesterCertificate"]),
                from_hex(d["signature"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise CoEError(f"malformed verification request: {exc}") from exc


def make_verification_request(requester: Meter, root: bytes, verifier: VerifierInfo) -> VerificationRequest:
    """The requester's side: encrypt ``root`` to ``verifier`` and sign the request."""
    if len(root) != 32:
        raise CoEError(f"a root is 32 bytes, got {len(root)}")
    if _requester_address(verifier.public_key) != verifier.address:
        raise CoEError(f"the public key given for verifier {verifier.address} is not its key")
    encrypted = ecies.encrypt(verifier.public_key, root)
    signature = requester.sign_inner(request_inner(verifier.address, requester.address, encrypted))
    return VerificationRequest(verifier.address, encrypted, requester.public_key, requester.certificate, signature)


class VerifierMeter:
    """A meter acting as verifier: checks requests against the CAs it trusts and signs roots.

    ``transcript`` records what it learned — (requester address, root) per CoE issued —
    which is exactly what a curious verifier could leak (used by the privacy analysis).
    """

    def __init__(self, meter: Meter, trusted_cas: Iterable[str]) -> None:
        self.meter = meter
        self.trusted_cas = {to_checksum_address(a) for a in trusted_cas}
        if not self.trusted_cas:
            raise CoEError("a verifier meter needs at least one trusted manufacturer CA")
        self.transcript: list[tuple[str, bytes]] = []

    @property
    def info(self) -> VerifierInfo:
        return VerifierInfo.of(self.meter)

    def verify_request(self, request: VerificationRequest) -> bytes:
        """Check ``request`` and return the decrypted root, or raise a :class:`CoERefusedError`."""
        me = self.meter.address
        if request.recipient != me:
            raise WrongRecipientError(f"the request is addressed to verifier {request.recipient}, not to {me}")
        cert = request.requester_certificate
        try:
            requester = _requester_address(request.requester_public_key)
            ca = cert.signer()
        except (CoEError, SignatureError) as exc:
            raise UncertifiedMeterError(f"requester certificate unusable: {exc}") from exc
        if cert.meter != requester:
            raise UncertifiedMeterError(
                f"the certificate is for meter {cert.meter}, but the request comes from {requester}"
            )
        if ca not in self.trusted_cas:
            raise UncertifiedMeterError(
                f"meter {requester} is certified by {ca}, which is not a trusted manufacturer CA"
            )
        try:
            signer = recover_personal(
                request_inner(request.recipient, requester, request.encrypted_root), request.signature
            )
        except SignatureError as exc:
            raise BadSignatureError(f"request signature: {exc}") from exc
        if signer != requester:
            raise BadSignatureError(f"the request is signed by {signer}, not by the requester {requester}")
        try:
            root = self.meter.decrypt(request.encrypted_root)
        except Exception as exc:  # eciespy raises ValueError (bad tag) or coincurve errors
            raise WrongRecipientError(
                f"the root is not encrypted to verifier {me}: {exc or 'decryption failed'}"
            ) from None
        if len(root) != 32:
            raise CoEError(f"the decrypted root is {len(root)} bytes, not 32")
        return root

    def handle(self, request: VerificationRequest) -> bytes:
        """Verify ``request``, sign its root, and return the CoE sealed to the requester (ECIES)."""
        root = self.verify_request(request)
        coe = CertificateOfExistence(
            root, self.meter.address, self.meter.certificate, self.meter.sign_inner(coe_inner(root))
        )
        self.transcript.append((request.requester_certificate.meter, root))
        return ecies.encrypt(request.requester_public_key, json.dumps(coe.to_json()).encode())


def open_sealed_coe(
    requester: Meter, sealed: bytes, trusted_cas: Iterable[str] | None = None
) -> CertificateOfExistence:
    """The requester's side of the answer: decrypt and check the CoE (and its CA, when given)."""
    try:
        coe = CertificateOfExistence.from_json(json.loads(requester.decrypt(sealed)))
    except CoEError:
        raise
    except Exception as exc:
        raise CoEError(f"cannot open the sealed CoE: {exc}") from exc
    coe.check_signature()
    if trusted_cas is not None:
        trusted = {to_checksum_address(a) for a in trusted_cas}
        if coe.ca not in trusted:
            raise UncertifiedMeterError(f"verifier {coe.verifier} is certified by {coe.ca}, not a trusted CA")
    return coe


def choose_verifier(
    verifiers: Sequence[VerifierInfo], requester: str, rng: random.Random | None = None
) -> VerifierInfo:
    """A verifier picked uniformly at random (``SystemRandom`` by default), never the requester itself."""
    candidates = [v for v in verifiers if v.address != requester]
    if not candidates:
        raise CoEError("no verifier meter available other than the requester")
    return (rng or random.SystemRandom()).choice(candidates)


def request_coe(
    requester: Meter,
    root: bytes,
    verifiers: Sequence[VerifierMeter],
    *,
    rng: random.Random | None = None,
    attach: bool = True,
) -> CertificateOfExistence:
    """The whole round trip over an in-process transport: request → random verifier → CoE.

    With ``attach`` the CoE is stored in the requester's keystore (its pool for ``root``);
    group coordinators that do not own the root pass ``attach=False``.
    """
    by_address = {v.meter.address: v for v in verifiers}
    chosen = choose_verifier([v.info for v in verifiers], requester.address, rng)
    request = make_verification_request(requester, root, chosen)
    wire = VerificationRequest.from_bytes(request.to_bytes())
    coe = open_sealed_coe(requester, by_address[chosen.address].handle(wire))
    if coe.root != root:
        raise CoEError("the verifier signed a different root than the one requested")
    if attach:
        requester.attach_coe(coe)
    return coe


# -- group CoEs --------------------------------------------------------------------------
@dataclass
class GroupCoordinator:
    """Assembles a group CoE tree from members' leaf hashes (it never sees keys or addresses).

    Contributions should reach it over an anonymous channel (the routing backbone): it
    publishes the whole hash tree and members pick their own proofs, so it does not
    need to know who sent which hashes.
    """

    contributions: list[list[bytes]] = field(default_factory=list)

    def add(self, leaf_hashes: Sequence[bytes]) -> None:
        hashes = list(leaf_hashes)
        if not hashes:
            raise CoEError("an empty contribution")
        if any(len(h) != 32 for h in hashes):
            raise CoEError("leaf hashes are 32 bytes")
        seen = {h for c in self.contributions for h in c}
        if len(set(hashes)) != len(hashes) or seen.intersection(hashes):
            raise CoEError("duplicate leaf hash in a group contribution")
        self.contributions.append(hashes)

    def finalize(self, min_members: int = 2) -> GroupTree:
        """Build the tree (leaves sorted, StandardMerkleTree layout) once ``min_members`` contributed."""
        if len(self.contributions) < min_members:
            raise CoEError(f"a group CoE needs at least {min_members} members, got {len(self.contributions)}")
        leaves = sorted(h for c in self.contributions for h in c)
        return GroupTree(make_merkle_tree(leaves), len(self.contributions))
