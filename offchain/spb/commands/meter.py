"""``gridledger meter init|coe|erc|info``: a smart meter's keystore, CoE and receipts.

Passphrases never go on the command line: they come from an environment variable
(``GRIDLEDGER_METER_PASSPHRASE``, ``GRIDLEDGER_VERIFIER_PASSPHRASE``,
``GRIDLEDGER_CA_PASSPHRASE``) or, on a terminal, from a prompt.
On-chain registration of the CoE is not done here (``registerCoE`` arguments are printed).
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from pathlib import Path
from typing import Any

from ...kernel.errors import ConfigError

METER_ENV = "GRIDLEDGER_METER_PASSPHRASE"
VERIFIER_ENV = "GRIDLEDGER_VERIFIER_PASSPHRASE"
CA_ENV = "GRIDLEDGER_CA_PASSPHRASE"


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("meter", help="smart meter: keystore, key pool, Certificate of Existence, receipts")
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True

    init = actions.add_parser("init", help="create a meter keystore: M-key, CA certificate and a one-time key pool")
    init.add_argument("keystore", metavar="KEYSTORE", help="meter keystore file to create (mode 0600)")
    init.add_argument("--pool-size", type=int, default=1024, help="one-time keys in the pool (default 1024)")
    ca = init.add_mutually_exclusive_group()
    ca.add_argument("--ca-keystore", metavar="FILE", help=f"manufacturer CA key (eth-account keystore; ${CA_ENV})")
    ca.add_argument("--ca-key", metavar="HEX", help="manufacturer CA private key (demo only: visible to `ps`)")
    init.add_argument(
        "--new-ca",
        metavar="FILE",
        help="with neither CA option: where to write the generated demo CA keystore (default KEYSTORE.ca.json)",
    )
    init.add_argument("--kdf-n", type=int, default=2**17, help="scrypt cost n (power of two; default 2**17)")
    init.set_defaults(func=_init)

    coe = actions.add_parser("coe", help="get a Certificate of Existence for a pool root from a verifier meter")
    coe.add_argument("keystore", metavar="KEYSTORE", help="the requesting meter's keystore")
    coe.add_argument("--verifier", required=True, metavar="KEYSTORE", help=f"verifier meter keystore (${VERIFIER_ENV})")
    coe.add_argument(
        "--trusted-ca",
        action="append",
        metavar="ADDRESS",
        help="manufacturer CA the verifier trusts (repeatable; default: the CA that certified the verifier)",
    )
    coe.add_argument("--root", metavar="HEX", help="pool root (default: the newest pool without a CoE)")
    coe.add_argument("--out", metavar="FILE", help="also write the CoE JSON here")
    coe.add_argument(
        "--market",
        metavar="ADDRESS",
        help="with --chain-id: also print `possession`, the proof (a leaf key's signature) that "
        "registerCoE needs on this market",
    )
    coe.add_argument("--chain-id", type=int, help="chain id of --market")
    coe.set_defaults(func=_coe)

    reserve = actions.add_parser(
        "reserve", help="reserve a one-time key for a CTP: its address goes into the CTP's contract hash"
    )
    reserve.add_argument("keystore", metavar="KEYSTORE", help="the meter's keystore")
    reserve.add_argument("--root", metavar="HEX", help="take the key from this pool (default: any certified pool)")
    reserve.set_defaults(func=_reserve)

    erc = actions.add_parser(
        "erc", help="sign an Energy Receipt Confirmation with the key reserved for the CTP (--meter-key)"
    )
    erc.add_argument("keystore", metavar="KEYSTORE", help="the meter's keystore")
    erc.add_argument("--ctp-id", required=True, metavar="HEX32", help="id of the CTP being confirmed (bytes32)")
    erc.add_argument("--price", required=True, type=int, help="CTP price (wei)")
    erc.add_argument("--energy-wh", required=True, type=int, help="energy delivered (Wh)")
    erc.add_argument("--chain-id", required=True, type=int, help="chain id of the market")
    erc.add_argument("--market", required=True, metavar="ADDRESS", help="SPB market contract address")
    erc.add_argument("--timestamp", type=int, help="receipt time (unix seconds; default now)")
    erc.add_argument(
        "--meter-key",
        metavar="ADDRESS",
        help="the key reserved for this CTP (`meter reserve`); without it a fresh key signs, which only "
        "settles a CTP that names that key",
    )
    erc.set_defaults(func=_erc)

    info = actions.add_parser("info", help="show the meter's identity and pools (no secrets)")
    info.add_argument("keystore", metavar="KEYSTORE")
    info.set_defaults(func=_info)


def _passphrase(env: str, what: str, *, confirm: bool = False) -> str:
    value = os.environ.get(env)
    if value:
        return value
    if not sys.stdin.isatty():
        raise ConfigError(f"no passphrase for the {what}: set ${env}")
    first = getpass.getpass(f"{what} passphrase: ")
    if confirm and getpass.getpass("again: ") != first:
        raise ConfigError("the passphrases differ")
    if not first:
        raise ConfigError("an empty passphrase is not allowed")
    return first


def _print(obj: Any) -> None:
    print(json.dumps(obj, indent=2))


def _init(args: argparse.Namespace) -> int:
    from ..certificates import ManufacturerCA
    from ..keystore import KdfParams
    from ..meter import Meter

    if args.pool_size < 1:
        raise ConfigError("--pool-size must be at least 1")
    if Path(args.keystore).exists():
        raise ConfigError(f"{args.keystore} already exists")
    kdf = KdfParams(n=args.kdf_n)
    passphrase = _passphrase(METER_ENV, "meter keystore", confirm=True)
    generated = None
    if args.ca_keystore:
        ca = ManufacturerCA.load(args.ca_keystore, os.environ.get(CA_ENV) or passphrase)
    elif args.ca_key:
        ca = ManufacturerCA.from_key(args.ca_key)
    else:
        ca = ManufacturerCA.generate()
        generated = args.new_ca or f"{args.keystore}.ca.json"
        if Path(generated).exists():
            raise ConfigError(f"{generated} already exists")
    meter = Meter.create(args.keystore, passphrase, ca=ca, kdf=kdf)
    if generated:
        ca.save(generated, os.environ.get(CA_ENV) or passphrase, kdf=kdf)
    pool = meter.create_pool(args.pool_size)
    _print(
        {
            "keystore": str(meter.path),
            "meter": meter.address,
            "ca": ca.address,
            "caKeystore": generated,
            "poolRoot": "0x" + pool.root.hex() if pool.root else None,
            "poolSize": pool.size,
        }
    )
    return 0


def _coe(args: argparse.Namespace) -> int:
    from eth_utils import is_address, to_checksum_address

    from ..coe import VerifierMeter, request_coe
    from ..meter import Meter

    meter = Meter.open(args.keystore, _passphrase(METER_ENV, "meter keystore"))
    verifier = Meter.open(args.verifier, os.environ.get(VERIFIER_ENV) or _passphrase(METER_ENV, "verifier keystore"))
    if args.root:
        try:
            root = bytes.fromhex(args.root.removeprefix("0x"))
        except ValueError:
            raise ConfigError(f"--root is not hex: {args.root!r}") from None
        meter.pool(root)
    else:
        pending = [p for p in meter.pools if p.root is not None and p.coe is None]
        if not pending:
            raise ConfigError(f"{args.keystore} has no pool waiting for a CoE (give --root)")
        root = pending[-1].root
    trusted = args.trusted_ca or [verifier.certificate.signer()]
    for a in trusted:
        if not is_address(a):
            raise ConfigError(f"--trusted-ca is not an address: {a!r}")
    if (args.market is None) != (args.chain_id is None):
        raise ConfigError("--market and --chain-id go together (the possession proof is signed for one market)")
    if args.market is not None and not is_address(args.market):
        raise ConfigError(f"--market is not an address: {args.market!r}")
    coe = request_coe(meter, root, [VerifierMeter(verifier, [to_checksum_address(a) for a in trusted])])
    out: dict[str, Any] = {**coe.to_json(), "ca": coe.ca}
    if args.market is not None:
        index, proof, signature = meter.sign_coe_registration(root, coe.verifier, args.chain_id, args.market)
        out["possession"] = {
            "leafIndex": index,
            "proof": ["0x" + p.hex() for p in proof],
            "signature": "0x" + signature.hex(),
        }
    if args.out:
        Path(args.out).write_text(json.dumps(out, indent=2) + "\n")
    _print(out)
    return 0


def _erc(args: argparse.Namespace) -> int:
    from eth_utils import is_address

    from ..meter import Meter, build_erc

    try:
        ctp_id = bytes.fromhex(args.ctp_id.removeprefix("0x"))
    except ValueError:
        raise ConfigError(f"--ctp-id is not hex: {args.ctp_id!r}") from None
    if not is_address(args.market):
        raise ConfigError(f"--market is not an address: {args.market!r}")
    if args.meter_key is not None and not is_address(args.meter_key):
        raise ConfigError(f"--meter-key is not an address: {args.meter_key!r}")
    meter = Meter.open(args.keystore, _passphrase(METER_ENV, "meter keystore"))
    erc = build_erc(
        meter,
        ctp_id,
        args.price,
        args.energy_wh,
        args.chain_id,
        args.market,
        timestamp=args.timestamp,
        meter_key=args.meter_key,
    )
    _print(erc.to_json())
    return 0


def _reserve(args: argparse.Namespace) -> int:
    from ..meter import Meter

    root = None
    if args.root is not None:
        try:
            root = bytes.fromhex(args.root.removeprefix("0x"))
        except ValueError:
            raise ConfigError(f"--root is not hex: {args.root!r}") from None
    meter = Meter.open(args.keystore, _passphrase(METER_ENV, "meter keystore"))
    reservation = meter.reserve_key(root)
    _print(
        {
            "meterKey": reservation.address,
            "coeRoot": "0x" + reservation.coe_root.hex(),
            "leafIndex": reservation.leaf_index,
        }
    )
    return 0


def _info(args: argparse.Namespace) -> int:
    from ..meter import Meter

    meter = Meter.open(args.keystore, _passphrase(METER_ENV, "meter keystore"))
    _print(
        {
            "meter": meter.address,
            "ca": meter.certificate.signer(),
            "pools": [
                {
                    "root": None if p.root is None else "0x" + p.root.hex(),
                    "size": p.size,
                    "unused": p.unused,
                    "anonymitySet": p.members,
                    "group": p.is_group,
                    "coe": p.coe is not None,
                }
                for p in meter.pools
            ],
        }
    )
    return 0
