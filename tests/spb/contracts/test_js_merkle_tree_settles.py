"""A CoE tree built by OpenZeppelin's JavaScript merkle-tree verifies on chain."""

import json
import subprocess
from pathlib import Path

import pytest
from eth_account import Account

from offchain.spb.merkle import COE_LEAF, StandardMerkleTree

from tests.spb.contracts.helpers import PRICE, KeyPool, earnings

ROOT = Path(__file__).resolve().parents[3]

JS = """
const { StandardMerkleTree } = require(process.argv[1] + '/node_modules/@openzeppelin/merkle-tree');
const values = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const tree = StandardMerkleTree.of(values, ['uint256', 'address']);
const proofs = values.map((v) => tree.getProof(v));
process.stdout.write(JSON.stringify({ root: tree.root, proofs, dump: tree.dump() }));
"""


@pytest.fixture(scope="module")
def js_pool():
    """A pool of 37 keys whose tree, root and proofs come from the JS library."""
    keys = [Account.create() for _ in range(37)]
    values = [[str(i), k.address] for i, k in enumerate(keys)]
    out = subprocess.run(
        ["node", "-e", JS, str(ROOT)], input=json.dumps(values), capture_output=True, text=True, check=True
    )
    data = json.loads(out.stdout)
    return keys, data


def test_js_tree_and_python_tree_agree(js_pool):
    keys, data = js_pool
    py = StandardMerkleTree.of([(i, k.address) for i, k in enumerate(keys)], COE_LEAF)
    assert "0x" + py.root.hex() == data["root"]
    assert StandardMerkleTree.load(data["dump"]).root == py.root


def test_proofs_from_the_js_library_settle_on_chain(
    market, register_coe, funded, make_ctp, make_erc, producer, js_pool, account_id
):
    keys, data = js_pool
    pool = KeyPool(keys, StandardMerkleTree.load(data["dump"]))
    register_coe(pool)
    for leaf in (0, 17, 36):
        ctp, terms = make_ctp()
        market.commit(ctp.as_args(), {"from": funded})
        js_proof = [bytes.fromhex(p[2:]) for p in data["proofs"][leaf]]
        erc = make_erc(ctp, terms, leaf=leaf, pool=pool, proof=js_proof)
        market.settle(ctp.as_args(), terms.as_args(), erc, {"from": producer})
        assert market.isLeafUsed(pool.root, leaf)
    assert earnings(market, account_id) == 3 * PRICE
