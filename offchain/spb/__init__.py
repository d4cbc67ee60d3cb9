"""SPB off chain: meters, one-time key pools, Certificates of Existence, receipts (ERCs).

Public names are listed in ``__all__``; see ``docs/meters.md`` for the protocols.
"""

from __future__ import annotations

from .coe import (
    BadSignatureError,
    CertificateOfExistence,
    CoEError,
    CoERefusedError,
    GroupCoordinator,
    GroupTree,
    UncertifiedMeterError,
    VerificationRequest,
    VerifierInfo,
    VerifierMeter,
    WrongRecipientError,
    choose_verifier,
    make_verification_request,
    open_sealed_coe,
    request_coe,
)
from .keystore import KdfParams, KeystoreError, WrongPassphraseError
from .merkle import COE_LEAF, MerkleError, StandardMerkleTree
from .meter import (
    EnergyReceipt,
    GroupContribution,
    KeyPool,
    ManufacturerCA,
    Meter,
    MeterCertificate,
    MeterError,
    PoolExhaustedError,
    build_erc,
)
from .privacy import PrivacyReport, observe, privacy_report

__all__ = [
    "BadSignatureError",
    "COE_LEAF",
    "CertificateOfExistence",
    "CoEError",
    "CoERefusedError",
    "EnergyReceipt",
    "GroupContribution",
    "GroupCoordinator",
    "GroupTree",
    "KdfParams",
    "KeyPool",
    "KeystoreError",
    "ManufacturerCA",
    "MerkleError",
    "Meter",
    "MeterCertificate",
    "MeterError",
    "PoolExhaustedError",
    "PrivacyReport",
    "StandardMerkleTree",
    "UncertifiedMeterError",
    "VerificationRequest",
    "VerifierInfo",
    "VerifierMeter",
    "WrongPassphraseError",
    "WrongRecipientError",
    "build_erc",
    "choose_verifier",
    "make_verification_request",
    "observe",
    "open_sealed_coe",
    "privacy_report",
    "request_coe",
]
