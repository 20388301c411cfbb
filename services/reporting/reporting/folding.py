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

import asyncpg

from common.deferral import CatchingUp, CatchUpDeferral
from common.locks import KeyedLock
from common.logging import get_logger
from common.polling import PollingWorker
from common.runtime import Runtime
from reporting.config import Settings
from reporting.projections import enter_gates

__all__ = ["FOLD_CHUNK", "HoursFolder", "fold_hours"]

log = get_logger(__name__)

# Entries folded per transaction: large enough to share the work, small enough for the pool's statement timeout.
FOLD_CHUNK = 10_000
# How often the worker looks for queued hours.
_POLL_S = 0.5


async def fold_hours(pool: asyncpg.Pool, *, chunk: int = FOLD_CHUNK) -> int:
    """Fold every queued hours entry, a chunk per transaction; how many there were."""
    total = 0
    while await pool.fetchval("SELECT EXISTS (SELECT 1 FROM hours_pending)"):
        async with pool.acquire() as conn, conn.transaction():
            # Like a projection that changes the aggregates, in the same order (reporting.projections.take_turns):
            # a rebuild's switch-over or a configuration change waits for it, and it for them and for the
            # projections changing the aggregates.
            await enter_gates(conn, aggregates=True)
            folded: int = await conn.fetchval(
                "SELECT reporting_fold_hours($1, $2)", chunk, int(KeyedLock.REPORTING_ENTITY)
            )
        total += folded
        if folded < chunk:
            break
    return total


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
        self._deferral = CatchUpDeferral(consumer, defer_max_s, clock=clock)

    @classmethod
    def of(cls, runtime: Runtime) -> HoursFolder:
        """The worker of a running service."""
        assert runtime.pool is not None, "workers start after the pool"
        settings = runtime.settings
        defer_max_s = settings.fold_defer_max_s if isinstance(settings, Settings) else 0.0
        return cls(runtime.pool, consumer=runtime.consumer, defer_max_s=defer_max_s)

    def defers(self) -> bool:
        """Whether to leave the queue this round: the consumer catches up, and has not been waited for too long."""
        return self._deferral.defers()

    async def round(self) -> int:
        """Fold the queued hours, if any (a failed fold leaves the queue: the next round or read folds it)."""
        if self.defers():
            return 0
        self._deferral.worked()
        folded = await fold_hours(self._pool)
        if not folded:
            return 0
        log.debug("hours_folded", entries=folded)
        return folded
