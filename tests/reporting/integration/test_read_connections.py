"""A read's second connection goes back to the pool with a time budget of its own.

Found in CI's fuzzing (a 500 on a report chart): the helper was taken with a 50 ms wait, and asyncpg gives a
release the acquire's timeout for resetting the connection by default; on a busy server the reset took longer.
"""

from __future__ import annotations

from typing import Any, cast

import asyncpg
import pytest

from reporting.queries import snapshot_helper
from tests.reporting.integration.conftest import Reporting

pytestmark = pytest.mark.integration


class _RecordingPool:
    """The service's pool, noting the timeout of every release."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool
        self.release_timeouts: list[float | None] = []

    async def acquire(self, *, timeout: float | None = None) -> Any:
        return await self._pool.acquire(timeout=timeout)

    async def release(self, connection: Any, *, timeout: float | None = None) -> None:
        self.release_timeouts.append(timeout)
        await self._pool.release(connection, timeout=timeout)


async def test_the_second_connection_is_released_with_more_than_the_acquires_50_ms(reporting: Reporting) -> None:
    recording = _RecordingPool(reporting.pool)
    async with (
        reporting.pool.acquire() as conn,
        conn.transaction(isolation="repeatable_read", readonly=True),
        snapshot_helper(cast(asyncpg.Pool, recording), conn) as helpers,
    ):
        assert len(helpers) == 1  # a connection was free: the read got its second one
        assert await helpers[0].fetchval("SELECT 1") == 1

    # None would mean the acquire's 50 ms for the reset.
    [timeout] = recording.release_timeouts
    assert timeout is not None
    assert timeout >= 1
