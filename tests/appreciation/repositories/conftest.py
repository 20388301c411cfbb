"""Each repository behaviour test runs twice: on the fake and on PostgreSQL (a fresh database per test)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from uuid import uuid4

import pytest
import pytest_asyncio

from appreciation.main import SPEC
from appreciation.unit_of_work import AppreciationUnitOfWork, PostgresAppreciationUnitOfWork
from common.clock import ManualClock
from common.db import RUNTIME_MIGRATIONS, apply_migrations, create_pool
from common.uow import Origin
from tests.appreciation.fakes import FakeAppreciationUnitOfWork

NOW = datetime(2026, 3, 14, 18, 0, tzinfo=UTC)
ORIGIN = Origin(source="/regions/test/appreciation", region="test", correlation_id=uuid4())


@pytest_asyncio.fixture(loop_scope="session")
async def postgres_uow(fresh_database: str) -> AsyncIterator[PostgresAppreciationUnitOfWork]:
    """Appreciation's unit of work on an open transaction in a migrated, empty database."""
    pool = await create_pool(fresh_database, 2)
    try:
        await apply_migrations(pool, RUNTIME_MIGRATIONS, SPEC.migrations)
        async with pool.acquire() as conn:
            transaction = conn.transaction()
            await transaction.start()
            try:
                yield PostgresAppreciationUnitOfWork(conn, ORIGIN, ManualClock(NOW))
            finally:
                await transaction.rollback()
    finally:
        await pool.close()


@pytest.fixture(params=["fake", pytest.param("postgres", marks=pytest.mark.integration)])
def uow(request: pytest.FixtureRequest) -> Iterator[AppreciationUnitOfWork]:
    """The repositories under test: in memory, or on PostgreSQL."""
    if request.param == "fake":
        yield FakeAppreciationUnitOfWork(ORIGIN, ManualClock(NOW))
    else:
        yield request.getfixturevalue("postgres_uow")
