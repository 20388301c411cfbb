"""Dated shifts from a recurrence rule, pure: reading an RFC 5545 RRULE and the shifts it gives within a horizon.

A pattern says "from ``starts_on``, every time the rule fires, from ``start`` to ``end``", in Dutch wall-clock
time: a 09:00 shift is 09:00 in Amsterdam in summer (07:00 UTC) and in winter (08:00 UTC). An ``end`` at or before
``start`` ends the next day (a night shift).

Shifts are generated over a rolling ``HORIZON`` (about six months) and the daily ``extend-shifts`` job moves it on:
an unbounded rule ("the first Saturday of every month") would otherwise be infinitely many rows; six months is as
far as volunteers plan and a calendar looks, and a rule changed or ended touches few rows. A rule without COUNT or
UNTIL must fire within the horizon (a never-ending rule that only starts later is almost always a typo in the
start date). Outside the layers, like ``training_rules``: use cases call it.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from uuid import UUID
from zoneinfo import ZoneInfo

from dateutil.rrule import DAILY, MONTHLY, WEEKLY, YEARLY, rrule, rrulestr

from common.errors import Rejected

__all__ = [
    "HORIZON",
    "ShiftTimes",
    "SignupStatus",
    "check_pattern",
    "is_bounded",
    "parse_rule",
    "shift_times",
    "waiting_to_place",
]

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
HORIZON = timedelta(days=183)
"""How far ahead dated shifts exist (about six months); the daily job keeps it so."""
# Shifts recur by the day at the finest: an hourly rule is a mistake that would make thousands of rows.
_FREQUENCIES = {DAILY, WEEKLY, MONTHLY, YEARLY}
_EXAMPLE = "e.g. FREQ=MONTHLY;BYDAY=1SA (the first Saturday of every month) or FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"


class SignupStatus(StrEnum):
    """Where a sign-up for a shift stands."""

    SIGNED_UP = "signed_up"
    WAITING = "waiting"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class ShiftTimes:
    """One dated shift: its start and end as moments (timezone-aware, Amsterdam)."""

    starts_at: datetime
    ends_at: datetime


def _rule_text(text: str) -> str:
    text = text.strip()
    return text[len("RRULE:") :] if text.upper().startswith("RRULE:") else text


def parse_rule(text: str, starts_on: date, start: time) -> rrule:
    """The rule as dateutil reads it, its first shift on or after ``starts_on`` at ``start``.

    Rejected (field ``rule``) for text that is not one RFC 5545 RRULE, a frequency finer than daily, or DTSTART,
    RDATE or EXDATE lines (the pattern's own fields say when it starts). The messages never repeat the text.
    """
    body = _rule_text(text)
    if not body or "\n" in body or "\r" in body or "DTSTART" in body.upper():
        raise Rejected([f"give one RRULE line without DTSTART ({_EXAMPLE})"], field="rule")
    if any(part in body.upper() for part in ("BYHOUR", "BYMINUTE", "BYSECOND")):
        # The pattern's start and end say when a shift is; these would make many shifts a day (thousands of rows).
        raise Rejected(
            ["the shift's start and end give its time: leave out BYHOUR, BYMINUTE and BYSECOND"], field="rule"
        )
    if "FREQ=" not in body.upper():
        raise Rejected([f"a recurrence rule names its FREQ ({_EXAMPLE})"], field="rule")
    first = datetime.combine(starts_on, start)
    try:
        parsed = rrulestr(body, dtstart=first)
    except ValueError as error:
        if "UNTIL" not in str(error):
            raise Rejected([f"not an RFC 5545 recurrence rule ({_EXAMPLE})"], field="rule") from None
        # UNTIL in UTC (…Z) needs a timezone-aware start; dateutil keeps its wall-clock time either way.
        try:
            parsed = rrulestr(body, dtstart=first.replace(tzinfo=AMSTERDAM))
        except ValueError:
            raise Rejected([f"not an RFC 5545 recurrence rule ({_EXAMPLE})"], field="rule") from None
    except (TypeError, OverflowError):
        raise Rejected([f"not an RFC 5545 recurrence rule ({_EXAMPLE})"], field="rule") from None
    if not isinstance(parsed, rrule):
        raise Rejected([f"give one RRULE line ({_EXAMPLE})"], field="rule")
    # dateutil's rrule keeps its parts private (no public accessors): _freq, _count, _until, _dtstart.
    if parsed._freq not in _FREQUENCIES:
        raise Rejected(["a shift repeats daily at the most (FREQ DAILY, WEEKLY, MONTHLY or YEARLY)"], field="rule")
    if parsed._interval < 1:  # dateutil takes INTERVAL=0 and would then read the same day forever
        raise Rejected(["INTERVAL is a whole number from 1"], field="rule")
    if not _can_fire(parsed):
        raise Rejected(["the rule never gives a shift (e.g. the 31st of February)"], field="rule")
    return parsed


def _can_fire(rule: rrule) -> bool:
    """Whether the rule fires at all, read over the 800 years before dateutil's last year.

    dateutil looks for a next occurrence up to the year 9999 and only stops at UNTIL or COUNT once something
    fires, so a rule that never does ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=31") would keep a request busy for half a
    minute. The Gregorian calendar repeats every 400 years, so 800 years (twice, for a fortnightly phase) tell;
    a daily rule is read yearly (the same days, a year at a step).
    """
    start = rule._dtstart.replace(year=9199, month=1, day=1, tzinfo=None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        probe = rule.replace(dtstart=start, freq=YEARLY if rule._freq == DAILY else rule._freq, count=None, until=None)
    return probe.after(start, inc=True) is not None


def is_bounded(rule: rrule) -> bool:
    """Whether the rule ends by itself (COUNT or UNTIL)."""
    return rule._count is not None or rule._until is not None


def _wall_clock(rule: rrule, moment: datetime) -> datetime:
    """``moment`` as the rule's occurrences are spelled: Amsterdam wall-clock, naive unless the rule is aware."""
    local = moment.astimezone(AMSTERDAM)
    return local if rule._dtstart.tzinfo is not None else local.replace(tzinfo=None)


# The last moment any rule is read up to (the platform's last day, ``common.bounds.LAST_DAY``).
_LAST_MOMENT = datetime(2100, 12, 31, 23, 59)


def _capped(rule: rrule, until: datetime) -> rrule:
    """The rule stopping at ``until`` (wall-clock, as its occurrences are spelled), so reading it ends there.

    dateutil looks for a next occurrence up to the year 9999: a rule that never fires again (the 31st of
    February, daily) would take half a minute. Its COUNT still counts from the start; dateutil warns about
    COUNT beside UNTIL (RFC 5545 forbids it in the text), which here is only a bound of our own.
    """
    if rule._until is not None and rule._until <= until:
        return rule
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        capped: rrule = rule.replace(until=until)
    return capped


def shift_times(rule: rrule, start: time, end: time, after: datetime, until: datetime) -> list[ShiftTimes]:
    """The shifts the rule gives that start after ``after`` and no later than ``until`` (both aware moments)."""
    length = datetime.combine(date.min, end) - datetime.combine(date.min, start)
    if length <= timedelta(0):
        length += timedelta(days=1)
    # A day wider either side than asked (the UTC offset), then exact on the moments.
    low = _wall_clock(rule, after) - timedelta(days=1)
    high = _wall_clock(rule, until) + timedelta(days=1)
    shifts = []
    for occurrence in _capped(rule, high).between(low, high, inc=True):
        starts_at = occurrence.replace(tzinfo=AMSTERDAM)
        if after < starts_at <= until:
            ends_at = (occurrence.replace(tzinfo=None) + length).replace(tzinfo=AMSTERDAM)
            shifts.append(ShiftTimes(starts_at, ends_at))
    return shifts


def check_pattern(rule: rrule, start: time, end: time, now: datetime) -> None:
    """Rejected when a rule without COUNT or UNTIL gives no shift within the horizon, or a bounded one none ahead."""
    if start == end:
        raise Rejected(["a shift ends at another time than it starts"], field="end")
    if shift_times(rule, start, end, now, now + HORIZON):
        return
    if not is_bounded(rule):
        raise Rejected(
            [
                f"a rule without COUNT or UNTIL must give a shift within the next {HORIZON.days} days"
                " (start it sooner, or bound it with COUNT or UNTIL)"
            ],
            field="rule",
        )
    last = _LAST_MOMENT.replace(tzinfo=AMSTERDAM) if rule._dtstart.tzinfo is not None else _LAST_MOMENT
    if _capped(rule, last).after(_wall_clock(rule, now)) is None:
        raise Rejected(["the rule gives no shift from now on"], field="rule")


def waiting_to_place(capacity: int, taken: int, waiting: Sequence[UUID]) -> list[UUID]:
    """The waiting sign-ups (in the order they were made) that get a place now, ``taken`` places being in use."""
    return list(waiting[: max(capacity - taken, 0)])
