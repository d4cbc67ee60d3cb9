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

from ...kernel.commandline import address, hex_bytes, int_range, output_file, readable_file
from ...kernel.errors import ConfigError, GridLedgerError
from ...kernel.fs import atomic_write

METER_ENV = "GRIDLEDGER_METER_PASSPHRASE"
VERIFIER_ENV = "GRIDLEDGER_VERIFIER_PASSPHRASE"
CA_ENV = "GRIDLEDGER_CA_PASSPHRASE"


def kdf_n(text: str) -> int:
    """scrypt n: a power of two from 2 to 2**20 (memory: 128 * 8 * n bytes)."""
    value = int_range(2, 2**20)(text)
    if value & (value - 1):
        raise argparse.ArgumentTypeError(f"must be a power of two, got {value}")
    return value


#: field sizes of the signed structures (CTP price uint96, energy uint128, timestamps uint64)
_price = int_range(0, 2**96 - 1)
_energy = int_range(0, 2**128 - 1)
_chain_id = int_range(1, 2**64 - 1)
_timestamp = int_range(0, 2**64 - 1)


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("meter", help="smart meter: keystore, key pool, Certificate of Existence, receipts")
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True

    init = actions.add_parser("init", help="create a meter keystore: M-key, CA certificate and a one-time key pool")
    init.add_argument(
        "keystore", metavar="KEYSTORE", type=output_file, help="meter keystore file to create (mode 0600)"
    )
    init.add_argument(
        "--pool-size", type=int_range(1, 2**20), default=1024, help="one-time keys in the pool (default 1024)"
    )
    ca = init.add_mutually_exclusive_group()
    ca.add_argument(
        "--ca-keystore",
        metavar="FILE",
        type=readable_file,
        help=f"manufacturer CA key (eth-account keystore; ${CA_ENV})",
    )
    ca.add_argument("--ca-key", metavar="HEX", help="manufacturer CA private key (demo only: visible to `ps`)")
    init.add_argument(
        "--new-ca",
        metavar="FILE",
        type=output_file,
        help="with neither CA option: where to write the generated demo CA keystore (default KEYSTORE.ca.json)",
    )
    init.add_argument("--kdf-n", type=kdf_n, default=2**17, help="scrypt cost n (power of two; default 2**17)")
    init.set_defaults(func=_init)

    coe = actions.add_parser("coe", help="get a Certificate of Existence for a pool root from a verifier meter")
    coe.add_argument("keystore", metavar="KEYSTORE", type=readable_file, help="the requesting meter's keystore")
    coe.add_argument(
        "--verifier",
        required=True,
        metavar="KEYSTORE",
        type=readable_file,
        help=f"verifier meter keystore (${VERIFIER_ENV})",
    )
    coe.add_argument(
        "--trusted-ca",
        action="append",
        type=address,
        metavar="ADDRESS",
        help="manufacturer CA the verifier trusts (repeatable; default: the CA that certified the verifier)",
    )
    coe.add_argument(
        "--root", metavar="HEX", type=hex_bytes(32), help="pool root (default: the newest pool without a CoE)"
    )
    coe.add_argument("--out", metavar="FILE", type=output_file, help="also write the CoE JSON here")
    coe.add_argument(
        "--market",
        metavar="ADDRESS",
        type=address,
        help="with --chain-id: also print `possession`, the proof (a leaf key's signature) that "
        "registerCoE needs on this market",
    )
    coe.add_argument("--chain-id", type=_chain_id, help="chain id of --market")
    coe.set_defaults(func=_coe)

    reserve = actions.add_parser(
        "reserve", help="reserve a one-time key for a CTP: its address goes into the CTP's contract hash"
    )
    reserve.add_argument("keystore", metavar="KEYSTORE", type=readable_file, help="the meter's keystore")
    reserve.add_argument(
        "--root", metavar="HEX", type=hex_bytes(32), help="take the key from this pool (default: any certified pool)"
    )
    reserve.set_defaults(func=_reserve)

    erc = actions.add_parser(
        "erc", help="sign an Energy Receipt Confirmation with the key reserved for the CTP (--meter-key)"
    )
    erc.add_argument("keystore", metavar="KEYSTORE", type=readable_file, help="the meter's keystore")
    erc.add_argument(
        "--ctp-id", required=True, metavar="HEX32", type=hex_bytes(32), help="id of the CTP being confirmed (bytes32)"
    )
    erc.add_argument("--price", required=True, type=_price, help="CTP price (wei)")
    erc.add_argument("--energy-wh", required=True, type=_energy, help="energy delivered (Wh)")
    erc.add_argument("--chain-id", required=True, type=_chain_id, help="chain id of the market")
    erc.add_argument("--market", required=True, metavar="ADDRESS", type=address, help="SPB market contract address")
    erc.add_argument("--timestamp", type=_timestamp, help="receipt time (unix seconds; default now)")
    erc.add_argument(
        "--meter-key",
        metavar="ADDRESS",
        type=address,
        help="the key reserved for this CTP (`meter reserve`); without it a fresh key signs, which only "
        "settles a CTP that names that key",
    )
    erc.set_defaults(func=_erc)

    info = actions.add_parser("info", help="show the meter's identity and pools (no secrets)")
    info.add_argument("keystore", metavar="KEYSTORE", type=readable_file)
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

    if Path(args.keystore).exists():
        raise ConfigError(f"{args.keystore} already exists")
    kdf = KdfParams(n=args.kdf_n)
    passphrase = _passphrase(METER_ENV, "meter keystore", confirm=True)
    generated = None
    if args.ca_keystore:
        ca = ManufacturerCA.load(args.ca_keystore, os.environ.get(CA_ENV) or passphrase)
    elif args.ca_key:
        try:
            ca = ManufacturerCA.from_key(args.ca_key)
        except (ValueError, TypeError, GridLedgerError):
            raise ConfigError("--ca-key is not a private key (32 bytes of hex)") from None
    else:
        ca = ManufacturerCA.generate()
        generated = args.new_ca or Path(f"{args.keystore}.ca.json")
        if Path(generated).exists():
            raise ConfigError(f"{generated} already exists")
    # all or nothing: an interrupted or failed init leaves neither a keystore without a
    # pool nor a stray CA keystore (a second init would refuse to touch them)
    created: list[Path] = []
    try:
        meter = Meter.create(args.keystore, passphrase, ca=ca, kdf=kdf)
        created.append(Path(args.keystore))
        if generated:
            ca.save(generated, os.environ.get(CA_ENV) or passphrase, kdf=kdf)
            created.append(Path(generated))
        pool = meter.create_pool(args.pool_size)
    except BaseException:
        for path in created:
            path.unlink(missing_ok=True)
            path.with_name(path.name + ".journal").unlink(missing_ok=True)
        raise
    _print(
        {
            "keystore": str(meter.path),
            "meter": meter.address,
            "ca": ca.address,
            "caKeystore": None if generated is None else str(generated),
            "poolRoot": "0x" + pool.root.hex() if pool.root else None,
            "poolSize": pool.size,
        }
    )
    return 0


