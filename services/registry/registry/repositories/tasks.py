"""Tasks organisations post: drafts, published, and how they ended."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol
from uuid import UUID

from common.db import Connection
from registry.repositories._table import Table

__all__ = ["PostgresTaskRepository", "Task", "TaskRepository"]


@dataclass(frozen=True)
class Task:
    """A row of ``tasks``."""

    id: UUID
    centrale_id: str
    organisation_id: UUID
    title: str
    description: str
    theme: str
    capacity: int
    hours_per_week: Decimal
    """As stored: ``numeric(5, 2)``, so two decimals."""
    vog_required: bool
    created_at: datetime
    skills: list[str] = field(default_factory=list)
    postcode: str | None = None
    postcode_area: str | None = None
    one_off_start: datetime | None = None
    one_off_end: datetime | None = None
    shifts: list[dict[str, Any]] = field(default_factory=list)
    """Weekly shifts as JSON (``WeeklySlot`` dumped), as the ``jsonb`` column holds them."""
    team_suitable: bool = False
    support_accessible: bool = False
    closing_date: date | None = None
    replaces_paid_work: bool = False
    status: str = "draft"
    published_at: datetime | None = None
    closed_at: datetime | None = None
    offer: str | None = None
    """What the organisation offers volunteers (training, expenses, a team), shown on the public page."""
    updated_at: datetime | None = None
    """When the organisation last changed the task."""


class TaskRepository(Protocol):
    """Tasks, looked up within a centrale (and an organisation, when the caller is one)."""

    async def add(self, task: Task) -> None:
        """Store a new task."""
        ...

    async def get(
        self, task_id: UUID, centrale_id: str, organisation_id: UUID | None = None, *, lock: bool = False
    ) -> Task | None:
        """The centrale's task (the organisation's, when given), or None; ``lock``: until the transaction ends."""
        ...

    async def get_by_id(self, task_id: UUID, *, lock: bool = False) -> Task | None:
        """Any task by id (for the registry's own work, never a caller's)."""
        ...

    async def save(self, task: Task) -> None:
        """Write every field of a task already stored."""
        ...

    async def of_centrale(
        self, centrale_id: str, organisation_id: UUID | None = None, status: str | None = None
    ) -> list[Task]:
        """The centrale's tasks, of one organisation and one status when given, oldest first."""
        ...

    async def published_closing_before(self, day: date, *, lock: bool = False) -> list[Task]:
        """Published tasks whose closing date lies before ``day``, by id."""
        ...

    async def purge_closed_texts(self, closed_before: datetime, at: datetime) -> int:
        """Blank the free text (description, offer) of tasks closed, filled or expired before ``closed_before``;
        how many (a task already blank is not counted again)."""
        ...


TASKS = Table("tasks", Task, json_columns=["shifts"])
_MUTABLE = [column for column in TASKS.columns if column != "id"]


class PostgresTaskRepository:
    """Tasks in PostgreSQL."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def add(self, task: Task) -> None:
        """Store a new task."""
        await self._conn.execute(TASKS.insert(), *TASKS.values(task))

    async def get(
        self, task_id: UUID, centrale_id: str, organisation_id: UUID | None = None, *, lock: bool = False
    ) -> Task | None:
        """The centrale's task (the organisation's, when given), or None."""
        row = await self._conn.fetchrow(
            TASKS.select(
                "id = $1 AND centrale_id = $2 AND ($3::uuid IS NULL OR organisation_id = $3)",
                then="FOR UPDATE" if lock else "",
            ),
            task_id,
            centrale_id,
            organisation_id,
        )
        return TASKS.load(row) if row is not None else None

    async def get_by_id(self, task_id: UUID, *, lock: bool = False) -> Task | None:
        """Any task by id."""
        row = await self._conn.fetchrow(TASKS.select("id = $1", then="FOR UPDATE" if lock else ""), task_id)
        return TASKS.load(row) if row is not None else None

    async def save(self, task: Task) -> None:
        """Write every field of a task already stored."""
        await self._conn.execute(TASKS.update(_MUTABLE), *TASKS.changes(task, _MUTABLE))

    async def of_centrale(
        self, centrale_id: str, organisation_id: UUID | None = None, status: str | None = None
    ) -> list[Task]:
        """The centrale's tasks, oldest first."""
        rows = await self._conn.fetch(
            TASKS.select(
                "centrale_id = $1 AND ($2::uuid IS NULL OR organisation_id = $2) AND ($3::text IS NULL OR status = $3)",
                then="ORDER BY created_at, id",
            ),
            centrale_id,
            organisation_id,
            status,
        )
        return TASKS.load_all(rows)

    async def published_closing_before(self, day: date, *, lock: bool = False) -> list[Task]:
        """Published tasks whose closing date lies before ``day``, by id."""
        rows = await self._conn.fetch(
            TASKS.select(
                "status = 'published' AND closing_date < $1", then="ORDER BY id" + (" FOR UPDATE" if lock else "")
            ),
            day,
        )
        return TASKS.load_all(rows)

    async def purge_closed_texts(self, closed_before: datetime, at: datetime) -> int:
        """Blank the description and offer of tasks closed before ``closed_before``; how many."""
        return int(
            await self._conn.fetchval(
                "WITH purged AS (UPDATE tasks SET description = '', offer = NULL, updated_at = $2"
                " WHERE status IN ('closed', 'filled', 'expired') AND closed_at < $1"
                " AND (description <> '' OR offer IS NOT NULL) RETURNING 1) SELECT count(*) FROM purged",
                closed_before,
                at,
            )
        )
