"""Reporting in-process (HTTP via ASGI, its real consumers) on the session's Kafka and PostgreSQL.

Each app gets its own database and its own consumer group, started at the current end of the topics
(the session's broker holds other tests' events too); ``Reporting.start_offsets`` says where, so a
rebuild can start at the same place. Barriers are committed offsets, never sleeps.
"""

from __future__ import annotations

import asyncio
import dataclasses
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaProducer, TopicPartition
from fastapi import FastAPI

from common.auth import hash_token
from common.localinfra.postgres import create_database
from common.ops.groups import commit_offsets, end_offsets, reset_offsets, wait_until_caught_up
from common.service import create_service_app
from common.tracing import Tracing
from contracts.events import CredentialIssued
from reporting.config import Settings
from reporting.jobs import rebuild_job
from reporting.main import SPEC
from reporting.rebuild import projected_topics
from tests.reporting.events import Published, World, at
from tests.reporting.integration.scenario import Region, build_region, erase_later

Headers = dict[str, str]
TOPICS = sorted({*projected_topics(), CredentialIssued.topic})


@dataclass
class Reporting:
    """A running reporting service and what tests need to feed and read it."""

    app: FastAPI
    http: httpx.AsyncClient
    pool: asyncpg.Pool
    bootstrap: str
    dsn: str
    group: str
    start_offsets: dict[TopicPartition, int]
    ops: Headers
    producer: AIOKafkaProducer

    async def publish(self, events: list[Published]) -> None:
        """Send the events in order (key = subject), as their producers would, and wait for the broker's acks."""
        futures = []
        for published in events:
            envelope = published.envelope()
            futures.append(await self.producer.send(
                published.event.topic, value=published.event.model_dump_json().encode(),
                key=envelope.subject.encode(), headers=envelope.to_headers(),
            ))  # fmt: skip
        for future in futures:
            await future

    async def settle(self, timeout: float = 60.0) -> None:
        """Wait until the service committed everything now on its topics (every event applied)."""
        await wait_until_caught_up(
            self.bootstrap, self.group, await end_offsets(self.bootstrap, TOPICS), timeout=timeout
        )

    async def feed(self, world: World) -> None:
        """Publish what the world produced since the last feed and wait until it is applied."""
        await self.publish(world.take())
        await self.settle()

    async def credential(self, role: str, centrale_id: str | None = None, subject_id: UUID | None = None) -> Headers:
        """A token the registry would have issued (reporting learns it from registry.credentials.v1)."""
        token = f"rp_{secrets.token_urlsafe(24)}"
        event = CredentialIssued(
            credential_id=uuid4(), token_hash=hash_token(token), role=role, centrale_id=centrale_id,
            subject_id=subject_id, issued_at=at("2026-01-01"),
        )  # fmt: skip
        await self.publish([Published(event, centrale_id or "region", at("2026-01-01"), "/regions/testregio/registry")])
        await self.settle()
        return {"Authorization": f"Bearer {token}"}

    async def configure(
        self, centrales: dict[str, tuple[str, str]], districts: list[tuple[str, str, str]],
        names: dict[str, str] | None = None,
    ) -> None:  # fmt: skip
        """Load centrale → municipality (and the centrales' names) and PC4 → wijk as region ops would."""
        for centrale, (code, name) in centrales.items():
            body = {"municipality_code": code, "municipality_name": name, "centrale_name": (names or {}).get(centrale)}
            response = await self.http.put(f"/v1/ops/centrales/{centrale}", json=body, headers=self.ops)
            assert response.status_code == 200, response.text
        if districts:
            rows = [{"postcode_area": a, "district_code": c, "district_name": n} for a, c, n in districts]
            response = await self.http.put("/v1/ops/districts", json={"districts": rows}, headers=self.ops)
            assert response.status_code == 200, response.text

    async def rebuild(self, timeout: float = 120.0) -> dict[str, Any]:
        """Start the rebuild job over HTTP (202) and wait until its run is over; the run as last read."""
        started = await self.http.post("/v1/ops/rebuild", headers=self.ops)
        assert started.status_code == 202, started.text
        assert started.headers["Location"] == f"/v1/ops/jobs/runs/{started.json()['id']}"
        return await self.run_finished(started.headers["Location"], timeout)

    async def run_finished(self, location: str, timeout: float = 120.0) -> dict[str, Any]:
        """Poll a job run's status resource until it is no longer running; the run as last read."""
        deadline = asyncio.get_running_loop().time() + timeout
        while (run := await self.json(location))["status"] == "running":
            assert asyncio.get_running_loop().time() < deadline, f"still running after {timeout} s: {run}"
            await asyncio.sleep(0.1)
        return run

    async def json(self, path: str, headers: Headers | None = None, **params: str) -> Any:
        """GET ``path`` and return its JSON, asserting 200."""
        response = await self.http.get(path, headers=self.ops if headers is None else headers, params=params)
        assert response.status_code == 200, f"{path}: {response.status_code} {response.text}"
        return response.json()


