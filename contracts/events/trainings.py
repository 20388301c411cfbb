"""Events on the trainings stream (``registry.trainings.v1``): the centrale's kennisfunctie, emitted by the registry.

A centrale offers trainings and advice sessions to volunteers and organisations; who attended is recorded by staff.
A training's title is the centrale's own name for it (printed on certificates); its description, place and who
booked stay in the registry.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from contracts.events._base import Event, register
from contracts.events._common import CentraleId, PostcodeArea

__all__ = ["TrainingAttendanceRecorded", "TrainingCancelled", "TrainingScheduled", "TrainingSession", "TrainingUpdated"]

_TOPIC = "registry.trainings.v1"


class TrainingSession(BaseModel):
    """One meeting of a training (a training may have several)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    starts_at: datetime
    ends_at: datetime


class _TrainingFacts(Event):
    """What a training is, as the centrale published it."""

    training_id: UUID
    centrale_id: CentraleId
    title: str = Field(
        description="The centrale's name for the training (not about a person); printed on certificates.",
        examples=["Omgaan met dementie"],
    )
    kind: str = Field(description="training or advice (an advice session). Known values: training, advice.")
    audience: str = Field(
        description="Who it is for: volunteers, organisations or both. Known values: volunteers, organisations, both."
    )
    theme: str | None = Field(None, description="Theme code, like a task's.", examples=["zorg"])
    sessions: list[TrainingSession] = Field(min_length=1, description="When it meets, in order.")
    capacity: int = Field(ge=1, description="Seats; bookings beyond it wait on the waiting list.")
    postcode_area: PostcodeArea | None = Field(None, description="Where it takes place (PC4); null: online.")


@register
class TrainingScheduled(_TrainingFacts):
    """Emitted by the registry when a centrale publishes a training or advice session."""

    event_type: ClassVar[str] = "nl.vrijwilligerscentrale.training.scheduled.v1"
    topic: ClassVar[str] = _TOPIC
    subject_field: ClassVar[str] = "training_id"

    scheduled_at: datetime


@register
class TrainingUpdated(_TrainingFacts):
    """Emitted by the registry when a published training changes; carries the full new state."""

    event_type: ClassVar[str] = "nl.vrijwilligerscentrale.training.updated.v1"
    topic: ClassVar[str] = _TOPIC
    subject_field: ClassVar[str] = "training_id"

    updated_at: datetime


@register
class TrainingCancelled(Event):
    """Emitted by the registry when a centrale cancels a training."""

    event_type: ClassVar[str] = "nl.vrijwilligerscentrale.training.cancelled.v1"
    topic: ClassVar[str] = _TOPIC
    subject_field: ClassVar[str] = "training_id"

    training_id: UUID
    centrale_id: CentraleId
    cancelled_at: datetime


@register
class TrainingAttendanceRecorded(Event):
    """Emitted by the registry when staff record whether a booking's people attended (again, to correct it).

    One booking is one volunteer, or people of one organisation; the latest record of a booking counts.
    """

    event_type: ClassVar[str] = "nl.vrijwilligerscentrale.training.attendance-recorded.v1"
    topic: ClassVar[str] = _TOPIC
    subject_field: ClassVar[str] = "training_id"

    training_id: UUID
    booking_id: UUID = Field(description="The booking; a later record of it replaces an earlier one.")
    centrale_id: CentraleId
    audience: str = Field(description="volunteers or organisations: whom the booking reached.")
    volunteer_id: UUID | None = Field(None, description="The volunteer, for a volunteer's booking.")
    organisation_id: UUID | None = Field(None, description="The organisation, for an organisation's booking.")
    participants: int = Field(ge=0, description="How many people of the booking attended (0 when none did).")
    attended: bool = Field(description="Whether the booking's people attended.")
    attended_on: date = Field(description="The training's (first) day, the Dutch date.")
    recorded_at: datetime
