"""Encrypted keystore files: one scrypt + AES-256-GCM envelope per file, plus a journal.

A meter keeps its manufacturer key, certificate and whole key pools (up to 65,536
one-time keys and their Merkle proofs) in one file. eth-account's keystore format runs
scrypt once per key, which for 65k keys would take hours, so the file is one envelope
in the same spirit (scrypt KDF, authenticated cipher) around the whole payload:

    {"format": "gridledger-keystore-v1", "kind": ..., "kdf": "scrypt",
     "kdfparams": {"n", "r", "p", "dklen", "salt"}, "cipher": "aes-256-gcm",
     "nonce": hex, "ciphertext": base64, "tag": hex}

The header (format, kind, KDF parameters) is authenticated as associated data, so a
changed parameter fails like a wrong passphrase. Nothing in the file is readable
without the passphrase. Files are created with mode 0600 and replaced atomically
(:func:`offchain.kernel.fs.atomic_write`: temporary file, fsync, rename, fsync of the folder).

Next to the file, ``<file>.journal`` holds append-only records, each encrypted with
the same derived key and fsynced before :meth:`EncryptedStore.append` returns — the
meter writes "leaf key N is used" there *before* the signature by that key leaves it.
A record cut short by a crash can only be the last line; it is ignored (its signature
was never released). :meth:`EncryptedStore.save` folds the journal into the file.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from Crypto.Cipher import AES

from ..kernel.errors import GridLedgerError
from ..kernel.fs import atomic_write, fsync_dir

__all__ = ["KeystoreError", "WrongPassphraseError", "KdfParams", "EncryptedStore"]

FORMAT = "gridledger-keystore-v1"
_JOURNAL_AAD = b"gridledger-keystore-v1/journal"


class KeystoreError(GridLedgerError):
    """A keystore file is missing, unreadable or malformed."""


class WrongPassphraseError(KeystoreError):
    """The passphrase does not open the keystore (or the file was modified)."""


#: largest scrypt cost accepted (n = 2**20 with r = 8 takes 1 GiB of memory); a header
#: naming more (a damaged or hostile file) is refused before any derivation is tried
MAX_KDF_N = 2**20
MAX_KDF_RP = 16


@dataclass(frozen=True)
class KdfParams:
    """scrypt cost parameters (one derivation per file open / create)."""

    n: int = 2**17
    r: int = 8
    p: int = 1

    @classmethod
    def light(cls) -> KdfParams:
        """Cheap parameters for tests and throw-away demo meters only (n = 2**12)."""
        return cls(n=2**12)

    def check(self) -> None:
        """:class:`KeystoreError` unless n is a power of two in [2, 2**20] and r, p in [1, 16]."""
        if self.n < 2 or self.n & (self.n - 1):
            raise KeystoreError(f"scrypt n must be a power of two, got {self.n}")
        if self.n > MAX_KDF_N:
            raise KeystoreError(f"scrypt n = {self.n} is above the limit 2**20 (memory); use a smaller n")
        if not (1 <= self.r <= MAX_KDF_RP and 1 <= self.p <= MAX_KDF_RP):
            raise KeystoreError(f"scrypt r and p must be 1..{MAX_KDF_RP}, got r={self.r} p={self.p}")

    def derive(self, passphrase: str, salt: bytes) -> bytes:
        self.check()
        return hashlib.scrypt(
            passphrase.encode("utf-8"),
            salt=salt,
            n=self.n,
            r=self.r,
            p=self.p,
            maxmem=128 * self.r * self.n * self.p + (1 << 24),
            dklen=32,
        )


def _header(kind: str, kdf: KdfParams, salt: bytes) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "kind": kind,
        "kdf": "scrypt",
        "kdfparams": {"n": kdf.n, "r": kdf.r, "p": kdf.p, "dklen": 32, "salt": salt.hex()},
        "cipher": "aes-256-gcm",
    }


def _aad(header: dict[str, Any]) -> bytes:
    return json.dumps(header, sort_keys=True, separators=(",", ":")).encode()


class EncryptedStore:
    """One encrypted file (+ journal) opened with a passphrase; the derived key stays in memory."""

    def __init__(self, path: str | Path, key: bytes, header: dict[str, Any]) -> None:
        self.path = Path(path)
        self._key = key
        self._header = header

    @property
    def journal_path(self) -> Path:
        return self.path.with_name(self.path.name + ".journal")

    @property
    def kind(self) -> str:
        return str(self._header["kind"])

    # -- create / open -----------------------------------------------------------------
    @classmethod
    def create(
        cls, path: str | Path, passphrase: str, payload: bytes, *, kind: str, kdf: KdfParams | None = None
    ) -> EncryptedStore:
        """Encrypt ``payload`` into a new file at ``path`` (refuses to overwrite one)."""
        path = Path(path)
        if path.exists():
            raise KeystoreError(f"{path} already exists; refusing to overwrite a keystore")
        if not passphrase:
            raise KeystoreError("an empty passphrase is not allowed")
        kdf = kdf or KdfParams()
        salt = secrets.token_bytes(32)
        store = cls(path, kdf.derive(passphrase, salt), _header(kind, kdf, salt))
        store.save(payload)
        return store

    @classmethod
    def open(cls, path: str | Path, passphrase: str, *, kind: str | None = None) -> tuple[EncryptedStore, bytes]:
        """Open ``path``; returns the store and the decrypted payload."""
        path = Path(path)
        try:
            doc = json.loads(path.read_text())
        except FileNotFoundError:
            raise KeystoreError(f"no keystore at {path}") from None
        except (OSError, ValueError) as exc:
            raise KeystoreError(f"{path} is not a GridLedger keystore: {exc}") from exc
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            raise KeystoreError(f"{path} is not a GridLedger keystore (format {FORMAT} expected)")
        if kind is not None and doc.get("kind") != kind:
            raise KeystoreError(f"{path} holds a {doc.get('kind')!r} keystore, not a {kind!r} one")
        try:
            params = doc["kdfparams"]
            kdf = KdfParams(n=int(params["n"]), r=int(params["r"]), p=int(params["p"]))
            salt = bytes.fromhex(params["salt"])
            nonce = bytes.fromhex(doc["nonce"])
            ciphertext = base64.b64decode(doc["ciphertext"])
            tag = bytes.fromhex(doc["tag"])
        except (KeyError, TypeError, ValueError) as exc:
            raise KeystoreError(f"{path} is a damaged keystore: {exc}") from exc
        header = _header(str(doc["kind"]), kdf, salt)
        try:
            kdf.check()
        except KeystoreError as exc:
            raise KeystoreError(f"{path}: {exc}") from None
        key = kdf.derive(passphrase, salt)
        cipher = AES.new(key, AES.MODE_GCM, nonce=nonce)
        cipher.update(_aad(header))
        try:
            payload = cipher.decrypt_and_verify(ciphertext, tag)
        except ValueError:
            raise WrongPassphraseError(f"wrong passphrase for {path} (or the file was modified)") from None
        return cls(path, key, header), payload

    # -- main file ---------------------------------------------------------------------
    def save(self, payload: bytes) -> None:
        """Re-encrypt ``payload`` (fresh nonce) and replace the file atomically; drops the journal.

        The caller's payload must already contain everything the journal recorded.
        """
        nonce = secrets.token_bytes(12)
        cipher = AES.new(self._key, AES.MODE_GCM, nonce=nonce)
        cipher.update(_aad(self._header))
        ciphertext, tag = cipher.encrypt_and_digest(payload)
        doc = dict(self._header, nonce=nonce.hex(), ciphertext=base64.b64encode(ciphertext).decode(), tag=tag.hex())
        atomic_write(self.path, json.dumps(doc).encode())
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.journal_path)
            fsync_dir(self.path.parent)

    # -- journal -----------------------------------------------------------------------
    def append(self, record: dict[str, Any]) -> None:
        """Append one encrypted record to the journal and fsync it before returning."""
        nonce = secrets.token_bytes(12)
        cipher = AES.new(self._key, AES.MODE_GCM, nonce=nonce)
        cipher.update(_JOURNAL_AAD)
        ct, tag = cipher.encrypt_and_digest(json.dumps(record, separators=(",", ":")).encode())
        line = base64.b64encode(nonce + ct + tag) + b"\n"
        created = not self.journal_path.exists()
        fd = os.open(self.journal_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)
        if created:
            fsync_dir(self.path.parent)

    def journal(self) -> list[dict[str, Any]]:
        """The journal's records, oldest first (a torn last line is skipped)."""
        try:
            lines = self.journal_path.read_bytes().split(b"\n")
        except FileNotFoundError:
            return []
        complete, tail = lines[:-1], lines[-1]  # tail is b"" unless the last write was torn
        records = []
        for number, raw in enumerate(complete, 1):
            try:
                blob = base64.b64decode(raw, validate=True)
                cipher = AES.new(self._key, AES.MODE_GCM, nonce=blob[:12])
                cipher.update(_JOURNAL_AAD)
                records.append(json.loads(cipher.decrypt_and_verify(blob[12:-16], blob[-16:])))
            except ValueError as exc:
                raise KeystoreError(f"{self.journal_path} line {number} is damaged: {exc}") from exc
        del tail  # an unterminated record never completed its fsync: its signature never left
        return records
