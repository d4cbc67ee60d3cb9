"""Regenerate ``cid_vectors.json`` with a real IPFS node (js-ipfs 0.66.1, Kubo RPC API).

    .venv/bin/python tests/grid/offchain/make_cid_vectors.py

Starts an offline js-ipfs daemon, ``add``s every input of :mod:`cid_inputs` with the node's
defaults through ``ipfshttpclient`` and records the CIDs the node returns, plus the number
of links of each root (from ``object links``) as evidence of the DAG shape. Not a test: run it
by hand when the inputs change, and commit the JSON.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import ipfshttpclient

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from offchain.ipfs import JsIpfsNode  # noqa: E402

from tests.grid.offchain.cid_inputs import CASES, make_input  # noqa: E402


def main() -> None:
    vectors = {}
    with JsIpfsNode() as api:
        client = ipfshttpclient.Client(api)
        version = client.version()
        for name, size in CASES.items():
            cid = client.add_bytes(make_input(name))
            links = len(client.object.links(cid).get("Links") or [])
            vectors[name] = {"size": size, "cid": cid, "root_links": links}
            print(f"{name:16} {size:>10} {cid} links={links}")
    doc = {
        "_note": (
            "CIDs returned by a real IPFS node: js-ipfs from npm ipfs@0.66.1 (Kubo-compatible /api/v0, "
            f"/api/v0/version reports {version.get('Version')}) started offline by "
            "tests/grid/offchain/make_cid_vectors.py, `add` with the node's defaults through ipfshttpclient 0.7.0 "
            "(CIDv0, UnixFS file leaves, 256 KiB fixed chunker, balanced layout, 174 links per node, "
            "sha2-256). Kubo itself is not installable from PyPI/npm on this project's machines; the "
            "`hello` vector equals the value real Kubo gives (QmZULkCELmmk5XNfCgTnCyFgAVxBRBXyDHGGMVoLFLiXEN) "
            "and the empty-file CID is Kubo's well-known QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH. "
            "Inputs: tests/grid/offchain/cid_inputs.py (generated, not committed)."
        ),
        "vectors": vectors,
    }
    (HERE / "cid_vectors.json").write_text(json.dumps(doc, indent=2) + "\n")


if __name__ == "__main__":
    main()
