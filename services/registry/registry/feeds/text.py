"""A task's schedule and what it asks, in short Dutch lines (feeds, JSON-LD and the public page share them)."""

from __future__ import annotations

from datetime import time
from decimal import Decimal

from registry.feeds.ical import AMSTERDAM
from registry.repositories import Vacature

__all__ = ["hours_text", "schedule_lines", "what_is_asked"]

_WEEKDAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
_MONTHS = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)


def hours_text(hours: Decimal) -> str:
    """'3 uur per week', '2,5 uur per week'."""
    return f"{hours.normalize():f}".replace(".", ",") + " uur per week"


def schedule_lines(vacature: Vacature) -> list[str]:
    """When the task happens: its one-off window, or every weekly shift."""
    if vacature.one_off_start is not None and vacature.one_off_end is not None:
        start = vacature.one_off_start.astimezone(AMSTERDAM)
        end = vacature.one_off_end.astimezone(AMSTERDAM)
        day = f"{_WEEKDAYS[start.weekday()]} {start.day} {_MONTHS[start.month - 1]} {start.year}"
        if start.date() == end.date():
            return [f"Eenmalig: {day}, {_clock(start.time())}–{_clock(end.time())}"]
        until = f"{_WEEKDAYS[end.weekday()]} {end.day} {_MONTHS[end.month - 1]} {end.year}"
        return [f"Eenmalig: {day} {_clock(start.time())} tot {until} {_clock(end.time())}"]
    return [
        f"Elke {_WEEKDAYS[int(shift['weekday']) - 1]}, "
        f"{_clock(time.fromisoformat(shift['start']))}–{_clock(time.fromisoformat(shift['end']))}"
        for shift in vacature.shifts
    ]


def what_is_asked(vacature: Vacature) -> list[str]:
    """What the task asks of a volunteer, and who it suits."""
    lines = [hours_text(vacature.hours_per_week)]
    lines.append("1 vrijwilliger gezocht" if vacature.capacity == 1 else f"{vacature.capacity} vrijwilligers gezocht")
    if vacature.skills:
        lines.append("Vaardigheden: " + ", ".join(vacature.skills))
    if vacature.vog_required:
        lines.append("Een VOG (Verklaring Omtrent het Gedrag) is nodig")
    if vacature.team_suitable:
        lines.append("Geschikt voor een team")
    if vacature.support_accessible:
        lines.append("Ook geschikt als je wat extra begeleiding nodig hebt")
    return lines


def _clock(moment: time) -> str:
    return moment.strftime("%H:%M")
