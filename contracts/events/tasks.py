"""Events on the tasks stream (``registry.tasks.v1``), emitted by the registry."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar
from uuid import UUID

from pydantic import Field

from contracts.events._base import Event, register
from contracts.events._common import CentraleId, PostcodeArea, WeeklySlot

__all__ = ["TaskPosted"]


@register
class TaskPosted(Event):
    """Emitted by the registry when an admitted organisation's task passes the quality check."""

    event_type: ClassVar[str] = "nl.vrijwilligerscentrale.task.posted.v1"
    topic: ClassVar[str] = "registry.tasks.v1"
    subject_field: ClassVar[str] = "task_id"

    task_id: UUID = Field(description="Id of the task.")
    organisation_id: UUID = Field(description="Id of the organisation that posted it.")
    centrale_id: CentraleId
    theme: str = Field(description="Theme of the task.", examples=["zorg"])
    skills: list[str] = Field(default_factory=list, description="Skill codes asked for.")
    postcode_area: PostcodeArea | None = None
    one_off_start: datetime | None = Field(None, description="Start of a one-off task.")
    one_off_end: datetime | None = Field(None, description="End of a one-off task.")
    shifts: list[WeeklySlot] = Field(default_factory=list, description="Recurring weekly shifts.")
    capacity: int = Field(ge=1, description="How many volunteers the task needs.")
    hours_per_week: float = Field(ge=0, le=20, description="Hours asked per week (NOV: at most 20).")
    vog_required: bool = Field(description="Whether a valid VOG is required.")
    team_suitable: bool = Field(False, description="Suitable for a business team day.")
    support_accessible: bool = Field(False, description="Accessible for volunteers who need support.")
    closing_date: date | None = Field(None, description="Last day to respond.")
    posted_at: datetime = Field(description="When the task was published.")
