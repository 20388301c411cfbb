"""Issue 12: a running rebuild no longer stalls live projections, and an open hours batch no longer refuses a rebuild.

Both went wrong while the rebuild's lock and the erasure gate shared one advisory-lock id: the rebuild holds
its lock for its whole run, and every live hours (and match) projection waits on the erasure gate.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import pytest

from common.consumer import BatchContext
from common.jobs import JobAlreadyRunning, JobRun
from contracts.events import HoursLogged
from reporting.config import Settings
from reporting.jobs import rebuild_job
from reporting.main import rebuild
from reporting.projections import PROJECTIONS
from tests.reporting.events import World, at
from tests.reporting.integration.conftest import Reporting

pytestmark = pytest.mark.integration

# Long enough for the live consumer to apply a few events many times over, short enough for a failing run.
_LIVE_TIMEOUT_S = 20.0


def settings(reporting: Reporting) -> Settings:
    """What ``python -m reporting rebuild`` reads from the environment, for the service's own database."""
    return Settings(
        kafka_bootstrap_servers=reporting.bootstrap, region="testregio", database_url=reporting.dsn,
        ops_token="not-used-by-the-command-line-0123456789",
    )  # fmt: skip


def headline(figures: dict[str, Any]) -> dict[str, Any]:
    """KPI → shown value."""
    return {item["kpi"]: item["value"] for item in figures["headline"]}


@asynccontextmanager
async def rebuild_held_at_its_start(reporting: Reporting) -> AsyncIterator[None]:
    """Hold the next rebuild right after it took its lock, for as long as the block runs.

    The rebuild begins by dropping its fresh schema (``reporting_rebuild``); a table of ours in that schema,
    locked in an open transaction, makes that drop wait. So the rebuild is running (lock held, run recorded)
    but applies nothing until the block ends, however fast the machine.
    """
    conn = await asyncpg.connect(reporting.dsn)
    try:
        await conn.execute("CREATE SCHEMA IF NOT EXISTS reporting_rebuild")
        await conn.execute("CREATE TABLE IF NOT EXISTS reporting_rebuild.held_by_test ()")
        async with conn.transaction():
            await conn.execute("LOCK TABLE reporting_rebuild.held_by_test IN ACCESS SHARE MODE")
            yield
    finally:
        await conn.close()


async def waiting_to_drop_its_schema(reporting: Reporting) -> None:
    """Wait until a session of the service's database waits for a lock in the rebuild's first statement."""
    async with reporting.pool.acquire() as conn:
        for _ in range(200):
            waiting = await conn.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND wait_event_type = 'Lock' AND query LIKE 'DROP SCHEMA IF EXISTS reporting_rebuild%'"
            )
            if waiting:
                return
            await asyncio.sleep(0.05)
    raise AssertionError("the rebuild never reached its first statement")


async def _region_with_matches(reporting: Reporting, world: World, code: str) -> list[Any]:
    """A centrale with six matched volunteers (so hours have someone to count for); their matches.

    September 2026: the package's scenario service reads these events too, and its first quarter must not change.
    """
    centrale = world.centrale("w1")
    await reporting.configure({centrale: (code, "Livedorp")}, [("2351", f"WK{code[2:]}01", "Kern")])
    organisation = world.organisation(centrale, "2351", "2026-09-01", admitted="2026-09-02")
    task = world.task(centrale, organisation, "zorg", "2351", "2026-09-03")
    matches = [world.match(task, world.volunteer(centrale, "2351", "2026-09-05"), at("2026-09-10")) for _ in range(6)]
    await reporting.feed(world)
    return matches


async def test_live_hours_keep_applying_while_a_rebuild_runs(reporting: Reporting) -> None:
    world = World()
    matches = await _region_with_matches(reporting, world, "GM0989")

    async with rebuild_held_at_its_start(reporting):
        started = await reporting.http.post("/v1/ops/rebuild", headers=reporting.ops)
        assert started.status_code == 202, started.text
        await waiting_to_drop_its_schema(reporting)
        for match in matches:
            world.hours(match, "2026-09-20", "2")
        await reporting.publish(world.take())

        # Applied and committed while the rebuild holds its lock (it used to wait for the rebuild's end).
        await reporting.settle(timeout=_LIVE_TIMEOUT_S)
        live = headline(await reporting.json("/v1/municipalities/GM0989/figures", period="2026-09"))
        assert (live["hours"], live["volunteers_active"]) == (12, 6)
        run = await reporting.json(started.headers["Location"])
        assert run["status"] == "running", run
        again = await reporting.http.post("/v1/ops/rebuild", headers=reporting.ops)
        assert again.status_code == 409, again.text  # one rebuild at a time, whoever asks
        with pytest.raises(JobAlreadyRunning):
            await rebuild(settings(reporting), jobs=[rebuild_job(start_offsets=reporting.start_offsets)])

    run = await reporting.run_finished(started.headers["Location"])
    assert run["status"] == "done", run
    assert run["counts"]["events_applied"] >= 6 + 6
    rebuilt = headline(await reporting.json("/v1/municipalities/GM0989/figures", period="2026-09"))
    assert rebuilt == live


async def test_a_rebuild_started_while_an_hours_batch_is_open_is_not_refused(reporting: Reporting) -> None:
    world = World()
    [match, *_] = await _region_with_matches(reporting, world, "GM0988")
    world.hours(match, "2026-09-21", "3")
    [hours] = world.take()
    assert isinstance(hours.event, HoursLogged)

    async with reporting.pool.acquire() as conn:
        batch = conn.transaction()
        await batch.start()
        try:
            # An hours batch in hand, as the live consumer has it: the erasure gate is held until it commits.
            await PROJECTIONS[HoursLogged]([hours.event], BatchContext([hours.envelope()], conn))
            started = await reporting.http.post("/v1/ops/rebuild", headers=reporting.ops)
            assert started.status_code == 202, started.text  # it used to be 409 "already running"
        finally:
            await batch.commit()
    await reporting.publish([hours])  # as the registry published it (the batch above was its live application)

    run = await reporting.run_finished(started.headers["Location"])
    assert run["status"] == "done", run
    await reporting.settle()
    figures = headline(await reporting.json("/v1/municipalities/GM0988/figures", period="2026-09"))
    assert (figures["matches_made"], figures["hours"]) == (6, "<5")  # 3 hours of one volunteer


async def test_the_command_line_runs_the_same_job_and_the_service_lists_its_run(reporting: Reporting) -> None:
    world = World()
    matches = await _region_with_matches(reporting, world, "GM0987")
    world.hours(matches[0], "2026-09-22", "4")
    await reporting.feed(world)
    before = await reporting.json("/v1/municipalities/GM0987/figures", period="2026-09")
    seen: list[JobRun] = []

    run = await rebuild(settings(reporting), seen.append, jobs=[rebuild_job(start_offsets=reporting.start_offsets)])

    assert (run.status, run.job, run.kind) == ("done", "rebuild", "on_demand")
    assert run.counts["events_applied"] >= 6 + 6 + 1
    assert seen[-1] == run  # shown the finished run at least
    [listed] = [job for job in await reporting.json("/v1/ops/jobs") if job["name"] == "rebuild"]
    assert str(run.id) in [r["id"] for r in listed["runs"]]
    after = await reporting.json("/v1/municipalities/GM0987/figures", period="2026-09")
    assert {**after, "generated_at": None} == {**before, "generated_at": None}
