"""Events on the tasks stream (``registry.tasks.v1``), emitted by the registry."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from contracts.events._base import Event, register
from contracts.events._common import CentraleId, Imported, ImportSource, PostcodeArea, WeeklySlot

__all__ = ["DatedShift", "TaskClosed", "TaskPosted", "TaskUpdated"]

_TOPIC = "registry.tasks.v1"


class DatedShift(BaseModel):
    """One dated shift of a task (generated from the organisation's recurrence rule): when, and how many places."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    starts_at: datetime = Field(description="Start (timezone-aware).", examples=["2026-11-07T08:00:00Z"])
    ends_at: datetime = Field(description="End (timezone-aware).", examples=["2026-11-07T11:00:00Z"])
    capacity: int = Field(ge=1, description="Places in the shift.")
    part_id: UUID | None = Field(None, description="The part of the task it is for, if the task is split.")


class _TaskFacts(Event):
    """What matching and reporting need of a task."""

    task_id: UUID = Field(description="Id of the task.")
    organisation_id: UUID = Field(description="Id of the organisation that posted it.")
    centrale_id: CentraleId
    theme: str = Field(description="Theme of the task.", examples=["zorg"])
    skills: list[str] = Field(default_factory=list, description="Skill codes asked for.")
    postcode_area: PostcodeArea | None = None
    one_off_start: datetime | None = Field(None, description="Start of a one-off task.")
    one_off_end: datetime | None = Field(None, description="End of a one-off task.")
    shifts: list[WeeklySlot] = Field(default_factory=list, description="Recurring weekly shifts.")
    dated_shifts: list[DatedShift] = Field(
        default_factory=list,
        max_length=200,
        description="The task's dated shifts in the coming weeks (from its recurrence rules), soonest first; empty"
        " when it has none. Matching fits availability on these.",
    )
    capacity: int = Field(ge=1, description="How many volunteers the task needs.")
    hours_per_week: float = Field(ge=0, le=20, description="Hours asked per week (NOV: at most 20).")
    vog_required: bool = Field(description="Whether a valid VOG is required.")
    team_suitable: bool = Field(False, description="Suitable for a business team day.")
    support_accessible: bool = Field(False, description="Accessible for volunteers who need support.")
    closing_date: date | None = Field(None, description="Last day to respond.")
    imported: Imported = False
    import_source: ImportSource = None


@register
class TaskPosted(_TaskFacts):
    """Emitted by the registry when an admitted organisation's task passes the quality check."""

    event_type: ClassVar[str] = "nl.vrijwilligerscentrale.task.posted.v1"
    topic: ClassVar[str] = _TOPIC
    subject_field: ClassVar[str] = "task_id"

    posted_at: datetime = Field(description="When the task was published.")


@register
class TaskUpdated(_TaskFacts):
    """Emitted by the registry when a published task changes; carries the full new state."""

    event_type: ClassVar[str] = "nl.vrijwilligerscentrale.task.updated.v1"
    topic: ClassVar[str] = _TOPIC
    subject_field: ClassVar[str] = "task_id"

    updated_at: datetime


@register
class TaskClosed(Event):
    """Emitted by the registry when a published task stops taking volunteers: filled, closed or expired."""

    event_type: ClassVar[str] = "nl.vrijwilligerscentrale.task.closed.v1"
    topic: ClassVar[str] = _TOPIC
    subject_field: ClassVar[str] = "task_id"

    task_id: UUID
    organisation_id: UUID
    centrale_id: CentraleId
    reason: str = Field(description="filled, closed or expired.", examples=["filled"])
    closed_at: datetime
    imported: Imported = False
    import_source: ImportSource = None
