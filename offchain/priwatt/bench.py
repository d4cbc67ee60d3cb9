"""``gridledger bench priwatt``: secp256k1 sign / verify rates beside PriWatt's Table 3.

PriWatt (Core i5 M540, OpenSSL, ECC-256) reports 5,729.1 signatures/s and 2,297.3
verifications/s. Measured here, one core, libsecp256k1 through coincurve (the library the
routing backbone and the agents use): raw ECDSA sign, verify and public-key recovery
(what ``ecrecover`` does), and what a channel costs per kWh off chain — the buyer's
EIP-712 ``ChannelState`` signature (eth-account) and the seller's check of it.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable, Sequence

__all__ = ["main", "rates", "PRIWATT_SIGN_PER_S", "PRIWATT_VERIFY_PER_S"]

PRIWATT_SIGN_PER_S = 5_729.1
PRIWATT_VERIFY_PER_S = 2_297.3


def _rate(fn: Callable[[int], object], seconds: float) -> float:
    """Calls per second of ``fn(i)`` over at least ``seconds`` (and at least 50 calls)."""
    n, start = 0, time.perf_counter()
    while True:
        fn(n)
        n += 1
        elapsed = time.perf_counter() - start
        if n >= 50 and elapsed >= seconds:
            return n / elapsed


def rates(seconds: float = 1.0) -> dict[str, float]:
    """Operations per second: ECDSA sign / verify / recover, EIP-712 channel-state sign / check."""
    import coincurve

    from ..kernel.crypto import keccak256, new_private_key, recover_address, sign_digest
    from . import eip712

    key = new_private_key()
    private = coincurve.PrivateKey(key)
    public = private.public_key
    digests = [keccak256(i.to_bytes(4, "big")) for i in range(256)]
    der = [private.sign(d, hasher=None) for d in digests]
    recoverable = [sign_digest(key, d) for d in digests]
    market, trade_id = "0x" + "11" * 20, keccak256(b"trade")
    states = [eip712.sign_channel_state(key, trade_id, 10**15 * (i + 1), 31337, market) for i in range(256)]
    state_digests = [eip712.channel_state_digest(trade_id, 10**15 * (i + 1), 31337, market) for i in range(256)]
    signer = recover_address(state_digests[0], states[0])
    return {
        "ecdsa_sign": _rate(lambda i: private.sign(digests[i % 256], hasher=None), seconds),
        "ecdsa_verify": _rate(lambda i: public.verify(der[i % 256], digests[i % 256], hasher=None), seconds),
        "ecdsa_recover": _rate(lambda i: recover_address(digests[i % 256], recoverable[i % 256]), seconds),
        "channel_state_sign": _rate(
            lambda i: eip712.sign_channel_state(key, trade_id, 10**15 * (i + 1), 31337, market), seconds
        ),
        "channel_state_check": _rate(
            lambda i: (
                recover_address(
                    eip712.channel_state_digest(trade_id, 10**15 * (i % 256 + 1), 31337, market), states[i % 256]
                )
                == signer
            ),
            seconds,
        ),
    }


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="gridledger bench priwatt", description=__doc__)
    parser.add_argument("--seconds", type=float, default=1.0, help="time per measurement (default 1.0)")
    parser.add_argument("--json", action="store_true", help="print the rates as JSON")
    args = parser.parse_args(list(argv))
    if args.seconds <= 0:
        parser.error("--seconds must be positive")
    measured = rates(args.seconds)
    if args.json:
        paper = {"sign": PRIWATT_SIGN_PER_S, "verify": PRIWATT_VERIFY_PER_S}
        print(json.dumps({"measured_per_s": measured, "priwatt_per_s": paper}, indent=2))
        return 0
    print("secp256k1 signatures, one core (coincurve / libsecp256k1), vs PriWatt Table 3 (Core i5 M540, OpenSSL)")
    print(f"  {'operation':<34} {'ours /s':>10} {'PriWatt /s':>11} {'ratio':>7}")
    rows = [
        ("ECDSA sign (32-byte digest)", measured["ecdsa_sign"], PRIWATT_SIGN_PER_S),
        ("ECDSA verify", measured["ecdsa_verify"], PRIWATT_VERIFY_PER_S),
        ("ECDSA recover (ecrecover)", measured["ecdsa_recover"], PRIWATT_VERIFY_PER_S),
        ("EIP-712 channel state, sign", measured["channel_state_sign"], None),
        ("EIP-712 channel state, check", measured["channel_state_check"], None),
    ]
    for name, ours, theirs in rows:
        ratio = f"{ours / theirs:6.1f}x" if theirs else ""
        paper = f"{theirs:>11,.1f}" if theirs else f"{'':>11}"
        print(f"  {name:<34} {ours:>10,.0f} {paper} {ratio:>7}")
    return 0