@asynccontextmanager
async def running_reporting(
    bootstrap: str,
    server_dsn: str,
    start: dict[TopicPartition, int] | None = None,
    *,
    again: Reporting | None = None,
    tracing: Tracing | None = None,
    workers: bool = True,
) -> AsyncIterator[Reporting]:
    """A reporting app on a fresh database and a fresh consumer group starting at ``start`` (default: the end).

    ``again``: a stopped service's database and group instead, going on where its group stands;
    ``tracing``: a tracer exporting where the test looks (``common.tracing``); ``workers``: False for tests that
    fold the hours queue themselves (the service's own fold would race them).
    """
    if again is not None:
        dsn, group, start = again.dsn, again.group, again.start_offsets
    else:
        suffix = secrets.token_hex(5)
        dsn = await create_database(server_dsn, f"reporting_{suffix}")
        group = f"reporting-test-{suffix}"
        if start is None:
            start = await reset_offsets(bootstrap, group, TOPICS, to="latest")
        else:
            await commit_offsets(bootstrap, group, start)
    ops_token = secrets.token_urlsafe(24)
    settings = Settings(
        kafka_bootstrap_servers=bootstrap, region="testregio", database_url=dsn, ops_token=ops_token,
        consumer_retry_backoff_s=0.05,
    )  # fmt: skip
    # The rebuild job starts where this service's group started: the session's broker holds other tests' events.
    spec = dataclasses.replace(
        SPEC, name=group, jobs=[rebuild_job(start_offsets=start)], workers=SPEC.workers if workers else []
    )
    app = create_service_app(settings, spec, tracing=tracing)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://reporting", timeout=60) as http:
                yield Reporting(
                    app=app, http=http, pool=app.state.runtime.pool, bootstrap=bootstrap, dsn=dsn, group=group,
                    start_offsets=start, ops={"Authorization": f"Bearer {ops_token}"}, producer=producer,
                )  # fmt: skip
    finally:
        await producer.stop()


@pytest.fixture(scope="module")
async def reporting(kafka_bootstrap: str, postgres_server_dsn: str) -> AsyncIterator[Reporting]:
    """A reporting service of this test module's own (for tests that change what it holds)."""
    async with running_reporting(kafka_bootstrap, postgres_server_dsn) as service:
        yield service


@dataclass
class Scenario:
    """The known region (tests/reporting/integration/scenario.py) applied by a running reporting service."""

    reporting: Reporting
    region: Region


@pytest.fixture(scope="package")
async def scenario(kafka_bootstrap: str, postgres_server_dsn: str) -> AsyncIterator[Scenario]:
    """The known region, published once and applied; tests that only read share it."""
    async with running_reporting(kafka_bootstrap, postgres_server_dsn) as service:
        world = World()
        region = build_region(world)
        await service.configure(region.centrales, region.districts, region.names)
        await service.feed(world)
        erase_later(world, region)
        await service.feed(world)
        yield Scenario(service, region)
