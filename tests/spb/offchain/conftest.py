"""Fixtures of the SPB off-chain tests: a manufacturer CA, meter factories, verifier meters.

Keystores use light scrypt parameters (``KdfParams.light()``) so the suite stays fast;
one test checks the default parameters separately.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from offchain.spb import KdfParams, ManufacturerCA, Meter, VerifierMeter

PROJECT = Path(__file__).resolve().parents[3]
PASSPHRASE = "correct horse battery staple"


@pytest.fixture
def manufacturer() -> ManufacturerCA:
    return ManufacturerCA.generate()


@pytest.fixture
def rogue_manufacturer() -> ManufacturerCA:
    """A CA nobody registered or trusts."""
    return ManufacturerCA.generate()


@pytest.fixture
def make_meter(tmp_path: Path, manufacturer: ManufacturerCA) -> Callable[..., Meter]:
    """Factory: a fresh meter keystore in ``tmp_path``, certified by ``manufacturer`` unless ``ca`` is given."""
    counter = iter(range(10_000))

    def make(*, ca: ManufacturerCA | None = None, pool: int = 0, name: str | None = None) -> Meter:
        path = tmp_path / (name or f"meter{next(counter)}.json")
        meter = Meter.create(path, PASSPHRASE, ca=ca or manufacturer, kdf=KdfParams.light())
        if pool:
            meter.create_pool(pool)
        return meter

    return make


@pytest.fixture
def verifiers(make_meter, manufacturer) -> list[VerifierMeter]:
    """Three verifier meters that trust ``manufacturer``."""
    return [VerifierMeter(make_meter(), [manufacturer.address]) for _ in range(3)]


@pytest.fixture
def js_tree() -> Callable[[list[str], list[list[str]]], dict]:
    """The reference: @openzeppelin/merkle-tree from node_modules (root, dump, all proofs)."""

    def run(encoding: list[str], values: list[list[str]]) -> dict:
        out = subprocess.run(
            ["node", str(Path(__file__).with_name("merkle_js.js")), str(PROJECT)],
            input=json.dumps({"encoding": encoding, "values": values}),
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        return json.loads(out.stdout)

    return run


@pytest.fixture
def passphrase() -> str:
    return PASSPHRASE


@pytest.fixture
def project_root() -> Path:
    return PROJECT
