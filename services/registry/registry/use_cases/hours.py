"""Matches as matching reports them, and the hours logged for them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from common.consumer import ContractViolation
from common.db import Connection
from common.locks import KeyedLock, keyed_xact_lock
from contracts.events import HoursLogged
from registry import domain
from registry.domain import TaskStatus
from registry.use_cases._shared import Conflict, NotFound, Origin, Rejected, emit, utc_now
from registry.use_cases.tasks import mark_closed

__all__ = ["confirm_hours", "log_hours", "record_match"]


async def record_match(
    conn: Connection,
    match_id: UUID,
    task_id: UUID,
    volunteer_id: UUID,
    organisation_id: UUID,
    centrale_id: str,
    volunteer_centrale_id: str,
    made_at: datetime,
    origin: Origin,
) -> None:
    """Remember a match made by matching; when it fills the task's capacity, close the task as filled."""
    task = await conn.fetchrow("SELECT * FROM tasks WHERE id = $1 FOR UPDATE", task_id)
    if task is None:
        # Matching only knows tasks from our own events: retrying cannot help, ops must look.
        raise ContractViolation(f"match {match_id} names task {task_id}, which the registry does not know")
    await conn.execute(
        "INSERT INTO matches (id, task_id, volunteer_id, organisation_id, centrale_id, volunteer_centrale_id, made_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING",
        match_id, task_id, volunteer_id, organisation_id, centrale_id, volunteer_centrale_id, made_at,
    )  # fmt: skip
    matched = await conn.fetchval("SELECT count(*) FROM matches WHERE task_id = $1", task_id)
    if task["status"] == TaskStatus.PUBLISHED and matched >= task["capacity"]:
        await mark_closed(conn, task, TaskStatus.FILLED, origin)


async def log_hours(
    conn: Connection,
    match_id: UUID,
    worked_on: date,
    hours: Decimal,
    *,
    by: str,
    centrale_id: str,
    organisation_id: UUID | None = None,
    volunteer_id: UUID | None = None,
    origin: Origin,
) -> UUID:
    """Log hours for a match; an organisation's entry counts at once, a volunteer's waits for confirmation.

    The match must exist and belong to the caller (its organisation or its volunteer); no future dates;
    at most 24 hours per volunteer per day across every match.
    """
    async with conn.transaction():
        match = await conn.fetchrow(
            "SELECT m.*, t.theme FROM matches m JOIN tasks t ON t.id = m.task_id"
            " WHERE m.id = $1 AND ($2::uuid IS NULL OR m.organisation_id = $2)"
            " AND ($3::uuid IS NULL OR m.volunteer_id = $3)"
            " AND (m.centrale_id = $4 OR m.volunteer_centrale_id = $4)",
            match_id,
            organisation_id,
            volunteer_id,
            centrale_id,
        )
        if match is None:
            raise NotFound(f"match {match_id} not found")
        # Serialise entries of one volunteer so two concurrent logs cannot together pass 24 hours.
        await keyed_xact_lock(conn, KeyedLock.VOLUNTEER_HOURS, str(match["volunteer_id"]))
        already = await conn.fetchval(
            "SELECT coalesce(sum(hours), 0) FROM hours WHERE volunteer_id = $1 AND worked_on = $2",
            match["volunteer_id"],
            worked_on,
        )
        reasons = domain.check_hours(worked_on, hours, already, utc_now().date())
        if worked_on < match["made_at"].date():
            reasons.append("hours cannot be logged for a day before the match was made")
        if reasons:
            raise Rejected(reasons)
        hours_id = uuid4()
        now = utc_now()
        confirmed = by == "organisation"
        await conn.execute(
            "INSERT INTO hours (id, match_id, volunteer_id, task_id, organisation_id, centrale_id, worked_on, hours,"
            " logged_by, status, logged_at, confirmed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            hours_id, match_id, match["volunteer_id"], match["task_id"], match["organisation_id"],
            match["centrale_id"], worked_on, hours, by, "confirmed" if confirmed else "pending", now,
            now if confirmed else None,
        )  # fmt: skip
        if confirmed:
            await _emit_hours(conn, hours_id, origin)
    return hours_id


async def confirm_hours(
    conn: Connection, hours_id: UUID, organisation_id: UUID, centrale_id: str, origin: Origin
) -> None:
    """The organisation confirms hours its volunteer logged; queue ``HoursLogged``."""
    async with conn.transaction():
        status = await conn.fetchval(
            "SELECT status FROM hours WHERE id = $1 AND organisation_id = $2 AND centrale_id = $3 FOR UPDATE",
            hours_id,
            organisation_id,
            centrale_id,
        )
        if status is None:
            raise NotFound(f"hours {hours_id} not found")
        if status == "confirmed":
            raise Conflict("these hours are already confirmed")
        await conn.execute("UPDATE hours SET status = 'confirmed', confirmed_at = now() WHERE id = $1", hours_id)
        await _emit_hours(conn, hours_id, origin)


async def list_hours(conn: Connection, match_id: UUID) -> list[dict[str, Any]]:
    """The hours logged for one match."""
    rows = await conn.fetch("SELECT * FROM hours WHERE match_id = $1 ORDER BY worked_on, logged_at", match_id)
    return [dict(row) for row in rows]


async def _emit_hours(conn: Connection, hours_id: UUID, origin: Origin) -> None:
    row = await conn.fetchrow(
        "SELECT h.*, t.theme FROM hours h JOIN tasks t ON t.id = h.task_id WHERE h.id = $1", hours_id
    )
    assert row is not None
    await emit(
        conn,
        HoursLogged(
            hours_id=row["id"],
            match_id=row["match_id"],
            volunteer_id=row["volunteer_id"],
            task_id=row["task_id"],
            organisation_id=row["organisation_id"],
            centrale_id=row["centrale_id"],
            theme=row["theme"],
            worked_on=row["worked_on"],
            hours=row["hours"],
            logged_by=row["logged_by"],
            logged_at=utc_now(),
        ),
        origin,
        row["centrale_id"],
    )
