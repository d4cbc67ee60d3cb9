"""``gridledger bench merkle``: key pool generation + CoE tree + all proofs (printed, not asserted).

Goal from the issue: 65,536 one-time keys, their StandardMerkleTree
(``["uint256", "address"]`` leaves) and every proof in <= 3 s on the project machine.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Sequence

from ..kernel.commandline import OneLineParser, int_range
from ..kernel.crypto import generate_keypairs
from .certificates import ManufacturerCA
from .keystore import KdfParams
from .merkle import COE_LEAF, StandardMerkleTree, make_merkle_tree, process_proof
from .meter import Meter
from .pools import coe_leaf_hash

__all__ = ["merkle_main", "pool_timings"]


def pool_timings(keys: int) -> dict[str, float]:
    """Seconds per phase for a pool of ``keys`` keys (keygen, leaf hashes, tree, all proofs)."""
    t0 = time.perf_counter()
    secrets_, addresses = generate_keypairs(keys)
    t1 = time.perf_counter()
    hashes = [coe_leaf_hash(i, a) for i, a in enumerate(addresses)]
    order = sorted(range(keys), key=hashes.__getitem__)
    t2 = time.perf_counter()
    tree = make_merkle_tree([hashes[i] for i in order])
    t3 = time.perf_counter()
    size = len(tree)
    proofs = []
    for pos in range(keys):
        proof, i = [], size - 1 - pos
        while i > 0:
            proof.append(tree[i - 1 if i % 2 == 0 else i + 1])
            i = (i - 1) // 2
        proofs.append(proof)
    t4 = time.perf_counter()
    # spot check against the reference StandardMerkleTree (outside the timing)
    if keys <= 64:
        sample = [[str(i), "0x" + addresses[i].hex()] for i in range(keys)]
        assert StandardMerkleTree.of(sample, COE_LEAF).root == tree[0]
    assert process_proof(tree[size - 1], proofs[0]) == tree[0]
    del secrets_
    return {"keygen": t1 - t0, "leaf_hashes": t2 - t1, "tree": t3 - t2, "proofs": t4 - t3, "total": t4 - t0}


def merkle_main(argv: Sequence[str]) -> int:
    parser = OneLineParser(prog="gridledger bench merkle", description=__doc__)
    parser.add_argument("--keys", type=int_range(1, 2**22), default=65_536, help="pool size (default 65536)")
    parser.add_argument(
        "--runs", type=int_range(1, 1000), default=3, help="repetitions; the best and the mean are printed"
    )
    parser.add_argument("--keystore", action="store_true", help="also time a meter keystore save + open of the pool")
    args = parser.parse_args(list(argv))
    runs = [pool_timings(args.keys) for _ in range(max(args.runs, 1))]
    print(f"merkle pool benchmark: {args.keys:,} keys, {len(runs)} runs (goal: total <= 3.0 s)")
    for phase in ("keygen", "leaf_hashes", "tree", "proofs", "total"):
        vals = [r[phase] for r in runs]
        print(f"  {phase:<12} best {min(vals):7.3f} s   mean {sum(vals) / len(vals):7.3f} s")
    if args.keystore:
        with tempfile.TemporaryDirectory() as tmp:
            meter = Meter.create(f"{tmp}/m.json", "bench", ca=ManufacturerCA.generate(), kdf=KdfParams())
            t0 = time.perf_counter()
            meter.create_pool(args.keys)
            t1 = time.perf_counter()
            Meter.open(f"{tmp}/m.json", "bench")
            t2 = time.perf_counter()
            print(
                f"  meter.create_pool incl. encrypted save: {t1 - t0:.3f} s; Meter.open (scrypt n=2**17): {t2 - t1:.3f} s"
            )
    return 0
