"""``/metrics`` of the four services as real processes while a registration and a poison record go through."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from contracts import EventEnvelope
from tests.e2e.conftest import SERVICES, Platform, running_platform
from tests.e2e.test_walking_skeleton import VOLUNTEERS, _new_centrale, _register, _wait_for_count
from tests.support.kafka import publish_raw

pytestmark = [pytest.mark.integration, pytest.mark.e2e]


@pytest.fixture(scope="module")
async def platform(
    kafka_bootstrap: str, postgres_server_dsn: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Platform]:
    """The four services, sampling lag, dead letters and the outbox twice a second."""
    logs = Path(tmp_path_factory.mktemp("service-logs"))
    fast_sampling = {service: {f"{service.upper()}_METRICS_SAMPLE_INTERVAL_S": "0.5"} for service in SERVICES}
    async with running_platform(kafka_bootstrap, postgres_server_dsn, logs, extra_env=fast_sampling) as running:
        yield running


async def _value(client: httpx.AsyncClient, platform: Platform, service: str, name: str, **labels: str) -> float:
    """The sum of a service's ``name`` samples that carry ``labels`` (0 when there is none)."""
    response = await client.get(f"{platform.url(service)}/metrics")
    assert response.status_code == 200, response.text
    return sum(
        sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
        if sample.name == name and labels.items() <= sample.labels.items()
    )


async def _wait_until(
    client: httpx.AsyncClient,
    platform: Platform,
    service: str,
    name: str,
    holds: Callable[[float], bool],
    **labels: str,
) -> float:
    deadline = time.monotonic() + 60
    while not holds(value := await _value(client, platform, service, name, **labels)):
        assert time.monotonic() < deadline, f"{service}: {name}{labels} stayed at {value}"
        await asyncio.sleep(0.25)
    return value


async def test_every_service_reports_its_outbox_consumers_lag_and_dead_letters(platform: Platform) -> None:
    async with httpx.AsyncClient(timeout=10) as client:
        for service in SERVICES:
            # Ready, and Kafka sampled once: the baselines below are the values before this test's records.
            await _wait_until(client, platform, service, "regio_service_ready", lambda v: v == 1)
            await _wait_until(
                client, platform, service, "regio_metrics_sampled_timestamp_seconds", lambda v: v > 0, source="kafka"
            )
        published = await _value(client, platform, "registry", "regio_outbox_published_total", topic=VOLUNTEERS)
        applied = await _value(
            client, platform, "reporting", "regio_consumer_records_total", topic=VOLUNTEERS, outcome="applied"
        )
        dead_letters = await _value(client, platform, "reporting", "regio_dead_letters_pending", topic=VOLUNTEERS)

        centrale_id, staff = await _new_centrale(client, platform)
        for _ in range(3):
            await _register(client, platform, centrale_id, staff)
        await _wait_for_count(client, platform, centrale_id, 3)

        assert await _value(client, platform, "registry", "regio_outbox_published_total", topic=VOLUNTEERS) >= (
            published + 3
        )
        await _wait_until(client, platform, "registry", "regio_outbox_pending_rows", lambda v: v == 0)
        assert await _value(
            client, platform, "reporting", "regio_consumer_records_total", topic=VOLUNTEERS, outcome="applied"
        ) >= (applied + 3)
        assert await _value(client, platform, "reporting", "regio_consumer_apply_latency_seconds_count") >= 1
        # Every consumer of the topic caught up: the lag series exist and drain to 0.
        for service in ("reporting", "matching"):
            await _wait_until(client, platform, service, "regio_consumer_lag", lambda v: v == 0, topic=VOLUNTEERS)
        # Counted under the route's template, not the centrale's own path.
        registrations = await _value(
            client,
            platform,
            "registry",
            "regio_http_requests_total",
            method="POST",
            route="/v1/centrales/{centrale_id}/volunteers",
            status="201",
        )
        assert registrations >= 3

        envelope = EventEnvelope(
            source="/regions/testregio/fuzzer",
            type="nl.vrijwilligerscentrale.volunteer.registered.v1",
            subject=f"poison-{secrets.token_hex(4)}",
            tenant=centrale_id,
            region="testregio",
        )
        await publish_raw(
            platform.bootstrap, VOLUNTEERS, b"{not json", key=envelope.subject.encode(), headers=envelope.to_headers()
        )
        await _wait_until(
            client,
            platform,
            "reporting",
            "regio_consumer_records_total",
            lambda v: v >= 1,
            topic=VOLUNTEERS,
            outcome="dead_lettered",
        )
        await _wait_until(
            client,
            platform,
            "reporting",
            "regio_dead_letters_pending",
            lambda v: v == dead_letters + 1,
            topic=VOLUNTEERS,
        )
