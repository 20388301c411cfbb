"""The services' rate-limited routes: self-registration (registry) and certificate look-ups (appreciation).

Each service in-process on real Kafka and PostgreSQL with a clock the test moves: the configured number of
requests passes, the next gets 429 with ``Retry-After``, and after the window the client is let through again.
Two instances on one database count together.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import httpx
import pytest
from fastapi import FastAPI

import appreciation.main as appreciation
import registry.main as registry
from appreciation.config import Settings as AppreciationSettings
from common.clock import ManualClock
from common.localinfra.postgres import create_database
from common.service import create_service_app
from registry.config import Settings as RegistrySettings

pytestmark = pytest.mark.integration


@asynccontextmanager
async def _serving(app: FastAPI, name: str) -> AsyncIterator[httpx.AsyncClient]:
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("198.51.100.7", 50000))
        async with httpx.AsyncClient(transport=transport, base_url=f"http://{name}", timeout=30) as http:
            yield http


def _settings(settings_class: Any, kafka_bootstrap: str, dsn: str, **limits: str) -> Any:
    return settings_class(
        kafka_bootstrap_servers=kafka_bootstrap,
        region="testregio",
        database_url=dsn,
        ops_token=secrets.token_urlsafe(32),
        scheduler_enabled=False,
        **limits,
    )


async def test_self_registration_is_limited_per_address_across_instances(
    kafka_bootstrap: str, postgres_server_dsn: str
) -> None:
    dsn = await create_database(postgres_server_dsn, f"registry_{secrets.token_hex(5)}")
    clock = ManualClock(datetime(2026, 6, 1, 9, tzinfo=UTC))
    settings = _settings(RegistrySettings, kafka_bootstrap, dsn, rate_limit_self_registration="3/600")
    first = create_service_app(settings, registry.SPEC, clock=clock)
    second = create_service_app(settings, registry.SPEC, clock=clock)
    async with _serving(first, "registry-1") as one, _serving(second, "registry-2") as two:
        ops = {"Authorization": f"Bearer {settings.ops_token.get_secret_value()}"}
        centrale = await one.post(
            "/v1/centrales", json={"id": "vc-limits", "name": "Limieten", "municipality_code": "GM0344"}, headers=ops
        )
        assert centrale.status_code == 201, centrale.text
        url = "/v1/centrales/vc-limits/volunteers/self-registration"
        body = {"name": "Sanne", "consents": [{"kind": "matching", "text_version": "2026-01"}]}
        # Three across the two instances, then both refuse: the counter is shared.
        statuses = [(await client.post(url, json=body)).status_code for client in (one, two, one)]
        assert statuses == [201, 201, 201]
        clock.advance(timedelta(seconds=100))
        for client in (two, one):
            refused = await client.post(url, json=body)
            assert refused.status_code == 429
            assert refused.headers["retry-after"] == "500"
            assert "too many requests" in refused.json()["detail"]
        clock.advance(timedelta(seconds=500))
        assert (await two.post(url, json=body)).status_code == 201


async def test_certificate_look_ups_are_limited_per_address(kafka_bootstrap: str, postgres_server_dsn: str) -> None:
    dsn = await create_database(postgres_server_dsn, f"appreciation_{secrets.token_hex(5)}")
    clock = ManualClock(datetime(2026, 6, 1, 9, tzinfo=UTC))
    settings = _settings(AppreciationSettings, kafka_bootstrap, dsn, rate_limit_certificate_lookup="5/60")
    async with _serving(create_service_app(settings, appreciation.SPEC, clock=clock), "appreciation") as http:
        # Guessing ids: unknown certificates are 404 until the address has used up its look-ups.
        guesses = [(await http.get(f"/v1/certificates/{uuid4()}")).status_code for _ in range(5)]
        assert guesses == [404] * 5
        refused = await http.post(f"/v1/certificates/{uuid4()}/verify", content=b"%PDF-1.4")
        assert refused.status_code == 429
        assert refused.headers["retry-after"] == "60"
        clock.advance(timedelta(seconds=60))
        assert (await http.get(f"/v1/certificates/{uuid4()}")).status_code == 404
