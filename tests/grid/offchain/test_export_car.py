"""CARv1 export of the local store: readable, hash-checked, same roots as the store."""

import pytest

from offchain.grid.car import CarError, read_car
from offchain.grid.store import LocalBillStore

from tests.grid.offchain.cid_inputs import make_input


def test_the_exported_car_holds_every_block_of_every_bill(tmp_path):
    store = LocalBillStore(tmp_path / "store")
    small = store.put(b'{"bill": "small"}\n')
    big = store.put(make_input("chunk_plus_one"))
    roots, count = store.export_car(tmp_path / "bills.car")
    assert sorted(roots) == sorted([small, big])
    car_roots, blocks = read_car(tmp_path / "bills.car")
    assert sorted(car_roots) == sorted([small, big]) and len(blocks) == count == 4
    assert set(blocks) == {b.cid for c in (small, big) for b in store.blocks(c)}


def test_a_car_with_an_altered_block_is_refused(tmp_path):
    store = LocalBillStore(tmp_path / "store")
    cid = store.put(b"hello\n")
    store.export_car(tmp_path / "one.car", [cid])
    raw = bytearray((tmp_path / "one.car").read_bytes())
    raw[-2] ^= 0xFF
    with pytest.raises(CarError, match="does not match its hash"):
        read_car(bytes(raw))
