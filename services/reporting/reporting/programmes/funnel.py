"""The funnel from a one-off day to structural volunteering (issue 18, point 7), read from the facts.

A **one-off participant** is a volunteer (known by their pseudonymous key) who started with something one-off:
their first match was to a one-off task (one with a one-off start), or they gave hours on an NLdoet day. Their
**start** is the earliest such moment; they count in the month of it and where it happened (the task's centrale,
so its municipality and the region). Volunteers who already had a structural match by then are not in the
funnel: they did not come in through a one-off day. A participant **went structural** when a match to a
structural task was made after the start and at most 6 months after it. Until those 6 months have passed (Dutch
days) a participant who did not yet go structural is **still open**; afterwards not.

Team days count their employees, not volunteers the platform knows, so they are not in the funnel. Tasks
projected before migration 0047 are neither one-off nor structural until a rebuild replays them.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from common.db import Connection
from reporting.periods import Period, add_months, month_of
from reporting.programmes.common import TIMEZONE

__all__ = ["FUNNEL_MONTHS", "FunnelEntry", "funnel_entries", "months_after"]

FUNNEL_MONTHS = 6
"""How long after a one-off start a structural match still counts as the funnel's step."""

# $1, $2: the period's first day and the day after it (local dates); $3 the time zone; $4 the window in months.
_ENTRIES = """
    WITH firsts AS (
        SELECT DISTINCT ON (m.person_key) m.person_key, m.made_at AS at, m.centrale_id, t.one_off
        FROM match_facts m JOIN task_facts t ON t.task_id = m.task_id
        WHERE m.person_key IS NOT NULL AND m.made_at IS NOT NULL
        ORDER BY m.person_key, m.made_at, m.match_id
    ), nldoet AS (
        SELECT DISTINCT ON (h.person_key) h.person_key, (h.worked_on::timestamp AT TIME ZONE $3) AS at, h.centrale_id
        FROM hours_facts h
        WHERE h.nldoet AND h.person_key IS NOT NULL
        ORDER BY h.person_key, h.worked_on, h.hours_id
    ), starts AS (
        SELECT DISTINCT ON (person_key) person_key, at, centrale_id FROM (
            SELECT person_key, at, centrale_id FROM firsts WHERE one_off
            UNION ALL
            SELECT person_key, at, centrale_id FROM nldoet
        ) e
        ORDER BY person_key, at, centrale_id
    ), structural AS (
        SELECT m.person_key, m.made_at FROM match_facts m JOIN task_facts t ON t.task_id = m.task_id
        WHERE t.one_off = false AND m.person_key IS NOT NULL AND m.made_at IS NOT NULL
    )
    SELECT s.person_key, s.centrale_id, (s.at AT TIME ZONE $3)::date AS started_on,
           EXISTS (SELECT 1 FROM structural x WHERE x.person_key = s.person_key AND x.made_at > s.at
                   AND x.made_at AT TIME ZONE $3 <= (s.at AT TIME ZONE $3) + make_interval(months => $4))
               AS went_structural
    FROM starts s
    WHERE s.at AT TIME ZONE $3 >= $1 AND s.at AT TIME ZONE $3 < $2
      AND NOT EXISTS (SELECT 1 FROM structural x WHERE x.person_key = s.person_key AND x.made_at <= s.at)
"""


def months_after(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day where it is shorter), as PostgreSQL's interval does."""
    first = add_months(month_of(day), months)
    return first.replace(day=min(day.day, calendar.monthrange(first.year, first.month)[1]))


@dataclass(frozen=True)
class FunnelEntry:
    """One one-off participant whose start lies in the period, and what became of it."""

    person_key: UUID
    centrale_id: str
    started_on: date
    went_structural: bool
    still_open: bool
    """Not (yet) structural while the 6 months after the start have not passed."""


async def funnel_entries(conn: Connection, period: Period, today: date) -> list[FunnelEntry]:
    """The one-off participants who started in the period (call within the figures' snapshot)."""
    rows = await conn.fetch(_ENTRIES, period.first_month, add_months(period.last_month, 1), TIMEZONE, FUNNEL_MONTHS)
    return [
        FunnelEntry(
            person_key=row["person_key"],
            centrale_id=row["centrale_id"],
            started_on=row["started_on"],
            went_structural=row["went_structural"],
            still_open=not row["went_structural"] and months_after(row["started_on"], FUNNEL_MONTHS) >= today,
        )
        for row in rows
    ]
