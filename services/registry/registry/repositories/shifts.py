"""A task's dated shifts: the parts of a task, the patterns (recurrence rules) and the shifts they give, sign-ups."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Protocol
from uuid import UUID

from common.db import Connection
from registry.repositories._table import Table

__all__ = [
    "PostgresShiftRepository",
    "Shift",
    "ShiftPattern",
    "ShiftRepository",
    "SignedUpShift",
    "Signup",
    "StaffedShift",
    "TaskPart",
]


@dataclass(frozen=True)
class TaskPart:
    """A row of ``task_parts``: a part of a task people take separately, with its own capacity."""

    id: UUID
    task_id: UUID
    centrale_id: str
    title: str
    capacity: int
    created_at: datetime


@dataclass(frozen=True)
class ShiftPattern:
    """A row of ``shift_patterns``: a recurrence rule (RFC 5545 RRULE) with Dutch wall-clock times."""

    id: UUID
    task_id: UUID
    centrale_id: str
    rule: str
    starts_on: date
    start_time: time
    end_time: time
    capacity: int
    generated_until: datetime
    """Its shifts exist up to this moment (the horizon when it was last extended)."""
    created_at: datetime
    created_by: str
    part_id: UUID | None = None


@dataclass(frozen=True)
class Shift:
    """A row of ``shifts``: one dated occurrence of a pattern."""

    id: UUID
    pattern_id: UUID
    task_id: UUID
    centrale_id: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    part_id: UUID | None = None


@dataclass(frozen=True)
class Signup:
    """A row of ``shift_signups``: a matched volunteer signed up for (or waiting for) one shift."""

    id: UUID
    shift_id: UUID
    task_id: UUID
    centrale_id: str
    volunteer_id: UUID
    match_id: UUID
    status: str
    """``signed_up``, ``waiting`` or ``cancelled``."""
    signed_up_at: datetime
    signed_up_by: str
    placed_at: datetime | None = None
    """When it moved up from the waiting list."""
    cancelled_at: datetime | None = None
    cancelled_by: str | None = None


@dataclass(frozen=True)
class SignedUpShift:
    """A shift a volunteer holds a place in, with what their calendar shows of it."""

    signup_id: UUID
    centrale_id: str
    starts_at: datetime
    ends_at: datetime
    title: str
    organisation_name: str
    postcode: str | None
    place: str | None


@dataclass(frozen=True)
class StaffedShift:
    """A shift of an organisation's task that someone holds a place in, with how many do (no one's name)."""

    shift_id: UUID
    centrale_id: str
    starts_at: datetime
    ends_at: datetime
    title: str
    capacity: int
    taken: int
    postcode: str | None
    place: str | None


class ShiftRepository(Protocol):
    """Parts, patterns, shifts and sign-ups."""

    async def add_part(self, part: TaskPart) -> None:
        """Store a new part of a task."""
        ...

    async def parts(self, task_id: UUID) -> list[TaskPart]:
        """The task's parts, oldest first."""
        ...

    async def add_pattern(self, pattern: ShiftPattern) -> None:
        """Store a new pattern."""
        ...

    async def patterns(self, task_id: UUID) -> list[ShiftPattern]:
        """The task's patterns, oldest first."""
        ...

    async def patterns_generated_before(self, moment: datetime) -> list[ShiftPattern]:
        """Every pattern whose shifts end before ``moment`` (the horizon moved past them), locked."""
        ...

    async def set_generated_until(self, pattern_id: UUID, moment: datetime) -> None:
        """Record that the pattern's shifts exist up to ``moment``."""
        ...

    async def add_shifts(self, shifts: Sequence[Shift]) -> int:
        """Store shifts, skipping one a pattern has at the same start already; how many were new."""
        ...

    async def get_shift(self, shift_id: UUID, task_id: UUID, *, lock: bool = False) -> Shift | None:
        """One shift of the task (locked until the transaction ends when ``lock``: sign-ups take turns), or None."""
        ...

    async def shifts(self, task_id: UUID, starting_after: datetime, starting_until: datetime) -> list[Shift]:
        """The task's shifts starting in the window, soonest first."""
        ...

    async def add_signup(self, signup: Signup) -> bool:
        """Store a sign-up unless the volunteer holds a live one for the shift (then False)."""
        ...

    async def get_signup(self, signup_id: UUID, shift_id: UUID) -> Signup | None:
        """One sign-up of the shift, or None."""
        ...

    async def update_signup(self, signup: Signup, columns: Sequence[str]) -> None:
        """Store the sign-up's ``columns`` as they are in ``signup``."""
        ...

    async def signups(self, shift_id: UUID) -> list[Signup]:
        """Every sign-up of the shift, in the order they were made."""
        ...

    async def signed_up_shifts_of_volunteer(self, volunteer_id: UUID) -> list[SignedUpShift]:
        """The shifts the volunteer holds a place in (not waiting, not cancelled), soonest first."""
        ...

    async def live_signups_of_match(self, match_id: UUID, starting_after: datetime) -> list[Signup]:
        """The match's sign-ups (placed or waiting) for shifts starting after ``starting_after``, soonest first."""
        ...

    async def staffed_shifts_of_organisation(
        self, organisation_id: UUID, starting_after: datetime
    ) -> list[StaffedShift]:
        """The organisation's shifts starting after ``starting_after`` that someone holds a place in, soonest first."""
        ...


