"""Session-wide fixtures: one Kafka broker and one PostgreSQL server per test session, databases per test."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from common.localinfra import create_database, drop_database
from common.sealing import REGION_KEY_VARIABLE, new_region_key
from tests.support.infra import Infra, running_infra

# The region's key-encryption key (crypto-shredding) for this session: services the tests start, in this process
# or as processes, inherit it. A broker given by KAFKA_BOOTSTRAP_SERVERS comes with its own (.local/infra/env).
os.environ.setdefault(REGION_KEY_VARIABLE, new_region_key())


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def infra(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Infra]:
    """Kafka with the catalogue topics and PostgreSQL, started once; fails (never skips) if unavailable."""
    async with running_infra(tmp_path_factory.mktemp("infra")) as provided:
        yield provided


@pytest.fixture(scope="session")
def kafka_bootstrap(infra: Infra) -> str:
    """Bootstrap servers of the session's broker, ``host:port``."""
    return infra.kafka_bootstrap


@pytest.fixture(scope="session")
def postgres_server_dsn(infra: Infra) -> str:
    """DSN of the session's PostgreSQL server (its maintenance database); tests create their own databases."""
    return infra.postgres_dsn


@pytest_asyncio.fixture(loop_scope="session")
async def fresh_database(postgres_server_dsn: str) -> AsyncIterator[str]:
    """DSN of a new, uniquely named, empty database, dropped after the test."""
    name = f"test_{uuid.uuid4().hex[:16]}"
    dsn = await create_database(postgres_server_dsn, name)
    yield dsn
    await drop_database(postgres_server_dsn, name)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that reaches the session's Kafka or PostgreSQL as ``integration`` (unless e2e or faults).

    The fast tier (``make test-fast``: ``-m "not integration and not e2e and not faults"``) then holds exactly
    the tests that run without servers, whatever a module forgot to declare.
    """
    for item in items:
        if "infra" in getattr(item, "fixturenames", ()) and not any(
            item.get_closest_marker(name) for name in ("integration", "e2e", "faults")
        ):
            item.add_marker(pytest.mark.integration)
