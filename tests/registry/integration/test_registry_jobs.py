"""The registry's own schedule, with two instances and a clock the test moves: each job runs once per due moment,
whichever instance ticks, and a missed day is caught up once after downtime (reminders, check-ins, expiry)."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from uuid import uuid4
from zoneinfo import ZoneInfo

import httpx
import pytest
from fastapi import FastAPI

from common.clock import ManualClock
from common.jobs import Scheduler
from common.localinfra.postgres import create_database
from common.uow import Origin
from registry.config import Settings
from registry.main import create_app
from registry.repositories import Proposal
from registry.unit_of_work import PostgresRegistryUnitOfWork
from tests.support.registry_client import Registry

pytestmark = pytest.mark.integration

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
# 07:00 on a Tuesday in Amsterdam: before the reminders (08:30) and the check-ins (09:00) of the day.
START = datetime(2026, 12, 1, 7, 0, tzinfo=AMSTERDAM).astimezone(UTC)
JOBS = ("expire-tasks", "reminders", "check-ins")


@pytest.fixture(scope="module")
async def instances(
    kafka_bootstrap: str, postgres_server_dsn: str
) -> AsyncIterator[tuple[Registry, list[FastAPI], ManualClock]]:
    """Two registry instances on one database and one clock; their schedulers tick only when the test says."""
    dsn = await create_database(postgres_server_dsn, f"registry_{secrets.token_hex(5)}")
    ops_token = secrets.token_urlsafe(24)
    clock = ManualClock(START)
    settings = Settings(
        kafka_bootstrap_servers=kafka_bootstrap, region="testregio", database_url=dsn, ops_token=ops_token,
        consumer_retry_backoff_s=0.05, outbox_poll_interval_s=0.2, scheduler_enabled=False,
    )  # fmt: skip
    apps = [create_app(settings, clock=clock), create_app(settings, clock=clock)]
    async with apps[0].router.lifespan_context(apps[0]), apps[1].router.lifespan_context(apps[1]):
        transport = httpx.ASGITransport(app=apps[0])
        async with httpx.AsyncClient(transport=transport, base_url="http://registry", timeout=30) as http:
            registry = Registry(
                http=http, pool=apps[0].state.runtime.pool, bootstrap=kafka_bootstrap,
                ops={"Authorization": f"Bearer {ops_token}"},
            )  # fmt: skip
            yield registry, apps, clock


def _scheduler(app: FastAPI) -> Scheduler:
    scheduler: Scheduler = app.state.runtime.scheduler
    return scheduler


async def _both_tick(apps: list[FastAPI]) -> dict[str, int]:
    """Both instances tick at the same moment; how many runs each of these jobs made, across both.

    (The registry's other jobs run too; none of them more than once per tick either.)
    """
    made = await asyncio.gather(*(_scheduler(app).tick() for app in apps))
    runs: dict[str, int] = {}
    for instance in made:
        for run in instance:
            assert run.status == "done", run
            runs[run.job] = runs.get(run.job, 0) + 1
    assert max(runs.values(), default=0) <= 1, runs
    return {job: runs.get(job, 0) for job in JOBS}


async def test_each_job_runs_once_per_due_moment_across_two_instances_and_catches_up(
    instances: tuple[Registry, list[FastAPI], ManualClock],
) -> None:
    registry, apps, clock = instances
    centrale_id, staff = await registry.new_centrale()
    organisation_id, organisation = await registry.new_organisation(centrale_id, staff)
    task_id = await registry.published_task(centrale_id, organisation_id, organisation)
    volunteer_id = await registry.register_volunteer(centrale_id, staff)
    vog = {"verified_on": "2026-01-05", "verified_by": "Consulent Kees", "valid_until": "2026-12-20"}
    vog_path = f"/v1/centrales/{centrale_id}/volunteers/{volunteer_id}/vog"
    assert (await registry.http.put(vog_path, json=vog, headers=staff)).status_code == 204
    # A match made 15 days before the start, as matching would have reported it.
    origin = Origin(source="/regions/testregio/registry", region="testregio", correlation_id=uuid4())
    async with registry.pool.acquire() as conn:
        await PostgresRegistryUnitOfWork(conn, origin, clock).proposals.put(
            Proposal(
                match_id=uuid4(), task_id=task_id, volunteer_id=volunteer_id, organisation_id=organisation_id,
                centrale_id=centrale_id, volunteer_centrale_id=centrale_id, via="matching", needs_consulent=False,
                status="made", proposed_at=START - timedelta(days=20), made_at=START - timedelta(days=15),
            )
        )  # fmt: skip

    first = await _both_tick(apps)  # yesterday's moments had not run: each runs once
    again = await _both_tick(apps)
    clock.set(datetime(2026, 12, 1, 9, 5, tzinfo=AMSTERDAM).astimezone(UTC))
    today = await _both_tick(apps)  # today's 08:30 and 09:00 came; today's 00:30 ran in the first tick
    clock.set(datetime(2026, 12, 5, 10, 0, tzinfo=AMSTERDAM).astimezone(UTC))  # both down for four days
    caught_up = await _both_tick(apps)

    assert first == {"expire-tasks": 1, "reminders": 1, "check-ins": 1}
    assert again == {"expire-tasks": 0, "reminders": 0, "check-ins": 0}
    assert today == {"expire-tasks": 0, "reminders": 1, "check-ins": 1}
    assert caught_up == {"expire-tasks": 1, "reminders": 1, "check-ins": 1}  # one run for the missed days
    rows = await registry.pool.fetch(
        "SELECT job, due_at, counts FROM job_runs WHERE kind = 'scheduled' ORDER BY due_at"
    )
    by_job: dict[str, list[datetime]] = {}
    for row in rows:
        by_job.setdefault(row["job"], []).append(row["due_at"].astimezone(AMSTERDAM))
    assert [d.strftime("%d %H:%M") for d in by_job["check-ins"]] == ["30 09:00", "01 09:00", "05 09:00"]
    assert [d.strftime("%d %H:%M") for d in by_job["reminders"]] == ["30 08:30", "01 08:30", "05 08:30"]
    assert [d.strftime("%d %H:%M") for d in by_job["expire-tasks"]] == ["01 00:30", "05 00:30"]
    # What the runs did, once: the VOG reminder and the two-week check-in of both sides.
    notices = await registry.pool.fetch("SELECT kind, recipient_kind FROM notices ORDER BY kind, recipient_kind")
    assert [(n["kind"], n["recipient_kind"]) for n in notices] == [
        ("check_in", "organisation"),
        ("check_in", "volunteer"),
        ("vog_expiring", "volunteer"),
    ]
    assert await registry.pool.fetchval("SELECT count(*) FROM check_ins") == 2
    listed = {j["name"]: j["schedule"] for j in (await registry.http.get("/v1/ops/jobs", headers=registry.ops)).json()}
    assert {name: listed[name] for name in JOBS} == {
        "expire-tasks": "daily at 00:30 Europe/Amsterdam",
        "reminders": "daily at 08:30 Europe/Amsterdam",
        "check-ins": "daily at 09:00 Europe/Amsterdam",
    }
