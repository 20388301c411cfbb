"""``/metrics`` of a running service on real Kafka and PostgreSQL: the series move as a flow goes through it.

The test service publishes ``VolunteerProfileUpdated`` from a route and consumes the same topic, so one
request goes route → outbox → Kafka → consumer. A record for the "hold" centrale blocks its handler
(consumer lag builds up behind it), one for the "poison" centrale fails every time (dead-lettered), and
an on-demand job fails; holding the relay's advisory lock keeps the outbox from draining.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from uuid import uuid4

import asyncpg
import httpx
import pytest
import pytest_asyncio
from fastapi import APIRouter
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from common.consumer import EventConsumer
from common.http import UnitOfWorkDep
from common.jobs import Job, JobContext
from common.locks import Lock
from common.service import ServiceSpec, create_service_app
from common.settings import ServiceSettings
from common.uow import PostgresUnitOfWork
from contracts.events import VolunteerProfileUpdated

pytestmark = pytest.mark.integration

MIGRATIONS = Path(__file__).parent / "uow_migrations"
TOPIC = VolunteerProfileUpdated.topic
SUFFIX = secrets.token_hex(4)
GOOD, HOLD, POISON = (f"vc-metrics-{kind}-{SUFFIX}" for kind in ("good", "hold", "poison"))

router = APIRouter()


@router.post("/centrales/{centrale_id}/profile-updates", status_code=202)
async def update_profile(centrale_id: str, uow: UnitOfWorkDep) -> None:
    await uow.emit(
        VolunteerProfileUpdated(volunteer_id=uuid4(), centrale_id=centrale_id, updated_at=uow.now()), tenant=centrale_id
    )


@dataclass
class Handlers:
    """What the test service's handler does with the test's records; every other record just passes."""

    entered_hold: asyncio.Event
    release_hold: asyncio.Event

    def register(self, consumer: EventConsumer) -> None:
        @consumer.on(VolunteerProfileUpdated)
        async def on_profile_updated(event: VolunteerProfileUpdated, uow: PostgresUnitOfWork) -> None:
            if event.centrale_id == HOLD:
                self.entered_hold.set()
                await self.release_hold.wait()
            if event.centrale_id == POISON:
                raise RuntimeError("this record always fails")


async def _failing_job(context: JobContext) -> Mapping[str, int]:
    raise RuntimeError("the job fails on purpose")


class _Settings(ServiceSettings):
    """Settings of the test service."""


@dataclass
class Service:
    """The running test service."""

    http: httpx.AsyncClient
    pool: asyncpg.Pool
    handlers: Handlers
    ops: dict[str, str]
    name: str

    async def scrape(self) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
        """Every sample of ``/metrics``: (name, labels) → value."""
        response = await self.http.get("/metrics")
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/plain")
        return {
            (sample.name, frozenset(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(response.text)
            for sample in family.samples
        }

    async def value(self, name: str, **labels: str) -> float:
        """The sum of ``name``'s samples that have ``labels`` (0 when there is none)."""
        wanted = set(labels.items())
        return sum(value for (found, have), value in (await self.scrape()).items() if found == name and wanted <= have)

    async def wait_until(self, name: str, holds: Callable[[float], bool], **labels: str) -> None:
        """Scrape until ``name``'s value (``labels`` matched) ``holds``, for at most a minute."""
        deadline = time.monotonic() + 60
        while not holds(value := await self.value(name, **labels)):
            assert time.monotonic() < deadline, f"{name}{labels} stayed at {value}"
            await asyncio.sleep(0.2)


@pytest_asyncio.fixture(loop_scope="session")
async def service(fresh_database: str, kafka_bootstrap: str) -> AsyncIterator[Service]:
    ops_token = secrets.token_urlsafe(24)
    settings = _Settings(
        kafka_bootstrap_servers=kafka_bootstrap,
        database_url=SecretStr(fresh_database),
        ops_token=SecretStr(ops_token),
        development=True,
        region="testregio",
        consumer_max_retries=1,
        consumer_retry_backoff_s=0.01,
        outbox_poll_interval_s=0.2,
        metrics_sample_interval_s=0.2,
    )
    handlers = Handlers(asyncio.Event(), asyncio.Event())
    name = f"metricstest-{SUFFIX}"  # its own consumer group
    spec = ServiceSpec(
        name=name,
        migrations=MIGRATIONS,
        routers=[router],
        publishes=[VolunteerProfileUpdated],
        register_handlers=handlers.register,
        jobs=[Job("always-fails", _failing_job)],
    )
    app = create_service_app(settings, spec)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://metricstest", timeout=30) as http:
            try:
                yield Service(http, app.state.runtime.pool, handlers, {"Authorization": f"Bearer {ops_token}"}, name)
            finally:
                handlers.release_hold.set()  # a failed test must not leave the handler holding the shutdown


