"""New hours wait in ``hours_pending`` for the fold (migrations 0005, 0072): queued once, also when their id
is queued already, and folded into the aggregates as a recomputation from the facts counts them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from common.db import Connection
from tests.reporting.integration.conftest import Reporting
from tests.reporting.integration.test_rebuild_swap import recomputed, snapshot

pytestmark = pytest.mark.integration

_INSERT = """
    INSERT INTO hours_facts (hours_id, match_id, task_id, person_key, centrale_id, theme, worked_on, hours,
                             recorded_at, booked_month, task_area, nldoet)
    VALUES ($1, $2, $3, $4, 'vc-wachtrij', 'sport', '2026-01-20', $5, $6, '2026-01-01', '1234', false)
"""


async def _write(conn: Connection, hours_id: UUID, person: UUID, hours: str) -> None:
    await conn.execute(_INSERT, hours_id, uuid4(), uuid4(), person, Decimal(hours), datetime(2026, 1, 21, tzinfo=UTC))


async def test_hours_written_again_while_still_queued_are_queued_once_and_folded(reporting: Reporting) -> None:
    hours_id, other, person = uuid4(), uuid4(), uuid4()
    async with reporting.pool.acquire() as conn, conn.transaction():
        await _write(conn, hours_id, person, "2")
        # Deleted before it was folded (its queue entry stays), then the same id written again: the queue's
        # plain INSERT meets the entry and the statement falls back to ON CONFLICT DO NOTHING.
        await conn.execute("DELETE FROM hours_facts WHERE hours_id = $1", hours_id)
        await _write(conn, hours_id, person, "3")
        await _write(conn, other, person, "1.5")
        queued = await conn.fetch(
            "SELECT hours_id FROM hours_pending WHERE hours_id = ANY($1::uuid[])", [hours_id, other]
        )
        assert sorted(row[0] for row in queued) == sorted([hours_id, other])
    assert await snapshot(reporting) == await recomputed(reporting)
    amount = await reporting.pool.fetchval(
        "SELECT sum(amount) FROM agg_hours WHERE kpi = 'hours' AND centrale_id = 'vc-wachtrij' AND month = $1",
        date(2026, 1, 1),
    )
    assert amount == Decimal("4.5")
