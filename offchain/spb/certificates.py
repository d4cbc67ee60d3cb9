"""Certificates: the manufacturer CA's over a meter's M-key, and a verifier's over a pool root (the CoE).

Exact formats checked by the SPB contract (do not change):

* meter certificate: ``personal_sign(keccak256(abi.encode(keccak256("GridLedger.MeterCertificate.v1"), meter)))``
  by the CA, 65 bytes r||s||v;
* Certificate of Existence: ``personal_sign(keccak256(abi.encode(keccak256("GridLedger.CertificateOfExistence.v1"),
  root)))`` by the verifier meter's M-key; ``registerCoE(bytes32 root, bytes verifierCertificate, bytes
  coeSignature)`` takes it with the CA's certificate of the verifier.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils import to_checksum_address

from ..kernel.crypto import address_bytes, from_hex, keccak256, personal_sign, recover_personal, to_hex
from ..kernel.errors import SignatureError
from ..kernel.fs import atomic_write
from .errors import BadSignatureError, CoEError, MeterError
from .keystore import MAX_KDF_N, KdfParams, KeystoreError, WrongPassphraseError

__all__ = ["MeterCertificate", "ManufacturerCA", "CertificateOfExistence", "certificate_inner", "coe_inner"]

_CERT_TAG = keccak256(b"GridLedger.MeterCertificate.v1")
_COE_TAG = keccak256(b"GridLedger.CertificateOfExistence.v1")
_ZERO12 = bytes(12)


def certificate_inner(meter: str | bytes) -> bytes:
    """``keccak256(abi.encode(keccak256("GridLedger.MeterCertificate.v1"), meter))``."""
    return keccak256(_CERT_TAG + _ZERO12 + address_bytes(meter))


def coe_inner(root: bytes) -> bytes:
    """``keccak256(abi.encode(keccak256("GridLedger.CertificateOfExistence.v1"), root))``."""
    if len(root) != 32:
        raise CoEError(f"a CoE root is 32 bytes, got {len(root)}")
    return keccak256(_COE_TAG + root)


@dataclass(frozen=True)
class MeterCertificate:
    """The manufacturer CA's signature over a meter's M-key address."""

    meter: str
    signature: bytes

    def signer(self) -> str:
        """The CA address that signed this certificate (whoever it is; check it is trusted).

        Raises :class:`~offchain.kernel.errors.SignatureError` for a malformed signature.
        """
        return recover_personal(certificate_inner(self.meter), self.signature)

    def to_json(self) -> dict[str, str]:
        return {"meter": self.meter, "signature": to_hex(self.signature)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> MeterCertificate:
        try:
            return cls(to_checksum_address(data["meter"]), from_hex(data["signature"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise MeterError(f"malformed meter certificate: {exc}") from exc


@dataclass
class ManufacturerCA:
    """A manufacturer certificate authority: certifies meters' M-key addresses."""

    account: LocalAccount

    @classmethod
    def generate(cls) -> ManufacturerCA:
        return cls(Account.create())

    @classmethod
    def from_key(cls, key: str | bytes) -> ManufacturerCA:
        try:
            return cls(Account.from_key(key))
        except Exception as exc:
            raise MeterError(f"not a private key: {exc}") from exc

    @property
    def address(self) -> str:
        return self.account.address

    def certify(self, meter: str) -> MeterCertificate:
        meter = to_checksum_address(meter)
        return MeterCertificate(meter, personal_sign(self.account, certificate_inner(meter)))

    def save(self, path: str | Path, passphrase: str, *, kdf: KdfParams | None = None) -> None:
        """Write the CA key as an eth-account (Web3 Secret Storage) keystore, mode 0600."""
        path = Path(path)
        if path.exists():
            raise KeystoreError(f"{path} already exists; refusing to overwrite a keystore")
        n = (kdf or KdfParams()).n
        blob = Account.encrypt(self.account.key, passphrase, kdf="scrypt", iterations=n)
        atomic_write(path, json.dumps(blob).encode())

    @classmethod
    def load(cls, path: str | Path, passphrase: str) -> ManufacturerCA:
        try:
            blob = json.loads(Path(path).read_text())
        except FileNotFoundError:
            raise KeystoreError(f"no CA keystore at {path}") from None
        except IsADirectoryError:
            raise KeystoreError(f"{path} is a folder, not a CA keystore") from None
        except (OSError, ValueError) as exc:
            raise KeystoreError(f"{path} is not a keystore: {' '.join(str(exc).split())}") from None
        if not isinstance(blob, dict) or "crypto" not in blob and "Crypto" not in blob:
            raise KeystoreError(f"{path} is not an eth-account (Web3 Secret Storage) CA keystore")
        try:
            params = (blob.get("crypto") or blob.get("Crypto") or {}).get("kdfparams") or {}
            if int(params.get("n", 0)) > MAX_KDF_N:
                raise KeystoreError(f"{path}: scrypt n = {params['n']} is above the limit 2**20")
            return cls(Account.from_key(Account.decrypt(blob, passphrase)))
        except (KeyError, TypeError, AttributeError) as exc:
            raise KeystoreError(f"{path} is not a usable CA keystore (missing {exc})") from None
        except ValueError as exc:
            if "MAC mismatch" in str(exc):
                raise WrongPassphraseError(f"wrong passphrase for {path}") from None
            raise KeystoreError(f"{path} is not a usable key file: {exc}") from exc


@dataclass(frozen=True)
class CertificateOfExistence:
    """A verifier meter's signature over a pool root, with the verifier's certificate."""

    root: bytes
    verifier: str
    verifier_certificate: MeterCertificate
    signature: bytes

    def check_signature(self) -> None:
        """Raise :class:`BadSignatureError` unless the verifier signed this root and the certificate is its own."""
        if self.verifier_certificate.meter != self.verifier:
            raise BadSignatureError(
                f"the CoE's certificate is for {self.verifier_certificate.meter}, not for its verifier {self.verifier}"
            )
        try:
            signer = recover_personal(coe_inner(self.root), self.signature)
        except SignatureError as exc:
            raise BadSignatureError(f"CoE signature: {exc}") from exc
        if signer != self.verifier:
            raise BadSignatureError(
                f"the CoE for root {to_hex(self.root)} is signed by {signer}, not by {self.verifier}"
            )

    @property
    def ca(self) -> str:
        """The manufacturer CA that certified the verifier (the contract requires it registered)."""
        return self.verifier_certificate.signer()

    def registration_args(self) -> tuple[bytes, bytes, bytes]:
        """Arguments of ``registerCoE(bytes32 root, bytes verifierCertificate, bytes coeSignature)``."""
        return (self.root, self.verifier_certificate.signature, self.signature)

    def to_json(self) -> dict[str, Any]:
        return {
            "root": to_hex(self.root),
            "verifier": self.verifier,
            "verifierCertificate": to_hex(self.verifier_certificate.signature),
            "coeSignature": to_hex(self.signature),
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> CertificateOfExistence:
        try:
            verifier = to_checksum_address(d["verifier"])
            return cls(
                from_hex(d["root"]),
                verifier,
                MeterCertificate(verifier, from_hex(d["verifierCertificate"])),
                from_hex(d["coeSignature"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise CoEError(f"malformed CoE: {exc}") from exc
