"""SPB (Dorri et al.): energy accounts, CTP + ERC meta-transactions, meters and Certificates of Existence.

Public names are listed in ``__all__`` and loaded on first use (PEP 562), so that
reading the mechanism registry (``offchain.spb.mechanism``) stays cheap; see
``docs/spb.md`` and ``docs/meters.md`` for the protocols. Modules, one job each:
``market`` (contract client), ``agents`` / ``scenario`` (trades), ``eip712`` (typed
data), ``certificates`` / ``pools`` / ``receipts`` / ``meter`` (the smart meter),
``coe`` (verification requests, group CoEs), ``keystore``, ``merkle``, ``privacy``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..kernel.lazy import lazy_attributes

if TYPE_CHECKING:
    from .certificates import CertificateOfExistence, ManufacturerCA, MeterCertificate
    from .coe import (
        GroupCoordinator,
        VerificationRequest,
        VerifierInfo,
        VerifierMeter,
        choose_verifier,
        make_verification_request,
        open_sealed_coe,
        request_coe,
    )
    from .errors import (
        BadSignatureError,
        CoEError,
        CoERefusedError,
        MeterError,
        PoolExhaustedError,
        UncertifiedMeterError,
        WrongRecipientError,
    )
    from .keystore import KdfParams, KeystoreError, WrongPassphraseError
    from .merkle import COE_LEAF, MerkleError, StandardMerkleTree
    from .meter import Meter, build_erc
    from .pools import GroupContribution, GroupTree, KeyPool
    from .privacy import PrivacyReport, observe, privacy_report
    from .receipts import EnergyReceipt

_WHERE = {
    "CertificateOfExistence": "certificates",
    "ManufacturerCA": "certificates",
    "MeterCertificate": "certificates",
    "GroupCoordinator": "coe",
    "VerificationRequest": "coe",
    "VerifierInfo": "coe",
    "VerifierMeter": "coe",
    "choose_verifier": "coe",
    "make_verification_request": "coe",
    "open_sealed_coe": "coe",
    "request_coe": "coe",
    "BadSignatureError": "errors",
    "CoEError": "errors",
    "CoERefusedError": "errors",
    "MeterError": "errors",
    "PoolExhaustedError": "errors",
    "UncertifiedMeterError": "errors",
    "WrongRecipientError": "errors",
    "KdfParams": "keystore",
    "KeystoreError": "keystore",
    "WrongPassphraseError": "keystore",
    "COE_LEAF": "merkle",
    "MerkleError": "merkle",
    "StandardMerkleTree": "merkle",
    "Meter": "meter",
    "build_erc": "meter",
    "GroupContribution": "pools",
    "GroupTree": "pools",
    "KeyPool": "pools",
    "PrivacyReport": "privacy",
    "observe": "privacy",
    "privacy_report": "privacy",
    "EnergyReceipt": "receipts",
}

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


__getattr__ = lazy_attributes(__name__, _WHERE)
