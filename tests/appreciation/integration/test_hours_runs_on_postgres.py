"""On PostgreSQL: hours, registrations and matches applied a run at a time give the award rows and
announcements event by event gives.

The same generated NLdoet stream (with its edge cases) goes into two fresh databases: once with every
hours entry, registration and match through the per-event reference use case, once with every run through
the consumer's run handler. Awards, their announcements in the outbox, hours, volunteers and matches must
be identical, row for row (the moment an award was given aside). A run also costs the same few statements
whatever its length.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any

import asyncpg
import pytest

from appreciation.config import SERVICE
from appreciation.main import SPEC
from appreciation.unit_of_work import PostgresAppreciationUnitOfWork
from common.clock import SystemClock
from common.consumer import BatchContext
from common.db import RUNTIME_MIGRATIONS, apply_migrations, create_pool
from common.localinfra.postgres import create_database, drop_database
from common.uow import Origin
from contracts import Event, EventEnvelope
from contracts.events import HoursLogged, MatchMade, VolunteerRegistered
from tests.appreciation.streams import Batch, apply, handler_table, nldoet_stream

pytestmark = pytest.mark.integration


async def _database(server_dsn: str) -> tuple[str, str]:
    name = f"appreciation_runs_{secrets.token_hex(5)}"
    return name, await create_database(server_dsn, name)


async def _migrated_pool(dsn: str) -> asyncpg.Pool:
    pool = await create_pool(dsn, 2)
    await apply_migrations(pool, RUNTIME_MIGRATIONS, SPEC.migrations)
    return pool


async def _feed(pool: asyncpg.Pool, batches: Sequence[Batch], *, runs: bool) -> None:
    """Apply the stream, one transaction per consumer batch, as the consumer does."""
    current: dict[str, Any] = {}
    table = handler_table()

    def unit_of_work(envelope: EventEnvelope) -> PostgresAppreciationUnitOfWork:
        return PostgresAppreciationUnitOfWork(
            current["conn"], Origin.of_event(envelope, SERVICE), SystemClock(), envelope
        )

    async def in_batch(batch: Batch, work: Callable[[], Awaitable[None]]) -> None:
        async with pool.acquire() as conn, conn.transaction():
            current["conn"] = conn
            await work()

    async def apply_run(events: Sequence[Event], envelopes: Sequence[EventEnvelope]) -> None:
        run_handler = table.runs[type(events[0])]
        await run_handler(events, BatchContext(envelopes=envelopes, conn=current["conn"]))

    await apply(batches, runs=runs, unit_of_work=unit_of_work, in_batch=in_batch, apply_run=apply_run)


async def _state(pool: asyncpg.Pool) -> dict[str, list[Any]]:
    """What the two ways must agree on: awards (their moment aside), announcements in order, facts."""
    awards = await pool.fetch("SELECT * FROM awards ORDER BY award_id")
    announcements = []
    for row in await pool.fetch("SELECT topic, key, headers, payload FROM outbox ORDER BY id"):
        headers = {name: value for name, value in json.loads(row["headers"]) if name != "ce_time"}
        payload = json.loads(row["payload"]) | {"awarded_at": None}
        announcements.append((row["topic"], row["key"], headers, payload))
    return {
        "awards": [dict(row) | {"awarded_at": None} for row in awards],
        "announcements": announcements,
        "hours": [dict(row) for row in await pool.fetch("SELECT * FROM hours ORDER BY id")],
        "volunteers": [dict(row) for row in await pool.fetch("SELECT * FROM volunteers ORDER BY id")],
        "matches": [dict(row) for row in await pool.fetch("SELECT * FROM matches ORDER BY id")],
        "erased": [row[0] for row in await pool.fetch("SELECT volunteer_id FROM erased_volunteers ORDER BY 1")],
    }


@pytest.fixture
async def two_databases(postgres_server_dsn: str) -> AsyncIterator[tuple[asyncpg.Pool, asyncpg.Pool]]:
    """Two fresh, migrated databases: one for entries one by one, one for runs."""
    names, pools = [], []
    try:
        for _ in range(2):
            name, dsn = await _database(postgres_server_dsn)
            names.append(name)
            pools.append(await _migrated_pool(dsn))
        yield pools[0], pools[1]
    finally:
        for pool in pools:
            await pool.close()
        for name in names:
            await drop_database(postgres_server_dsn, name)


async def test_runs_and_entries_one_by_one_leave_identical_awards_announcements_and_facts(
    two_databases: tuple[asyncpg.Pool, asyncpg.Pool],
) -> None:
    one_by_one, in_runs = two_databases
    stream = nldoet_stream()

    await _feed(one_by_one, stream, runs=False)
    await _feed(in_runs, stream, runs=True)

    expected, actual = await _state(one_by_one), await _state(in_runs)
    assert len(expected["awards"]) > 1_000
    assert {"hours-10", "hours-100", "mdt-basis", "anniversary-1", "nldoet"} <= {
        a["rule_id"] for a in expected["awards"]
    }
    assert len(expected["erased"]) == 2
    for table in ("awards", "announcements", "hours", "volunteers", "matches", "erased"):
        assert actual[table] == expected[table], table


class _CountingConnection:
    """A connection that counts the statements sent through it."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn
        self.statements = 0

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._conn, name)
        if name in {"execute", "executemany", "fetch", "fetchrow", "fetchval", "copy_records_to_table"}:

            async def counted(*args: Any, **kwargs: Any) -> Any:
                self.statements += 1
                return await attribute(*args, **kwargs)

            return counted
        return attribute


async def _statements_for_run(pool: asyncpg.Pool, kind: type[Event], size: int) -> int:
    """Statements the run handler sends for a run of ``size`` events of ``kind`` (after those it assumes)."""
    stream = nldoet_stream(volunteers=300, hours_events=600, seed=size)
    events = [g for batch in stream for g in batch]
    run = [g for g in events if isinstance(g.event, kind)][:size]
    assert len(run) == size
    # What came before in the stream (hours come last: the run's own kind and hours are left out).
    await _feed(pool, [[g for g in events if not isinstance(g.event, (kind, HoursLogged))]], runs=True)
    async with pool.acquire() as conn, conn.transaction():
        counting = _CountingConnection(conn)
        envelopes = [g.envelope for g in run]
        run_handler = handler_table().runs[kind]
        await run_handler([g.event for g in run], BatchContext(envelopes=envelopes, conn=counting))
        return counting.statements


@pytest.mark.parametrize("kind", [HoursLogged, MatchMade, VolunteerRegistered])
async def test_a_run_costs_the_same_few_statements_whatever_its_length(
    two_databases: tuple[asyncpg.Pool, asyncpg.Pool], kind: type[Event]
) -> None:
    short, long = two_databases

    few = await _statements_for_run(short, kind, 3)
    many = await _statements_for_run(long, kind, 300)

    assert few <= 12
    assert many <= 12
