"""EIP-712 messages of the SPB market: CTP, ERC and account certificates.

The domain is ``{name: "GridLedger SPB Market", version: "1", chainId, verifyingContract}``
— the chain id and the market address in every signature make a CTP or ERC signed for
one deployment useless on any other (replay protection), and a nonce bitmap per
consumer makes each signed CTP settle once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_abi import encode as abi_encode
from eth_utils import to_checksum_address

from ..kernel import eip712 as typed
from ..kernel.crypto import keccak256

__all__ = [
    "DOMAIN_NAME",
    "DOMAIN_VERSION",
    "DOMAIN_TYPE",
    "ERC_TYPE",
    "erc_message",
    "erc_typed_data",
    "typed_data",
    "CommitToPay",
    "Terms",
    "domain",
    "contract_hash",
    "ctp_digest",
    "sign_ctp",
    "erc_digest",
    "sign_erc",
    "account_certificate_digest",
    "coe_registration_digest",
    "sign_coe_registration",
    "sign_account_certificate",
]

DOMAIN_NAME = "GridLedger SPB Market"
DOMAIN_VERSION = "1"

DOMAIN_TYPE = typed.DOMAIN_TYPE
CTP_TYPE = [
    {"name": "consumer", "type": "address"},
    {"name": "accountId", "type": "uint64"},
    {"name": "expiry", "type": "uint64"},
    {"name": "price", "type": "uint96"},
    {"name": "contractHash", "type": "bytes32"},
    {"name": "nonce", "type": "uint32"},
]
ERC_TYPE = [
    {"name": "ctpId", "type": "bytes32"},
    {"name": "price", "type": "uint128"},
    {"name": "energyWh", "type": "uint128"},
    {"name": "coeRoot", "type": "bytes32"},
    {"name": "leafIndex", "type": "uint256"},
    {"name": "timestamp", "type": "uint64"},
]
COE_REGISTRATION_TYPE = [
    {"name": "root", "type": "bytes32"},
    {"name": "verifier", "type": "address"},
]
ACCOUNT_CERTIFICATE_TYPE = [
    {"name": "owner", "type": "address"},
    {"name": "certificateId", "type": "bytes32"},
]


@dataclass(frozen=True)
class Terms:
    """The agreed terms behind a CTP's contract hash (revealed only at settlement), and the
    one-time key of the consumer's meter that must sign the ERC: no other meter can confirm."""

    energy_wh: int
    rate: int
    salt: bytes
    meter_key: str

    @property
    def contract_hash(self) -> bytes:
        return contract_hash(self.energy_wh, self.rate, self.salt, self.meter_key)

    def as_args(self) -> tuple[int, bytes]:
        """The ``ContractTerms`` struct as a contract argument ``(rate, salt)``."""
        return (self.rate, self.salt)


@dataclass(frozen=True)
class CommitToPay:
    """A Commit To Pay, mirroring the Solidity struct of the same name."""

    consumer: str
    account_id: int
    expiry: int
    price: int
    contract_hash: bytes
    nonce: int

    def as_args(self) -> tuple[str, int, int, int, bytes, int]:
        """The struct as a contract argument (field order of ``SpbTypes.sol``)."""
        return (self.consumer, self.account_id, self.expiry, self.price, self.contract_hash, self.nonce)

    def message(self) -> dict[str, Any]:
        return {
            "consumer": to_checksum_address(self.consumer),
            "accountId": self.account_id,
            "expiry": self.expiry,
            "price": self.price,
            "contractHash": self.contract_hash,
            "nonce": self.nonce,
        }


def domain(chain_id: int, market: str) -> dict[str, Any]:
    return typed.domain(DOMAIN_NAME, DOMAIN_VERSION, chain_id, market)


def typed_data(
    primary: str, fields: list[dict[str, str]], message: dict[str, Any], chain_id: int, market: str
) -> dict[str, Any]:
    """The full EIP-712 message (``encode_typed_data(full_message=...)``) of one market type."""
    return typed.typed_data(DOMAIN_NAME, DOMAIN_VERSION, primary, fields, message, chain_id, market)


