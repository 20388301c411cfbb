"""Tasks: theme, area, capacity and hours asked, one-off or structural, when published and closed, and when their
first match was made."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from common.consumer import BatchContext
from common.db import Connection
from contracts.events import TaskClosed, TaskPosted, TaskUpdated
from reporting.projections._common import distinct_runs, lock_entities, records

__all__ = ["on_task_closed", "on_task_posted", "on_task_updated", "refresh_first_matches"]

# Theme, area and capacity, unless a later version is there already.
_ATTRIBUTES = """
    INSERT INTO task_facts
        (task_id, organisation_id, centrale_id, theme, postcode_area, capacity, hours_per_week, one_off, attributes_at)
    SELECT r.task_id, r.organisation_id, r.centrale_id, r.theme, r.postcode_area, r.capacity, r.hours_per_week,
           r.one_off, r.at
    FROM jsonb_to_recordset($1::jsonb) AS r(
        task_id uuid, organisation_id uuid, centrale_id text, theme text, postcode_area text, capacity integer,
        hours_per_week numeric, one_off boolean, at timestamptz)
    ON CONFLICT (task_id) DO UPDATE SET organisation_id = EXCLUDED.organisation_id,
        centrale_id = EXCLUDED.centrale_id, theme = EXCLUDED.theme, postcode_area = EXCLUDED.postcode_area,
        capacity = EXCLUDED.capacity, hours_per_week = EXCLUDED.hours_per_week, one_off = EXCLUDED.one_off,
        attributes_at = EXCLUDED.attributes_at
    WHERE task_facts.attributes_at <= EXCLUDED.attributes_at
"""
# Matches and hours count where their task is now (they may have come before it, on other topics).
_FOLLOW_AREA = """
    UPDATE {table} f SET task_area = t.postcode_area FROM task_facts t
    WHERE t.task_id = ANY($1::uuid[]) AND f.task_id = t.task_id AND f.task_area IS DISTINCT FROM t.postcode_area
"""
_POSTED = """
    UPDATE task_facts t SET posted_at = r.posted_at, recorded_at = r.recorded_at,
        posted_booked = reporting_booked_month(reporting_month(r.posted_at), r.recorded_at, t.centrale_id)
    FROM jsonb_to_recordset($1::jsonb) AS r(task_id uuid, posted_at timestamptz, recorded_at timestamptz)
    WHERE t.task_id = r.task_id
"""
# A task's first match: the earliest made (then the lowest id), whichever order the events came in.
_FIRST_MATCH = """
    UPDATE task_facts t SET first_match_at = f.made_at, first_match_id = f.match_id,
        first_match_recorded_at = f.recorded_at,
        first_booked = reporting_booked_month(reporting_month(f.made_at), f.recorded_at, t.centrale_id)
    FROM unnest($1::uuid[]) AS k(task_id) LEFT JOIN LATERAL (
        SELECT m.made_at, m.match_id, m.recorded_at FROM match_facts m
        WHERE m.task_id = k.task_id AND m.made_at IS NOT NULL ORDER BY m.made_at, m.match_id LIMIT 1
    ) f ON true
    WHERE t.task_id = k.task_id
      AND (t.first_match_at, t.first_match_id, t.first_match_recorded_at)
          IS DISTINCT FROM (f.made_at, f.match_id, f.recorded_at)
"""
_CLOSED = """
    UPDATE task_facts t SET closed_at = r.closed_at, close_reason = r.reason, closed_recorded_at = r.recorded_at,
        closed_booked = reporting_booked_month(reporting_month(r.closed_at), r.recorded_at, t.centrale_id)
    FROM jsonb_to_recordset($1::jsonb) AS r(task_id uuid, closed_at timestamptz, reason text, recorded_at timestamptz)
    WHERE t.task_id = r.task_id
"""


def _attributes(event: TaskPosted | TaskUpdated, at: Any) -> dict[str, Any]:
    return {
        "task_id": event.task_id, "organisation_id": event.organisation_id, "centrale_id": event.centrale_id,
        "theme": event.theme, "postcode_area": event.postcode_area, "capacity": event.capacity,
        "hours_per_week": event.hours_per_week, "one_off": event.one_off_start is not None, "at": at,
    }  # fmt: skip


async def _follow_area(conn: Connection, task_ids: list[UUID]) -> None:
    for table in ("match_facts", "hours_facts"):
        await conn.execute(_FOLLOW_AREA.replace("{table}", table), task_ids)


async def refresh_first_matches(conn: Connection, task_ids: list[UUID]) -> None:
    """Recompute the first match of these tasks from their matches."""
    await conn.execute(_FIRST_MATCH, task_ids)


async def on_task_posted(events: Sequence[TaskPosted], ctx: BatchContext) -> None:
    """Tasks published: open from now until closed (their first match may have come first)."""
    await lock_entities(ctx.conn, tasks=[event.task_id for event in events])
    for run in distinct_runs(events, ctx, lambda event: event.task_id):
        task_ids = [event.task_id for event, _ in run]
        await ctx.conn.execute(_ATTRIBUTES, records([_attributes(event, event.posted_at) for event, _ in run]))
        await ctx.conn.execute(_POSTED, records([
            {"task_id": event.task_id, "posted_at": event.posted_at, "recorded_at": recorded} for event, recorded in run
        ]))  # fmt: skip
        await refresh_first_matches(ctx.conn, task_ids)
        await _follow_area(ctx.conn, task_ids)


async def on_task_updated(events: Sequence[TaskUpdated], ctx: BatchContext) -> None:
    """Published tasks changed (theme, area, capacity)."""
    await lock_entities(ctx.conn, tasks=[event.task_id for event in events])
    for run in distinct_runs(events, ctx, lambda event: event.task_id):
        await ctx.conn.execute(_ATTRIBUTES, records([_attributes(event, event.updated_at) for event, _ in run]))
        await _follow_area(ctx.conn, [event.task_id for event, _ in run])


async def on_task_closed(events: Sequence[TaskClosed], ctx: BatchContext) -> None:
    """Tasks stopped taking volunteers: filled, closed or expired."""
    await lock_entities(ctx.conn, tasks=[event.task_id for event in events])  # a proposal or match may be under way
    for run in distinct_runs(events, ctx, lambda event: event.task_id):
        await ctx.conn.execute(_CLOSED, records([
            {"task_id": e.task_id, "closed_at": e.closed_at, "reason": e.reason, "recorded_at": recorded}
            for e, recorded in run
        ]))  # fmt: skip