def _coe(args: argparse.Namespace) -> int:
    from ..coe import VerifierMeter, request_coe
    from ..meter import Meter

    if (args.market is None) != (args.chain_id is None):
        raise ConfigError("--market and --chain-id go together (the possession proof is signed for one market)")
    meter = Meter.open(args.keystore, _passphrase(METER_ENV, "meter keystore"))
    verifier = Meter.open(args.verifier, os.environ.get(VERIFIER_ENV) or _passphrase(METER_ENV, "verifier keystore"))
    if args.root:
        root = args.root
        meter.pool(root)
    else:
        pending = [p for p in meter.pools if p.root is not None and p.coe is None]
        if not pending:
            raise ConfigError(f"{args.keystore} has no pool waiting for a CoE (give --root)")
        root = pending[-1].root
    trusted = args.trusted_ca or [verifier.certificate.signer()]
    coe = request_coe(meter, root, [VerifierMeter(verifier, list(trusted))])
    out: dict[str, Any] = {**coe.to_json(), "ca": coe.ca}
    if args.market is not None:
        index, proof, signature = meter.sign_coe_registration(root, coe.verifier, args.chain_id, args.market)
        out["possession"] = {
            "leafIndex": index,
            "proof": ["0x" + p.hex() for p in proof],
            "signature": "0x" + signature.hex(),
        }
    if args.out:
        atomic_write(args.out, json.dumps(out, indent=2) + "\n", mode=0o644)
    _print(out)
    return 0


def _erc(args: argparse.Namespace) -> int:
    from ..meter import Meter, build_erc

    ctp_id = args.ctp_id
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

    root = args.root
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
