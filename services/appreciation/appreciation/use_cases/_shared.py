"""What every appreciation use case shares: the common errors and where a command came from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from common.errors import Conflict, NotFound, Rejected

__all__ = ["Conflict", "NotFound", "Origin", "Rejected", "utc_now"]


@dataclass(frozen=True)
class Origin:
    """Where an award came from: this service in its region, and the event or request that caused it."""

    source: str
    region: str
    correlation_id: UUID | None = None
    causation_id: UUID | None = None


def utc_now() -> datetime:
    """The current time in UTC."""
    return datetime.now(UTC)
