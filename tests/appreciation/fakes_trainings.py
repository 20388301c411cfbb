"""The in-memory twin of appreciation's training repository (see ``tests/appreciation/fakes.py``)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from uuid import UUID

from appreciation.domain.trainings import Attendance, Training

__all__ = ["FakeTrainingRepository"]


class FakeTrainingRepository:
    """Trainings and attendance in dicts."""

    def __init__(self) -> None:
        self.trainings: dict[UUID, Training] = {}
        self.attendance: dict[UUID, Attendance] = {}

    async def save(self, training: Training) -> None:
        known = self.trainings.get(training.id)
        self.trainings[training.id] = replace(training, cancelled=known.cancelled) if known else training

    async def cancel(self, training_id: UUID) -> None:
        if training_id in self.trainings:
            self.trainings[training_id] = replace(self.trainings[training_id], cancelled=True)

    async def of_ids(self, training_ids: Collection[UUID]) -> dict[UUID, Training]:
        return {i: self.trainings[i] for i in training_ids if i in self.trainings}

    async def record_attendance(self, attendance: Attendance) -> None:
        known = self.attendance.get(attendance.booking_id)
        if known is None or known.recorded_at <= attendance.recorded_at:
            # The booking's training, volunteer and centrale stay as first recorded, as the upsert keeps them.
            self.attendance[attendance.booking_id] = (
                attendance
                if known is None
                else replace(
                    known,
                    attended=attendance.attended,
                    attended_on=attendance.attended_on,
                    recorded_at=attendance.recorded_at,
                )
            )

    async def attendance_of(self, volunteer_id: UUID) -> list[Attendance]:
        return sorted(
            (a for a in self.attendance.values() if a.volunteer_id == volunteer_id),
            key=lambda a: (a.attended_on, a.booking_id),
        )

    async def forget_volunteer(self, volunteer_id: UUID) -> None:
        for booking_id in [b for b, a in self.attendance.items() if a.volunteer_id == volunteer_id]:
            del self.attendance[booking_id]
