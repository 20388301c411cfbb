"""The inbox claim on real PostgreSQL: a few events by INSERT, many by COPY, the answer the same."""

from __future__ import annotations

from collections.abc import AsyncIterator
from uuid import uuid4

import asyncpg
import pytest
import pytest_asyncio

from common.db import RUNTIME_MIGRATIONS, apply_migrations, create_pool
from common.inbox import claim_events

pytestmark = pytest.mark.integration


@pytest_asyncio.fixture(loop_scope="session")
async def pool(fresh_database: str) -> AsyncIterator[asyncpg.Pool]:
    """A pool on a fresh database with the runtime's tables."""
    pool = await create_pool(fresh_database, 2)
    await apply_migrations(pool, RUNTIME_MIGRATIONS)
    yield pool
    await pool.close()


@pytest.mark.parametrize("size", [3, 150], ids=["few-by-insert", "many-by-copy"])
async def test_a_claim_answers_exactly_the_ids_new_to_the_consumer(pool: asyncpg.Pool, size: int) -> None:
    """New ids are claimed; ids claimed before or twice in one batch are not new; the transaction survives."""
    earlier = [uuid4() for _ in range(size)]
    async with pool.acquire() as conn, conn.transaction():
        assert await claim_events(conn, "c", earlier, ["t"] * size) == set(earlier)

    fresh = [uuid4() for _ in range(size)]
    batch = [*earlier[: size // 2], *fresh, fresh[0]]  # redelivered ones, new ones, a new one twice
    async with pool.acquire() as conn, conn.transaction():
        assert await claim_events(conn, "c", batch, ["t"] * len(batch)) == set(fresh)
        assert await conn.fetchval("SELECT 1") == 1, "the transaction is still usable"
    async with pool.acquire() as conn, conn.transaction():
        assert await claim_events(conn, "another", earlier[:1], ["t"]) == set(earlier[:1]), "claims are per consumer"
    assert await pool.fetchval("SELECT count(*) FROM inbox WHERE consumer = 'c'") == 2 * size
