"""What a job is: a name, a schedule (pure date arithmetic) and a function run with a job context."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID

import asyncpg

from common.clock import DUTCH_TIME, Clock, dutch_date
from common.uow import Origin, PostgresUnitOfWork, UnitOfWorkFactory

__all__ = [
    "DailyAt",
    "Every",
    "Job",
    "JobContext",
    "JobRun",
    "Schedule",
    "counts_json",
    "due_moments_between",
    "latest_due",
]

# Daily jobs follow Dutch wall-clock time: "at 03:00" stays 03:00 across summer time.
LOCAL_ZONE = DUTCH_TIME
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Every:
    """Due every ``interval``, at multiples of it since the epoch (UTC): every hour means on the hour."""

    interval: timedelta

    def __post_init__(self) -> None:
        if self.interval <= timedelta(0):
            raise ValueError("a job's interval must be positive")


@dataclass(frozen=True)
class DailyAt:
    """Due once a day at ``at`` in Europe/Amsterdam."""

    at: time


Schedule = Every | DailyAt


def latest_due(schedule: Schedule, now: datetime) -> datetime:
    """The most recent moment at or before ``now`` at which ``schedule`` makes its job due (UTC)."""
    if isinstance(schedule, Every):
        periods = (now - _EPOCH) // schedule.interval
        return _EPOCH + periods * schedule.interval
    local_today = now.astimezone(LOCAL_ZONE).date()
    for day in (local_today, local_today - timedelta(days=1)):
        moment = _local_moment(day, schedule.at)
        if moment <= now:
            return moment
    raise AssertionError("yesterday's moment always lies in the past")  # pragma: no cover


def due_moments_between(schedule: Schedule, after: datetime, until: datetime) -> int:
    """How many due moments lie in (after, until]: what a catch-up run stands in for."""
    if until <= after:
        return 0
    if isinstance(schedule, Every):
        return (until - _EPOCH) // schedule.interval - (after - _EPOCH) // schedule.interval
    count = 0
    day = after.astimezone(LOCAL_ZONE).date()
    while (moment := _local_moment(day, schedule.at)) <= until:
        if moment > after:
            count += 1
        day += timedelta(days=1)
    return count


def _local_moment(day: date, at: time) -> datetime:
    """``day`` at ``at`` Dutch time, in UTC (a time skipped by the spring change moves an hour on)."""
    local = datetime.combine(day, at, tzinfo=LOCAL_ZONE)
    return local.astimezone(UTC)


@dataclass(frozen=True)
class JobRun:
    """One run of a job as ``job_runs`` records it."""

    id: UUID
    job: str
    due_at: datetime
    kind: str
    status: str
    attempts: int
    started_at: datetime
    finished_at: datetime | None
    counts: Mapping[str, int]
    error: str | None


@dataclass
class JobContext:
    """What a running job gets: time, its origin, units of work on its own transactions, progress reports."""

    job: str
    run_id: UUID
    due_at: datetime
    pool: asyncpg.Pool
    clock: Clock
    origin: Origin
    factory: UnitOfWorkFactory
    settings: Any
    counts: dict[str, int] = field(default_factory=dict)

    def now(self) -> datetime:
        """The service clock's time now."""
        return self.clock.now()

    def today(self) -> date:
        """The day in the Netherlands now (what the run's people call today)."""
        return dutch_date(self.clock.now())

    @asynccontextmanager
    async def unit_of_work(self) -> AsyncIterator[PostgresUnitOfWork]:
        """A unit of work of the service on a fresh transaction: committed when the block ends normally."""
        async with self.pool.acquire() as conn, conn.transaction():
            yield self.factory(conn, self.origin, self.clock, None)

    async def progress(self, **counts: int) -> None:
        """Record the run's counts so far (readable while it runs, e.g. a rebuild's records applied)."""
        self.counts.update(counts)
        await self.pool.execute(
            "UPDATE job_runs SET counts = $2::jsonb WHERE id = $1", self.run_id, counts_json(self.counts)
        )


JobFunction = Callable[[JobContext], Awaitable[Mapping[str, int]]]


@dataclass(frozen=True)
class Job:
    """A job of a service: its name, when it is due (None: only on demand) and what it does."""

    name: str
    run: JobFunction
    schedule: Schedule | None = None
    description: str = ""


def counts_json(counts: Mapping[str, int]) -> str:
    """Counts as the JSON ``job_runs.counts`` holds."""
    return json.dumps(dict(counts), sort_keys=True)
