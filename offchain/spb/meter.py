"""The smart meter: its identity, its key pools and the receipts it signs.

A :class:`Meter` holds

* its manufacturer key pair (the *M-key*; its address is the meter's identity),
* a :class:`~offchain.spb.certificates.MeterCertificate`: the manufacturer CA's signature over that address,
* pools of one-time key pairs (:class:`~offchain.spb.pools.KeyPool`) whose roots, once
  signed by a verifier meter, are Certificates of Existence (:mod:`.coe`).

Everything lives in one encrypted keystore (:mod:`.keystore`). A leaf key signs one
message only. For a trade the consumer first asks its meter to *reserve* a key
(:meth:`Meter.reserve_key`): the CTP's contract hash names that key's address, so no other
meter can confirm it, and after delivery the meter signs the ERC
(:class:`~offchain.spb.receipts.EnergyReceipt`) with exactly that key, once. Every
reservation and every receipt is recorded in the fsynced journal *before* the address or
the signature leaves the meter, so a crash or restart can never hand one key to two CTPs
or make it sign two receipts. One key of a pool signs the pool's CoE registration (proof
of possession, :meth:`Meter.sign_coe_registration`) and is used up by it.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

import ecies
from eth_account import Account
from eth_account.signers.local import LocalAccount

from ..kernel.crypto import address_of_private_key, personal_sign, public_key
from . import eip712
from .certificates import CertificateOfExistence, ManufacturerCA, MeterCertificate
from .errors import MeterError, PoolExhaustedError
from .keystore import EncryptedStore, KdfParams, KeystoreError
from .merkle import MerkleError
from .pools import GroupContribution, GroupTree, KeyPool
from .receipts import EnergyReceipt, check_receipt_inputs

__all__ = ["Meter", "KeyReservation", "build_erc"]

KEYSTORE_KIND = "meter"


@dataclass(frozen=True)
class KeyReservation:
    """A one-time key set aside for one CTP: its address goes into the CTP's contract hash."""

    address: str
    coe_root: bytes
    leaf_index: int


