"""Confirmed commitments as an iCalendar feed (RFC 5545): weekly shifts recur, one-off tasks happen once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard, vRecur

__all__ = ["AMSTERDAM", "CalendarEntry", "WeeklyShift", "render_calendar"]

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
PRODUCT_ID = "-//Regio-platform vrijwilligerscentrales//Agenda//NL"
# Event UIDs are "<entry uid>[-<shift>]@" this: globally unique, since entry uids are match ids.
UID_DOMAIN = "agenda.regio-platform.invalid"
# iCalendar's two-letter weekdays, by ISO weekday (1 = Monday).
_BYDAY = {1: "MO", 2: "TU", 3: "WE", 4: "TH", 5: "FR", 6: "SA", 7: "SU"}


@dataclass(frozen=True)
class WeeklyShift:
    """A shift every week on ``weekday`` (ISO, 1 = Monday) from ``start`` to ``end``, Dutch local time."""

    weekday: int
    start: time
    end: time


@dataclass(frozen=True)
class CalendarEntry:
    """One commitment: a one-off window, or weekly shifts from ``first_day`` on."""

    uid: str
    """Stable across refreshes (the match id), so a calendar updates its events instead of adding more."""
    summary: str
    description: str
    location: str | None
    first_day: date
    """No occurrence before this day (the day the match was made)."""
    one_off: tuple[datetime, datetime] | None = None
    shifts: tuple[WeeklyShift, ...] = ()


def render_calendar(name: str, entries: Sequence[CalendarEntry], now: datetime) -> bytes:
    """The calendar as RFC 5545 text: one VEVENT per one-off entry and per weekly shift (with an RRULE)."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("name", name)  # RFC 7986
    calendar.add("x-wr-calname", name)  # what most calendar apps read
    calendar.add("x-wr-timezone", "Europe/Amsterdam")
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add_component(_amsterdam())
    for entry in entries:
        for event in _events(entry, now):
            calendar.add_component(event)
    text: bytes = calendar.to_ical()
    return text


def _events(entry: CalendarEntry, now: datetime) -> list[Event]:
    if entry.one_off is not None:
        start, end = (moment.astimezone(AMSTERDAM) for moment in entry.one_off)
        return [_event(entry, f"{entry.uid}@{UID_DOMAIN}", start, end, None, now)]
    events = []
    for index, shift in enumerate(entry.shifts):
        day = entry.first_day + timedelta(days=(shift.weekday - entry.first_day.isoweekday()) % 7)
        start = datetime.combine(day, shift.start, AMSTERDAM)
        end = datetime.combine(day, shift.end, AMSTERDAM)
        rule = vRecur({"FREQ": "WEEKLY", "BYDAY": _BYDAY[shift.weekday]})
        events.append(_event(entry, f"{entry.uid}-{index}@{UID_DOMAIN}", start, end, rule, now))
    return events


def _event(entry: CalendarEntry, uid: str, start: datetime, end: datetime, rule: vRecur | None, now: datetime) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", now)
    event.add("dtstart", start)
    event.add("dtend", end)
    if rule is not None:
        event.add("rrule", rule)
    event.add("summary", entry.summary)
    event.add("description", entry.description)
    if entry.location:
        event.add("location", entry.location)
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")
    return event


def _amsterdam() -> Timezone:
    """Europe/Amsterdam as a VTIMEZONE with the EU's rules (last Sunday of March and of October), for good."""
    zone = Timezone()
    zone.add("tzid", "Europe/Amsterdam")
    summer = TimezoneDaylight()
    summer.add("tzname", "CEST")
    summer.add("tzoffsetfrom", timedelta(hours=1))
    summer.add("tzoffsetto", timedelta(hours=2))
    summer.add("dtstart", datetime(1981, 3, 29, 2, 0))
    summer.add("rrule", vRecur({"FREQ": "YEARLY", "BYMONTH": 3, "BYDAY": "-1SU"}))
    winter = TimezoneStandard()
    winter.add("tzname", "CET")
    winter.add("tzoffsetfrom", timedelta(hours=2))
    winter.add("tzoffsetto", timedelta(hours=1))
    winter.add("dtstart", datetime(1996, 10, 27, 3, 0))
    winter.add("rrule", vRecur({"FREQ": "YEARLY", "BYMONTH": 10, "BYDAY": "-1SU"}))
    zone.add_component(summer)
    zone.add_component(winter)
    return zone
