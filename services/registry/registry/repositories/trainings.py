"""Trainings and advice sessions a centrale offers, and the bookings for them (the kennisfunctie)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from common.db import Connection
from registry.repositories._table import Table

__all__ = ["Booking", "PostgresTrainingRepository", "Training", "TrainingRepository"]


@dataclass(frozen=True)
class Training:
    """A row of ``trainings``."""

    id: UUID
    centrale_id: str
    title: str
    description: str
    kind: str
    """``training`` or ``advice``."""
    audience: str
    """``volunteers``, ``organisations`` or ``both``."""
    sessions: list[dict[str, str]]
    """Its meetings in order, as stored: ``{"starts_at": ISO 8601, "ends_at": ISO 8601}``."""
    starts_at: datetime
    """The first meeting's start."""
    ends_at: datetime
    """The last meeting's end."""
    place: str
    capacity: int
    status: str
    """``scheduled`` or ``cancelled``."""
    created_at: datetime
    created_by: str
    updated_at: datetime
    theme: str | None = None
    postcode_area: str | None = None
    cancelled_at: datetime | None = None


@dataclass(frozen=True)
class Booking:
    """A row of ``training_bookings``: one volunteer, or seats for an organisation's people."""

    id: UUID
    training_id: UUID
    centrale_id: str
    seats: int
    status: str
    """``booked``, ``waiting`` or ``cancelled``."""
    booked_at: datetime
    booked_by: str
    volunteer_id: UUID | None = None
    organisation_id: UUID | None = None
    placed_at: datetime | None = None
    """When it moved up from the waiting list."""
    cancelled_at: datetime | None = None
    cancelled_by: str | None = None
    reminded_at: datetime | None = None
    attended: bool | None = None
    participants_attended: int | None = None
    attendance_recorded_at: datetime | None = None
    attendance_recorded_by: str | None = None


class TrainingRepository(Protocol):
    """Trainings and their bookings."""

    async def add(self, training: Training) -> None:
        """Store a new training."""
        ...

    async def get(self, training_id: UUID, centrale_id: str, *, lock: bool = False) -> Training | None:
        """The centrale's training (locked until the transaction ends when ``lock``: bookings take turns), or None."""
        ...

    async def update(self, training: Training, columns: Sequence[str]) -> None:
        """Store the training's ``columns`` as they are in ``training``."""
        ...

    async def of_centrale(self, centrale_id: str, audiences: Sequence[str], ending_after: datetime) -> list[Training]:
        """The centrale's trainings for any of ``audiences`` not over by ``ending_after``, soonest first."""
        ...

    async def add_booking(self, booking: Booking) -> bool:
        """Store a booking unless the volunteer or organisation holds a live one for the training (then False)."""
        ...

    async def get_booking(self, booking_id: UUID, training_id: UUID) -> Booking | None:
        """One booking of the training, or None."""
        ...

    async def update_booking(self, booking: Booking, columns: Sequence[str]) -> None:
        """Store the booking's ``columns`` as they are in ``booking``."""
        ...

    async def bookings(self, training_id: UUID) -> list[Booking]:
        """Every booking of the training, in the order they were made."""
        ...

    async def bookings_of_volunteer(self, volunteer_id: UUID) -> list[Booking]:
        """A volunteer's bookings, newest first."""
        ...

    async def bookings_of_organisation(self, organisation_id: UUID) -> list[Booking]:
        """An organisation's bookings, newest first."""
        ...

    async def reminders_due(self, now: datetime, starting_before: datetime) -> list[Booking]:
        """Booked places not reminded yet of scheduled trainings starting between ``now`` and ``starting_before``."""
        ...


TRAININGS = Table("trainings", Training, json_columns=["sessions"])
BOOKINGS = Table("training_bookings", Booking)


class PostgresTrainingRepository:
    """Trainings and bookings in PostgreSQL."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def add(self, training: Training) -> None:
        """Store a new training."""
        await self._conn.execute(TRAININGS.insert(), *TRAININGS.values(training))

    async def get(self, training_id: UUID, centrale_id: str, *, lock: bool = False) -> Training | None:
        """The centrale's training, or None."""
        then = "FOR UPDATE" if lock else ""
        row = await self._conn.fetchrow(
            TRAININGS.select("id = $1 AND centrale_id = $2", then=then), training_id, centrale_id
        )
        return TRAININGS.load(row) if row is not None else None

    async def update(self, training: Training, columns: Sequence[str]) -> None:
        """Store the training's ``columns``."""
        await self._conn.execute(TRAININGS.update(columns), *TRAININGS.changes(training, columns))

    async def of_centrale(self, centrale_id: str, audiences: Sequence[str], ending_after: datetime) -> list[Training]:
        """The centrale's trainings for any of ``audiences`` not over by ``ending_after``, soonest first."""
        rows = await self._conn.fetch(
            TRAININGS.select(
                "centrale_id = $1 AND audience = ANY($2::text[]) AND ends_at > $3", then="ORDER BY starts_at, id"
            ),
            centrale_id,
            list(audiences),
            ending_after,
        )
        return TRAININGS.load_all(rows)

    async def add_booking(self, booking: Booking) -> bool:
        """Store a booking unless a live one of the same volunteer or organisation exists."""
        added = await self._conn.fetchval(
            BOOKINGS.insert(then="ON CONFLICT DO NOTHING RETURNING true"), *BOOKINGS.values(booking)
        )
        return bool(added)

    async def get_booking(self, booking_id: UUID, training_id: UUID) -> Booking | None:
        """One booking of the training, or None."""
        row = await self._conn.fetchrow(BOOKINGS.select("id = $1 AND training_id = $2"), booking_id, training_id)
        return BOOKINGS.load(row) if row is not None else None

    async def update_booking(self, booking: Booking, columns: Sequence[str]) -> None:
        """Store the booking's ``columns``."""
        await self._conn.execute(BOOKINGS.update(columns), *BOOKINGS.changes(booking, columns))

    async def bookings(self, training_id: UUID) -> list[Booking]:
        """Every booking of the training, in the order they were made."""
        rows = await self._conn.fetch(BOOKINGS.select("training_id = $1", then="ORDER BY booked_at, id"), training_id)
        return BOOKINGS.load_all(rows)

    async def bookings_of_volunteer(self, volunteer_id: UUID) -> list[Booking]:
        """A volunteer's bookings, newest first."""
        rows = await self._conn.fetch(
            BOOKINGS.select("volunteer_id = $1", then="ORDER BY booked_at DESC, id"), volunteer_id
        )
        return BOOKINGS.load_all(rows)

    async def bookings_of_organisation(self, organisation_id: UUID) -> list[Booking]:
        """An organisation's bookings, newest first."""
        rows = await self._conn.fetch(
            BOOKINGS.select("organisation_id = $1", then="ORDER BY booked_at DESC, id"), organisation_id
        )
        return BOOKINGS.load_all(rows)

    async def reminders_due(self, now: datetime, starting_before: datetime) -> list[Booking]:
        """Booked places not reminded yet of scheduled trainings starting between ``now`` and ``starting_before``."""
        columns = ", ".join(f"b.{column}" for column in BOOKINGS.columns)
        rows = await self._conn.fetch(
            f"SELECT {columns} FROM training_bookings b JOIN trainings t ON t.id = b.training_id"  # noqa: S608
            " WHERE b.status = 'booked' AND b.reminded_at IS NULL AND t.status = 'scheduled'"
            " AND t.starts_at > $1 AND t.starts_at <= $2 ORDER BY t.starts_at, b.booked_at, b.id",
            now,
            starting_before,
        )
        return BOOKINGS.load_all(rows)
