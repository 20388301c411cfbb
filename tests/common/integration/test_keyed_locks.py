"""Keyed locks on real PostgreSQL: a transaction naming thousands of keys holds a bounded number of lock slots.

PostgreSQL's lock slots are shared by the whole server (``max_locks_per_transaction`` times connections, 6,400 by
default, with some slack). A consumer's batch of 2,000 events took one advisory lock per task and person it
named; several such batches at once, from the services of one region on one server, could run out of them
("out of shared memory") while the region caught up.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from uuid import uuid4

import asyncpg
import pytest
import pytest_asyncio

from common.db import Connection
from common.locks import KEY_STRIPES, KeyedLock, keyed_xact_locks

pytestmark = pytest.mark.integration


@pytest_asyncio.fixture(loop_scope="session")
async def pool(fresh_database: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await asyncpg.create_pool(fresh_database, min_size=2, max_size=2)
    yield pool
    await pool.close()


async def _advisory_locks_of(conn: Connection) -> int:
    """The advisory locks the connection's backend holds."""
    return int(
        await conn.fetchval(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted"
        )
    )


async def test_a_transaction_naming_twenty_thousand_keys_holds_at_most_the_stripes(pool: asyncpg.Pool) -> None:
    # 20,000 keys: ten batches' worth of people, more than a default server's lock slots.
    keys = [f"person:{uuid4()}" for _ in range(20_000)]
    async with pool.acquire() as conn, conn.transaction():
        await keyed_xact_locks(conn, KeyedLock.REPORTING_ENTITY, keys)
        held = await _advisory_locks_of(conn)

    assert 0 < held <= KEY_STRIPES


async def test_a_key_waits_for_the_transaction_holding_it(pool: asyncpg.Pool) -> None:
    key = f"person:{uuid4()}"
    async with pool.acquire() as holder, holder.transaction():
        await keyed_xact_locks(holder, KeyedLock.APPRECIATION_VOLUNTEER, [key])
        async with pool.acquire() as other, other.transaction():
            await other.execute("SET LOCAL lock_timeout = '200ms'")
            with pytest.raises(asyncpg.LockNotAvailableError):
                await keyed_xact_locks(other, KeyedLock.APPRECIATION_VOLUNTEER, [f"person:{uuid4()}", key])
