"""Events about business partners and their volunteer days, emitted by the registry."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import ClassVar
from uuid import UUID

from pydantic import Field

from contracts.events._base import Event, register
from contracts.events._common import CentraleId, PostcodeArea

__all__ = ["BusinessPartnerRegistered", "VolunteerDayHoursLogged", "VolunteerDayPosted"]


@register
class BusinessPartnerRegistered(Event):
    """Emitted by the registry when region ops register a business partner (partners are regional)."""

    event_type: ClassVar[str] = "nl.vrijwilligerscentrale.partner.registered.v1"
    topic: ClassVar[str] = "registry.partners.v1"
    subject_field: ClassVar[str] = "partner_id"

    partner_id: UUID
    partner_name: str = Field(description="Company name (not a person).", examples=["Rabobank Utrecht"])
    registered_at: datetime


@register
class VolunteerDayPosted(Event):
    """Emitted by the registry when a partner's HR system posts a team volunteer day."""

    event_type: ClassVar[str] = "nl.vrijwilligerscentrale.volunteer-day.posted.v1"
    topic: ClassVar[str] = "registry.volunteer-days.v1"
    subject_field: ClassVar[str] = "day_id"

    day_id: UUID
    partner_id: UUID
    team_size: int = Field(ge=1, le=500, description="How many employees come.")
    on_date: date = Field(description="The day the team volunteers.")
    skills: list[str] = Field(default_factory=list)
    themes: list[str] = Field(default_factory=list, description="Preferred themes.")
    postcode_area: PostcodeArea | None = Field(None, description="Preferred area (PC4).")
    centrale_id: CentraleId | None = Field(None, description="Preferred centrale, if the partner named one.")
    posted_at: datetime


@register
class VolunteerDayHoursLogged(Event):
    """Emitted by the registry when the organisation logs the hours a partner's team gave on its day."""

    event_type: ClassVar[str] = "nl.vrijwilligerscentrale.volunteer-day.hours-logged.v1"
    topic: ClassVar[str] = "registry.volunteer-days.v1"
    subject_field: ClassVar[str] = "day_id"

    day_id: UUID
    partner_id: UUID
    task_id: UUID
    organisation_id: UUID
    centrale_id: CentraleId
    participants: int = Field(ge=1, description="Employees who took part.")
    hours_total: Decimal = Field(gt=0, max_digits=7, decimal_places=2, description="Hours of the whole team.")
    logged_at: datetime
