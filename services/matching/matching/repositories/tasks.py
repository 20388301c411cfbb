"""Matching's read model of tasks: the registry's published tasks, their status and the room left in them."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from common.db import Connection
from matching.domain import schedule
from matching.domain.model import Task, TaskFacts, TaskProfile, TaskStatus
from matching.domain.proposals import LIVE, ProposalStatus
from matching.repositories._sql import assignments, coordinates, dump_slots, load_slots, placeholders

__all__ = ["PostgresTaskRepository", "TaskRepository"]

# What the registry's events say, in the order of the upsert's parameters; posted_at follows them.
_FACT_COLUMNS = (
    "task_id",
    "organisation_id",
    "centrale_id",
    "theme",
    "skills",
    "postcode_area",
    "shifts",
    "one_off_start",
    "one_off_end",
    "capacity",
    "vog_required",
    "team_suitable",
    "support_accessible",
    "closing_date",
)
# An update changes the task's facts, never whose it is or when it was posted.
_UPDATED_COLUMNS = tuple(c for c in _FACT_COLUMNS if c not in ("task_id", "organisation_id", "centrale_id"))
_SELECT = (
    "SELECT t.task_id, t.organisation_id, t.centrale_id, t.theme, t.skills, t.shifts, t.one_off_start,"
    " t.one_off_end, t.capacity, t.vog_required, t.team_suitable, t.support_accessible, t.status,"
    " t.team_reserved, t.posted_at, a.lat, a.lon"
    " FROM tasks t LEFT JOIN postcode_areas a ON a.pc4 = t.postcode_area"
)
# Matches made for the task (a correlated count, for room left).
_MADE = "(SELECT count(*) FROM proposals p WHERE p.task_id = t.task_id AND p.status = $1)"


class TaskRepository(Protocol):
    """Tasks as matching knows them."""

    async def upsert(self, facts: TaskFacts, posted_at: datetime | None) -> None:
        """Store a posted task, or an update's new facts (``posted_at`` None: now, if the task is new)."""
        ...

    async def get(self, task_id: UUID, *, for_update: bool = False) -> Task | None:
        """One task (locked until the transaction ends when ``for_update``), or None."""
        ...

    async def get_many(self, task_ids: Collection[UUID]) -> dict[UUID, Task]:
        """The tasks with these ids that exist."""
        ...

    async def set_status(self, task_id: UUID, status: TaskStatus) -> bool:
        """Change the task's status; False when matching never saw the task."""
        ...

    async def open_for_volunteer(self, centrale_id: str, volunteer_id: UUID, *, fewer_live_than: int) -> list[Task]:
        """Open tasks of the centrale never proposed to the volunteer, with fewer live proposals; oldest first."""
        ...

    async def due_for_overflow(self, posted_before: datetime) -> list[Task]:
        """Open tasks posted before then, not yet offered region-wide, without a match; locked, oldest first."""
        ...

    async def mark_overflow_offered(self, task_id: UUID, at: datetime) -> None:
        """The task was offered region-wide (it is not offered again)."""
        ...

    async def with_room_for_team(self, team_size: int, themes: Sequence[str], centrale_id: str | None) -> list[Task]:
        """Open team tasks with room for the team, in its themes and centrale (if named); locked, oldest first."""
        ...

    async def reserve_for_team(self, task_id: UUID, team_size: int) -> None:
        """Hold ``team_size`` places of the task for a team day."""
        ...


def _task(row: Any) -> Task:
    """A row joined with its PC4 centroid, as the domain sees it."""
    profile = TaskProfile(
        task_id=row["task_id"],
        organisation_id=row["organisation_id"],
        centrale_id=row["centrale_id"],
        theme=row["theme"],
        skills=frozenset(row["skills"]),
        shift_mask=schedule.slots_mask(load_slots(row["shifts"])),
        one_off_start=row["one_off_start"],
        one_off_end=row["one_off_end"],
        capacity=row["capacity"],
        vog_required=row["vog_required"],
        team_suitable=row["team_suitable"],
        support_accessible=row["support_accessible"],
        coordinates=coordinates(row),
    )
    status = TaskStatus(row["status"])
    return Task(profile=profile, status=status, team_reserved=row["team_reserved"], posted_at=row["posted_at"])


