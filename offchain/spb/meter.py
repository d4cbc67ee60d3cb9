"""Smart-meter identity, one-time key pools and Energy Receipt Confirmations (ERCs).

A :class:`Meter` holds

* its manufacturer key pair (the *M-key*; its address is the meter's identity),
* a :class:`MeterCertificate`: the manufacturer CA's signature over that address,
* pools of one-time key pairs. Each pool is a Merkle tree (``StandardMerkleTree``,
  leaf encoding ``["uint256", "address"]`` = (leaf index, key address)) whose root,
  once signed by a verifier meter, is a Certificate of Existence (:mod:`.coe`).

Everything lives in one encrypted keystore (:mod:`.keystore`). An ERC is signed by an
unused leaf key; the meter records the key as used in the fsynced journal *before* the
signature is returned, so a crash or restart can never make it sign twice with one key.

Exact formats checked by the SPB contract (do not change):

* certificate: ``personal_sign(keccak256(abi.encode(keccak256("GridLedger.MeterCertificate.v1"), meter)))``
  by the CA, 65 bytes r||s||v;
* ERC: EIP-712, domain ``{name: "GridLedger SPB Market", version: "1", chainId, verifyingContract}``,
  ``EnergyReceipt(bytes32 ctpId,uint128 price,uint128 energyWh,bytes32 coeRoot,uint256 leafIndex,uint64 timestamp)``.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coincurve import PublicKey
from eth_account import Account
from eth_account.messages import encode_defunct, encode_typed_data
from eth_account.signers.local import LocalAccount
from eth_utils import to_checksum_address

from ..errors import GridLedgerError
from .eip712 import DOMAIN_NAME, DOMAIN_TYPE, DOMAIN_VERSION, ERC_TYPE, erc_message
from .eip712 import domain as erc_domain
from .keystore import EncryptedStore, KdfParams, KeystoreError
from .merkle import MerkleError, keccak256, make_merkle_tree, process_proof, tree_proof

if TYPE_CHECKING:
    from .coe import CertificateOfExistence, GroupTree

__all__ = [
    "MeterError",
    "PoolExhaustedError",
    "MeterCertificate",
    "ManufacturerCA",
    "KeyPool",
    "GroupContribution",
    "Meter",
    "EnergyReceipt",
    "build_erc",
    "generate_keypairs",
    "certificate_inner",
    "personal_sign",
    "recover_personal",
    "ERC_DOMAIN_NAME",
    "ERC_DOMAIN_VERSION",
    "ERC_TYPES",
]

KEYSTORE_KIND = "meter"
_CERT_TAG = keccak256(b"GridLedger.MeterCertificate.v1")
_ZERO12 = bytes(12)

# The ERC's EIP-712 definition lives in .eip712 (shared with the market client).
ERC_DOMAIN_NAME = DOMAIN_NAME
ERC_DOMAIN_VERSION = DOMAIN_VERSION
ERC_TYPES: dict[str, list[dict[str, str]]] = {"EnergyReceipt": ERC_TYPE}


class MeterError(GridLedgerError):
    """A meter operation was refused (bad input, unknown pool, missing CoE, ...)."""


class PoolExhaustedError(MeterError):
    """Every one-time key of the meter's certified pools has been used."""


# -- signatures ------------------------------------------------------------------------
def _addr_bytes(address: str | bytes) -> bytes:
    if isinstance(address, bytes):
        return address
    return bytes.fromhex(address.removeprefix("0x"))


def certificate_inner(meter: str | bytes) -> bytes:
    """``keccak256(abi.encode(keccak256("GridLedger.MeterCertificate.v1"), meter))``."""
    return keccak256(_CERT_TAG + _ZERO12 + _addr_bytes(meter))


def personal_sign(account: LocalAccount, inner: bytes) -> bytes:
    """EIP-191 ``personal_sign`` of the 32-byte ``inner`` (``encode_defunct(primitive=inner)``), 65 bytes."""
    return bytes(account.sign_message(encode_defunct(primitive=inner)).signature)


