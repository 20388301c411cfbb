"""Every repository behaviour test runs twice: on the in-memory fake and on PostgreSQL, so the fakes stay honest.

The PostgreSQL variant gets a fresh database with the registry's migrations and a unit of work on one open
transaction (as a request or an event gets one); it is marked ``integration``, the fake variant is not, so
``make test-fast`` runs the fakes only.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from uuid import uuid4

import pytest
import pytest_asyncio

from common.clock import ManualClock
from common.db import RUNTIME_MIGRATIONS, apply_migrations, create_pool
from common.uow import Origin
from registry.unit_of_work import PostgresRegistryUnitOfWork, RegistryUnitOfWork
from tests.registry.builders import NOW
from tests.registry.fakes import FakeRegistryUnitOfWork

REGISTRY_MIGRATIONS = Path(__file__).parents[3] / "services" / "registry" / "migrations"
ORIGIN = Origin(source="/regions/testregio/registry", region="testregio", correlation_id=uuid4())


@pytest.fixture(params=["fake", pytest.param("postgres", marks=pytest.mark.integration)])
def database(request: pytest.FixtureRequest) -> str | None:
    """None for the fake; for PostgreSQL, a fresh database's DSN."""
    if request.param == "fake":
        return None
    dsn: str = request.getfixturevalue("fresh_database")
    return dsn


@pytest_asyncio.fixture(loop_scope="session")
async def uow(database: str | None) -> AsyncIterator[RegistryUnitOfWork]:
    """A registry unit of work on the fake tables or on an open PostgreSQL transaction."""
    clock = ManualClock(NOW)
    if database is None:
        yield FakeRegistryUnitOfWork(ORIGIN, clock)
        return
    pool = await create_pool(database, 2)
    try:
        await apply_migrations(pool, RUNTIME_MIGRATIONS, REGISTRY_MIGRATIONS)
        async with pool.acquire() as conn, conn.transaction():
            yield PostgresRegistryUnitOfWork(conn, ORIGIN, clock)
    finally:
        await pool.close()
