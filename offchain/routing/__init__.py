"""Anonymous Routing Backbone (SPB) with private messaging (PriWatt) and onion mode (PETra).

- :class:`RoutingTable` — the DHT from routing bytes (X most significant bytes of a
  public key) to backbone nodes; rebuilt with a larger X on overload.
- :class:`BackboneNode` / :class:`BackboneCluster` — asyncio TCP backbone nodes, one
  process each.
- :class:`RegularNode` — joins with signed join messages, sends messages under
  end-to-end session keys (one authenticated ephemeral handshake per pair of keys,
  then AEAD per message; :class:`SessionOptions`), optionally as onions with per-hop
  session keys, optionally with a proof-of-work stamp.
- :class:`BackgroundBackbone` — backbone processes plus an event loop thread, for
  synchronous callers (the trading day's parts).
- :class:`ArbTransport` — the negotiation :class:`~offchain.negotiation.Transport` over
  the backbone; :mod:`offchain.routing.simulate` runs the same routing in-process for
  large-N packet counts.
"""

from __future__ import annotations

from ._errors import (
    BackboneUnavailableError,
    BadSignatureError,
    FrameError,
    JoinRefusedError,
    ProofOfWorkError,
    RoutingError,
    SessionError,
    UndeliverableError,
)
from .backbone import BackboneNode, NodeOptions
from .background import BackgroundBackbone
from .cluster import BackboneCluster
from .envelope import Envelope, open_envelope, seal
from .node import Received, RegularNode, backbone_admin, backbone_stats
from .session import SessionOptions
from .simulate import SimulatedNetwork, SimulatedTransport
from .table import BackboneInfo, RoutingTable
from .transport import ArbTransport

__all__ = [
    "ArbTransport",
    "BackgroundBackbone",
    "BackboneCluster",
    "BackboneInfo",
    "BackboneNode",
    "BackboneUnavailableError",
    "BadSignatureError",
    "Envelope",
    "FrameError",
    "JoinRefusedError",
    "NodeOptions",
    "ProofOfWorkError",
    "Received",
    "RegularNode",
    "RoutingError",
    "RoutingTable",
    "SessionError",
    "SessionOptions",
    "SimulatedNetwork",
    "SimulatedTransport",
    "UndeliverableError",
    "backbone_admin",
    "backbone_stats",
    "open_envelope",
    "seal",
]
