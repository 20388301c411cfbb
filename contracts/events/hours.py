"""Events on the hours stream (``registry.hours.v1``), emitted by the registry."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import ClassVar
from uuid import UUID

from pydantic import Field

from contracts.events._base import Event, register
from contracts.events._common import CentraleId

__all__ = ["HoursLogged"]


@register
class HoursLogged(Event):
    """Emitted by the registry when hours for a match are logged (and, for volunteers' logs, confirmed)."""

    event_type: ClassVar[str] = "nl.vrijwilligerscentrale.hours.logged.v1"
    topic: ClassVar[str] = "registry.hours.v1"
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