class Meter:
    """A smart meter backed by an encrypted keystore on disk (see the module docstring)."""

    def __init__(self, store: EncryptedStore, m_key: LocalAccount, certificate: MeterCertificate) -> None:
        self._store = store
        self._account = m_key
        self.certificate = certificate
        self.pools: list[KeyPool] = []

    # -- lifecycle ---------------------------------------------------------------------
    @classmethod
    def create(
        cls,
        path: str | Path,
        passphrase: str,
        *,
        ca: ManufacturerCA | None = None,
        certificate: MeterCertificate | None = None,
        m_key: LocalAccount | None = None,
        kdf: KdfParams | None = None,
    ) -> Meter:
        """A new meter keystore at ``path``: M-key (fresh unless given) certified by ``ca``.

        Pass either the manufacturer ``ca`` (it certifies the new M-key) or a
        ``certificate`` issued for ``m_key``.
        """
        account = m_key or Account.create()
        if certificate is None:
            if ca is None:
                raise MeterError("a meter needs a manufacturer CA or a certificate for its M-key")
            certificate = ca.certify(account.address)
        if certificate.meter != account.address:
            raise MeterError(
                f"the certificate is for {certificate.meter}, not for this meter's M-key {account.address}"
            )
        payload = cls._payload(account, certificate, [])
        store = EncryptedStore.create(path, passphrase, payload, kind=KEYSTORE_KIND, kdf=kdf)
        return cls(store, account, certificate)

    @classmethod
    def open(cls, path: str | Path, passphrase: str) -> Meter:
        """Load the meter at ``path`` (pools, CoEs and the used-key journal)."""
        store, payload = EncryptedStore.open(path, passphrase, kind=KEYSTORE_KIND)
        try:
            data = json.loads(payload)
            account = Account.from_key(bytes.fromhex(data["m_key"]))
            meter = cls(store, account, MeterCertificate.from_json(data["certificate"]))
            meter.pools = [KeyPool.from_json(p) for p in data["pools"]]
        except (KeyError, TypeError, ValueError) as exc:
            raise KeystoreError(f"{path} holds a damaged meter payload: {exc}") from exc
        by_id = {p.pool_id: p for p in meter.pools}
        for record in store.journal():
            pool = by_id.get(record.get("pool"))
            if pool is not None:
                pool.used.add(int(record["key"]))
                if "receipt" in record:
                    pool.receipts[int(record["key"])] = str(record["receipt"])
        return meter

    @staticmethod
    def _payload(account: LocalAccount, certificate: MeterCertificate, pools: list[KeyPool]) -> bytes:
        return json.dumps(
            {
                "version": 1,
                "m_key": bytes(account.key).hex(),
                "certificate": certificate.to_json(),
                "pools": [p.to_json() for p in pools],
            }
        ).encode()

    def save(self) -> None:
        """Rewrite the keystore (atomically) with everything in memory, journal folded in."""
        self._store.save(self._payload(self._account, self.certificate, self.pools))

    @property
    def path(self) -> Path:
        return self._store.path

    # -- identity ----------------------------------------------------------------------
    @property
    def address(self) -> str:
        """The M-key address: the meter's certified identity."""
        return self._account.address

    @property
    def m_key(self) -> LocalAccount:
        """The M-key itself (it signs verification requests and CoEs; agents pay gas with it)."""
        return self._account

    @property
    def public_key(self) -> bytes:
        """Uncompressed secp256k1 public key of the M-key (65 bytes, 0x04 prefix), for ECIES."""
        return b"\x04" + public_key(bytes(self._account.key))

    def sign_inner(self, inner: bytes) -> bytes:
        """M-key ``personal_sign`` of a 32-byte digest (verification requests, CoEs)."""
        return personal_sign(self._account, inner)

    def decrypt(self, ciphertext: bytes) -> bytes:
        """ECIES-decrypt data sent to this meter's M public key (raises ``ValueError`` if not)."""
        return ecies.decrypt(bytes(self._account.key), ciphertext)

    # -- pools -------------------------------------------------------------------------
    def create_pool(self, size: int) -> KeyPool:
        """A new pool of ``size`` one-time keys owned by this meter alone (leaf indices 0..size-1)."""
        pool = KeyPool.generate(size)
        self.pools.append(pool)
        self.save()
        return pool

    def contribute_to_group(self, size: int) -> GroupContribution:
        """Generate ``size`` keys for a group CoE; returns only their leaf hashes (see :meth:`KeyPool.group_share`)."""
        pool = KeyPool.group_share(size)
        self.pools.append(pool)
        self.save()
        return pool.contribution()

    def join_group(self, pool_id: str, group: GroupTree) -> KeyPool:
        """Take the finalised group tree: keep the root and the proofs of own leaves only."""
        pool = self._pool_by_id(pool_id)
        pool.join_group(group)
        self.save()
        return pool

    def _pool_by_id(self, pool_id: str) -> KeyPool:
        for p in self.pools:
            if p.pool_id == pool_id:
                return p
        raise MeterError(f"this meter has no pool {pool_id}")

    def pool(self, root: bytes) -> KeyPool:
        """The pool whose CoE root is ``root``."""
        for p in self.pools:
            if p.root == root:
                return p
        raise MeterError(f"this meter has no pool with root 0x{root.hex()}")

    def attach_coe(self, coe: CertificateOfExistence) -> KeyPool:
        """Store the CoE of one of this meter's roots (its signature is checked first)."""
        pool = self.pool(coe.root)
        coe.check_signature()
        pool.coe = coe.to_json()
        self.save()
        return pool

    def coe(self, root: bytes) -> CertificateOfExistence | None:
        data = self.pool(root).coe
        return None if data is None else CertificateOfExistence.from_json(data)

    def unused_keys(self) -> int:
        """Unused one-time keys in pools that have a CoE (usable for ERCs)."""
        return sum(p.unused for p in self.pools if p.certified)

    # -- receipts ----------------------------------------------------------------------
    def reserve_key(self, root: bytes | None = None) -> KeyReservation:
        """Set aside an unused leaf key (at random) for one CTP and return its address.

        The key is journaled as taken before its address is returned: it is never handed
        out twice, and only it can later sign that CTP's receipt (:meth:`sign_receipt`)."""
        pool, position = self._take_key(root)
        assert pool.root is not None
        address = address_of_private_key(pool.keys[position])
        return KeyReservation(address, pool.root, pool.indices[position])

    def sign_coe_registration(
        self, root: bytes, verifier: str, chain_id: int, market: str
    ) -> tuple[int, list[bytes], bytes]:
        """Proof of possession for registering CoE ``root`` with ``verifier`` on ``market``:
        an unused key of the pool signs it (and is used up). Returns the contract's
        ``CoEPossession`` argument (leaf index, proof, signature)."""
        pool = self.pool(root)
        if pool.root is None:
            raise MeterError(f"pool {pool.pool_id} has no root yet")
        position = self._take_position(pool)
        signature = eip712.sign_coe_registration(pool.keys[position], root, verifier, chain_id, market)
        return pool.indices[position], pool.proof(position), signature

    def _take_key(self, root: bytes | None) -> tuple[KeyPool, int]:
        candidates = [p for p in self.pools if p.certified and p.unused and (root is None or p.root == root)]
        if not candidates:
            where = f"the pool with root 0x{root.hex()}" if root is not None else "this meter's certified pools"
            raise PoolExhaustedError(f"no unused one-time key left in {where}: create a new pool and get its CoE")
        pool = candidates[0]
        return pool, self._take_position(pool)

    def _take_position(self, pool: KeyPool) -> int:
        free = [i for i in range(pool.size) if pool.indices[i] not in pool.used]
        if not free:
            raise PoolExhaustedError(f"no unused one-time key left in pool {pool.pool_id}")
        position = free[secrets.randbelow(len(free))]
        index = pool.indices[position]
        # persisted (fsync) before any signature by this key exists: a restart never reuses it
        self._store.append({"pool": pool.pool_id, "key": index})
        pool.used.add(index)
        return position

    def _reserved_position(self, address: str) -> tuple[KeyPool, int]:
        for pool in self.pools:
            position = pool.position_of(address)
            if position is not None:
                if pool.indices[position] not in pool.used:
                    raise MeterError(f"key {address} was never reserved: reserve it for the CTP first")
                return pool, position
        raise MeterError(f"key {address} belongs to none of this meter's pools")

    def sign_receipt(
        self,
        ctp_id: bytes,
        price: int,
        energy_wh: int,
        chain_id: int,
        market: str,
        *,
        timestamp: int | None = None,
        root: bytes | None = None,
        meter_key: str | None = None,
    ) -> EnergyReceipt:
        """Sign the ERC of CTP ``ctp_id`` with the key reserved for it (``meter_key``, the
        address its contract hash names), or with a fresh unused key when none was reserved
        (a receipt that only settles a CTP naming that key). A key signs one receipt: asked
        again for the same CTP it signs again (same key, same CTP); for another CTP it refuses."""
        ts = int(time.time()) if timestamp is None else int(timestamp)
        check_receipt_inputs(ctp_id, price, energy_wh, ts, chain_id, market)
        if meter_key is None:
            pool, position = self._take_key(root)
        else:
            pool, position = self._reserved_position(meter_key)
        index = pool.indices[position]
        earlier = pool.receipts.get(index)
        if earlier is not None and earlier != ctp_id.hex():
            raise MeterError(f"key {meter_key} already confirmed CTP 0x{earlier}; it signs one receipt only")
        if earlier is None:
            self._store.append({"pool": pool.pool_id, "key": index, "receipt": ctp_id.hex()})
            pool.receipts[index] = ctp_id.hex()
        assert pool.root is not None
        receipt = EnergyReceipt.signed(
            pool.keys[position],
            ctp_id,
            price,
            energy_wh,
            pool.root,
            pool.indices[position],
            ts,
            pool.proof(position),
            chain_id,
            market,
        )
        if not receipt.verify_proof():
            raise MerkleError("internal error: the stored proof does not prove the leaf key")
        return receipt


def build_erc(
    meter: Meter,
    ctp_id: bytes,
    price: int,
    energy_wh: int,
    chain_id: int,
    market_address: str,
    *,
    timestamp: int | None = None,
    root: bytes | None = None,
    meter_key: str | None = None,
) -> EnergyReceipt:
    """Build and sign the ERC for a delivered CTP with the key reserved for it
    (``meter_key``), or with a fresh unused key of ``meter``."""
    return meter.sign_receipt(
        ctp_id, price, energy_wh, chain_id, market_address, timestamp=timestamp, root=root, meter_key=meter_key
    )
