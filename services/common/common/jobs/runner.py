"""The scheduler: a background worker that runs each due job once across instances, and runs jobs on demand."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import asyncpg

from common.clock import Clock
from common.jobs.model import Job, JobContext, JobRun, counts_json, due_moments_between, latest_due
from common.locks import KeyedLock
from common.logging import get_logger
from common.observability import JobMetrics
from common.uow import Origin, UnitOfWorkFactory

__all__ = ["JobAlreadyRunning", "Scheduler"]

log = get_logger(__name__)

# A failed run is tried again after the poll interval, doubling per attempt, at most this long.
_MAX_RETRY_DELAY = timedelta(hours=1)
_ERROR_TEXT_LIMIT = 500


class JobAlreadyRunning(Exception):
    """Another run of the job holds its lock (this instance or another)."""


class Scheduler:
    """Runs a service's jobs: due ones on every tick, on-demand ones when asked; one run per job at a time."""

    def __init__(
        self,
        *,
        service: str,
        region: str,
        jobs: Sequence[Job],
        pool: asyncpg.Pool,
        clock: Clock,
        factory: UnitOfWorkFactory,
        settings: Any = None,
        poll_interval_s: float = 30.0,
        enabled: bool = True,
        run_retention: timedelta = timedelta(days=30),
        metrics: JobMetrics | None = None,
    ) -> None:
        names = [job.name for job in jobs]
        if len(set(names)) != len(names):
            raise ValueError(f"job names must be unique: {names}")
        self.jobs = {job.name: job for job in jobs}
        self._service = service
        self._region = region
        self._pool = pool
        self._clock = clock
        self._factory = factory
        self._settings = settings
        self._poll_interval_s = poll_interval_s
        self._enabled = enabled
        self._run_retention = run_retention
        self._metrics = metrics
        self._task: asyncio.Task[None] | None = None
        self._background: set[asyncio.Task[None]] = set()
        self._stopping = asyncio.Event()

    # -- the worker --------------------------------------------------------------------------------

    async def start(self) -> None:
        """Start ticking every poll interval (unless scheduling is switched off: then only on demand)."""
        if self._enabled:
            self._task = asyncio.create_task(self._loop(), name=f"{self._service}-scheduler")

    async def stop(self, timeout: float) -> None:
        """Stop ticking; runs in hand get ``timeout`` seconds, then are cancelled (their rows stay 'running')."""
        self._stopping.set()
        tasks = [t for t in (self._task, *self._background) if t is not None]
        if not tasks:
            return
        _, pending = await asyncio.wait(tasks, timeout=timeout)
        for task in pending:
            task.cancel()
        for task in pending:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def _loop(self) -> None:
        while not self._stopping.is_set():
            try:
                await self.tick()
            except Exception:
                log.exception("scheduler_tick_failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=self._poll_interval_s)

    async def tick(self) -> list[JobRun]:
        """Run every job whose latest due moment has not run yet (or failed and may be retried); the runs made."""
        made = []
        now = self._clock.now()
        for job in self.jobs.values():
            if job.schedule is None or self._stopping.is_set():
                continue
            due = latest_due(job.schedule, now)
            if not await self._should_run(job, due, now):
                continue
            try:
                run = await self._run(job, due, kind="scheduled", requested_by=None)
            except JobAlreadyRunning:
                continue
            if run is not None:
                made.append(run)
        await self._forget_old_runs(now)
        return made

    async def _forget_old_runs(self, now: datetime) -> int:
        """Delete finished runs older than the retention, keeping each job's latest (it tells the next due moment)."""
        status: str = await self._pool.execute(
            "DELETE FROM job_runs r WHERE r.job = ANY($1) AND r.status <> 'running' AND r.finished_at < $2"
            " AND r.due_at < (SELECT max(l.due_at) FROM job_runs l WHERE l.job = r.job)",
            list(self.jobs),
            now - self._run_retention,
        )
        return int(status.split()[-1])

    async def _should_run(self, job: Job, due: datetime, now: datetime) -> bool:
        """Whether ``due`` still needs a run: none yet, an abandoned one, or a failed one past its retry delay."""
        row = await self._pool.fetchrow(
            "SELECT status, attempts, finished_at FROM job_runs WHERE job = $1 AND due_at = $2", job.name, due
        )
        if row is None or row["status"] == "running":
            return True  # none yet, or perhaps a dead instance's: the lock tells (see _run)
        if row["status"] == "failed":
            delay = min(timedelta(seconds=self._poll_interval_s) * 2 ** (row["attempts"] - 1), _MAX_RETRY_DELAY)
            return bool(row["finished_at"] + delay <= now)
        return False

    # -- on demand ---------------------------------------------------------------------------------

    async def run_now(self, name: str, *, requested_by: str | None = None, wait: bool = True) -> JobRun:
        """Run ``name`` now (ops); ``wait=False`` starts it in the background and returns its row at once.

        Raises KeyError for an unknown job and JobAlreadyRunning when a run of it is in hand.
        """
        job = self.jobs[name]
        due = self._clock.now()
        if wait:
            run = await self._run(job, due, kind="on_demand", requested_by=requested_by)
            assert run is not None
            return run
        started = asyncio.Event()
        outcome: dict[str, Any] = {}

        async def background() -> None:
            try:
                await self._run(job, due, kind="on_demand", requested_by=requested_by, started=started, outcome=outcome)
            except JobAlreadyRunning as error:
                outcome["error"] = error
                started.set()
            except Exception:
                log.exception("job_run_crashed", job=name)
                started.set()

        task = asyncio.create_task(background(), name=f"job-{name}")
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        await started.wait()
        if isinstance(outcome.get("error"), JobAlreadyRunning):
            raise outcome["error"]
        run = await self.get_run(outcome["run_id"]) if "run_id" in outcome else None
        if run is None:
            raise RuntimeError(f"job {name} did not start")
        return run

    # -- one run -----------------------------------------------------------------------------------

    async def _run(
        self,
        job: Job,
        due: datetime,
        *,
        kind: str,
        requested_by: str | None,
        started: asyncio.Event | None = None,
        outcome: dict[str, Any] | None = None,
    ) -> JobRun | None:
        """Run ``job`` for ``due`` under its lock; None when another instance ran that moment meanwhile."""
        async with self._pool.acquire() as lock_conn:
            # A session lock on a connection of its own: held for the whole run, whatever transactions the
            # job opens, and released by PostgreSQL if this process dies.
            taken = await lock_conn.fetchval(
                "SELECT pg_try_advisory_lock($1::int, hashtext($2))", int(KeyedLock.JOB), job.name
            )
            if not taken:
                raise JobAlreadyRunning(f"job {job.name} is running")
            try:
                run_id = await self._claim(job, due, kind, requested_by)
                if outcome is not None and run_id is not None:
                    outcome["run_id"] = run_id
                if started is not None:
                    started.set()
                if run_id is None:
                    return None
                await self._execute(job, due, run_id)
                return await self.get_run(run_id)
            finally:
                await lock_conn.execute(
                    "SELECT pg_advisory_unlock($1::int, hashtext($2))", int(KeyedLock.JOB), job.name
                )

    async def _claim(self, job: Job, due: datetime, kind: str, requested_by: str | None) -> UUID | None:
        """Record the run as running (under the job's lock); None when the due moment is already done."""
        now = self._clock.now()
        row = await self._pool.fetchrow(
            "SELECT id, status, attempts FROM job_runs WHERE job = $1 AND due_at = $2", job.name, due
        )
        if row is None:
            run_id = uuid4()
            await self._pool.execute(
                "INSERT INTO job_runs (id, job, due_at, kind, status, started_at, requested_by)"
                " VALUES ($1, $2, $3, $4, 'running', $5, $6)",
                run_id, job.name, due, kind, now, requested_by,
            )  # fmt: skip
            if kind == "scheduled" and job.schedule is not None:
                previous = await self._pool.fetchval(
                    "SELECT max(due_at) FROM job_runs WHERE job = $1 AND kind = 'scheduled' AND due_at < $2",
                    job.name,
                    due,
                )
                missed = due_moments_between(job.schedule, previous, due) - 1 if previous is not None else 0
                if missed > 0:
                    log.info("job_catching_up", job=job.name, due_at=due.isoformat(), moments_missed=missed)
            return run_id
        if row["status"] == "done":
            return None
        if row["status"] == "running":
            # We hold the lock, so nobody is running it: the instance that was died mid-run.
            log.warning("job_run_abandoned", job=job.name, due_at=due.isoformat(), run_id=str(row["id"]))
        await self._pool.execute(
            "UPDATE job_runs SET status = 'running', attempts = attempts + 1, started_at = $2, finished_at = NULL,"
            " error = NULL WHERE id = $1",
            row["id"],
            now,
        )
        run_id_existing: UUID = row["id"]
        return run_id_existing

    async def _execute(self, job: Job, due: datetime, run_id: UUID) -> None:
        """Run the job's function and record how it ended."""
        context = JobContext(
            job=job.name,
            run_id=run_id,
            due_at=due,
            pool=self._pool,
            clock=self._clock,
            origin=Origin.of_job(service=self._service, region=self._region, job=job.name),
            factory=self._factory,
            settings=self._settings,
        )
        began = time.perf_counter()
        if self._metrics is not None:
            self._metrics.started(job.name)
        outcome = "interrupted"  # cancelled at shutdown, or the run could not be recorded
        try:
            outcome = await self._run_and_record(job, due, run_id, context, began)
        finally:
            if self._metrics is not None:
                self._metrics.finished(job.name, outcome, time.perf_counter() - began)

    async def _run_and_record(self, job: Job, due: datetime, run_id: UUID, context: JobContext, began: float) -> str:
        """Run the job's function, record how it ended in ``job_runs`` and the log; the outcome (done or failed)."""
        try:
            counts: Mapping[str, int] = await job.run(context)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            await self._pool.execute(
                "UPDATE job_runs SET status = 'failed', finished_at = $2, error = $3, counts = $4::jsonb WHERE id = $1",
                run_id, self._clock.now(), f"{type(error).__name__}: {error}"[:_ERROR_TEXT_LIMIT],
                counts_json(context.counts),
            )  # fmt: skip
            log.exception("job_run_failed", job=job.name, due_at=due.isoformat(), run_id=str(run_id))
            return "failed"
        final = {**context.counts, **counts}
        await self._pool.execute(
            "UPDATE job_runs SET status = 'done', finished_at = $2, counts = $3::jsonb WHERE id = $1",
            run_id,
            self._clock.now(),
            counts_json(final),
        )
        log.info(
            "job_run_finished",
            job=job.name,
            due_at=due.isoformat(),
            run_id=str(run_id),
            counts=final,
            ms=round((time.perf_counter() - began) * 1000, 1),
        )
        return "done"

    # -- reading -----------------------------------------------------------------------------------

    async def get_run(self, run_id: UUID) -> JobRun | None:
        """One run, or None."""
        row = await self._pool.fetchrow("SELECT * FROM job_runs WHERE id = $1", run_id)
        return _run_of(row) if row is not None else None

    async def latest_runs(self, limit_per_job: int = 5) -> dict[str, list[JobRun]]:
        """The most recent runs of every job, newest first."""
        rows = await self._pool.fetch(
            "SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY job ORDER BY due_at DESC) AS n FROM job_runs"
            " WHERE job = ANY($1)) r WHERE n <= $2 ORDER BY job, due_at DESC",
            list(self.jobs),
            limit_per_job,
        )
        runs: dict[str, list[JobRun]] = {name: [] for name in self.jobs}
        for row in rows:
            runs[row["job"]].append(_run_of(row))
        return runs


def _run_of(row: Any) -> JobRun:
    """A ``job_runs`` row as a JobRun."""
    return JobRun(
        id=row["id"],
        job=row["job"],
        due_at=row["due_at"],
        kind=row["kind"],
        status=row["status"],
        attempts=row["attempts"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        counts=json.loads(row["counts"]),
        error=row["error"],
    )
