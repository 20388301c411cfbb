"""Realistic ranges for the numbers and dates requests carry, shared by every service's request models.

PostgreSQL's ``integer`` stops at 2^31-1 and ``bigint`` at 2^63-1, Python's ``date`` at the year 9999, and
a period or payment in the year 1 or 9999 is nonsense that the code below the API was never meant to meet
(issue 13: ``offset`` 2^63, ``version`` 2^31, ``paid_on`` 9999-12-31 and birth dates in the year 1 were 500s
or stored as if true). The bounds are wide enough for any real request and narrow enough that arithmetic on
them (a month later, a year earlier) cannot leave the calendar.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, Field

__all__ = [
    "EARLIEST_BIRTH_DATE",
    "FIRST_DAY",
    "LAST_DAY",
    "MAX_OFFSET",
    "MAX_VERSION",
    "BirthDate",
    "Offset",
    "PlatformDate",
    "PlatformDateTime",
    "Version",
]

# The platform's calendar: nothing it records (a shift, a VOG, a payment, a period) lies outside it.
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2100, 12, 31)
# The oldest volunteer anyone registers (about 125 years old).
EARLIEST_BIRTH_DATE = date(1900, 1, 1)
# Paging beyond a million rows is no page; a version number fits PostgreSQL's integer.
MAX_OFFSET = 1_000_000
MAX_VERSION = 2**31 - 1

PlatformDate = Annotated[
    date,
    Field(ge=FIRST_DAY, le=LAST_DAY, description="A day between 2000-01-01 and 2100-12-31."),
]
"""A day the platform can mean: a shift, a task window, a VOG, an hour logged, a payment."""


def _within_platform_years(moment: datetime) -> datetime:
    # Compared by calendar day, so naive and aware moments are checked alike (comparing the two raises).
    if not FIRST_DAY <= moment.date() <= LAST_DAY:
        raise ValueError(f"must lie between {FIRST_DAY.isoformat()} and {LAST_DAY.isoformat()}")
    return moment


PlatformDateTime = Annotated[datetime, AfterValidator(_within_platform_years)]
"""A moment between 2000-01-01 and 2100-12-31 (e.g. a one-off task's start and end)."""

BirthDate = Annotated[
    date,
    Field(ge=EARLIEST_BIRTH_DATE, description="A birth date from 1900-01-01 on, not in the future."),
]
"""A person's birth date (not in the future: the model checks that against today)."""

Offset = Annotated[int, Field(ge=0, le=MAX_OFFSET, description="Rows to skip (at most a million).")]
Version = Annotated[int, Field(ge=1, le=MAX_VERSION, description="A version number (1 and up).")]
