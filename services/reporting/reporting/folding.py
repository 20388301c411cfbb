"""Queued hours into the aggregates: continuously in the background, and before every read.

Writing hours only queues their ids (``hours_pending``, migration 0003), so projecting a burst costs what
the COPY costs. ``fold_hours`` moves queued hours into the aggregates (hours by theme and wijk, each
person's activity, MDT crossings) in large chunks, where their per-person and per-cell work is shared
by many entries. The worker keeps the queue short; a read folds what is left first, so it never misses
an hours entry its snapshot holds.

While the service's consumer catches up (a burst, a restart after downtime) the worker leaves the queue for up
to ``fold_defer_max_s``: the ingest gets the cores, and the burst is folded after it in full chunks. The
figures stay exact meanwhile (reads fold first); they are only computed later.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

import asyncpg

from common.locks import KeyedLock
from common.logging import get_logger
from common.polling import PollingWorker
from common.runtime import Runtime
from reporting.config import Settings
from reporting.projections import SWITCH_GATE

__all__ = ["FOLD_CHUNK", "CatchingUp", "HoursFolder", "fold_hours"]

log = get_logger(__name__)

# Entries folded per transaction: large enough to share the work, small enough for the pool's statement timeout.
FOLD_CHUNK = 10_000
# How often the worker looks for queued hours.
_POLL_S = 0.5
# The consumer counts as catching up while it had more than a batch in hand this recently (a burst's batches
# follow each other far more closely; an idle consumer never has).
_BACKLOG_WINDOW_S = 1.0


async def fold_hours(pool: asyncpg.Pool, *, chunk: int = FOLD_CHUNK) -> int:
    """Fold every queued hours entry, a chunk per transaction; how many there were."""
    total = 0
    while True:
        async with pool.acquire() as conn, conn.transaction():
            # Like a projection: a rebuild's switch-over or a configuration change waits for it, and it for them.
            await conn.execute("SELECT pg_advisory_xact_lock_shared($1)", SWITCH_GATE)
            folded: int = await conn.fetchval(
                "SELECT reporting_fold_hours($1, $2)", chunk, int(KeyedLock.REPORTING_ENTITY)
            )
        total += folded
        if folded < chunk:
            return total


class CatchingUp(Protocol):
    """What the fold asks of the service's consumer (``EventConsumer``): whether it is behind."""

    def backlogged_within(self, seconds: float) -> bool:
        """Whether it had more than a batch in hand within the last ``seconds``."""
        ...


class HoursFolder(PollingWorker):
    """The background worker that keeps the hours queue short (a ``ServiceSpec`` worker)."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        *,
        consumer: CatchingUp | None = None,
        defer_max_s: float = 0.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        # A fold empties the queue; rest after it too, so each rest gathers the next burst into large chunks.
        super().__init__("reporting-hours-folder", _POLL_S, rest_after_work=True)
        self._pool = pool
        self._consumer = consumer
        self._defer_max_s = defer_max_s
        self._clock = clock
        self._deferring_since: float | None = None

    @classmethod
    def of(cls, runtime: Runtime) -> HoursFolder:
        """The worker of a running service."""
        assert runtime.pool is not None, "workers start after the pool"
        settings = runtime.settings
        defer_max_s = settings.fold_defer_max_s if isinstance(settings, Settings) else 0.0
        return cls(runtime.pool, consumer=runtime.consumer, defer_max_s=defer_max_s)

    def defers(self) -> bool:
        """Whether to leave the queue this round: the consumer catches up, and has not been waited for too long."""
        if self._consumer is None or not self._consumer.backlogged_within(_BACKLOG_WINDOW_S):
            self._deferring_since = None
            return False
        now = self._clock()
        if self._deferring_since is None:
            self._deferring_since = now
        return now - self._deferring_since < self._defer_max_s

    async def round(self) -> int:
        """Fold the queued hours, if any (a failed fold leaves the queue: the next round or read folds it)."""
        if self.defers():
            return 0
        # Folded after waiting its longest, the queue is waited for again from here (a consumer behind for
        # long still gets a fold every fold_defer_max_s).
        self._deferring_since = None
        if not await self._pool.fetchval("SELECT EXISTS (SELECT 1 FROM hours_pending)"):
            return 0
        folded = await fold_hours(self._pool)
        log.debug("hours_folded", entries=folded)
        return folded