class PostgresTaskRepository:
    """Tasks in the ``tasks`` table."""

    # Built from the column names above, never from input.
    _UPSERT = (
        f"INSERT INTO tasks ({', '.join(_FACT_COLUMNS)}, posted_at)"  # noqa: S608
        f" VALUES ({placeholders(_FACT_COLUMNS)}, coalesce(${len(_FACT_COLUMNS) + 1}, now()))"
        f" ON CONFLICT (task_id) DO UPDATE SET {assignments(_UPDATED_COLUMNS)}"
    )

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def upsert(self, facts: TaskFacts, posted_at: datetime | None) -> None:
        """Store a posted task, or an update's new facts (``posted_at`` None: now, if the task is new)."""
        values = [getattr(facts, column) for column in _FACT_COLUMNS]
        values[_FACT_COLUMNS.index("shifts")] = dump_slots(facts.shifts)
        await self._conn.execute(self._UPSERT, *values, posted_at)

    async def get(self, task_id: UUID, *, for_update: bool = False) -> Task | None:
        """One task (locked until the transaction ends when ``for_update``), or None."""
        lock = " FOR UPDATE OF t" if for_update else ""
        row = await self._conn.fetchrow(f"{_SELECT} WHERE t.task_id = $1{lock}", task_id)
        return _task(row) if row is not None else None

    async def get_many(self, task_ids: Collection[UUID]) -> dict[UUID, Task]:
        """The tasks with these ids that exist."""
        rows = await self._conn.fetch(f"{_SELECT} WHERE t.task_id = ANY($1)", list(task_ids))
        return {row["task_id"]: _task(row) for row in rows}

    async def set_status(self, task_id: UUID, status: TaskStatus) -> bool:
        """Change the task's status; False when matching never saw the task."""
        updated = await self._conn.execute("UPDATE tasks SET status = $2 WHERE task_id = $1", task_id, status.value)
        return bool(updated != "UPDATE 0")

    async def open_for_volunteer(self, centrale_id: str, volunteer_id: UUID, *, fewer_live_than: int) -> list[Task]:
        """Open tasks of the centrale never proposed to the volunteer, with fewer live proposals; oldest first."""
        rows = await self._conn.fetch(
            f"{_SELECT} WHERE t.status = $1 AND t.centrale_id = $2"  # noqa: S608
            " AND NOT EXISTS (SELECT 1 FROM proposals p WHERE p.task_id = t.task_id AND p.volunteer_id = $3)"
            " AND (SELECT count(*) FROM proposals p WHERE p.task_id = t.task_id AND p.status = ANY($4)) < $5"
            " ORDER BY t.posted_at, t.task_id",
            TaskStatus.OPEN.value,
            centrale_id,
            volunteer_id,
            [status.value for status in LIVE],
            fewer_live_than,
        )
        return [_task(row) for row in rows]

    async def due_for_overflow(self, posted_before: datetime) -> list[Task]:
        """Open tasks posted before then, not yet offered region-wide, without a match; locked, oldest first."""
        rows = await self._conn.fetch(
            f"{_SELECT} WHERE t.status = $2 AND t.overflow_offered_at IS NULL AND t.posted_at < $3"
            f" AND {_MADE} = 0 ORDER BY t.posted_at, t.task_id FOR UPDATE OF t",
            ProposalStatus.MADE.value,
            TaskStatus.OPEN.value,
            posted_before,
        )
        return [_task(row) for row in rows]

    async def mark_overflow_offered(self, task_id: UUID, at: datetime) -> None:
        """The task was offered region-wide (it is not offered again)."""
        await self._conn.execute("UPDATE tasks SET overflow_offered_at = $2 WHERE task_id = $1", task_id, at)

    async def with_room_for_team(self, team_size: int, themes: Sequence[str], centrale_id: str | None) -> list[Task]:
        """Open team tasks with room for the team, in its themes and centrale (if named); locked, oldest first."""
        rows = await self._conn.fetch(
            f"{_SELECT} WHERE t.status = $2 AND t.team_suitable"
            f" AND t.capacity - t.team_reserved - {_MADE} >= $3"
            " AND ($4::text[] = '{}' OR t.theme = ANY($4)) AND ($5::text IS NULL OR t.centrale_id = $5)"
            " ORDER BY t.posted_at, t.task_id FOR UPDATE OF t",
            ProposalStatus.MADE.value,
            TaskStatus.OPEN.value,
            team_size,
            list(themes),
            centrale_id,
        )
        return [_task(row) for row in rows]

    async def reserve_for_team(self, task_id: UUID, team_size: int) -> None:
        """Hold ``team_size`` places of the task for a team day."""
        await self._conn.execute(
            "UPDATE tasks SET team_reserved = team_reserved + $2 WHERE task_id = $1", task_id, team_size
        )
