"""Registry and matching in-process, each with its own database, talking only through real Kafka."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from uuid import UUID

import asyncpg
import httpx
import pytest
from fastapi import FastAPI

from common.localinfra.postgres import create_database
from matching.config import Settings
from matching.main import create_app
from tests.support.registry_client import Headers, Registry, running_registry

T = TypeVar("T")

# PC4 centroids used by the tests (rounded real centroids).
AREAS = [
    {"pc4": "3511", "lat": 52.0907, "lon": 5.1214},  # Utrecht centrum
    {"pc4": "3512", "lat": 52.0874, "lon": 5.1250},  # Utrecht centrum-oost
    {"pc4": "3701", "lat": 52.0894, "lon": 5.2330},  # Zeist, ~7.5 km
    {"pc4": "3811", "lat": 52.1561, "lon": 5.3878},  # Amersfoort, ~19 km
]
TUESDAY_MORNING = [{"weekday": 2, "start": "09:00", "end": "12:00"}]


async def eventually(probe: Callable[[], Awaitable[T | None]], what: str, timeout: float = 30.0) -> T:
    """Poll ``probe`` until it returns something truthy; fail with ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = await probe()
        if result:
            return result
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.1)


@dataclass
class World:
    """A registry and a matching service sharing a broker, plus helpers for the flows."""

    registry: Registry
    app: FastAPI
    matching: httpx.AsyncClient
    matching_pool: asyncpg.Pool
    ops: Headers

    async def known_to_matching(self, headers: Headers) -> Headers:
        """Wait until matching learned the credential from the registry's events."""

        async def accepted() -> bool:
            response = await self.matching.get("/v1/me/proposals", headers=headers)
            return response.status_code != 401

        await eventually(accepted, "matching to learn a credential")
        return headers

    async def volunteer_token(self, centrale_id: str, staff: Headers, volunteer_id: UUID) -> Headers:
        """A credential for the volunteer, once matching accepts it."""
        path = f"/v1/centrales/{centrale_id}/volunteers/{volunteer_id}/credentials"
        return await self.known_to_matching(await self.registry.credential(path, staff))

    async def agree(self, centrale_id: str, staff: Headers, volunteer_id: UUID, match_id: UUID) -> str:
        """The volunteer says yes to the proposal themselves; the status it is in after."""
        volunteer = await self.volunteer_token(centrale_id, staff, volunteer_id)
        agreed = await self.matching.post(f"/v1/me/proposals/{match_id}/agree", headers=volunteer)
        assert agreed.status_code == 200, agreed.text
        status: str = agreed.json()["status"]
        return status

    async def volunteer_in_matching(self, volunteer_id: UUID) -> None:
        """Wait until the volunteer's profile reached matching's read model."""
        await eventually(
            lambda: self.matching_pool.fetchval("SELECT 1 FROM volunteers WHERE volunteer_id = $1", volunteer_id),
            f"volunteer {volunteer_id} in matching",
        )

    async def proposals(self, task_id: UUID, minimum: int = 1) -> list[dict[str, Any]]:
        """The task's proposals once at least ``minimum`` exist (read from matching's tables)."""

        async def found() -> list[dict[str, Any]] | None:
            rows = await self.matching_pool.fetch(
                "SELECT * FROM proposals WHERE task_id = $1 ORDER BY score DESC, volunteer_id", task_id
            )
            return [dict(r) for r in rows] if len(rows) >= minimum else None

        return await eventually(found, f"{minimum} proposals for task {task_id}")

    async def task_in_matching(self, task_id: UUID) -> None:
        """Wait until matching stored the task (and so made its proposals)."""
        await eventually(
            lambda: self.matching_pool.fetchval("SELECT 1 FROM tasks WHERE task_id = $1", task_id),
            f"task {task_id} in matching",
        )


@pytest.fixture(scope="module")
async def world(kafka_bootstrap: str, postgres_server_dsn: str) -> AsyncIterator[World]:
    """Registry and matching running, PC4 centroids loaded."""
    ops_token = secrets.token_urlsafe(24)
    dsn = await create_database(postgres_server_dsn, f"matching_{secrets.token_hex(5)}")
    settings = Settings(
        kafka_bootstrap_servers=kafka_bootstrap,
        region="testregio",
        database_url=dsn,
        ops_token=ops_token,
        consumer_retry_backoff_s=0.05,
        outbox_poll_interval_s=0.2,
        overflow_after_days=3,
    )
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with (
        running_registry(kafka_bootstrap, postgres_server_dsn, ops_token) as registry,
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://matching", timeout=30) as http,
    ):
        ops = {"Authorization": f"Bearer {ops_token}"}
        loaded = await http.put("/v1/postcode-areas", json=AREAS, headers=ops)
        assert loaded.status_code == 200, loaded.text
        yield World(registry=registry, app=app, matching=http, matching_pool=app.state.runtime.pool, ops=ops)
