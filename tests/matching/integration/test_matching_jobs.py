"""Matching's daily jobs on real PostgreSQL: unanswered proposals expire, long-open tasks go region-wide."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

import asyncpg
import pytest
import pytest_asyncio

from common.clock import ManualClock
from common.db import RUNTIME_MIGRATIONS, apply_migrations, create_pool
from common.jobs import Scheduler
from common.uow import Origin, unit_of_work
from matching.candidates import CandidateIndexCache
from matching.commands import RecordPostedTask, RecordVolunteer
from matching.domain.policy import MatchingPolicy
from matching.jobs import JOBS
from matching.unit_of_work import PostgresMatchingUnitOfWork, matching_unit_of_work
from matching.use_cases import record_posted_task, record_volunteer
from tests.matching.builders import task_facts, volunteer_facts

pytestmark = pytest.mark.integration

MIGRATIONS = Path(__file__).resolve().parents[3] / "services" / "matching" / "migrations"
POSTED = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest_asyncio.fixture(loop_scope="session")
async def pool(fresh_database: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(fresh_database, 4)
    await apply_migrations(pool, RUNTIME_MIGRATIONS, MIGRATIONS)
    yield pool
    await pool.close()


async def test_a_daily_run_expires_the_unanswered_proposal_and_offers_the_task_to_the_neighbours(
    pool: asyncpg.Pool,
) -> None:
    clock = ManualClock(POSTED)
    factory = matching_unit_of_work(CandidateIndexCache(), MatchingPolicy())  # 14 days to live, 14 to overflow
    local, neighbour = volunteer_facts(), volunteer_facts(centrale_id="vc-zeist", regional_consent=True)
    task = task_facts()
    origin = Origin(source="/regions/test/matching", region="test", correlation_id=uuid4())
    async with unit_of_work(pool, origin, clock, factory) as uow:
        assert isinstance(uow, PostgresMatchingUnitOfWork)
        await record_volunteer(RecordVolunteer(local), uow)
        await record_volunteer(RecordVolunteer(neighbour), uow)
        [proposed] = await record_posted_task(RecordPostedTask(task, posted_at=POSTED), uow)
    scheduler = Scheduler(
        service="matching", region="test", jobs=JOBS, pool=pool, clock=clock, factory=factory, poll_interval_s=60
    )

    clock.advance(timedelta(days=15))
    runs = await scheduler.tick()

    assert [(run.job, run.status, dict(run.counts)) for run in runs] == [
        ("expire-proposals", "done", {"expired": 1}),
        ("overflow", "done", {"tasks_offered": 1, "proposals": 1}),
    ]
    rows = await pool.fetch(
        "SELECT match_id, volunteer_id, status, via FROM proposals WHERE task_id = $1", task.task_id
    )
    assert {(r["volunteer_id"], r["status"], r["via"]) for r in rows} == {
        (local.volunteer_id, "expired", "matching"),
        (neighbour.volunteer_id, "proposed", "overflow"),
    }
    assert proposed in {r["match_id"] for r in rows}
    assert await scheduler.tick() == []  # once per due moment
    again = await scheduler.run_now("overflow")
    assert dict(again.counts) == {"tasks_offered": 0, "proposals": 0}  # offered once
