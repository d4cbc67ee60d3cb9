"""A leaf key signs one ERC only, across restarts, and exhausted pools say so."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from offchain.spb import Meter, PoolExhaustedError, build_erc, request_coe

MARKET = "0x" + "42" * 20


def _ctp(i: int) -> bytes:
    return i.to_bytes(32, "big")


def test_restarts_never_reuse_a_leaf_key_until_the_pool_is_exhausted(make_meter, verifiers, passphrase):
    meter = make_meter(pool=12)
    request_coe(meter, meter.pools[0].root, verifiers)
    signers, indices = set(), set()
    for i in range(12):
        meter = Meter.open(meter.path, passphrase)  # a restart before every receipt
        erc = build_erc(meter, _ctp(i), 100 + i, 1_000, 31337, MARKET)
        signers.add(erc.signer)
        indices.add(erc.leaf_index)
    assert len(signers) == 12 and indices == set(range(12))
    with pytest.raises(PoolExhaustedError, match="no unused one-time key"):
        build_erc(Meter.open(meter.path, passphrase), _ctp(99), 1, 1, 31337, MARKET)


def test_a_meter_killed_right_after_signing_does_not_reuse_the_key(make_meter, verifiers, passphrase, project_root):
    meter = make_meter(pool=3)
    request_coe(meter, meter.pools[0].root, verifiers)
    # another process signs one receipt and is killed (SIGKILL) before it can save anything else
    script = textwrap.dedent(
        f"""
        import os, signal, sys
        sys.path.insert(0, {str(project_root)!r})
        from offchain.spb import Meter, build_erc
        m = Meter.open({str(meter.path)!r}, {passphrase!r})
        erc = build_erc(m, bytes(32), 1, 1, 31337, {MARKET!r})
        print(erc.signer, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert out.returncode == -9, out.stderr
    killed_signer = out.stdout.strip()
    survivor = Meter.open(meter.path, passphrase)
    later = {build_erc(survivor, _ctp(i), 1, 1, 31337, MARKET).signer for i in range(2)}
    assert killed_signer not in later and len(later) == 2
    with pytest.raises(PoolExhaustedError):
        build_erc(survivor, _ctp(9), 1, 1, 31337, MARKET)


def test_a_pool_without_coe_cannot_sign(make_meter):
    meter = make_meter(pool=4)
    with pytest.raises(PoolExhaustedError, match="create a new pool and get its CoE"):
        build_erc(meter, _ctp(1), 1, 1, 31337, MARKET)


def test_saving_the_meter_keeps_the_used_keys(make_meter, verifiers, passphrase):
    meter = make_meter(pool=4)
    request_coe(meter, meter.pools[0].root, verifiers)
    used = build_erc(meter, _ctp(1), 1, 1, 31337, MARKET).leaf_index
    meter.create_pool(2)  # rewrites the keystore and folds the journal in
    assert not meter.path.with_name(meter.path.name + ".journal").exists()
    assert Meter.open(meter.path, passphrase).pools[0].used == {used}
