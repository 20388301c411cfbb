"""Trainings and who of the volunteers attended them, as certificates and records need them."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, Protocol
from uuid import UUID

from appreciation.domain.trainings import Attendance, Training
from appreciation.repositories import _sql
from common.db import Connection

__all__ = ["PostgresTrainingRepository", "TrainingRepository"]

_TRAINING = ("id", "centrale_id", "title", "kind", "first_day", "cancelled")
_ATTENDANCE = ("booking_id", "training_id", "volunteer_id", "centrale_id", "attended", "attended_on", "recorded_at")


class TrainingRepository(Protocol):
    """Trainings (title, kind, first day) and volunteers' attendance."""

    async def save(self, training: Training) -> None:
        """Store the training, or its new title, kind and first day."""
        ...

    async def cancel(self, training_id: UUID) -> None:
        """The training does not go ahead."""
        ...

    async def of_ids(self, training_ids: Collection[UUID]) -> dict[UUID, Training]:
        """The known ones of those trainings, by id."""
        ...

    async def record_attendance(self, attendance: Attendance) -> None:
        """Store a booking's attendance unless a later record of it is there already."""
        ...

    async def attendance_of(self, volunteer_id: UUID) -> list[Attendance]:
        """Every booking's attendance of the volunteer, oldest first."""
        ...

    async def forget_volunteer(self, volunteer_id: UUID) -> None:
        """Remove the volunteer's attendance."""
        ...


def _training(row: Any) -> Training:
    return Training(*(row[column] for column in _TRAINING))


def _attendance(row: Any) -> Attendance:
    return Attendance(*(row[column] for column in _ATTENDANCE))


class PostgresTrainingRepository:
    """``TrainingRepository`` on ``trainings`` and ``training_attendance``."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def save(self, training: Training) -> None:
        """Store the training, or its new title, kind and first day (a cancellation stays)."""
        await self._conn.execute(
            _sql.insert_values("trainings", _TRAINING)
            + " ON CONFLICT (id) DO UPDATE SET title = EXCLUDED.title, kind = EXCLUDED.kind,"
            " first_day = EXCLUDED.first_day",
            *(getattr(training, column) for column in _TRAINING),
        )

    async def cancel(self, training_id: UUID) -> None:
        """The training does not go ahead."""
        await self._conn.execute("UPDATE trainings SET cancelled = true WHERE id = $1", training_id)

    async def of_ids(self, training_ids: Collection[UUID]) -> dict[UUID, Training]:
        """The known ones of those trainings."""
        rows = await self._conn.fetch(
            _sql.select("trainings", _TRAINING) + " WHERE id = ANY($1::uuid[])", list(training_ids)
        )
        return {row["id"]: _training(row) for row in rows}

    async def record_attendance(self, attendance: Attendance) -> None:
        """Store a booking's attendance unless a later record of it is there already."""
        await self._conn.execute(
            _sql.insert_values("training_attendance", _ATTENDANCE)
            + " ON CONFLICT (booking_id) DO UPDATE SET attended = EXCLUDED.attended,"
            " attended_on = EXCLUDED.attended_on, recorded_at = EXCLUDED.recorded_at"
            " WHERE training_attendance.recorded_at <= EXCLUDED.recorded_at",
            *(getattr(attendance, column) for column in _ATTENDANCE),
        )

    async def attendance_of(self, volunteer_id: UUID) -> list[Attendance]:
        """Every booking's attendance of the volunteer, oldest first."""
        rows = await self._conn.fetch(
            _sql.select("training_attendance", _ATTENDANCE)
            + " WHERE volunteer_id = $1 ORDER BY attended_on, booking_id",
            volunteer_id,
        )
        return [_attendance(row) for row in rows]

    async def forget_volunteer(self, volunteer_id: UUID) -> None:
        """Remove the volunteer's attendance."""
        await self._conn.execute("DELETE FROM training_attendance WHERE volunteer_id = $1", volunteer_id)
