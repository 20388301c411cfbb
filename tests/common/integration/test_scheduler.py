"""Scheduled jobs on real PostgreSQL: once per due moment across instances, catching up, retried, on demand."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import asyncpg
import pytest
import pytest_asyncio

from common.clock import ManualClock
from common.db import RUNTIME_MIGRATIONS, apply_migrations, create_pool
from common.jobs import DailyAt, Every, Job, JobAlreadyRunning, JobContext, Scheduler
from common.uow import PostgresUnitOfWork

pytestmark = pytest.mark.integration

MIGRATIONS = Path(__file__).parent / "uow_migrations"
START = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)


@pytest_asyncio.fixture(loop_scope="session")
async def pool(fresh_database: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(fresh_database, 8)
    await apply_migrations(pool, RUNTIME_MIGRATIONS, MIGRATIONS)
    yield pool
    await pool.close()


async def _record(ctx: JobContext) -> Mapping[str, int]:
    """The job under test: one effect row per run, written in the job's own unit of work."""
    async with ctx.unit_of_work() as uow:
        await uow.conn.execute("INSERT INTO job_effects (job, due_at) VALUES ($1, $2)", ctx.job, ctx.due_at)
    return {"effects": 1}


def _scheduler(pool: asyncpg.Pool, clock: ManualClock, *jobs: Job) -> Scheduler:
    return Scheduler(
        service="jobtest", region="testregio", jobs=jobs, pool=pool, clock=clock, factory=PostgresUnitOfWork,
        poll_interval_s=60,
    )  # fmt: skip


async def _effects(pool: asyncpg.Pool, job: str) -> list[datetime]:
    rows = await pool.fetch("SELECT due_at FROM job_effects WHERE job = $1 ORDER BY due_at", job)
    return [row["due_at"] for row in rows]


async def test_two_instances_run_each_due_moment_once(pool: asyncpg.Pool) -> None:
    clock = ManualClock(START)
    job = Job("hourly-twice", _record, Every(timedelta(hours=1)))
    first, second = _scheduler(pool, clock, job), _scheduler(pool, clock, job)
    for _ in range(3):
        await asyncio.gather(first.tick(), second.tick(), first.tick(), second.tick())
        clock.advance(timedelta(minutes=30))
    # 12:00, 12:30 (same moment), 13:00, 13:30 (same): two due moments, each run once.
    assert await _effects(pool, "hourly-twice") == [START, START + timedelta(hours=1)]


async def test_a_missed_run_catches_up_once_after_downtime(pool: asyncpg.Pool) -> None:
    clock = ManualClock(START)
    job = Job("daily-catch-up", _record, DailyAt(time(3, 0)))
    scheduler = _scheduler(pool, clock, job)
    await scheduler.tick()
    clock.advance(timedelta(days=3, hours=1))  # down for three nights
    runs = await scheduler.tick()
    assert [run.status for run in runs] == ["done"]
    assert await _effects(pool, "daily-catch-up") == [
        datetime(2026, 12, 5, 2, tzinfo=UTC),  # 03:00 Amsterdam, the moment due at start
        datetime(2026, 12, 8, 2, tzinfo=UTC),  # the latest missed moment, once
    ]
    assert await scheduler.tick() == []


async def test_a_failed_run_is_retried_after_its_backoff(pool: asyncpg.Pool) -> None:
    clock = ManualClock(START)
    attempts: list[datetime] = []

    async def flaky(ctx: JobContext) -> Mapping[str, int]:
        attempts.append(ctx.now())
        if len(attempts) == 1:
            raise RuntimeError("database said no")
        return await _record(ctx)

    scheduler = _scheduler(pool, clock, Job("flaky", flaky, Every(timedelta(days=1))))
    [failed] = await scheduler.tick()
    assert failed.status == "failed"
    assert failed.error == "RuntimeError: database said no"
    assert await scheduler.tick() == []  # within the backoff (the poll interval, 60 s)
    clock.advance(timedelta(seconds=61))
    [retried] = await scheduler.tick()
    assert (retried.status, retried.attempts, dict(retried.counts)) == ("done", 2, {"effects": 1})


async def test_a_job_runs_on_demand_but_never_twice_at_once(pool: asyncpg.Pool) -> None:
    clock = ManualClock(START)
    release = asyncio.Event()

    async def slow(ctx: JobContext) -> Mapping[str, int]:
        await ctx.progress(done=1)
        await release.wait()
        return {"done": 2}

    scheduler = _scheduler(pool, clock, Job("slow", slow))
    other = _scheduler(pool, clock, Job("slow", slow))
    started = await scheduler.run_now("slow", requested_by="region_ops", wait=False)
    assert started.status == "running"
    with pytest.raises(JobAlreadyRunning):
        await other.run_now("slow")
    await asyncio.sleep(0.2)
    assert dict((await other.get_run(started.id)).counts) == {"done": 1}  # type: ignore[union-attr]
    release.set()
    for _ in range(50):
        run = await scheduler.get_run(started.id)
        if run is not None and run.status == "done":
            break
        await asyncio.sleep(0.1)
    assert run is not None
    assert (run.status, dict(run.counts)) == ("done", {"done": 2})
    await scheduler.stop(timeout=1)


async def test_a_run_whose_instance_died_is_run_again(pool: asyncpg.Pool) -> None:
    clock = ManualClock(START)
    job = Job("orphan", _record, Every(timedelta(hours=1)))
    # A row left 'running' by an instance that died (its session lock went with its connection).
    await pool.execute(
        "INSERT INTO job_runs (id, job, due_at, kind, status, started_at) VALUES (gen_random_uuid(), 'orphan', $1,"
        " 'scheduled', 'running', $1)",
        START,
    )
    [run] = await _scheduler(pool, clock, job).tick()
    assert (run.status, run.attempts) == ("done", 2)
    assert await _effects(pool, "orphan") == [START]


async def test_old_runs_are_forgotten_but_each_jobs_latest_stays(pool: asyncpg.Pool) -> None:
    clock = ManualClock(START)
    job = Job("minutely", _record, Every(timedelta(minutes=1)))
    scheduler = Scheduler(
        service="jobtest", region="testregio", jobs=[job], pool=pool, clock=clock, factory=PostgresUnitOfWork,
        run_retention=timedelta(hours=1),
    )  # fmt: skip
    for _ in range(3):
        await scheduler.tick()
        clock.advance(timedelta(minutes=1))
    clock.advance(timedelta(hours=2))
    await scheduler.tick()  # runs the latest moment, then forgets the three old ones
    runs = await pool.fetch("SELECT due_at FROM job_runs WHERE job = 'minutely' ORDER BY due_at")
    assert [row["due_at"] for row in runs] == [START + timedelta(hours=2, minutes=3)]
