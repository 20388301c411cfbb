"""Read side: a volunteer's appreciation record, and a centrale's awards in a period."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from appreciation.use_cases._shared import NotFound
from common.db import Connection

__all__ = ["TRAININGS_NOTE", "centrale_awards", "volunteer_record"]

# No event tells appreciation about trainings (deskundigheidsbevordering) yet; say so instead of inventing.
TRAININGS_NOTE = "Trainingen worden nog niet in het platform geregistreerd; de vrijwilligerscentrale kan ze bevestigen."


async def volunteer_record(
    conn: Connection, volunteer_id: UUID, centrale_id: str, *, must_exist: bool = True
) -> dict[str, Any]:
    """Organisations, tasks, hours, skills used, awards and certificates of one volunteer of ``centrale_id``.

    NotFound when appreciation knows the volunteer under another centrale (or, with ``must_exist``, not at
    all): staff of one centrale never see another's volunteers.
    """
    volunteer = await conn.fetchrow("SELECT id, centrale_id FROM volunteers WHERE id = $1", volunteer_id)
    if (volunteer is None and must_exist) or (volunteer is not None and volunteer["centrale_id"] != centrale_id):
        raise NotFound(f"volunteer {volunteer_id} not found")
    organisations = await conn.fetch(
        """
        WITH served AS (
            SELECT organisation_id, NULL::numeric AS hours, NULL::date AS worked_on FROM matches
            WHERE volunteer_id = $1
            UNION ALL
            SELECT organisation_id, hours, worked_on FROM hours WHERE volunteer_id = $1
        )
        SELECT s.organisation_id, o.name, coalesce(sum(s.hours), 0) AS hours, min(s.worked_on) AS first_day,
            max(s.worked_on) AS last_day
        FROM served s LEFT JOIN organisations o ON o.id = s.organisation_id
        GROUP BY s.organisation_id, o.name ORDER BY hours DESC, o.name
        """,
        volunteer_id,
    )
    tasks = await conn.fetch(
        """
        WITH served AS (
            SELECT task_id, organisation_id, NULL::numeric AS hours, NULL::text AS theme FROM matches
            WHERE volunteer_id = $1
            UNION ALL
            SELECT task_id, organisation_id, hours, theme FROM hours WHERE volunteer_id = $1
        )
        SELECT s.task_id, s.organisation_id, o.name AS organisation_name,
            coalesce(t.theme, max(s.theme)) AS theme, coalesce(t.skills, '{}') AS skills,
            coalesce(sum(s.hours), 0) AS hours
        FROM served s LEFT JOIN tasks t ON t.id = s.task_id LEFT JOIN organisations o ON o.id = s.organisation_id
        GROUP BY s.task_id, s.organisation_id, o.name, t.theme, t.skills ORDER BY hours DESC, s.task_id
        """,
        volunteer_id,
    )
    awards = await conn.fetch(
        "SELECT award_id, rule_id, rule_kind, title, awarded_at FROM awards WHERE recipient_id = $1"
        " AND recipient_kind = 'volunteer' ORDER BY awarded_at, title",
        volunteer_id,
    )
    certificates = await conn.fetch(
        "SELECT id AS certificate_id, issued_at, total_hours FROM certificates WHERE volunteer_id = $1"
        " ORDER BY issued_at",
        volunteer_id,
    )
    days = [row for row in organisations if row["first_day"] is not None]
    return {
        "volunteer_id": volunteer_id,
        "centrale_id": centrale_id,
        "total_hours": sum((row["hours"] for row in organisations), Decimal(0)),
        "first_day": min((row["first_day"] for row in days), default=None),
        "last_day": max((row["last_day"] for row in days), default=None),
        "organisations": [
            {
                "organisation_id": row["organisation_id"],
                "name": row["name"],
                "hours": row["hours"],
                "first_day": row["first_day"],
                "last_day": row["last_day"],
            }
            for row in organisations
        ],
        "tasks": [dict(row) for row in tasks],
        "skills_used": sorted({skill for row in tasks if row["hours"] > 0 for skill in row["skills"]}),
        "awards": [dict(row) for row in awards],
        "certificates": [dict(row) for row in certificates],
        "trainings": [],
        "trainings_note": TRAININGS_NOTE,
    }


async def centrale_awards(conn: Connection, centrale_id: str, start: date, end: date) -> dict[str, Any]:
    """The centrale's awards from ``start`` to ``end`` (inclusive, by UTC day), with counts per rule."""
    rows = await conn.fetch(
        "SELECT award_id, rule_id, rule_kind, title, recipient_id, recipient_kind, trigger_event_type, awarded_at"
        " FROM awards WHERE centrale_id = $1 AND awarded_at >= $2 AND awarded_at < $3 ORDER BY awarded_at, award_id",
        centrale_id,
        datetime.combine(start, time(), UTC),
        datetime.combine(end + timedelta(days=1), time(), UTC),
    )
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["rule_id"]] = counts.get(row["rule_id"], 0) + 1
    return {
        "centrale_id": centrale_id,
        "from": start,
        "to": end,
        "total": len(rows),
        "per_rule": [{"rule_id": rule_id, "count": count} for rule_id, count in sorted(counts.items())],
        "awards": [dict(row) for row in rows],
    }
