"""Where bills live: the embedded content-addressed store, or any Kubo-compatible IPFS node.

Both stores have the same face — ``put(data) -> cid``, ``get(cid) -> bytes``, ``has(cid)``
— and agree on CIDs: :class:`LocalBillStore` keeps the dag-pb blocks that ``ipfs add``
(defaults) would make, so a CAR exported from it (:meth:`LocalBillStore.export_car`)
imports into a real node under the same CIDs. :class:`IpfsBillStore` talks to an RPC
endpoint through ``ipfshttpclient`` with retries; when the endpoint stays unreachable it
raises :class:`IpfsUnavailableError` (callers queue the bill, see :mod:`.queue`).
"""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

import yaml

from ..kernel.fs import PROJECT_ROOT, atomic_write, state_dir
from ._pb import decode_node, decode_unixfs
from .car import write_car
from .cid import Block, add_bytes, multihash_to_cid
from .errors import BillNotFoundError, IpfsUnavailableError, StoreConfigError

__all__ = ["BillStore", "LocalBillStore", "IpfsBillStore", "open_store", "configured_ipfs_api", "IPFS_API_ENV"]

IPFS_API_ENV = "GRIDLEDGER_IPFS_API"


class BillStore(Protocol):
    name: str

    def put(self, data: bytes) -> str: ...

    def get(self, cid: str) -> bytes: ...

    def has(self, cid: str) -> bool: ...


class LocalBillStore:
    """Content-addressed blocks in a folder (``blocks/<cid>``); roots listed in ``roots/``."""

    name = "local"

    def __init__(self, root: str | Path | None = None) -> None:
        self.root = Path(root) if root else state_dir() / "bills"
        (self.root / "blocks").mkdir(parents=True, exist_ok=True)
        (self.root / "roots").mkdir(parents=True, exist_ok=True)

    def block_path(self, cid: str) -> Path:
        return self.root / "blocks" / cid

    def put(self, data: bytes) -> str:
        dag = add_bytes(data)
        for block in dag.blocks:
            path = self.block_path(block.cid)
            if not path.exists():
                atomic_write(path, block.data, 0o644)
        (self.root / "roots" / dag.cid).touch()
        return dag.cid

    def has(self, cid: str) -> bool:
        return self.block_path(cid).exists()

    def roots(self) -> list[str]:
        return sorted(p.name for p in (self.root / "roots").iterdir())

    def _block(self, cid: str) -> bytes:
        path = self.block_path(cid)
        if not path.exists():
            raise BillNotFoundError(f"block {cid} is not in the local bill store {self.root}")
        return path.read_bytes()

    def get(self, cid: str) -> bytes:
        """The file content under ``cid``, reassembled from its blocks as stored (not re-hashed)."""
        return b"".join(self._content(cid))

    def _content(self, cid: str) -> Iterator[bytes]:
        try:
            data, links = decode_node(self._block(cid))
            _, chunk, _, _ = decode_unixfs(data)
        except BillNotFoundError:
            raise
        except Exception as exc:  # noqa: BLE001 - a corrupted block is reported as missing content
            raise BillNotFoundError(f"block {cid} in {self.root} is not a UnixFS node: {exc}") from exc
        yield chunk
        for mh, _tsize in links:
            yield from self._content(multihash_to_cid(mh))

    def blocks(self, cid: str) -> Iterator[Block]:
        """Every block of the DAG under ``cid`` (root first)."""
        raw = self._block(cid)
        yield Block(cid, raw)
        for mh, _tsize in decode_node(raw)[1]:
            yield from self.blocks(multihash_to_cid(mh))

    def export_car(self, out: str | Path, cids: list[str] | None = None) -> tuple[list[str], int]:
        """Write the DAGs of ``cids`` (default: every stored root) to a CARv1 file."""
        roots = cids if cids is not None else self.roots()
        for c in roots:
            if not self.has(c):
                raise BillNotFoundError(f"{c} is not in the local bill store {self.root}")
        count = write_car(out, roots, (b for c in roots for b in self.blocks(c)))
        return roots, count


