"""EIP-712 typed data as every GridLedger contract signs it: one domain shape
``{name, version, chainId, verifyingContract}`` (OpenZeppelin's ``EIP712``), full messages
as ``eth_signTypedData_v4`` takes them, digests equal to the contracts' ``_hashTypedDataV4``.

    full = typed_data("GridLedger SPB Market", "1", "CommitToPay", CTP_TYPE, message, chain_id, market)
    digest(full)          # 32 bytes, what the contract recovers against
    sign(full, key)       # 65 bytes r || s || v (low s), key: LocalAccount or raw private key
    recover(full, sig)    # the signer's address
"""

from __future__ import annotations

from typing import Any

from eth_account import Account
from eth_account.messages import SignableMessage, encode_typed_data
from eth_utils import to_checksum_address

from .crypto import keccak256

__all__ = ["DOMAIN_TYPE", "domain", "typed_data", "signable", "digest", "sign", "recover"]

DOMAIN_TYPE: list[dict[str, str]] = [
    {"name": "name", "type": "string"},
    {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"},
    {"name": "verifyingContract", "type": "address"},
]


def domain(name: str, version: str, chain_id: int, contract: str) -> dict[str, Any]:
    return {"name": name, "version": version, "chainId": chain_id, "verifyingContract": to_checksum_address(contract)}


def typed_data(
    name: str,
    version: str,
    primary: str,
    fields: list[dict[str, str]],
    message: dict[str, Any],
    chain_id: int,
    contract: str,
) -> dict[str, Any]:
    """The full message of one ``primary`` type for the contract at ``contract`` on ``chain_id``."""
    return {
        "types": {"EIP712Domain": DOMAIN_TYPE, primary: fields},
        "primaryType": primary,
        "domain": domain(name, version, chain_id, contract),
        "message": message,
    }


def signable(full: dict[str, Any]) -> SignableMessage:
    return encode_typed_data(full_message=full)


def digest(full: dict[str, Any]) -> bytes:
    """``keccak256(0x19 0x01 ‖ domainSeparator ‖ structHash)``."""
    message = signable(full)
    return keccak256(b"\x19" + message.version + message.header + message.body)


def sign(full: dict[str, Any], key: Any) -> bytes:
    """The 65-byte signature of ``full`` by ``key`` (a ``LocalAccount``, raw bytes or hex)."""
    private = getattr(key, "key", key)
    return bytes(Account.sign_message(signable(full), private).signature)


def recover(full: dict[str, Any], signature: bytes) -> str:
    """The checksummed address that signed ``full`` (eth_account's errors for malformed bytes)."""
    return str(Account.recover_message(signable(full), signature=signature))