async def test_metrics_follow_requests_outbox_consumer_dead_letters_and_jobs(service: Service) -> None:
    # -- HTTP: counted per route template, never per raw path -------------------------------------------------
    route = "/centrales/{centrale_id}/profile-updates"
    assert (await service.http.post(f"/centrales/{GOOD}/profile-updates")).status_code == 202
    assert (await service.http.get("/no/such/path/123")).status_code == 404
    samples = await service.scrape()
    requests = {dict(labels)["route"]: v for (n, labels), v in samples.items() if n == "regio_http_requests_total"}
    assert requests[route] == 1
    assert requests["unmatched"] == 1
    assert not any(GOOD in dict(labels).get("route", "") for _, labels in samples), "a raw path became a label"

    # -- the consumer applies the record the outbox published ----------------------------------------------
    await service.wait_until("regio_outbox_published_total", lambda v: v >= 1, topic=TOPIC)
    await service.wait_until("regio_consumer_records_total", lambda v: v >= 1, topic=TOPIC, outcome="applied")
    assert await service.value("regio_consumer_apply_latency_seconds_count", topic=TOPIC) >= 1
    assert await service.value("regio_outbox_publish_latency_seconds_count") >= 1

    # -- consumer lag: a held handler lets records pile up, then they drain -------------------------------
    assert (await service.http.post(f"/centrales/{HOLD}/profile-updates")).status_code == 202
    await asyncio.wait_for(service.handlers.entered_hold.wait(), timeout=60)
    for _ in range(3):
        assert (await service.http.post(f"/centrales/{GOOD}/profile-updates")).status_code == 202
    await service.wait_until("regio_consumer_lag", lambda v: v >= 2, topic=TOPIC)
    service.handlers.release_hold.set()
    await service.wait_until("regio_consumer_lag", lambda v: v == 0, topic=TOPIC)

    # -- dead letters: the poison record is counted by the consumer and found in the dead-letter topic -------
    assert (await service.http.post(f"/centrales/{POISON}/profile-updates")).status_code == 202
    await service.wait_until("regio_consumer_records_total", lambda v: v >= 1, topic=TOPIC, outcome="dead_lettered")
    await service.wait_until("regio_dead_letters_pending", lambda v: v == 1, topic=TOPIC)
    assert await service.value("regio_dead_letters", topic=TOPIC) == 1

    # -- outbox backlog: while another holder has the relay's lock, rows wait and age -------------------------
    async with service.pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", Lock.OUTBOX_RELAY)
        for _ in range(2):
            assert (await service.http.post(f"/centrales/{GOOD}/profile-updates")).status_code == 202
        await service.wait_until("regio_outbox_pending_rows", lambda v: v == 2)
        await service.wait_until("regio_outbox_oldest_pending_age_seconds", lambda v: v >= 0.3)
        assert await service.value("regio_outbox_relay_active") == 0
    await service.wait_until("regio_outbox_pending_rows", lambda v: v == 0)
    assert await service.value("regio_outbox_oldest_pending_age_seconds") == 0

    # -- jobs: a failed run is counted and the job's state says so -----------------------------------------
    assert await service.value("regio_job_last_run_failed", job="always-fails") == 0
    started = await service.http.post("/v1/ops/jobs/always-fails/runs", headers=service.ops)
    assert started.status_code == 202, started.text
    await service.wait_until("regio_job_runs_total", lambda v: v == 1, job="always-fails", outcome="failed")
    await service.wait_until("regio_job_last_run_failed", lambda v: v == 1, job="always-fails")

    # -- the rest of the instance ---------------------------------------------------------------------------
    samples = await service.scrape()
    assert samples[("regio_service_ready", frozenset({("service", service.name)}))] == 1
    assert samples[("regio_db_pool_max_connections", frozenset({("service", service.name)}))] >= 1
    assert samples[("regio_outbox_relay_producer_connected", frozenset({("service", service.name)}))] == 1