class IpfsBillStore:
    """A Kubo-compatible RPC endpoint (``/ip4/127.0.0.1/tcp/5001/http``) via ``ipfshttpclient``."""

    name = "ipfs"

    def __init__(self, api: str, *, retries: int = 3, backoff: float = 0.5, timeout: float = 30.0) -> None:
        with warnings.catch_warnings():  # ipfshttpclient 0.7 passes urllib3 a deprecated argument
            warnings.simplefilter("ignore", FutureWarning)
            import ipfshttpclient

            try:
                self.client = ipfshttpclient.Client(api, timeout=timeout)
            except Exception as exc:  # noqa: BLE001 - a bad multiaddr
                raise StoreConfigError(f"bad IPFS API address {api!r}: {exc}") from exc
        self.api = api
        self.retries = retries
        self.backoff = backoff
        self._errors = ipfshttpclient.exceptions

    def _call(self, what: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        last: Exception | None = None
        for attempt in range(self.retries):
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", FutureWarning)
                    return fn(*args, **kwargs)
            except (self._errors.ConnectionError, self._errors.TimeoutError, self._errors.ProtocolError) as exc:
                last = exc
                time.sleep(self.backoff * (2**attempt))
        raise IpfsUnavailableError(
            f"IPFS node at {self.api} unreachable ({what} failed {self.retries} times: {type(last).__name__}); "
            "start one with `gridledger ipfs up` or omit --ipfs-api to use the local bill store"
        ) from last

    def put(self, data: bytes) -> str:
        return str(self._call("add", self.client.add_bytes, data))

    def get(self, cid: str) -> bytes:
        # an offline node asked for content it does not hold searches until the RPC timeout
        # (x retries): ask it first whether it holds the blocks (a few seconds at most)
        try:
            held = self.has(cid)
        except self._errors.Error:
            held = True  # unreachable or odd answer: `cat` below retries and reports the outage
        if not held:
            raise BillNotFoundError(
                f"IPFS node at {self.api} does not hold {cid} (a bill made without --ipfs-api is in the local "
                "store: `gridledger bill export-car` it and `ipfs dag import` the CAR)"
            )
        try:
            return bytes(self._call("cat", self.client.cat, cid))
        except self._errors.ErrorResponse as exc:
            raise BillNotFoundError(f"IPFS node at {self.api} has no content {cid}: {exc}") from exc

    def has(self, cid: str, timeout: float = 3.0) -> bool:
        """Whether the node holds ``cid`` itself (a node that would have to search the network
        for it answers neither way; after ``timeout`` seconds that counts as "no")."""
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", FutureWarning)
                self.client.block.stat(cid, timeout=timeout)
            return True
        except (self._errors.ErrorResponse, self._errors.TimeoutError):
            return False

    def pin(self, cid: str) -> None:
        self._call("pin add", self.client.pin.add, cid)

    def pins(self) -> set[str]:
        result = self._call("pin ls", self.client.pin.ls, type="recursive")
        return set(result.get("Keys", {}))

    def import_car(self, path: str | Path) -> Any:
        with open(path, "rb") as f:
            return self._call("dag import", self.client.dag.imprt, f)


def configured_ipfs_api(cli_value: str | None = None) -> str | None:
    """``--ipfs-api``, else ``$GRIDLEDGER_IPFS_API``, else ``gridledger: ipfs_api:`` in brownie-config.yaml."""
    if cli_value:
        return cli_value
    if os.environ.get(IPFS_API_ENV):
        return os.environ[IPFS_API_ENV]
    config = PROJECT_ROOT / "brownie-config.yaml"
    if config.exists():
        data = yaml.safe_load(config.read_text()) or {}
        value = (data.get("gridledger") or {}).get("ipfs_api")
        if value:
            return str(value)
    return None


def open_store(ipfs_api: str | None = None, local_root: str | Path | None = None) -> BillStore:
    """The IPFS node configured (see :func:`configured_ipfs_api`), else the local bill store."""
    api = configured_ipfs_api(ipfs_api)
    if api:
        return IpfsBillStore(api)
    return LocalBillStore(local_root)
