"""Events on the matches stream (``matching.matches.v1``), emitted by matching."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar
from uuid import UUID

from pydantic import Field

from contracts.events._base import Event, register
from contracts.events._common import CentraleId

__all__ = ["MatchMade", "VolunteerDayMatched"]


@register
class MatchMade(Event):
    """Emitted by matching when an organisation (and a consulent where needed) accepted a volunteer."""

    event_type: ClassVar[str] = "nl.vrijwilligerscentrale.match.made.v1"
    topic: ClassVar[str] = "matching.matches.v1"
    subject_field: ClassVar[str] = "match_id"

    match_id: UUID = Field(description="Id of the match.")
    task_id: UUID
    volunteer_id: UUID
    organisation_id: UUID
    centrale_id: CentraleId = Field(description="Centrale of the task.")
    volunteer_centrale_id: CentraleId = Field(
        description="Centrale of the volunteer (differs from the task's after regional overflow)."
    )
    made_at: datetime


@register
class VolunteerDayMatched(Event):
    """Emitted by matching when a partner's volunteer day is matched to a task with room for the team."""

    event_type: ClassVar[str] = "nl.vrijwilligerscentrale.volunteer-day.matched.v1"
    topic: ClassVar[str] = "matching.volunteer-days.v1"
    subject_field: ClassVar[str] = "day_id"

    day_id: UUID
    partner_id: UUID
    task_id: UUID
    organisation_id: UUID
    centrale_id: CentraleId = Field(description="Centrale of the task.")
    matched_at: datetime
