"""The registry in-process (HTTP via ASGI, its real consumers and outbox relay) on real Kafka and PostgreSQL."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator

import pytest

from tests.support.registry_client import Headers, Registry, running_registry

__all__ = ["Headers", "Registry"]


@pytest.fixture(scope="module")
async def registry(kafka_bootstrap: str, postgres_server_dsn: str) -> AsyncIterator[Registry]:
    """A registry app with its own fresh database, lifespan running (relay and consumers)."""
    async with running_registry(kafka_bootstrap, postgres_server_dsn, secrets.token_urlsafe(24)) as running:
        yield running