PARTS = Table("task_parts", TaskPart)
PATTERNS = Table("shift_patterns", ShiftPattern)
SHIFTS = Table("shifts", Shift)
SIGNUPS = Table("shift_signups", Signup)


class PostgresShiftRepository:
    """Parts, patterns, shifts and sign-ups in PostgreSQL."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def add_part(self, part: TaskPart) -> None:
        """Store a new part of a task."""
        await self._conn.execute(PARTS.insert(), *PARTS.values(part))

    async def parts(self, task_id: UUID) -> list[TaskPart]:
        """The task's parts, oldest first."""
        rows = await self._conn.fetch(PARTS.select("task_id = $1", then="ORDER BY created_at, id"), task_id)
        return PARTS.load_all(rows)

    async def add_pattern(self, pattern: ShiftPattern) -> None:
        """Store a new pattern."""
        await self._conn.execute(PATTERNS.insert(), *PATTERNS.values(pattern))

    async def patterns(self, task_id: UUID) -> list[ShiftPattern]:
        """The task's patterns, oldest first."""
        rows = await self._conn.fetch(PATTERNS.select("task_id = $1", then="ORDER BY created_at, id"), task_id)
        return PATTERNS.load_all(rows)

    async def patterns_generated_before(self, moment: datetime) -> list[ShiftPattern]:
        """Every pattern whose shifts end before ``moment``, locked (two job runs never both extend one)."""
        rows = await self._conn.fetch(
            PATTERNS.select("generated_until < $1", then="ORDER BY id FOR UPDATE SKIP LOCKED"), moment
        )
        return PATTERNS.load_all(rows)

    async def set_generated_until(self, pattern_id: UUID, moment: datetime) -> None:
        """Record that the pattern's shifts exist up to ``moment``."""
        await self._conn.execute("UPDATE shift_patterns SET generated_until = $2 WHERE id = $1", pattern_id, moment)

    async def add_shifts(self, shifts: Sequence[Shift]) -> int:
        """Store shifts, skipping one a pattern has at the same start already; how many were new."""
        added = 0
        for shift in shifts:
            added += bool(
                await self._conn.fetchval(
                    SHIFTS.insert(then="ON CONFLICT (pattern_id, starts_at) DO NOTHING RETURNING true"),
                    *SHIFTS.values(shift),
                )
            )
        return added

    async def get_shift(self, shift_id: UUID, task_id: UUID, *, lock: bool = False) -> Shift | None:
        """One shift of the task, or None."""
        then = "FOR UPDATE" if lock else ""
        row = await self._conn.fetchrow(SHIFTS.select("id = $1 AND task_id = $2", then=then), shift_id, task_id)
        return SHIFTS.load(row) if row is not None else None

    async def shifts(self, task_id: UUID, starting_after: datetime, starting_until: datetime) -> list[Shift]:
        """The task's shifts starting in the window, soonest first."""
        rows = await self._conn.fetch(
            SHIFTS.select("task_id = $1 AND starts_at > $2 AND starts_at <= $3", then="ORDER BY starts_at, id"),
            task_id,
            starting_after,
            starting_until,
        )
        return SHIFTS.load_all(rows)

    async def add_signup(self, signup: Signup) -> bool:
        """Store a sign-up unless the volunteer holds a live one for the shift."""
        added = await self._conn.fetchval(
            SIGNUPS.insert(then="ON CONFLICT DO NOTHING RETURNING true"), *SIGNUPS.values(signup)
        )
        return bool(added)

    async def get_signup(self, signup_id: UUID, shift_id: UUID) -> Signup | None:
        """One sign-up of the shift, or None."""
        row = await self._conn.fetchrow(SIGNUPS.select("id = $1 AND shift_id = $2"), signup_id, shift_id)
        return SIGNUPS.load(row) if row is not None else None

    async def update_signup(self, signup: Signup, columns: Sequence[str]) -> None:
        """Store the sign-up's ``columns``."""
        await self._conn.execute(SIGNUPS.update(columns), *SIGNUPS.changes(signup, columns))

    async def signups(self, shift_id: UUID) -> list[Signup]:
        """Every sign-up of the shift, in the order they were made."""
        rows = await self._conn.fetch(SIGNUPS.select("shift_id = $1", then="ORDER BY signed_up_at, id"), shift_id)
        return SIGNUPS.load_all(rows)

    async def signed_up_shifts_of_volunteer(self, volunteer_id: UUID) -> list[SignedUpShift]:
        """The shifts the volunteer holds a place in, soonest first."""
        rows = await self._conn.fetch(
            "SELECT u.id AS signup_id, s.centrale_id, s.starts_at, s.ends_at,"
            " t.title || COALESCE(': ' || p.title, '') AS title, o.name AS organisation_name, t.postcode,"
            " a.place FROM shift_signups u JOIN shifts s ON s.id = u.shift_id JOIN tasks t ON t.id = s.task_id"
            " JOIN organisations o ON o.id = t.organisation_id LEFT JOIN task_parts p ON p.id = s.part_id"
            " LEFT JOIN postcode_areas a ON a.pc4 = t.postcode_area"
            " WHERE u.volunteer_id = $1 AND u.status = 'signed_up' ORDER BY s.starts_at, u.id",
            volunteer_id,
        )
        return [SignedUpShift(**dict(row)) for row in rows]

    async def live_signups_of_match(self, match_id: UUID, starting_after: datetime) -> list[Signup]:
        """The match's sign-ups (placed or waiting) for shifts starting after ``starting_after``, soonest first."""
        columns = ", ".join(f"u.{column}" for column in SIGNUPS.columns)
        rows = await self._conn.fetch(
            f"SELECT {columns} FROM shift_signups u JOIN shifts s ON s.id = u.shift_id"  # noqa: S608
            " WHERE u.match_id = $1 AND u.status <> 'cancelled' AND s.starts_at > $2 ORDER BY s.starts_at, u.id",
            match_id,
            starting_after,
        )
        return SIGNUPS.load_all(rows)

    async def staffed_shifts_of_organisation(
        self, organisation_id: UUID, starting_after: datetime
    ) -> list[StaffedShift]:
        """The organisation's shifts starting after ``starting_after`` that someone holds a place in, soonest first."""
        rows = await self._conn.fetch(
            "SELECT s.id AS shift_id, s.centrale_id, s.starts_at, s.ends_at,"
            " t.title || COALESCE(': ' || p.title, '') AS title, s.capacity, count(*)::int AS taken, t.postcode,"
            " a.place FROM shifts s JOIN tasks t ON t.id = s.task_id"
            " JOIN shift_signups u ON u.shift_id = s.id AND u.status = 'signed_up'"
            " LEFT JOIN task_parts p ON p.id = s.part_id LEFT JOIN postcode_areas a ON a.pc4 = t.postcode_area"
            " WHERE t.organisation_id = $1 AND s.starts_at > $2"
            " GROUP BY s.id, t.title, p.title, t.postcode, a.place ORDER BY s.starts_at, s.id",
            organisation_id,
            starting_after,
        )
        return [StaffedShift(**dict(row)) for row in rows]
