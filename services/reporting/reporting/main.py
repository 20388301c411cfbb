"""Reporting entrypoint: the only place its Settings are built."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from fastapi import FastAPI

from common.clock import SystemClock
from common.consumer import EventConsumer
from common.db import RUNTIME_MIGRATIONS, apply_migrations, create_pool
from common.jobs import Job, JobRun, Scheduler
from common.service import ServiceSpec, create_service_app, run_service
from reporting.api import ROUTERS
from reporting.config import Settings
from reporting.folding import HoursFolder
from reporting.jobs import REBUILD, rebuild_job
from reporting.programmes import register_programme_projections
from reporting.projections import register_projections
from reporting.rebuild import PROJECTION_TABLES

__all__ = ["SPEC", "create_app", "main", "rebuild"]


def _subscribe(consumer: EventConsumer) -> None:
    """Reporting's projections: the cube's facts, and the programmes' (Beursvloer, trainings; self-contained)."""
    register_projections(consumer)
    register_programme_projections(consumer)


SPEC = ServiceSpec(
    name="reporting",
    migrations=Path(__file__).parent.parent / "migrations",
    register_handlers=_subscribe,
    # Opens the sealed volunteer profiles (common.keyring): area, age band, skills; target groups, counted
    # consented and suppressed.
    opens_volunteer_profiles=True,
    routers=ROUTERS,
    # Every read model of this projection: `python -m common.ops replay reporting` empties them (offline);
    # the rebuild job rebuilds them into fresh tables while the service runs (reporting.rebuild).
    replay_tables=PROJECTION_TABLES,
    jobs=[rebuild_job()],
    # Queued hours into the aggregates, in the background (reads fold what is left first).
    workers=[HoursFolder.of],
    description="Privacy-safe aggregates for municipalities and partners, projected from events.",
)

# How often the command line looks at a running rebuild, and prints its progress.
_POLL_S = 0.5
_PROGRESS_EVERY_S = 5.0


def create_app(settings: Settings | None = None) -> FastAPI:
    """The reporting service's ASGI app."""
    return create_service_app(settings or Settings(), SPEC)


def main() -> None:
    """Run reporting until SIGTERM."""
    run_service(Settings(), SPEC)


async def rebuild(
    settings: Settings | None = None,
    report: Callable[[JobRun], None] | None = None,
    *,
    jobs: Sequence[Job] = SPEC.jobs,
) -> JobRun:
    """Run the rebuild job in this process, recorded in ``job_runs`` as the service records it; its finished run.

    The job's lock is the one the service's scheduler takes, so this never runs beside a rebuild the service
    started (JobAlreadyRunning). ``report`` is shown the run every few seconds while it runs. ``jobs``: the
    service's own, or a rebuild job that starts elsewhere than the beginning (tests on a shared broker).
    """
    settings = settings or Settings()
    pool = await create_pool(settings.database_url.get_secret_value(), 3)
    try:
        await apply_migrations(pool, RUNTIME_MIGRATIONS, SPEC.migrations)
        scheduler = Scheduler(
            service=SPEC.name, region=settings.region, jobs=jobs, pool=pool, clock=SystemClock(),
            factory=SPEC.unit_of_work, settings=settings, enabled=False,
        )  # fmt: skip
        run = await scheduler.run_now(REBUILD, requested_by="command line", wait=False)
        reported = time.monotonic()
        while run.status == "running":
            await asyncio.sleep(_POLL_S)
            found = await scheduler.get_run(run.id)
            assert found is not None, "a run's row is never deleted"
            run = found
            if report is not None and (run.status != "running" or time.monotonic() - reported >= _PROGRESS_EVERY_S):
                reported = time.monotonic()
                report(run)
        return run
    finally:
        await pool.close()
