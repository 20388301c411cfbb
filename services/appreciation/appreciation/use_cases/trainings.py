"""The trainings volunteers followed, from the registry's events: kept for the record and the certificate.

Attendance takes the volunteer's row lock first, like every fact about a volunteer (``use_cases/awards.py``), so
an attendance applied while an erasure commits leaves nothing behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from appreciation.domain.trainings import Attendance, Training
from appreciation.unit_of_work import AppreciationUnitOfWork

__all__ = [
    "CancelTraining",
    "RecordAttendance",
    "RecordTraining",
    "cancel_training",
    "record_attendance",
    "record_training",
]


@dataclass(frozen=True)
class RecordTraining:
    """A training published or changed."""

    training: Training


@dataclass(frozen=True)
class CancelTraining:
    """A training cancelled."""

    training_id: UUID


@dataclass(frozen=True)
class RecordAttendance:
    """Staff recorded whether a volunteer's booking attended."""

    attendance: Attendance


async def record_training(command: RecordTraining, uow: AppreciationUnitOfWork) -> None:
    """Keep the training's title, kind and first day."""
    await uow.trainings.save(command.training)


async def cancel_training(command: CancelTraining, uow: AppreciationUnitOfWork) -> None:
    """Mark the training as not going ahead."""
    await uow.trainings.cancel(command.training_id)


async def record_attendance(command: RecordAttendance, uow: AppreciationUnitOfWork) -> bool:
    """Keep the attendance (the latest record of a booking counts); False for an erased volunteer."""
    attendance = command.attendance
    claimed = await uow.volunteers.claim({attendance.volunteer_id: attendance.centrale_id}, confirmed=True)
    if attendance.volunteer_id not in claimed:
        return False  # erased: nothing is kept about them
    await uow.trainings.record_attendance(attendance)
    return True
