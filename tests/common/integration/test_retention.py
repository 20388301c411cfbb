"""Retention of delivery records on real PostgreSQL: published outbox rows and inbox ids older than their windows
go, with exact counts in the job's run and its log line; unpublished rows stay whatever their age."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import asyncpg
import pytest
import pytest_asyncio
from structlog.testing import capture_logs

from common.clock import ManualClock
from common.db import RUNTIME_MIGRATIONS, apply_migrations, create_pool
from common.jobs import Scheduler
from common.retention import RETENTION_JOBS
from common.settings import ServiceSettings
from common.uow import PostgresUnitOfWork

pytestmark = pytest.mark.integration

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)


@pytest_asyncio.fixture(loop_scope="session")
async def pool(fresh_database: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(fresh_database, 4)
    await apply_migrations(pool, RUNTIME_MIGRATIONS)
    yield pool
    await pool.close()


async def _outbox_row(pool: asyncpg.Pool, published_at: datetime | None) -> None:
    await pool.execute(
        "INSERT INTO outbox (topic, key, headers, payload, created_at, published_at) VALUES ($1, $2, $3, $4, $5, $6)",
        "registry.volunteers.v1",
        str(uuid4()),
        json.dumps({}),
        b"{}",
        (published_at or NOW) - timedelta(seconds=1),
        published_at,
    )


async def _inbox_id(pool: asyncpg.Pool, received_at: datetime) -> None:
    await pool.execute(
        "INSERT INTO inbox (consumer, event_id, event_type, received_at) VALUES ($1, $2, $3, $4)",
        "matching",
        uuid4(),
        "nl.vrijwilligerscentrale.volunteer.registered.v1",
        received_at,
    )


async def test_published_outbox_rows_and_inbox_ids_past_their_windows_are_purged_with_exact_counts(
    pool: asyncpg.Pool,
) -> None:
    days = timedelta(days=1)
    for age in (8, 9, 30):  # past the 7-day window
        await _outbox_row(pool, NOW - age * days)
    for age in (1, 6):  # within it
        await _outbox_row(pool, NOW - age * days)
    await _outbox_row(pool, None)  # not yet published: never purged
    await pool.execute("UPDATE outbox SET created_at = $1 WHERE published_at IS NULL", NOW - 100 * days)
    for age in (31, 45):
        await _inbox_id(pool, NOW - age * days)
    for age in (0, 29):
        await _inbox_id(pool, NOW - age * days)
    settings = ServiceSettings(development=True, outbox_retention_days=7, inbox_retention_days=30)
    clock = ManualClock(NOW)
    scheduler = Scheduler(
        service="retentiontest",
        region="testregio",
        jobs=RETENTION_JOBS,
        pool=pool,
        clock=clock,
        factory=PostgresUnitOfWork,
        settings=settings,
    )

    with capture_logs() as logs:
        run = await scheduler.run_now("purge-delivery-records")

    assert (run.status, dict(run.counts)) == ("done", {"outbox_rows": 3, "inbox_ids": 2})
    [finished] = [entry for entry in logs if entry["event"] == "job_run_finished"]
    assert finished["counts"] == {"outbox_rows": 3, "inbox_ids": 2}
    assert await pool.fetchval("SELECT count(*) FROM outbox") == 3
    assert await pool.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 1
    assert await pool.fetchval("SELECT count(*) FROM inbox") == 2

    # A day later one more outbox row (6 days old then 7 days and a bit) and nothing else passes its window.
    clock.advance(days + timedelta(minutes=1))
    run = await scheduler.run_now("purge-delivery-records")
    assert dict(run.counts) == {"outbox_rows": 1, "inbox_ids": 1}
