"""People per period (agg_active, migration 0076) pinned against figures worked out by hand.

reporting_refill_aggregates() fills agg_active with the same statement as the triggers, so comparing the two
cannot catch a wrong statement; these figures can. A person with entries in several months of a quarter counts
once in it, at least one hour (100 hundredths) over the period's months makes them active, and a change of a
folded row moves its old contribution out and its new one in.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from common.db import Connection
from reporting.folding import fold_hours
from tests.reporting.integration.conftest import Reporting
from tests.reporting.integration.test_rebuild_swap import recomputed, snapshot

pytestmark = pytest.mark.integration

_UNIT = "c:vc-perioden"

_VOLUNTEER = """
    INSERT INTO volunteer_facts (person_key, centrale_id, postcode_area, age_band, target_groups, profile_at)
    VALUES ($1, 'vc-perioden', '1011', '18-20', '{jongeren}', now())
"""
_HOURS = """
    INSERT INTO hours_facts (hours_id, match_id, task_id, person_key, centrale_id, theme, worked_on, hours,
                             recorded_at, booked_month, task_area, nldoet)
    VALUES ($1, $2, $3, $4, 'vc-perioden', 'sport', $5, $6, $7, date_trunc('month', $5::date)::date, '1234', $8)
"""


async def _hours(conn: Connection, person: UUID, day: date, hours: str, *, nldoet: bool = False) -> UUID:
    hours_id = uuid4()
    recorded = datetime(day.year, day.month, day.day, 20, tzinfo=UTC)
    await conn.execute(_HOURS, hours_id, uuid4(), uuid4(), person, day, Decimal(hours), recorded, nldoet)
    return hours_id


async def _active(reporting: Reporting) -> set[tuple[str, str, bool, tuple[str, ...], int, int, int]]:
    await fold_hours(reporting.pool)
    rows = await reporting.pool.fetch(
        "SELECT period, area, mdt, labels, n_any, n_active, n_nldoet FROM agg_active"
        " WHERE unit = $1 AND (n_any, n_active, n_nldoet) <> (0, 0, 0)",
        _UNIT,
    )
    return {
        (r["period"], r["area"], r["mdt"], tuple(r["labels"]), r["n_any"], r["n_active"], r["n_nldoet"]) for r in rows
    }


async def test_people_per_period_count_once_per_period_and_follow_changes(reporting: Reporting) -> None:
    young, unknown, summer = uuid4(), uuid4(), uuid4()
    async with reporting.pool.acquire() as conn:
        await conn.execute(_VOLUNTEER, young)
        await conn.execute(_VOLUNTEER, summer)
        january = await _hours(conn, young, date(2026, 1, 20), "0.5")
        await _hours(conn, young, date(2026, 2, 10), "2")
        # No profile known: no area, not MDT, no labels. Two entries in one month.
        await _hours(conn, unknown, date(2026, 2, 3), "3")
        await _hours(conn, unknown, date(2026, 2, 17), "1")
        await _hours(conn, summer, date(2026, 7, 4), "0.25")
    await fold_hours(reporting.pool)
    # NLdoet: a third month of the quarter for a person whose January and February are folded already.
    async with reporting.pool.acquire() as conn:
        await _hours(conn, young, date(2026, 3, 14), "1", nldoet=True)

    jongeren = ("1011", True, ("jongeren",))
    nobody = ("", False, ())
    assert await _active(reporting) == {
        ("2026-01", *jongeren, 1, 0, 0),
        ("2026-02", *jongeren, 1, 1, 0),
        ("2026-03", *jongeren, 1, 1, 1),
        ("2026-Q1", *jongeren, 1, 1, 1),
        ("2026-H1", *jongeren, 1, 1, 1),
        ("2026-07", *jongeren, 1, 0, 0),
        ("2026-Q3", *jongeren, 1, 0, 0),
        ("2026-H2", *jongeren, 1, 0, 0),
        ("2026", *jongeren, 2, 1, 1),
        ("2026-02", *nobody, 1, 1, 0),
        ("2026-Q1", *nobody, 1, 1, 0),
        ("2026-H1", *nobody, 1, 1, 0),
        ("2026", *nobody, 1, 1, 0),
    }

    # January's half hour goes: the month empties, the quarter still counts the person once.
    await reporting.pool.execute("DELETE FROM hours_facts WHERE hours_id = $1", january)
    after = await _active(reporting)
    assert ("2026-01", *jongeren, 1, 0, 0) not in after
    assert ("2026-Q1", *jongeren, 1, 1, 1) in after
    assert len(after) == 12
    assert await snapshot(reporting) == await recomputed(reporting)
