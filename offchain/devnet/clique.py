"""Clique header helpers: who sealed a block (EIP-225), for the devnet's measurements.

A Clique block names no author in ``miner``; the signer is recovered from the 65-byte
seal at the end of ``extraData`` over the Keccak hash of the RLP header with that seal
cut off. ``block_signer(block)`` does that for a web3 block of any fork up to London.
"""

from __future__ import annotations

from typing import Any

import rlp
from eth_keys import keys
from eth_utils import keccak, to_checksum_address

__all__ = ["block_signer", "extra_data"]

_SEAL = 65


def _bytes(value: Any) -> bytes:
    if isinstance(value, str):
        return bytes.fromhex(value.removeprefix("0x"))
    return bytes(value)


def _int(value: Any) -> int:
    return int(value, 16) if isinstance(value, str) else int(value)


def extra_data(block: Any) -> bytes:
    """The header's ``extraData`` (web3's PoA middleware renames it ``proofOfAuthorityData``)."""
    value = block.get("extraData")
    if value is None:
        value = block["proofOfAuthorityData"]
    return _bytes(value)


def block_signer(block: Any) -> str | None:
    """Checksummed address that sealed ``block`` (None for the genesis block)."""
    if _int(block["number"]) == 0:
        return None
    extra = extra_data(block)
    fields = [
        _bytes(block["parentHash"]),
        _bytes(block["sha3Uncles"]),
        _bytes(block["miner"]),
        _bytes(block["stateRoot"]),
        _bytes(block["transactionsRoot"]),
        _bytes(block["receiptsRoot"]),
        _bytes(block["logsBloom"]),
        _int(block["difficulty"]),
        _int(block["number"]),
        _int(block["gasLimit"]),
        _int(block["gasUsed"]),
        _int(block["timestamp"]),
        extra[:-_SEAL],
        _bytes(block["mixHash"]),
        _bytes(block["nonce"]),
    ]
    if block.get("baseFeePerGas") is not None:
        fields.append(_int(block["baseFeePerGas"]))
    seal = extra[-_SEAL:]
    signature = keys.Signature(seal[:64] + bytes([seal[64] % 27 if seal[64] >= 27 else seal[64]]))
    public = signature.recover_public_key_from_msg_hash(keccak(rlp.encode(fields)))
    return to_checksum_address(public.to_canonical_address())
