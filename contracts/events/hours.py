"""Events on the hours stream (``registry.hours.v1``), emitted by the registry.

One volunteer's entries stay in order (the key is the volunteer id): an entry is logged (``HoursLogged``,
when it counts: an organisation's at once, a volunteer's once confirmed), and may later be corrected
(``HoursCorrected``, the new amount) or rejected (``HoursRejected``, taken out). A consumer that never
counted an entry (``counted`` false: it was still waiting for confirmation) has nothing to undo.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import ClassVar
from uuid import UUID

from pydantic import Field

from contracts.events._base import Event, register
from contracts.events._common import CentraleId

__all__ = ["HoursCorrected", "HoursLogged", "HoursRejected"]

_TOPIC = "registry.hours.v1"


@register
class HoursLogged(Event):
    """Emitted by the registry when hours for a match are logged (and, for volunteers' logs, confirmed)."""

    event_type: ClassVar[str] = "nl.vrijwilligerscentrale.hours.logged.v1"
    topic: ClassVar[str] = _TOPIC
    # Keyed by volunteer so one volunteer's hours stay in order for milestone counting.
    subject_field: ClassVar[str] = "volunteer_id"

    hours_id: UUID = Field(description="Id of this hours entry.")
    match_id: UUID
    volunteer_id: UUID
    task_id: UUID
    organisation_id: UUID
    centrale_id: CentraleId
    theme: str = Field(description="Theme of the task the hours were given to.")
    worked_on: date = Field(description="The day the work was done.")
    hours: Decimal = Field(gt=0, le=24, max_digits=4, decimal_places=2, description="Hours worked.")
    logged_by: str = Field("organisation", description="organisation, or volunteer (then confirmed by it).")
    logged_at: datetime


@register
class HoursCorrected(Event):
    """Emitted by the registry when whoever logged an hours entry corrects its amount (within the correction
    window). Consumers that counted the entry count ``hours`` from now on instead of ``previous_hours``; what
    they did on the old figure (a thank-you sent) stays done."""

    event_type: ClassVar[str] = "nl.vrijwilligerscentrale.hours.corrected.v1"
    topic: ClassVar[str] = _TOPIC
    subject_field: ClassVar[str] = "volunteer_id"

    hours_id: UUID = Field(description="Id of the corrected entry (as in its HoursLogged).")
    match_id: UUID
    volunteer_id: UUID
    task_id: UUID
    organisation_id: UUID
    centrale_id: CentraleId
    theme: str = Field(description="Theme of the task the hours were given to.")
    worked_on: date = Field(description="The day the work was done (a correction never changes it).")
    previous_hours: Decimal = Field(
        gt=0, le=24, max_digits=4, decimal_places=2, description="The amount before this correction."
    )
    hours: Decimal = Field(gt=0, le=24, max_digits=4, decimal_places=2, description="The corrected amount.")
    counted: bool = Field(
        description="Whether the entry counted before this correction (its HoursLogged was published); false for a"
        " volunteer's entry still waiting for confirmation, which consumers never saw."
    )
    reason: str = Field(
        description="Why, as a category (never free text). Known values: miscounted, typing_error, shift_changed,"
        " other.",
        examples=["typing_error"],
    )
    corrected_by: str = Field(description="organisation or volunteer: whoever logged the entry.")
    corrected_at: datetime


@register
class HoursRejected(Event):
    """Emitted by the registry when an organisation rejects an hours entry for one of its matches (a volunteer's
    entry, or one of its own logged in error). Consumers that counted it take ``hours`` out of their totals;
    what they did on it (a thank-you sent) stays done."""

    event_type: ClassVar[str] = "nl.vrijwilligerscentrale.hours.rejected.v1"
    topic: ClassVar[str] = _TOPIC
    subject_field: ClassVar[str] = "volunteer_id"

    hours_id: UUID = Field(description="Id of the rejected entry.")
    match_id: UUID
    volunteer_id: UUID
    task_id: UUID
    organisation_id: UUID
    centrale_id: CentraleId
    theme: str = Field(description="Theme of the task the hours were given to.")
    worked_on: date = Field(description="The day the entry was for.")
    hours: Decimal = Field(
        gt=0, le=24, max_digits=4, decimal_places=2, description="The entry's amount when it was rejected."
    )
    counted: bool = Field(
        description="Whether the entry counted until now (confirmed, its HoursLogged published); false: it never"
        " counted anywhere, and consumers have nothing to take out."
    )
    reason: str = Field(
        description="Why, as a category (never free text). Known values: not_worked, wrong_day, wrong_amount,"
        " duplicate, other.",
        examples=["not_worked"],
    )
    logged_by: str = Field(description="Who had logged the entry: organisation or volunteer.")
    rejected_at: datetime
