"""Queued hours into the aggregates: continuously in the background, and before every read.

Writing hours only queues their ids (``hours_pending``, migration 0003), so projecting a burst costs what
the COPY costs. ``fold_hours`` moves queued hours into the aggregates (hours by theme and wijk, each
person's activity, MDT crossings) in large chunks, where their per-person and per-cell work is shared
by many entries. The worker keeps the queue short; a read folds what is left first, so it never misses
an hours entry its snapshot holds.
"""

from __future__ import annotations

import asyncio
import contextlib

import asyncpg

from common.locks import KeyedLock
from common.logging import get_logger
from common.runtime import Runtime
from reporting.projections import SWITCH_GATE

__all__ = ["FOLD_CHUNK", "HoursFolder", "fold_hours"]

log = get_logger(__name__)

# Entries folded per transaction: large enough to share the work, small enough for the pool's statement timeout.
FOLD_CHUNK = 10_000
# How often the worker looks for queued hours.
_POLL_S = 0.5


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


class HoursFolder:
    """The background worker that keeps the hours queue short (a ``ServiceSpec`` worker)."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @classmethod
    def of(cls, runtime: Runtime) -> HoursFolder:
        """The worker of a running service."""
        assert runtime.pool is not None, "workers start after the pool"
        return cls(runtime.pool)

    async def start(self) -> None:
        """Start folding in the background."""
        self._task = asyncio.create_task(self._loop(), name="reporting-hours-folder")

    async def stop(self, timeout: float) -> None:
        """Stop after the chunk in hand (or cancel it after ``timeout``: its transaction rolls back)."""
        self._stopping.set()
        if self._task is None:
            return
        with contextlib.suppress(TimeoutError, asyncio.CancelledError):
            await asyncio.wait_for(self._task, timeout=timeout)

    async def _loop(self) -> None:
        while not self._stopping.is_set():
            try:
                if await self._pool.fetchval("SELECT EXISTS (SELECT 1 FROM hours_pending)"):
                    folded = await fold_hours(self._pool)
                    log.debug("hours_folded", entries=folded)
            except (OSError, asyncpg.PostgresError, TimeoutError):
                log.exception("hours_fold_failed")  # the queue stays; the next round or read folds it
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=_POLL_S)