def recover_personal(inner: bytes, signature: bytes) -> str:
    """Address whose ``personal_sign`` of ``inner`` is ``signature``; :class:`MeterError` if malformed."""
    if len(signature) != 65:
        raise MeterError(f"a signature is 65 bytes (r||s||v), got {len(signature)}")
    try:
        return Account.recover_message(encode_defunct(primitive=inner), signature=signature)
    except Exception as exc:  # eth_keys raises BadSignature / ValidationError
        raise MeterError(f"unrecoverable signature: {exc}") from exc


@dataclass(frozen=True)
class MeterCertificate:
    """The manufacturer CA's signature over a meter's M-key address."""

    meter: str
    signature: bytes

    def signer(self) -> str:
        """The CA address that signed this certificate (whoever it is; check it is trusted)."""
        return recover_personal(certificate_inner(self.meter), self.signature)

    def to_json(self) -> dict[str, str]:
        return {"meter": self.meter, "signature": "0x" + self.signature.hex()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> MeterCertificate:
        try:
            return cls(to_checksum_address(data["meter"]), bytes.fromhex(str(data["signature"]).removeprefix("0x")))
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
        from .keystore import atomic_write

        path = Path(path)
        if path.exists():
            raise KeystoreError(f"{path} already exists; refusing to overwrite a keystore")
        n = (kdf or KdfParams()).n
        blob = Account.encrypt(self.account.key, passphrase, kdf="scrypt", iterations=n)
        atomic_write(path, json.dumps(blob).encode())

    @classmethod
    def load(cls, path: str | Path, passphrase: str) -> ManufacturerCA:
        from .keystore import WrongPassphraseError

        try:
            blob = json.loads(Path(path).read_text())
        except FileNotFoundError:
            raise KeystoreError(f"no CA keystore at {path}") from None
        except ValueError as exc:
            raise KeystoreError(f"{path} is not a keystore: {exc}") from exc
        try:
            return cls(Account.from_key(Account.decrypt(blob, passphrase)))
        except ValueError as exc:
            if "MAC mismatch" in str(exc):
                raise WrongPassphraseError(f"wrong passphrase for {path}") from None
            raise KeystoreError(f"{path} is not a usable key file: {exc}") from exc


# -- key generation --------------------------------------------------------------------
def generate_keypairs(count: int) -> tuple[list[bytes], list[bytes]]:
    """``count`` fresh secp256k1 key pairs: (secrets, 20-byte addresses), independent keys.

    Calls libsecp256k1 (coincurve) directly; the EC multiplication is the cost (~20 µs
    per key here). Keys are never derived from each other: related keys would let
    anyone link them.
    """
    if count < 0:
        raise MeterError("key count must be >= 0")
    from coincurve._libsecp256k1 import ffi, lib
    from coincurve.context import GLOBAL_CONTEXT

    ctx = GLOBAL_CONTEXT.ctx
    create = lib.secp256k1_ec_pubkey_create
    serialize = lib.secp256k1_ec_pubkey_serialize
    flag = lib.SECP256K1_EC_UNCOMPRESSED
    pk = ffi.new("secp256k1_pubkey *")
    out = ffi.new("unsigned char[65]")
    out_len = ffi.new("size_t *")
    buf = ffi.buffer(out)
    k = keccak256
    urandom = secrets.token_bytes
    keys: list[bytes] = []
    addresses: list[bytes] = []
    while len(keys) < count:
        sk = urandom(32)
        if not create(ctx, pk, sk):  # zero or >= group order: astronomically rare, retry
            continue
        out_len[0] = 65
        serialize(ctx, out, out_len, pk, flag)
        keys.append(sk)
        addresses.append(k(buf[1:65])[12:])
    return keys, addresses


def _address_of(secret: bytes) -> bytes:
    return keccak256(PublicKey.from_secret(secret).format(compressed=False)[1:])[12:]


def _coe_leaf_hash(index: int, address: bytes) -> bytes:
    return keccak256(keccak256(index.to_bytes(32, "big") + _ZERO12 + address))


# -- pools -----------------------------------------------------------------------------
def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _unb64(text: str) -> bytes:
    return base64.b64decode(text)


@dataclass
class KeyPool:
    """One-time keys of one CoE tree that this meter owns (all of it, or its share of a group).

    ``indices[i]`` is the leaf index of ``keys[i]``. Proofs come from the whole tree
    (``tree``, own pools) or from per-key proofs (``proofs``, group pools: a member
    keeps only its own proofs). ``members`` is the number of meters sharing the root,
    i.e. the anonymity set of every receipt signed from this pool.
    """

    pool_id: str
    indices: list[int]
    keys: list[bytes]
    root: bytes | None = None
    members: int = 1
    tree: list[bytes] | None = None
    tree_indices: list[int] | None = None
    proofs: list[list[bytes]] | None = None
    leaf_hashes: list[bytes] | None = None  # pending group share only
    coe: dict[str, Any] | None = None
    used: set[int] = field(default_factory=set)

    @property
    def size(self) -> int:
        return len(self.keys)

    @property
    def is_group(self) -> bool:
        return self.proofs is not None or self.leaf_hashes is not None

    @property
    def unused(self) -> int:
        return self.size - len(self.used)

    @property
    def certified(self) -> bool:
        return self.root is not None and self.coe is not None

    def proof(self, position: int) -> list[bytes]:
        """Merkle proof of the leaf of ``keys[position]``."""
        if self.tree is not None and self.tree_indices is not None:
            return tree_proof(self.tree, self.tree_indices[position])
        if self.proofs is not None:
            return list(self.proofs[position])
        raise MeterError(f"pool {self.pool_id} has no tree yet (group not finalised)")

    # -- (de)serialisation inside the encrypted payload ----------------------------------
    def to_json(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "id": self.pool_id,
            "indices": self.indices,
            "keys": _b64(b"".join(self.keys)),
            "root": None if self.root is None else "0x" + self.root.hex(),
            "members": self.members,
            "coe": self.coe,
            "used": sorted(self.used),
        }
        if self.tree is not None:
            d["tree"] = _b64(b"".join(self.tree))
            d["tree_indices"] = self.tree_indices
        if self.proofs is not None:
            d["proof_lengths"] = [len(p) for p in self.proofs]
            d["proofs"] = _b64(b"".join(b"".join(p) for p in self.proofs))
        if self.leaf_hashes is not None:
            d["leaf_hashes"] = _b64(b"".join(self.leaf_hashes))
        return d

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> KeyPool:
        def chunks(blob: bytes, size: int) -> list[bytes]:
            return [blob[i : i + size] for i in range(0, len(blob), size)]

        pool = cls(
            pool_id=d["id"],
            indices=[int(i) for i in d["indices"]],
            keys=chunks(_unb64(d["keys"]), 32),
            root=None if d["root"] is None else bytes.fromhex(d["root"][2:]),
            members=int(d["members"]),
            coe=d.get("coe"),
            used={int(i) for i in d.get("used", [])},
        )
        if "tree" in d:
            pool.tree = chunks(_unb64(d["tree"]), 32)
            pool.tree_indices = [int(i) for i in d["tree_indices"]]
        if "proofs" in d:
            flat = chunks(_unb64(d["proofs"]), 32)
            pool.proofs, pos = [], 0
            for n in d["proof_lengths"]:
                pool.proofs.append(flat[pos : pos + n])
                pos += n
        if "leaf_hashes" in d:
            pool.leaf_hashes = chunks(_unb64(d["leaf_hashes"]), 32)
        return pool


@dataclass(frozen=True)
class GroupContribution:
    """What a meter hands to a group coordinator: leaf hashes only (no keys, no addresses)."""

    pool_id: str
    leaf_hashes: list[bytes]


# -- receipts --------------------------------------------------------------------------
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

    @staticmethod
    def domain(chain_id: int, market: str) -> dict[str, Any]:
        return erc_domain(chain_id, market)

    def message(self) -> dict[str, Any]:
        return erc_message(self.ctp_id, self.price, self.energy_wh, self.coe_root, self.leaf_index, self.timestamp)

    def typed_data(self) -> dict[str, Any]:
        """The full EIP-712 message (``eth_account.messages.encode_typed_data(full_message=...)``)."""
        return {
            "types": {"EIP712Domain": DOMAIN_TYPE, **ERC_TYPES},
            "primaryType": "EnergyReceipt",
            "domain": self.domain(self.chain_id, self.market),
            "message": self.message(),
        }

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
        return process_proof(_coe_leaf_hash(self.leaf_index, _addr_bytes(self.signer)), self.proof) == self.coe_root

    def to_json(self) -> dict[str, Any]:
        return {
            "ctpId": "0x" + self.ctp_id.hex(),
            "price": str(self.price),
            "energyWh": str(self.energy_wh),
            "coeRoot": "0x" + self.coe_root.hex(),
            "leafIndex": str(self.leaf_index),
            "timestamp": self.timestamp,
            "signer": self.signer,
            "proof": ["0x" + p.hex() for p in self.proof],
            "signature": "0x" + self.signature.hex(),
            "chainId": self.chain_id,
            "market": to_checksum_address(self.market),
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> EnergyReceipt:
        def b(x: str) -> bytes:
            return bytes.fromhex(x.removeprefix("0x"))

        return cls(
            ctp_id=b(d["ctpId"]),
            price=int(d["price"]),
            energy_wh=int(d["energyWh"]),
            coe_root=b(d["coeRoot"]),
            leaf_index=int(d["leafIndex"]),
            timestamp=int(d["timestamp"]),
            signer=to_checksum_address(d["signer"]),
            proof=[b(p) for p in d["proof"]],
            signature=b(d["signature"]),
            chain_id=int(d["chainId"]),
            market=to_checksum_address(d["market"]),
        )


def _check_erc_inputs(ctp_id: bytes, price: int, energy_wh: int, timestamp: int, chain_id: int, market: str) -> None:
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


# -- the meter -------------------------------------------------------------------------
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
    def public_key(self) -> bytes:
        """Uncompressed secp256k1 public key of the M-key (65 bytes, 0x04 prefix), for ECIES."""
        return PublicKey.from_secret(bytes(self._account.key)).format(compressed=False)

    def sign_inner(self, inner: bytes) -> bytes:
        """M-key ``personal_sign`` of a 32-byte digest (verification requests, CoEs)."""
        return personal_sign(self._account, inner)

    def decrypt(self, ciphertext: bytes) -> bytes:
        """ECIES-decrypt data sent to this meter's M public key (raises ``ValueError`` if not)."""
        import ecies

        return ecies.decrypt(bytes(self._account.key), ciphertext)

    # -- pools -------------------------------------------------------------------------
    def create_pool(self, size: int) -> KeyPool:
        """A new pool of ``size`` one-time keys owned by this meter alone (leaf indices 0..size-1)."""
        if size < 1:
            raise MeterError(f"a pool needs at least one key, got {size}")
        keys, addresses = generate_keypairs(size)
        hashes = [_coe_leaf_hash(i, a) for i, a in enumerate(addresses)]
        order = sorted(range(size), key=hashes.__getitem__)
        tree = make_merkle_tree([hashes[i] for i in order])
        tree_indices = [0] * size
        for pos, i in enumerate(order):
            tree_indices[i] = len(tree) - 1 - pos
        pool = KeyPool(secrets.token_hex(8), list(range(size)), keys, tree[0], 1, tree, tree_indices)
        self.pools.append(pool)
        self.save()
        return pool

    def contribute_to_group(self, size: int) -> GroupContribution:
        """Generate ``size`` keys for a group CoE; returns only their leaf hashes.

        Leaf indices are drawn at random from [0, 2**64) so that, in the group's tree,
        an index says nothing about which member owns the leaf (consecutive blocks
        would link a member's receipts).
        """
        if size < 1:
            raise MeterError(f"a contribution needs at least one key, got {size}")
        keys, addresses = generate_keypairs(size)
        indices: list[int] = []
        seen: set[int] = set()
        while len(indices) < size:
            i = secrets.randbits(64)
            if i not in seen:
                seen.add(i)
                indices.append(i)
        hashes = [_coe_leaf_hash(i, a) for i, a in zip(indices, addresses, strict=True)]
        pool = KeyPool(secrets.token_hex(8), indices, keys, leaf_hashes=hashes)
        self.pools.append(pool)
        self.save()
        return GroupContribution(pool.pool_id, list(hashes))

    def join_group(self, pool_id: str, group: GroupTree) -> KeyPool:
        """Take the finalised group tree: keep the root and the proofs of own leaves only."""
        pool = self._pool_by_id(pool_id)
        if pool.leaf_hashes is None:
            raise MeterError(f"pool {pool_id} is not waiting for a group tree")
        position = {group.tree[t]: t for t in range(len(group.tree) // 2, len(group.tree))}
        proofs = []
        for h in pool.leaf_hashes:
            t = position.get(h)
            if t is None:
                raise MeterError(f"the group tree {group.root_hex} lacks one of this meter's leaves: refusing it")
            proof = tree_proof(group.tree, t)
            if process_proof(h, proof) != group.root:
                raise MeterError("the group tree does not hash to its root")
            proofs.append(proof)
        pool.root, pool.members, pool.proofs, pool.leaf_hashes = group.root, group.members, proofs, None
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
        from .coe import CertificateOfExistence

        data = self.pool(root).coe
        return None if data is None else CertificateOfExistence.from_json(data)

    def unused_keys(self) -> int:
        """Unused one-time keys in pools that have a CoE (usable for ERCs)."""
        return sum(p.unused for p in self.pools if p.certified)

    # -- receipts ----------------------------------------------------------------------
    def _take_key(self, root: bytes | None) -> tuple[KeyPool, int]:
        candidates = [p for p in self.pools if p.certified and p.unused and (root is None or p.root == root)]
        if not candidates:
            where = f"the pool with root 0x{root.hex()}" if root is not None else "this meter's certified pools"
            raise PoolExhaustedError(f"no unused one-time key left in {where}: create a new pool and get its CoE")
        pool = candidates[0]
        free = [i for i in range(pool.size) if pool.indices[i] not in pool.used]
        position = free[secrets.randbelow(len(free))]
        index = pool.indices[position]
        # persisted (fsync) before any signature by this key exists: a restart never reuses it
        self._store.append({"pool": pool.pool_id, "key": index})
        pool.used.add(index)
        return pool, position

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
    ) -> EnergyReceipt:
        """Sign an ERC with an unused leaf key (chosen at random), never to be used again."""
        ts = int(time.time()) if timestamp is None else int(timestamp)
        _check_erc_inputs(ctp_id, price, energy_wh, ts, chain_id, market)
        pool, position = self._take_key(root)
        assert pool.root is not None
        secret = pool.keys[position]
        signer = to_checksum_address(_address_of(secret))
        proof = pool.proof(position)
        unsigned = EnergyReceipt(
            ctp_id, price, energy_wh, pool.root, pool.indices[position], ts, signer, proof, b"", chain_id, market
        )
        if not unsigned.verify_proof():
            raise MerkleError("internal error: the stored proof does not prove the leaf key")
        signed = Account.sign_message(encode_typed_data(full_message=unsigned.typed_data()), secret)
        return EnergyReceipt(**{**unsigned.__dict__, "signature": bytes(signed.signature)})


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
) -> EnergyReceipt:
    """Build and sign the ERC for a delivered CTP with one of ``meter``'s unused leaf keys."""
    return meter.sign_receipt(ctp_id, price, energy_wh, chain_id, market_address, timestamp=timestamp, root=root)
