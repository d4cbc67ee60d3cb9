"""Energy Receipt Confirmations (ERCs): what a meter's one-time leaf key signs after a delivery.

Exact format checked by the SPB contract (do not change): EIP-712, domain
``{name: "GridLedger SPB Market", version: "1", chainId, verifyingContract}``,
``EnergyReceipt(bytes32 ctpId,uint128 price,uint128 energyWh,bytes32 coeRoot,uint256 leafIndex,uint64 timestamp)``
(the one definition is :func:`offchain.spb.eip712.erc_typed_data`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils import to_checksum_address

from ..kernel.crypto import address_bytes, from_hex, to_hex
from . import eip712
from .errors import MeterError
from .merkle import process_proof
from .pools import coe_leaf_hash

__all__ = ["EnergyReceipt", "check_receipt_inputs"]


@dataclass(frozen=True)
class EnergyReceipt:
    """A signed Energy Receipt Confirmation, ready for the SPB market contract."""

    ctp_id: bytes
    price: int
    energy_wh: int
    coe_root: bytes
    leaf_index: int
    timestamp: int
    signer: str
    proof: list[bytes]
    signature: bytes
    chain_id: int
    market: str

    @classmethod
    def signed(
        cls,
        private_key: Any,
        ctp_id: bytes,
        price: int,
        energy_wh: int,
        coe_root: bytes,
        leaf_index: int,
        timestamp: int,
        proof: list[bytes],
        chain_id: int,
        market: str,
    ) -> EnergyReceipt:
        """The receipt signed by the leaf key ``private_key`` (its address becomes ``signer``)."""
        signer = Account.from_key(private_key).address
        unsigned = cls(ctp_id, price, energy_wh, coe_root, leaf_index, timestamp, signer, proof, b"", chain_id, market)
        signature = eip712.sign_erc(private_key, *unsigned.struct(), chain_id, market)
        return replace(unsigned, signature=signature)

    def typed_data(self) -> dict[str, Any]:
        """The full EIP-712 message (``eth_account.messages.encode_typed_data(full_message=...)``)."""
        return eip712.erc_typed_data(*self.struct(), self.chain_id, self.market)

    def struct(self) -> tuple[bytes, int, int, bytes, int, int]:
        """``(ctpId, price, energyWh, coeRoot, leafIndex, timestamp)`` in the type's field order."""
        return (self.ctp_id, self.price, self.energy_wh, self.coe_root, self.leaf_index, self.timestamp)

    def as_args(self) -> tuple[int, int, int, bytes, int, list[bytes], bytes]:
        """The ``EnergyReceipt`` struct of ``interfaces/spb/SpbTypes.sol`` as a contract argument:
        ``(price, energyWh, timestamp, coeRoot, leafIndex, proof, signature)`` (the CTP id is passed apart)."""
        return (
            self.price,
            self.energy_wh,
            self.timestamp,
            self.coe_root,
            self.leaf_index,
            list(self.proof),
            self.signature,
        )

    def recover(self) -> str:
        """The address whose EIP-712 signature this is (equals ``signer`` when valid)."""
        return Account.recover_message(encode_typed_data(full_message=self.typed_data()), signature=self.signature)

    def verify_proof(self) -> bool:
        """Whether ``proof`` proves leaf (leafIndex, signer) under ``coe_root``."""
        return process_proof(coe_leaf_hash(self.leaf_index, address_bytes(self.signer)), self.proof) == self.coe_root

    def to_json(self) -> dict[str, Any]:
        return {
            "ctpId": to_hex(self.ctp_id),
            "price": str(self.price),
            "energyWh": str(self.energy_wh),
            "coeRoot": to_hex(self.coe_root),
            "leafIndex": str(self.leaf_index),
            "timestamp": self.timestamp,
            "signer": self.signer,
            "proof": [to_hex(p) for p in self.proof],
            "signature": to_hex(self.signature),
            "chainId": self.chain_id,
            "market": to_checksum_address(self.market),
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> EnergyReceipt:
        return cls(
            ctp_id=from_hex(d["ctpId"]),
            price=int(d["price"]),
            energy_wh=int(d["energyWh"]),
            coe_root=from_hex(d["coeRoot"]),
            leaf_index=int(d["leafIndex"]),
            timestamp=int(d["timestamp"]),
            signer=to_checksum_address(d["signer"]),
            proof=[from_hex(p) for p in d["proof"]],
            signature=from_hex(d["signature"]),
            chain_id=int(d["chainId"]),
            market=to_checksum_address(d["market"]),
        )


def check_receipt_inputs(ctp_id: bytes, price: int, energy_wh: int, timestamp: int, chain_id: int, market: str) -> None:
    """Raise :class:`MeterError` unless the ERC fields fit their Solidity types."""
    if len(ctp_id) != 32:
        raise MeterError(f"ctp id must be 32 bytes, got {len(ctp_id)}")
    if not 0 <= price < 2**128:
        raise MeterError(f"price {price} does not fit uint128")
    if not 0 < energy_wh < 2**128:
        raise MeterError(f"energy {energy_wh} Wh must be > 0 and fit uint128")
    if not 0 <= timestamp < 2**64:
        raise MeterError(f"timestamp {timestamp} does not fit uint64")
    if chain_id <= 0:
        raise MeterError(f"chain id must be positive, got {chain_id}")
    try:
        to_checksum_address(market)
    except ValueError:
        raise MeterError(f"market {market!r} is not an address") from None
