"""Where "now" comes from: the system clock in services, a clock the test moves in tests of time-driven work."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

__all__ = ["DUTCH_TIME", "Clock", "ManualClock", "SystemClock", "dutch_date", "dutch_today", "utc_now"]

# The platform's people live by Dutch wall-clock time: "today" and "a day" are days in Amsterdam, not UTC days
# (between midnight and 01:00 or 02:00 Dutch time the UTC date is still yesterday's).
DUTCH_TIME = ZoneInfo("Europe/Amsterdam")


def utc_now() -> datetime:
    """The current time in UTC (for code outside any unit of work: logs, tooling)."""
    return datetime.now(UTC)


def dutch_date(moment: datetime) -> date:
    """The calendar day in the Netherlands at ``moment`` (timezone-aware)."""
    return moment.astimezone(DUTCH_TIME).date()


def dutch_today() -> date:
    """Today's date in the Netherlands (for validation outside any unit of work)."""
    return dutch_date(datetime.now(UTC))


class Clock(Protocol):
    """Tells the time; every unit of work and scheduled job asks one, so tests can control it."""

    def now(self) -> datetime:
        """The current moment, timezone-aware (UTC)."""
        ...


class SystemClock:
    """The real time."""

    def now(self) -> datetime:
        """The current moment in UTC."""
        return datetime.now(UTC)


class ManualClock:
    """A clock that stands still until the test moves it (scheduled jobs, expiry, retention)."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("a clock's time must be timezone-aware")
        self._now = start

    def now(self) -> datetime:
        """The moment the test set."""
        return self._now

    def set(self, moment: datetime) -> None:
        """Jump to ``moment`` (forward or back)."""
        if moment.tzinfo is None:
            raise ValueError("a clock's time must be timezone-aware")
        self._now = moment

    def advance(self, delta: timedelta) -> datetime:
        """Move forward by ``delta``; returns the new moment."""
        self._now += delta
        return self._now
