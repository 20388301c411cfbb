"""Weekly time as a 168-bit mask (7 days of 24 hours), so availability overlap is one AND."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from contracts.events import DatedShift, WeeklySlot

__all__ = ["HOURS_PER_WEEK", "dated_slots", "describe", "mask_words", "slots_mask", "window_mask"]

DUTCH_TIME = ZoneInfo("Europe/Amsterdam")
# How far ahead a task's dated shifts count for the availability fit: the shifts a volunteer would start on.
DATED_SHIFTS_WEEKS = 4

HOURS_PER_WEEK = 7 * 24
DAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")


def _hours(weekday: int, start: time, end: time) -> int:
    """Bits for the hours of one weekday touched by [start, end)."""
    first = start.hour
    last = end.hour + (1 if (end.minute or end.second) else 0)
    mask = 0
    for hour in range(first, max(last, first + 1)):
        if hour < 24:
            mask |= 1 << ((weekday - 1) * 24 + hour)
    return mask


def slots_mask(slots: Iterable[WeeklySlot]) -> int:
    """The hours of the week covered by weekly slots."""
    mask = 0
    for slot in slots:
        mask |= _hours(slot.weekday, slot.start, slot.end)
    return mask


def dated_slots(shifts: Iterable[DatedShift], today: date, weeks: int = DATED_SHIFTS_WEEKS) -> list[WeeklySlot]:
    """The weekly hours of a task's dated shifts starting from ``today`` within ``weeks``, in Dutch time.

    A task whose shifts follow a rule (every other Tuesday, the first Saturday) needs people on those hours, so
    the availability fit asks for those weekdays and hours; a shift past midnight is cut at midnight.
    """
    until = today + timedelta(weeks=weeks)
    slots = []
    for shift in shifts:
        start, end = shift.starts_at.astimezone(DUTCH_TIME), shift.ends_at.astimezone(DUTCH_TIME)
        if today <= start.date() < until:
            closing = end.time() if end.date() == start.date() else time(23, 59)
            slots.append(WeeklySlot(weekday=start.isoweekday(), start=start.time(), end=closing))
    return list(dict.fromkeys(slots))


def window_mask(start: datetime, end: datetime) -> int:
    """The weekly hours a one-off window falls on (a window past midnight is cut at midnight)."""
    closing = end.time() if end.date() == start.date() else time(23, 59)
    return _hours(start.isoweekday(), start.time(), closing)


def mask_words(mask: int) -> tuple[int, int, int]:
    """The mask as three 64-bit words (for numpy)."""
    return mask & (2**64 - 1), (mask >> 64) & (2**64 - 1), (mask >> 128) & (2**64 - 1)


def describe(mask: int) -> str:
    """Dutch description of the hours in ``mask``, e.g. 'dinsdag 09:00-12:00' (with an en dash)."""
    parts = []
    for day in range(7):
        hour = 0
        while hour < 24:
            if mask >> (day * 24 + hour) & 1:
                start = hour
                while hour < 24 and mask >> (day * 24 + hour) & 1:
                    hour += 1
                parts.append(f"{DAYS[day]} {start:02d}:00–{hour:02d}:00")
            hour += 1
    return ", ".join(parts)
