"""Every repository behaviour test runs twice: on the fakes and on PostgreSQL (a fresh database each)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from uuid import uuid4

import pytest
import pytest_asyncio

from common.clock import ManualClock
from common.db import RUNTIME_MIGRATIONS, apply_migrations, create_pool
from common.uow import Origin
from matching.candidates import CandidateIndexCache
from matching.domain.policy import MatchingPolicy
from matching.unit_of_work import MatchingUnitOfWork, PostgresMatchingUnitOfWork
from tests.matching.builders import NOW
from tests.matching.fakes import FakeMatchingUnitOfWork

MIGRATIONS = Path(__file__).resolve().parents[3] / "services" / "matching" / "migrations"


@pytest.fixture(params=["fake", pytest.param("postgres", marks=pytest.mark.integration)])
def database(request: pytest.FixtureRequest) -> str | None:
    """None for the fakes; the DSN of a fresh database for PostgreSQL."""
    if request.param == "fake":
        return None
    dsn: str = request.getfixturevalue("fresh_database")
    return dsn


@pytest_asyncio.fixture
async def uow(database: str | None) -> AsyncIterator[MatchingUnitOfWork]:
    """Matching's unit of work on the fakes, or on a PostgreSQL transaction rolled back after the test."""
    if database is None:
        yield FakeMatchingUnitOfWork()
        return
    pool = await create_pool(database, 1)
    try:
        await apply_migrations(pool, RUNTIME_MIGRATIONS, MIGRATIONS)
        async with pool.acquire() as conn:
            transaction = conn.transaction()
            await transaction.start()
            origin = Origin(source="/regions/test/matching", region="test", correlation_id=uuid4())
            yield PostgresMatchingUnitOfWork(
                conn, origin, ManualClock(NOW), index=CandidateIndexCache(), policy=MatchingPolicy()
            )
            await transaction.rollback()
    finally:
        await pool.close()
