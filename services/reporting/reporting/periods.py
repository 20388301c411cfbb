"""Reporting periods (a month, quarter, half year, year or range of months) and late-event booking."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

__all__ = [
    "MONTH_NAMES",
    "Closure",
    "Period",
    "PeriodError",
    "add_months",
    "book",
    "horizon_of",
    "month_label",
    "month_of",
]

MONTH_NAMES = (
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
)  # fmt: skip

_YEAR = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_HALF = re.compile(r"^(\d{4})-H([12])$")
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_RANGE = re.compile(r"^(\d{4}-(?:0[1-9]|1[0-2]))\.\.(\d{4}-(?:0[1-9]|1[0-2]))$")
# A period spans at most this many months: a report over decades is not what the API is for.
_MAX_MONTHS = 36
# The platform's calendar (common.bounds): periods outside it are refused.
_FIRST_YEAR, _LAST_YEAR = 2000, 2100


class PeriodError(ValueError):
    """A period label that does not parse, or a range that is empty or too long."""


def add_months(month: date, months: int) -> date:
    """The first day of the month ``months`` after ``month``'s (negative goes back)."""
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_of(day: date | datetime) -> date:
    """The first day of the month ``day`` falls in."""
    return date(day.year, day.month, 1)


def month_label(month: date) -> str:
    """``maart 2026``."""
    return f"{MONTH_NAMES[month.month - 1]} {month.year}"


@dataclass(frozen=True)
class Period:
    """A run of whole calendar months, named by its label (``2026``, ``2026-Q1``, ``2026-03``, ...)."""

    label: str
    first_month: date
    last_month: date

    @classmethod
    def parse(cls, label: str) -> Period:
        """Parse ``YYYY``, ``YYYY-Qn``, ``YYYY-Hn``, ``YYYY-MM`` or ``YYYY-MM..YYYY-MM``; PeriodError otherwise."""
        try:
            return cls._parse(label)
        except PeriodError:
            raise
        except ValueError:  # a year the calendar does not have (0000)
            raise PeriodError(f"a period lies between {_FIRST_YEAR} and {_LAST_YEAR}") from None

    @classmethod
    def _parse(cls, label: str) -> Period:
        if match := _YEAR.match(label):
            year = int(match[1])
            return cls._checked(label, date(year, 1, 1), date(year, 12, 1))
        if match := _QUARTER.match(label):
            first = date(int(match[1]), 3 * int(match[2]) - 2, 1)
            return cls._checked(label, first, add_months(first, 2))
        if match := _HALF.match(label):
            first = date(int(match[1]), 6 * int(match[2]) - 5, 1)
            return cls._checked(label, first, add_months(first, 5))
        if match := _MONTH.match(label):
            first = date(int(match[1]), int(match[2]), 1)
            return cls._checked(label, first, first)
        if match := _RANGE.match(label):
            first, last = (date(int(m[:4]), int(m[5:]), 1) for m in (match[1], match[2]))
            return cls._checked(label, first, last)
        raise PeriodError("not a period: use 2026, 2026-Q1, 2026-H1, 2026-03 or 2026-01..2026-06")

    @classmethod
    def _checked(cls, label: str, first: date, last: date) -> Period:
        # Replies never repeat the label sent; years past 2100 are refused before any month arithmetic
        # (9999-Q4 would need the year 10000, 0000-01 has no first day).
        if first.year < _FIRST_YEAR or last.year > _LAST_YEAR:
            raise PeriodError(f"a period lies between {_FIRST_YEAR} and {_LAST_YEAR}")
        if last < first:
            raise PeriodError("the period ends before it starts")
        period = cls(label, first, last)
        if len(period.months) > _MAX_MONTHS:
            raise PeriodError(f"a period spans at most {_MAX_MONTHS} months")
        return period

    @property
    def months(self) -> list[date]:
        """Every month of the period, first days, in order."""
        months, month = [], self.first_month
        while month <= self.last_month:
            months.append(month)
            month = add_months(month, 1)
        return months

    @property
    def end(self) -> datetime:
        """The local midnight the period ends at (exclusive): the first day of the month after it."""
        following = add_months(self.last_month, 1)
        return datetime(following.year, following.month, 1)

    @property
    def start(self) -> datetime:
        """The local midnight the period starts at."""
        return datetime(self.first_month.year, self.first_month.month, 1)

    def contains(self, month: date) -> bool:
        """Whether ``month`` (a first day) lies in the period."""
        return self.first_month <= month <= self.last_month

    def describe(self) -> str:
        """Dutch name of the period: ``2026``, ``1e kwartaal 2026``, ``maart 2026``, ``januari 2026 tot en met ...``."""
        if _YEAR.match(self.label):
            return self.label
        if match := _QUARTER.match(self.label):
            return f"{match[2]}e kwartaal {match[1]}"
        if match := _HALF.match(self.label):
            return f"{match[2]}e halfjaar {match[1]}"
        if self.first_month == self.last_month:
            return month_label(self.first_month)
        return f"{month_label(self.first_month)} tot en met {month_label(self.last_month)}"


@dataclass(frozen=True)
class Closure:
    """A closed period of one municipality: months up to ``last_month`` are frozen from ``closed_at`` on."""

    closed_at: datetime
    last_month: date


def book(natural: date, recorded_at: datetime, closures: Sequence[Closure]) -> date:
    """The month a flow is reported in: its own, unless that month was closed before the event was recorded.

    A late event (recorded after its month's period closed) goes to the first month after everything
    closed by then, so a closed period's figures never change. Only ``recorded_at`` and the closures
    decide, never when the event happened to be consumed: a replay books every event the same way.
    """
    horizon: date | None = None
    for closure in closures:
        if closure.closed_at <= recorded_at and (horizon is None or closure.last_month > horizon):
            horizon = closure.last_month
    if horizon is None or natural > horizon:
        return natural
    return add_months(horizon, 1)


def horizon_of(closures: Iterable[Closure]) -> date | None:
    """The last month closed so far, or None."""
    return max((closure.last_month for closure in closures), default=None)
