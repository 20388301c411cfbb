"""The webhook signature: HMAC-SHA256 over ``<unix time>.<body>`` with the partner's secret, in one header.

``X-Regio-Signature: t=1767268800,v1=5257a869e7…`` (``v1``: lowercase hex). A receiver recomputes it over
the exact bytes it received, compares in constant time and refuses a ``t`` further than the tolerance
from its own clock (a replayed old delivery); the delivery id (``X-Regio-Delivery``) stays the same on
every attempt, so a receiver that stores it does a retried delivery's work once. ``verify`` is the
reference a partner can copy (the README shows it without this module).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

__all__ = [
    "DELIVERY_HEADER",
    "EVENT_HEADER",
    "SIGNATURE_HEADER",
    "TOLERANCE_S",
    "new_secret",
    "sign",
    "signature_header",
    "verify",
]

SIGNATURE_HEADER = "X-Regio-Signature"
EVENT_HEADER = "X-Regio-Event"
DELIVERY_HEADER = "X-Regio-Delivery"
# How far a signature's time may lie from the receiver's clock (either way) before it is refused as a replay.
TOLERANCE_S = 300
_SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    """A new signing secret: 256 random bits, recognisable by its prefix."""
    return _SECRET_PREFIX + secrets.token_urlsafe(32)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The ``v1`` signature: lowercase hex HMAC-SHA256, keyed with the secret's UTF-8 bytes, of ``t.body``."""
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    """The ``X-Regio-Signature`` value for a delivery sent at ``timestamp`` (Unix seconds)."""
    return f"t={timestamp},v1={sign(secret, timestamp, body)}"


def verify(secret: str, header: str, body: bytes, now: int, tolerance_s: int = TOLERANCE_S) -> bool:
    """Whether ``header`` signs ``body`` with ``secret`` at a time within ``tolerance_s`` of ``now``."""
    try:
        parts = dict(part.split("=", 1) for part in header.split(","))
        timestamp = int(parts["t"])
        given = parts["v1"]
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > tolerance_s:
        return False
    return hmac.compare_digest(given, sign(secret, timestamp, body))
