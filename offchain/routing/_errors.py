"""Errors of the routing package (re-exported by :mod:`offchain.routing`)."""

from __future__ import annotations

from ..kernel.errors import GridLedgerError, SignatureError

__all__ = [
    "RoutingError",
    "FrameError",
    "BadSignatureError",
    "ProofOfWorkError",
    "UndeliverableError",
    "BackboneUnavailableError",
    "JoinRefusedError",
    "SessionError",
]


class RoutingError(GridLedgerError):
    """Something on the Anonymous Routing Backbone failed."""


class FrameError(RoutingError):
    """A frame is malformed, of an unknown type, or larger than the limit."""


class BadSignatureError(RoutingError, SignatureError):
    """A signature on the backbone does not verify, or was made by another key than claimed."""


class ProofOfWorkError(RoutingError):
    """A message's proof-of-work stamp is missing or below the required difficulty."""


class UndeliverableError(RoutingError):
    """The backbone reported that a message could not be delivered (with the reason)."""

    def __init__(self, reason: str, msg_id: bytes | None = None) -> None:
        super().__init__(f"message {msg_id.hex()[:12] + '…' if msg_id else ''} undeliverable: {reason}")
        self.reason = reason
        self.msg_id = msg_id


class BackboneUnavailableError(RoutingError):
    """No backbone node responsible for a key could be reached."""


class JoinRefusedError(RoutingError):
    """A backbone node refused a join (bad or missing signature, stale timestamp...)."""


class SessionError(RoutingError):
    """A frame or handshake refused by the end-to-end session layer.

    ``kind`` names the refusal (``replay``, ``reordered``, ``stale``, ``tampered``,
    ``downgrade``, ``signature``, ``malformed``, ``misdirected``, ``exhausted``); the
    message is the reason that is logged.
    """

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason
