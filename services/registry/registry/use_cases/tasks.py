"""Tasks: drafted by admitted organisations, checked against the NOV criteria, published, then closed."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from common.db import Connection
from contracts.events import TaskClosed, TaskPosted, TaskUpdated, WeeklySlot
from registry import domain
from registry.domain import TaskStatus
from registry.use_cases._shared import Conflict, NotFound, Origin, Rejected, emit, utc_now

__all__ = [
    "TaskFields",
    "close_task",
    "create_task",
    "expire_tasks",
    "get_task",
    "list_tasks",
    "mark_closed",
    "publish_task",
    "update_task",
]


@dataclass(frozen=True)
class TaskFields:
    """What an organisation writes about a task."""

    title: str
    description: str
    theme: str
    capacity: int
    hours_per_week: Decimal
    vog_required: bool
    skills: list[str] = field(default_factory=list)
    postcode: str | None = None
    one_off_start: datetime | None = None
    one_off_end: datetime | None = None
    shifts: list[WeeklySlot] = field(default_factory=list)
    team_suitable: bool = False
    support_accessible: bool = False
    closing_date: date | None = None
    replaces_paid_work: bool = False


async def create_task(conn: Connection, centrale_id: str, organisation_id: UUID, fields: TaskFields) -> UUID:
    """Save a draft task for an organisation of the centrale (no event: drafts are private)."""
    if (
        await conn.fetchval(
            "SELECT 1 FROM organisations WHERE id = $1 AND centrale_id = $2", organisation_id, centrale_id
        )
        is None
    ):
        raise NotFound(f"organisation {organisation_id} not found")
    task_id = uuid4()
    await conn.execute(
        """
        INSERT INTO tasks (id, centrale_id, organisation_id, title, description, theme, skills, postcode,
            postcode_area, one_off_start, one_off_end, shifts, capacity, hours_per_week, vog_required,
            team_suitable, support_accessible, closing_date, replaces_paid_work, created_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::jsonb, $13, $14, $15, $16, $17, $18, $19, $20)
        """,
        task_id, centrale_id, organisation_id, *_columns(fields), utc_now(),
    )  # fmt: skip
    return task_id


async def update_task(
    conn: Connection, task_id: UUID, centrale_id: str, organisation_id: UUID | None, fields: TaskFields, origin: Origin
) -> None:
    """Replace a draft's or published task's fields; a published task is re-checked and ``TaskUpdated`` queued."""
    async with conn.transaction():
        task = await _lock(conn, task_id, centrale_id, organisation_id)
        if task["status"] not in (TaskStatus.DRAFT, TaskStatus.PUBLISHED):
            raise Conflict(f"task is {task['status']}; it can no longer change")
        await conn.execute(
            """
            UPDATE tasks SET title = $2, description = $3, theme = $4, skills = $5, postcode = $6,
                postcode_area = $7, one_off_start = $8, one_off_end = $9, shifts = $10::jsonb, capacity = $11,
                hours_per_week = $12, vog_required = $13, team_suitable = $14, support_accessible = $15,
                closing_date = $16, replaces_paid_work = $17
            WHERE id = $1
            """,
            task_id, *_columns(fields),
        )  # fmt: skip
        if task["status"] == TaskStatus.PUBLISHED:
            row = await _check_quality(conn, task_id)
            await emit(conn, TaskUpdated(**_facts(row), updated_at=utc_now()), origin, centrale_id)


async def publish_task(
    conn: Connection, task_id: UUID, centrale_id: str, organisation_id: UUID | None, origin: Origin
) -> None:
    """Check a draft against the NOV criteria; publish it and queue ``TaskPosted``, or Rejected with reasons."""
    async with conn.transaction():
        task = await _lock(conn, task_id, centrale_id, organisation_id)
        if task["status"] != TaskStatus.DRAFT:
            raise Conflict(f"task is {task['status']}; only a draft can be published")
        row = await _check_quality(conn, task_id)
        now = utc_now()
        await conn.execute("UPDATE tasks SET status = 'published', published_at = $2 WHERE id = $1", task_id, now)
        await emit(conn, TaskPosted(**_facts(row), posted_at=now), origin, centrale_id)


async def close_task(
    conn: Connection, task_id: UUID, centrale_id: str, organisation_id: UUID | None, reason: str, origin: Origin
) -> None:
    """Close a published task (``reason`` filled, closed or expired) and queue ``TaskClosed``."""
    async with conn.transaction():
        task = await _lock(conn, task_id, centrale_id, organisation_id)
        if task["status"] != TaskStatus.PUBLISHED:
            raise Conflict(f"task is {task['status']}; only a published task can be closed")
        await mark_closed(conn, task, reason, origin)


async def expire_tasks(conn: Connection, today: date, origin: Origin) -> list[UUID]:
    """Expire every published task whose closing date has passed; returns their ids."""
    expired = []
    async with conn.transaction():
        rows = await conn.fetch(
            "SELECT * FROM tasks WHERE status = 'published' AND closing_date < $1 ORDER BY id FOR UPDATE", today
        )
        for row in rows:
            await mark_closed(conn, row, TaskStatus.EXPIRED, origin)
            expired.append(row["id"])
    return expired


async def mark_closed(conn: Connection, task: Any, reason: str, origin: Origin) -> None:
    """Set a locked published task's final status and queue ``TaskClosed`` (caller holds the transaction)."""
    now = utc_now()
    await conn.execute("UPDATE tasks SET status = $2, closed_at = $3 WHERE id = $1", task["id"], reason, now)
    await emit(
        conn,
        TaskClosed(
            task_id=task["id"],
            organisation_id=task["organisation_id"],
            centrale_id=task["centrale_id"],
            reason=reason,
            closed_at=now,
        ),
        origin,
        task["centrale_id"],
    )


async def get_task(conn: Connection, task_id: UUID, centrale_id: str, organisation_id: UUID | None) -> dict[str, Any]:
    """A task of the centrale (and of the organisation, when given); NotFound otherwise."""
    row = await conn.fetchrow(
        "SELECT * FROM tasks WHERE id = $1 AND centrale_id = $2 AND ($3::uuid IS NULL OR organisation_id = $3)",
        task_id,
        centrale_id,
        organisation_id,
    )
    if row is None:
        raise NotFound(f"task {task_id} not found")
    task = dict(row)
    task["shifts"] = json.loads(task["shifts"])
    return task


async def list_tasks(
    conn: Connection, centrale_id: str, organisation_id: UUID | None, status: str | None
) -> list[dict[str, Any]]:
    """The centrale's tasks, optionally of one organisation and one status."""
    rows = await conn.fetch(
        "SELECT id, organisation_id, title, theme, status, capacity, closing_date FROM tasks WHERE centrale_id = $1"
        " AND ($2::uuid IS NULL OR organisation_id = $2) AND ($3::text IS NULL OR status = $3)"
        " ORDER BY created_at, id",
        centrale_id,
        organisation_id,
        status,
    )
    return [dict(row) for row in rows]


def _columns(fields: TaskFields) -> tuple[Any, ...]:
    return (
        fields.title, fields.description, fields.theme, fields.skills, fields.postcode,
        domain.postcode_area(fields.postcode) if fields.postcode else None, fields.one_off_start, fields.one_off_end,
        json.dumps([slot.model_dump(mode="json") for slot in fields.shifts]), fields.capacity,
        fields.hours_per_week, fields.vog_required, fields.team_suitable, fields.support_accessible,
        fields.closing_date, fields.replaces_paid_work,
    )  # fmt: skip


async def _lock(conn: Connection, task_id: UUID, centrale_id: str, organisation_id: UUID | None) -> Any:
    row = await conn.fetchrow(
        "SELECT * FROM tasks WHERE id = $1 AND centrale_id = $2 AND ($3::uuid IS NULL OR organisation_id = $3)"
        " FOR UPDATE",
        task_id,
        centrale_id,
        organisation_id,
    )
    if row is None:
        raise NotFound(f"task {task_id} not found")
    return row


async def _check_quality(conn: Connection, task_id: UUID) -> Any:
    """The task row if it meets the NOV criteria; Rejected with every failing reason otherwise."""
    row = await conn.fetchrow(
        """
        SELECT t.*, o.status AS organisation_status, o.contact_name, o.contact_email, o.contact_phone,
            o.liability_insured, o.for_profit
        FROM tasks t JOIN organisations o ON o.id = t.organisation_id WHERE t.id = $1
        """,
        task_id,
    )
    assert row is not None
    reasons = domain.check_task_quality(
        domain.TaskDraft(
            description=row["description"],
            hours_per_week=row["hours_per_week"],
            capacity=row["capacity"],
            has_schedule=row["one_off_start"] is not None or json.loads(row["shifts"]) != [],
            one_off_start=row["one_off_start"],
            closing_date=row["closing_date"],
            replaces_paid_work=row["replaces_paid_work"],
            for_profit=row["for_profit"],
            organisation_admitted=row["organisation_status"] == "admitted",
            organisation_has_contact_person=bool(
                row["contact_name"] and (row["contact_email"] or row["contact_phone"])
            ),
            organisation_liability_insured=row["liability_insured"],
        ),
        utc_now().date(),
    )
    if reasons:
        raise Rejected(reasons, field="task")
    return row


def _facts(row: Any) -> dict[str, Any]:
    """The task's shareable facts for ``TaskPosted`` / ``TaskUpdated`` (no free text, no contact data)."""
    return {
        "task_id": row["id"],
        "organisation_id": row["organisation_id"],
        "centrale_id": row["centrale_id"],
        "theme": row["theme"],
        "skills": row["skills"],
        "postcode_area": row["postcode_area"],
        "one_off_start": row["one_off_start"],
        "one_off_end": row["one_off_end"],
        "shifts": json.loads(row["shifts"]),
        "capacity": row["capacity"],
        "hours_per_week": float(row["hours_per_week"]),
        "vog_required": row["vog_required"],
        "team_suitable": row["team_suitable"],
        "support_accessible": row["support_accessible"],
        "closing_date": row["closing_date"],
    }
