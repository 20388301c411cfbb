"""What every registry use case shares: its errors, where a command came from, and emitting events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from common.db import Connection
from common.errors import Conflict, NotFound, Rejected
from common.outbox import add_to_outbox, make_envelope
from contracts import Event

__all__ = ["Conflict", "NotFound", "Origin", "Rejected", "emit", "utc_now"]


@dataclass(frozen=True)
class Origin:
    """Where a command came from: the producing service, the region, the request's correlation id."""

    source: str
    region: str
    correlation_id: UUID
    causation_id: UUID | None = None


def utc_now() -> datetime:
    """The current time in UTC (one place, so use cases agree on it)."""
    return datetime.now(UTC)


async def emit(conn: Connection, event: Event, origin: Origin, tenant: str) -> None:
    """Queue ``event`` in the outbox of the current transaction."""
    envelope = make_envelope(
        event,
        source=origin.source,
        tenant=tenant,
        region=origin.region,
        correlation_id=origin.correlation_id,
        causation_id=origin.causation_id,
    )
    await add_to_outbox(conn, event, envelope)
