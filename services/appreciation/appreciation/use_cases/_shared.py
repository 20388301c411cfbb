"""What every appreciation use case shares: its errors and where a command came from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

__all__ = ["Conflict", "NotFound", "Origin", "Rejected", "utc_now"]


class NotFound(Exception):
    """The record does not exist, or not for this caller (the two are not told apart)."""


class Conflict(Exception):
    """The command contradicts the current state (e.g. a rule id that is taken)."""


class Rejected(Exception):
    """The command breaks a rule; ``reasons`` say which, ``field`` where (in the body, or ``location``)."""

    def __init__(self, reasons: list[str], field: str = "body", location: str = "body") -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons
        self.field = field
        self.location = location


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