def contract_hash(energy_wh: int, rate: int, salt: bytes, meter_key: str) -> bytes:
    """``keccak256(abi.encode(uint128 energyWh, uint256 rate, bytes32 salt, address meterKey))``."""
    return keccak256(
        abi_encode(
            ["uint128", "uint256", "bytes32", "address"], [energy_wh, rate, salt, to_checksum_address(meter_key)]
        )
    )


def ctp_digest(ctp: CommitToPay, chain_id: int, market: str) -> bytes:
    """The CTP id: EIP-712 digest of ``ctp`` (equals ``SpbMarket.hashCommitment``)."""
    return typed.digest(typed_data("CommitToPay", CTP_TYPE, ctp.message(), chain_id, market))


def sign_ctp(ctp: CommitToPay, private_key: Any, chain_id: int, market: str) -> bytes:
    """The consumer's EIP-712 signature (65 bytes r||s||v) over ``ctp``."""
    return typed.sign(typed_data("CommitToPay", CTP_TYPE, ctp.message(), chain_id, market), private_key)


def erc_message(ctp_id: bytes, price: int, energy_wh: int, coe_root: bytes, leaf_index: int, timestamp: int) -> dict:
    """The ``EnergyReceipt`` EIP-712 message (field names of the Solidity type)."""
    return {
        "ctpId": ctp_id,
        "price": price,
        "energyWh": energy_wh,
        "coeRoot": coe_root,
        "leafIndex": leaf_index,
        "timestamp": timestamp,
    }


def erc_typed_data(
    ctp_id: bytes,
    price: int,
    energy_wh: int,
    coe_root: bytes,
    leaf_index: int,
    timestamp: int,
    chain_id: int,
    market: str,
) -> dict[str, Any]:
    """The ERC's full EIP-712 message: the one definition the meter, the client and the tests use."""
    msg = erc_message(ctp_id, price, energy_wh, coe_root, leaf_index, timestamp)
    return typed_data("EnergyReceipt", ERC_TYPE, msg, chain_id, market)


def erc_digest(
    ctp_id: bytes,
    price: int,
    energy_wh: int,
    coe_root: bytes,
    leaf_index: int,
    timestamp: int,
    chain_id: int,
    market: str,
) -> bytes:
    """EIP-712 digest of an ERC (equals ``SpbMarket.hashReceipt``)."""
    data = erc_typed_data(ctp_id, price, energy_wh, coe_root, leaf_index, timestamp, chain_id, market)
    return typed.digest(data)


def sign_erc(
    private_key: Any,
    ctp_id: bytes,
    price: int,
    energy_wh: int,
    coe_root: bytes,
    leaf_index: int,
    timestamp: int,
    chain_id: int,
    market: str,
) -> bytes:
    """A leaf key's EIP-712 signature over an ERC."""
    data = erc_typed_data(ctp_id, price, energy_wh, coe_root, leaf_index, timestamp, chain_id, market)
    return typed.sign(data, private_key)


def coe_registration_digest(root: bytes, verifier: str, chain_id: int, market: str) -> bytes:
    msg = {"root": root, "verifier": to_checksum_address(verifier)}
    return typed.digest(typed_data("CoERegistration", COE_REGISTRATION_TYPE, msg, chain_id, market))


def sign_coe_registration(private_key: Any, root: bytes, verifier: str, chain_id: int, market: str) -> bytes:
    """A leaf key's proof of possession for registering CoE ``root`` with ``verifier``."""
    msg = {"root": root, "verifier": to_checksum_address(verifier)}
    return typed.sign(typed_data("CoERegistration", COE_REGISTRATION_TYPE, msg, chain_id, market), private_key)


def account_certificate_digest(owner: str, certificate_id: bytes, chain_id: int, market: str) -> bytes:
    msg = {"owner": to_checksum_address(owner), "certificateId": certificate_id}
    return typed.digest(typed_data("AccountCertificate", ACCOUNT_CERTIFICATE_TYPE, msg, chain_id, market))


def sign_account_certificate(private_key: Any, owner: str, certificate_id: bytes, chain_id: int, market: str) -> bytes:
    """A distributor's certificate that lets ``owner`` open one energy account."""
    msg = {"owner": to_checksum_address(owner), "certificateId": certificate_id}
    return typed.sign(typed_data("AccountCertificate", ACCOUNT_CERTIFICATE_TYPE, msg, chain_id, market), private_key)
