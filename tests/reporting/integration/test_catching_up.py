"""A region catching up (migration 0083): the people lists read again in one pass are the ones migration 0077 read
one by one, the supply and demand refreshes keep planning with the keys they are given, and a first match is found
without walking every match.

Real PostgreSQL, a reporting database of its own with every migration; the facts are written directly, so the test
chooses how many lists go stale.
"""

from __future__ import annotations

import json
import random
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import pytest

from common.migrate import migrate
from reporting.main import SPEC
from reporting.projections._tasks import _FIRST_MATCH
from reporting.projections._volunteers import _REGISTERED

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


def _uuid(rng: random.Random) -> UUID:
    """A random id from ``rng``: the lists, and so which go stale, are the same in every run."""
    return UUID(int=rng.getrandbits(128), version=4)


def _hours_rows(rng: random.Random, people: list[UUID | None], count: int) -> list[tuple[Any, ...]]:
    """``count`` hours entries of ``people`` (None: an erased volunteer) over a few buckets of 2027."""
    rows = []
    for _ in range(count):
        month = date(2027, rng.choice((3, 4)), 1)
        worked_on = month.replace(day=rng.randint(1, 28))
        rows.append((
            _uuid(rng), _uuid(rng), _uuid(rng), rng.choice(people), rng.choice(_CENTRALES), rng.choice(_THEMES),
            worked_on, Decimal(rng.randint(1, 8)), datetime(2027, 5, 1, tzinfo=UTC), month, rng.choice(_AREAS),
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
    people: list[UUID | None] = [_uuid(rng) for _ in range(40)] + [None]
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
        assert await _stale_lists(conn, change) > 5, change  # the statement has lists to read again (15-67 here)
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


async def _match_rows_read(conn: asyncpg.Connection, statement: str, *arguments: Any) -> int:
    """The match_facts rows ``statement`` read (heap rows fetched through an index, or scanned), rolled back."""
    read = """SELECT coalesce(idx_tup_fetch, 0) + seq_tup_read FROM pg_stat_xact_user_tables
              WHERE relname = 'match_facts'"""
    transaction = conn.transaction()
    await transaction.start()
    try:
        before: int = await conn.fetchval(read)
        await conn.execute(statement, *arguments)
        after: int = await conn.fetchval(read)
        return after - before
    finally:
        await transaction.rollback()


async def test_a_first_match_is_found_without_walking_every_match(conn: asyncpg.Connection) -> None:
    """Statistics taken while 20 tasks and volunteers had all the matches (a region catching up, before the next
    ANALYZE): PostgreSQL expects any task's or volunteer's first match early in the made_at order. A new task or
    volunteer has none, so a walk in that order reads every match."""
    rng = random.Random(7)
    tasks, people = [uuid4() for _ in range(20)], [uuid4() for _ in range(20)]
    made = [datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=rng.randint(0, 500_000)) for _ in range(20_000)]
    await conn.execute("ALTER TABLE match_facts SET (autovacuum_enabled = false)")  # the statistics stay as taken
    matches = [
        (uuid4(), tasks[i % 20], people[i % 20], "vc-noord", "vc-noord", at, at, at.date().replace(day=1))
        for i, at in enumerate(made)
    ]
    columns = ["match_id", "task_id", "person_key", "centrale_id", "volunteer_centrale_id", "made_at", "recorded_at"]
    await conn.copy_records_to_table("match_facts", records=matches, columns=[*columns, "booked_month"])
    await conn.execute("ANALYZE match_facts")
    new_task, new_volunteer = uuid4(), uuid4()
    profile = datetime(2027, 1, 1, tzinfo=UTC)
    await conn.execute(
        "INSERT INTO volunteer_facts (person_key, centrale_id, profile_at) VALUES ($1, 'vc-noord', $2)",
        new_volunteer, profile,
    )  # fmt: skip
    await conn.execute(
        "INSERT INTO task_facts (task_id, organisation_id, centrale_id, theme, attributes_at)"
        " VALUES ($1, $2, 'vc-noord', 'sport', $3)",
        new_task, uuid4(), profile,
    )  # fmt: skip
    at = profile.isoformat()
    registered = json.dumps([{"person_key": str(new_volunteer), "registered_at": at, "recorded_at": at}])

    assert await _match_rows_read(conn, _FIRST_MATCH, [new_task]) < 10
    assert await _match_rows_read(conn, _REGISTERED, registered) < 10
