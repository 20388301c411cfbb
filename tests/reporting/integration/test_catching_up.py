"""A region catching up (migration 0083): the people lists read again in one pass are the ones migration 0077 read
one by one, and the supply and demand refreshes keep planning with the keys they are given.

Real PostgreSQL, a reporting database of its own with every migration; the facts are written directly, so the test
chooses how many lists go stale.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import pytest

from common.migrate import migrate
from reporting.main import SPEC

pytestmark = pytest.mark.integration

# The statements as they were before this change: one reporting_people_of (a scan of hours_facts) per list.
_ONE_BY_ONE = (SPEC.migrations / "0077_hours_people_unsorted.sql").read_text()
_LISTS = """
    SELECT kpi, month, centrale_id, centrale2, area, theme, amount, facts, persons, person_facts, more
    FROM agg_hours ORDER BY kpi, month, centrale_id, centrale2, area, theme
"""
_STALE = "SELECT count(*) FROM agg_hours WHERE more AND cardinality(persons) < 5"
_HOURS = """
    INSERT INTO hours_facts (hours_id, match_id, task_id, person_key, centrale_id, theme, worked_on, hours,
                             recorded_at, booked_month, task_area, nldoet, home_centrale_id)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
"""
_CENTRALES = ("vc-noord", "vc-zuid")
_AREAS = ("3511", "3512", "3513")
_THEMES = ("sport", "zorg")


@pytest.fixture
async def conn(fresh_database: str) -> AsyncIterator[asyncpg.Connection]:
    """A connection to a migrated reporting database of this test's own."""
    await migrate("reporting", fresh_database)
    connection = await asyncpg.connect(fresh_database)
    try:
        yield connection
    finally:
        await connection.close()


def _hours_rows(rng: random.Random, people: list[UUID | None], count: int) -> list[tuple[Any, ...]]:
    """``count`` hours entries of ``people`` (None: an erased volunteer) over a few buckets of 2027."""
    rows = []
    for _ in range(count):
        month = date(2027, rng.choice((3, 4)), 1)
        worked_on = month.replace(day=rng.randint(1, 28))
        rows.append((
            uuid4(), uuid4(), uuid4(), rng.choice(people), rng.choice(_CENTRALES), rng.choice(_THEMES), worked_on,
            Decimal(rng.randint(1, 8)), datetime(2027, 5, 1, tzinfo=UTC), month, rng.choice(_AREAS),
            rng.random() < 0.3, rng.choice((None, None, "vc-oost")),
        ))  # fmt: skip
    return rows


Change = tuple[str, list[Any]]  # a statement and its one argument, a list


async def _lists_after(conn: asyncpg.Connection, change: Change, *, before: str = "") -> list[tuple[Any, ...]]:
    """Every hours bucket after ``change`` (after ``before``, e.g. other statements), rolled back."""
    transaction = conn.transaction()
    await transaction.start()
    try:
        if before:
            await conn.execute(before)
        await conn.execute(*change)
        return [tuple(row) for row in await conn.fetch(_LISTS)]
    finally:
        await transaction.rollback()


async def _stale_lists(conn: asyncpg.Connection, change: Change) -> int:
    """How many lists ``change`` leaves to be read again (the trigger without its last statement; rolled back)."""
    transaction = conn.transaction()
    await transaction.start()
    try:
        await conn.execute("""
            ALTER FUNCTION reporting_hours_cell_statements(text) RENAME TO reporting_hours_cell_statements_all;
            CREATE FUNCTION reporting_hours_cell_statements(source text) RETURNS text[]
            LANGUAGE sql IMMUTABLE AS $$ SELECT (reporting_hours_cell_statements_all(source))[1:2] $$;
        """)
        await conn.execute(*change)
        count: int = await conn.fetchval(_STALE)
        return count
    finally:
        await transaction.rollback()


@pytest.mark.parametrize("seed", [1, 2])
async def test_lists_read_again_in_one_pass_are_the_ones_read_one_by_one(conn: asyncpg.Connection, seed: int) -> None:
    rng = random.Random(seed)
    people: list[UUID | None] = [uuid4() for _ in range(40)] + [None]
    await conn.executemany(_HOURS, _hours_rows(rng, people, 1_500))
    await conn.execute("SELECT reporting_fold_hours(100000, 5)")
    # Hours still queued count nowhere yet, also not when a list is read again.
    await conn.executemany(_HOURS, _hours_rows(rng, people, 100))
    movers = rng.sample([person for person in people if person is not None], 12)
    changes: list[Change] = [
        # their match names another home centrale (hours before their match)
        ("UPDATE hours_facts SET home_centrale_id = 'vc-west' WHERE person_key = ANY($1::uuid[])", movers),
        # a task's area moves
        ("UPDATE hours_facts SET task_area = '3514' WHERE task_area = '3511' AND theme = ANY($1::text[])", ["sport"]),
        # entries taken back
        ("DELETE FROM hours_facts WHERE person_key = ANY($1::uuid[]) AND nldoet", movers[:6]),
    ]

    for change in changes:
        assert await _stale_lists(conn, change) > 5, change  # the statement has lists to read again
        assert await _lists_after(conn, change) == await _lists_after(conn, change, before=_ONE_BY_ONE), change
    assert await conn.fetchval(_STALE) == 0


async def _scans_of_calls(conn: asyncpg.Connection, function: str, table: str, keys: list[UUID]) -> list[int]:
    """The sequential scans of ``table`` in each of eight calls of ``function(keys)`` on one connection."""
    scans = []
    async with conn.transaction():
        for _ in range(8):
            before = await conn.fetchval("SELECT seq_scan FROM pg_stat_xact_user_tables WHERE relname = $1", table)
            await conn.execute(f"SELECT {function}($1::uuid[])", keys)
            after = await conn.fetchval("SELECT seq_scan FROM pg_stat_xact_user_tables WHERE relname = $1", table)
            scans.append(after - before)
    return scans


async def test_supply_and_demand_refreshes_plan_with_the_keys_they_are_given(conn: asyncpg.Connection) -> None:
    """From its sixth call PostgreSQL may keep a generic plan, which reads every row for `keys IS NULL OR …`."""
    profile = datetime(2027, 1, 1, tzinfo=UTC)
    volunteers = [uuid4() for _ in range(10_000)]
    await conn.copy_records_to_table(
        "volunteer_facts", records=[(key, "vc-noord", profile, profile, profile.date()) for key in volunteers],
        columns=["person_key", "centrale_id", "profile_at", "registered_at", "booked_month"],
    )  # fmt: skip
    tasks = [uuid4() for _ in range(10_000)]
    await conn.copy_records_to_table(
        "task_facts",
        records=[(task, uuid4(), "vc-noord", "sport", profile, profile, profile.date()) for task in tasks],
        columns=["task_id", "organisation_id", "centrale_id", "theme", "posted_at", "attributes_at", "posted_booked"],
    )  # fmt: skip
    await conn.execute("ANALYZE volunteer_facts; ANALYZE task_facts")

    assert await _scans_of_calls(conn, "reporting_refresh_supply", "volunteer_facts", volunteers[:300]) == [0] * 8
    assert await _scans_of_calls(conn, "reporting_refresh_demand", "task_facts", tasks[:300]) == [0] * 8
