"""Trainings a volunteer followed (the centrale's kennisfunctie), as the record and the certificate list them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

__all__ = ["Attendance", "Training", "TrainingFollowed", "trainings_followed"]


@dataclass(frozen=True)
class Training:
    """A training as the centrale published it: its title (printed on certificates), kind and first day."""

    id: UUID
    centrale_id: str
    title: str
    kind: str
    """``training`` or ``advice``."""
    first_day: date
    cancelled: bool = False


@dataclass(frozen=True)
class Attendance:
    """Whether a volunteer's booking attended a training, as staff last recorded it."""

    booking_id: UUID
    training_id: UUID
    volunteer_id: UUID
    centrale_id: str
    attended: bool
    attended_on: date
    recorded_at: datetime


@dataclass(frozen=True)
class TrainingFollowed:
    """One training on a volunteer's record: what and when."""

    training_id: UUID
    title: str
    kind: str
    on: date


# A training whose publication was not seen (it always comes first on its topic, so only in a partial replay).
_UNKNOWN_TITLE = "Training"


def trainings_followed(attendance: Iterable[Attendance], trainings: Mapping[UUID, Training]) -> list[TrainingFollowed]:
    """The trainings the volunteer attended, oldest first; each once, however many bookings named it."""
    followed: dict[UUID, TrainingFollowed] = {}
    for entry in attendance:
        if not entry.attended or entry.training_id in followed:
            continue
        training = trainings.get(entry.training_id)
        followed[entry.training_id] = TrainingFollowed(
            training_id=entry.training_id,
            title=training.title if training else _UNKNOWN_TITLE,
            kind=training.kind if training else "training",
            on=entry.attended_on,
        )
    return sorted(followed.values(), key=lambda t: (t.on, t.title, t.training_id))
