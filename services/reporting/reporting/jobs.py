"""Reporting's jobs (``common.jobs``): the online rebuild of every projection, run on demand by region ops.

``POST /v1/ops/rebuild`` and ``python -m reporting rebuild`` both run the one ``rebuild`` job, so a run
holds the job's lock wherever it was started (the service, another instance, the command line) and is
recorded in ``job_runs``, with its progress (events applied so far) readable while it runs at
``GET /v1/ops/jobs/runs/{id}``.
"""

from __future__ import annotations

from collections.abc import Mapping

import asyncpg
from aiokafka import TopicPartition

from common.jobs import Job, JobAlreadyRunning, JobContext, JobRun, Scheduler
from common.locks import Lock
from reporting.rebuild import rebuild_projections

__all__ = ["REBUILD", "rebuild_job", "rebuild_running", "start_rebuild"]

REBUILD = "rebuild"


def rebuild_job(*, start_offsets: Mapping[TopicPartition, int] | None = None) -> Job:
    """The rebuild as a job without a schedule; ``start_offsets`` only for tests on a shared broker (see rebuild)."""

    async def run(ctx: JobContext) -> Mapping[str, int]:
        async def progress(applied: int) -> None:
            await ctx.progress(events_applied=applied)

        result = await rebuild_projections(
            ctx.settings.database_url.get_secret_value(),
            ctx.settings,
            start_offsets=start_offsets,
            progress=progress,
        )
        return {"events_applied": result.events_applied, "partitions": len(result.end_offsets)}

    return Job(
        REBUILD,
        run,
        description="Rebuild every projection from the start of the topics into fresh tables, then switch over.",
    )


async def rebuild_running(pool: asyncpg.Pool) -> bool:
    """Whether a rebuild holds its lock now (started outside the scheduler too, e.g. by an older command line)."""
    async with pool.acquire() as conn:
        if not await conn.fetchval("SELECT pg_try_advisory_lock($1)", Lock.REPORTING_REBUILD):
            return True
        await conn.execute("SELECT pg_advisory_unlock($1)", Lock.REPORTING_REBUILD)
        return False


async def start_rebuild(scheduler: Scheduler, pool: asyncpg.Pool, *, requested_by: str) -> JobRun:
    """Start the rebuild job in the background and return its run; JobAlreadyRunning when one is running."""
    if await rebuild_running(pool):
        raise JobAlreadyRunning("a rebuild of the reporting projections is already running")
    # (Taken between this check and the start, the lock makes the run fail with RebuildRunningError, recorded.)
    return await scheduler.run_now(REBUILD, requested_by=requested_by, wait=False)
