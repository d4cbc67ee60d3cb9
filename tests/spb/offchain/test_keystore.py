"""The meter keystore: round trip, wrong passphrase, nothing secret readable on disk."""

from __future__ import annotations

import json
import os
import stat

import pytest

from offchain.spb import KdfParams, KeystoreError, Meter, WrongPassphraseError
from offchain.spb.keystore import EncryptedStore

CTP = bytes.fromhex("ab" * 32)
MARKET = "0x" + "42" * 20


def test_a_meter_reopens_with_its_key_certificate_pools_and_coe(make_meter, verifiers, passphrase):
    from offchain.spb import request_coe

    meter = make_meter(pool=16)
    request_coe(meter, meter.pools[0].root, verifiers)
    again = Meter.open(meter.path, passphrase)
    assert again.address == meter.address
    assert again.certificate == meter.certificate
    assert [p.root for p in again.pools] == [p.root for p in meter.pools]
    assert again.pools[0].keys == meter.pools[0].keys
    assert again.pools[0].proof(5) == meter.pools[0].proof(5)
    assert again.coe(again.pools[0].root) == meter.coe(meter.pools[0].root)


def test_a_wrong_passphrase_raises_the_package_exception(make_meter, passphrase):
    meter = make_meter(pool=4)
    with pytest.raises(WrongPassphraseError, match="wrong passphrase"):
        Meter.open(meter.path, passphrase + "!")


def test_a_modified_kdf_parameter_fails_like_a_wrong_passphrase(make_meter, passphrase):
    meter = make_meter(pool=2)
    doc = json.loads(meter.path.read_text())
    doc["kdfparams"]["n"] //= 2
    meter.path.write_text(json.dumps(doc))
    with pytest.raises(WrongPassphraseError):
        Meter.open(meter.path, passphrase)


def test_no_secret_and_no_pool_data_is_readable_in_the_files(make_meter, verifiers):
    from offchain.spb import build_erc, request_coe

    meter = make_meter(pool=32)
    pool = meter.pools[0]
    request_coe(meter, pool.root, verifiers)
    build_erc(meter, CTP, 10, 100, 1, MARKET)
    disk = b"".join(p.read_bytes() for p in meter.path.parent.iterdir() if p.name.startswith(meter.path.name))
    secrets_ = [bytes(meter._account.key)] + pool.keys
    publics = [pool.root, bytes.fromhex(meter.address[2:]), meter.certificate.signature]
    for value in secrets_ + publics:
        for form in (value, value.hex().encode(), value.hex().upper().encode()):
            assert form not in disk
    assert meter.address.encode() not in disk and meter.address.lower().encode() not in disk
    assert b'"used"' not in disk and b"leafIndex" not in disk


def test_keystore_files_are_private_and_written_without_leftovers(make_meter, verifiers):
    from offchain.spb import build_erc, request_coe

    meter = make_meter(pool=4)
    request_coe(meter, meter.pools[0].root, verifiers)
    build_erc(meter, CTP, 1, 1, 1, MARKET)
    files = [p for p in meter.path.parent.iterdir() if p.name.startswith(meter.path.name)]
    assert {p.name for p in files} == {meter.path.name, meter.path.name + ".journal"}
    for p in files:
        assert stat.S_IMODE(os.stat(p).st_mode) == 0o600
    assert not [p for p in meter.path.parent.iterdir() if p.name.endswith(".tmp")]


def test_an_existing_keystore_is_never_overwritten(make_meter, manufacturer, passphrase):
    meter = make_meter()
    with pytest.raises(KeystoreError, match="already exists"):
        Meter.create(meter.path, passphrase, ca=manufacturer, kdf=KdfParams.light())


def test_a_missing_or_foreign_file_gives_a_clear_error(tmp_path, passphrase):
    with pytest.raises(KeystoreError, match="no keystore"):
        Meter.open(tmp_path / "nope.json", passphrase)
    (tmp_path / "x.json").write_text('{"hello": 1}')
    with pytest.raises(KeystoreError, match="not a GridLedger keystore"):
        Meter.open(tmp_path / "x.json", passphrase)


def test_default_kdf_parameters_are_strong_and_round_trip(tmp_path):
    assert KdfParams().n >= 2**17
    store = EncryptedStore.create(tmp_path / "s.json", "pw", b"payload", kind="test")
    assert json.loads(store.path.read_text())["kdfparams"]["n"] == 2**17
    reopened, payload = EncryptedStore.open(store.path, "pw", kind="test")
    assert payload == b"payload"


def test_a_damaged_journal_line_is_reported_and_a_torn_tail_ignored(make_meter, verifiers, passphrase):
    from offchain.spb import build_erc, request_coe

    meter = make_meter(pool=8)
    request_coe(meter, meter.pools[0].root, verifiers)
    build_erc(meter, CTP, 1, 1, 1, MARKET)
    journal = meter.path.with_name(meter.path.name + ".journal")
    with open(journal, "ab") as fh:
        fh.write(b"dGhpcyBpcyBhIHRvcm4gcmVj")  # crash mid-append: no newline
    assert Meter.open(meter.path, passphrase).pools[0].unused == 7
    journal.write_bytes(b"garbage\n" + journal.read_bytes())
    with pytest.raises(KeystoreError, match="line 1 is damaged"):
        Meter.open(meter.path, passphrase)
