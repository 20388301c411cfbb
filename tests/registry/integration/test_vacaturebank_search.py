"""The vacaturebank's search in PostgreSQL only: Dutch stemming, stop words, hostile text.

Which indexes a search uses at scale is shown by ``bench.vacaturebank`` (50,000 tasks): on a test's few
rows the planner rightly prefers other plans.
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
from registry.unit_of_work import PostgresRegistryUnitOfWork
from registry.vacaturebank import Criteria, Sort, search_terms
from tests.registry.builders import NOW
from tests.registry.builders_vacaturebank import a_published_task, a_region

pytestmark = pytest.mark.integration

REGISTRY_MIGRATIONS = Path(__file__).parents[3] / "services" / "registry" / "migrations"
ORIGIN = Origin(source="/regions/testregio/registry", region="testregio", correlation_id=uuid4())


@pytest_asyncio.fixture(loop_scope="session")
async def uow(fresh_database: str) -> AsyncIterator[PostgresRegistryUnitOfWork]:
    """A registry unit of work on an open transaction of a fresh database."""
    pool = await create_pool(fresh_database, 2)
    try:
        await apply_migrations(pool, RUNTIME_MIGRATIONS, REGISTRY_MIGRATIONS)
        async with pool.acquire() as conn, conn.transaction():
            yield PostgresRegistryUnitOfWork(conn, ORIGIN, ManualClock(NOW))
    finally:
        await pool.close()


async def _found(uow: PostgresRegistryUnitOfWork, text: str) -> int:
    return (await uow.vacatures.search(Criteria(terms=search_terms(text)), Sort.RELEVANCE, 20, 0)).total


async def test_dutch_stemming_finds_other_forms_of_a_word(uow: PostgresRegistryUnitOfWork) -> None:
    centrale_id, organisation_id = await a_region(uow)
    await uow.tasks.add(
        a_published_task(
            centrale_id,
            organisation_id,
            title="Chauffeur voor de boodschappenbus",
            description="Je rijdt ouderen uit de wijk op dinsdag naar de markt en helpt met de tassen.",
            offer="Een vergoeding voor je onkosten",
        )
    )
    for text in ("chauffeurs", "Chauffeur", "boodschappen", "oudere", "tas", "vergoedingen", "onkosten"):
        assert await _found(uow, text) == 1, text
    assert await _found(uow, "zwemles") == 0


async def test_a_text_of_stop_words_only_filters_nothing(uow: PostgresRegistryUnitOfWork) -> None:
    centrale_id, organisation_id = await a_region(uow)
    await uow.tasks.add(a_published_task(centrale_id, organisation_id))
    assert await _found(uow, "de het voor") == 1
    assert await _found(uow, "de boodschappenbus") == 1


@pytest.mark.parametrize("text", ["boodschap & !x", "'; DROP TABLE tasks; --", "a:* | b", "(((", "\u200b", "ß" * 300])
async def test_text_search_operators_and_odd_text_are_only_words(uow: PostgresRegistryUnitOfWork, text: str) -> None:
    centrale_id, organisation_id = await a_region(uow)
    await uow.tasks.add(a_published_task(centrale_id, organisation_id))
    found = await uow.vacatures.search(Criteria(terms=search_terms(text)), Sort.RELEVANCE, 20, 0)
    assert found.total in (0, 1)
    assert await uow.conn.fetchval("SELECT count(*) FROM tasks") == 1
