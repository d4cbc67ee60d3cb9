"""A local IPFS node with the Kubo RPC API (js-ipfs from ``node_modules``), offline (infrastructure).

Used by ``gridledger ipfs up|down|status`` and by any mechanism that stores files on
IPFS (grid bills: :class:`offchain.grid.IpfsBillStore` talks to its API).
"""

from __future__ import annotations

from .node import (
    IpfsNodeError,
    IpfsPortTakenError,
    JsIpfsNode,
    api_multiaddr,
    detached_api,
    start_detached,
    stop_detached,
)

__all__ = [
    "IpfsNodeError",
    "IpfsPortTakenError",
    "JsIpfsNode",
    "api_multiaddr",
    "detached_api",
    "start_detached",
    "stop_detached",
]
