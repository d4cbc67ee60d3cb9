"""On-disk queue of bills: built → stored → anchored, retried until done, never twice.

Each bill is one JSON entry ``<state_dir>/bill-queue/<cid>.json`` (written atomically)
next to the bill's bytes ``<cid>.bill``. The CID is computed locally before anything
leaves the machine, so the entry's name is its identity: queuing the same bill again is
a no-op, and before anchoring the queue asks the contract whether the digest is
already anchored (after a crash between sending and recording, for example) — so a bill
is never anchored twice. A store that is unreachable leaves the entry ``built``; a
later :meth:`BillQueue.process` (``gridledger bill retry``) picks it up.
"""

from __future__ import annotations

import enum
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..kernel.fs import atomic_write, state_dir
from .cid import cid_of, cid_to_digest
from .client import GridClient, Sender
from .errors import BillError, IpfsUnavailableError
from .store import BillStore

__all__ = ["BillQueue", "QueueEntry", "QueueState"]


class QueueState(enum.StrEnum):
    """How far a queued bill got (persisted by value in the entry's JSON file)."""

    BUILT = "built"
    STORED = "stored"
    ANCHORED = "anchored"


@dataclass
class QueueEntry:
    cid: str
    purchaser: str
    state: QueueState = QueueState.BUILT
    store: str = ""
    tx_hash: str = ""
    attempts: int = 0
    last_error: str = ""


class BillQueue:
    def __init__(self, root: str | Path | None = None) -> None:
        self.root = Path(root) if root else state_dir() / "bill-queue"
        self.root.mkdir(parents=True, exist_ok=True)

    # -- persistence --------------------------------------------------------------------
    def _entry_path(self, cid: str) -> Path:
        return self.root / f"{cid}.json"

    def _save(self, entry: QueueEntry) -> None:
        atomic_write(self._entry_path(entry.cid), json.dumps(asdict(entry), indent=2, sort_keys=True) + "\n", 0o644)

    @staticmethod
    def _load(path: Path) -> QueueEntry:
        data = json.loads(path.read_text())
        return QueueEntry(**{**data, "state": QueueState(data.get("state", QueueState.BUILT))})

    def get(self, cid: str) -> QueueEntry | None:
        path = self._entry_path(cid)
        return self._load(path) if path.exists() else None

    def entries(self) -> list[QueueEntry]:
        return [self._load(p) for p in sorted(self.root.glob("*.json"))]

    def pending(self) -> list[QueueEntry]:
        return [e for e in self.entries() if e.state is not QueueState.ANCHORED]

    def bill_bytes(self, cid: str) -> bytes:
        return (self.root / f"{cid}.bill").read_bytes()

    # -- work ---------------------------------------------------------------------------
    def enqueue(self, data: bytes, purchaser: str) -> QueueEntry:
        """Keep the bill on disk (idempotent: the same bytes give the same entry)."""
        cid = cid_of(data)
        existing = self.get(cid)
        if existing is not None:
            return existing
        atomic_write(self.root / f"{cid}.bill", data, 0o644)
        entry = QueueEntry(cid=cid, purchaser=purchaser)
        self._save(entry)
        return entry

    def process_one(
        self, entry: QueueEntry, store: BillStore, client: GridClient | None, sender: Sender | None
    ) -> QueueEntry:
        """Advance one entry as far as it goes; store outages leave it queued (no exception)."""
        if entry.state is QueueState.BUILT:
            entry.attempts += 1
            try:
                stored = store.put(self.bill_bytes(entry.cid))
            except IpfsUnavailableError as exc:
                entry.last_error = str(exc)
                self._save(entry)
                return entry
            if stored != entry.cid:
                raise BillError(f"store {store.name} returned CID {stored} for bill {entry.cid}: CID settings differ")
            entry.state, entry.store, entry.last_error = QueueState.STORED, store.name, ""
            self._save(entry)
        if entry.state is QueueState.STORED and client is not None and sender is not None:
            digest = cid_to_digest(entry.cid)
            if client.bill_anchored_at(entry.purchaser, digest) is not None:
                entry.state = QueueState.ANCHORED  # anchored earlier (e.g. before a crash): never twice
            else:
                receipt = client.anchor_bill(digest, sender=sender)
                entry.state, entry.tx_hash = QueueState.ANCHORED, "0x" + bytes(receipt["transactionHash"]).hex()
            self._save(entry)
        return entry

    def process(
        self, store: BillStore, client: GridClient | None = None, senders: dict[str, Any] | None = None
    ) -> list[QueueEntry]:
        """Retry every pending entry; ``senders`` maps purchaser address → signing account."""
        done = []
        for entry in self.pending():
            sender = (senders or {}).get(entry.purchaser.lower())
            done.append(self.process_one(entry, store, client if sender is not None else None, sender))
        return done
