"""Readiness means "can serve": it follows the database, while a Kafka outage is only reported."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.faults.harness import Cluster, eventually

pytestmark = pytest.mark.faults


async def _ready(url: str) -> tuple[int, dict[str, Any]]:
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.get(f"{url}/health/ready")
    return response.status_code, response.json()["checks"]


async def test_registry_stays_ready_through_a_kafka_outage_but_not_a_database_outage(cluster: Cluster) -> None:
    registry = cluster.service("registry", await cluster.database("registry"))
    await cluster.start(registry)
    assert await _ready(registry.url) == (200, {"started": True, "database": True, "kafka": True})

    await cluster.infra.kafka.stop()
    # The outbox keeps requests served: the instance stays in the load balancer, Kafka shows as down.
    down = await eventually(
        lambda: _ready(registry.url), lambda answer: not answer[1]["kafka"], timeout=30, what="kafka reported down"
    )
    assert down == (200, {"started": True, "database": True, "kafka": False})
    await cluster.infra.kafka.start()
    await eventually(lambda: _ready(registry.url), lambda answer: answer[1]["kafka"], timeout=60, what="kafka back")

    await cluster.infra.postgres.stop()
    try:
        # Without its database the registry cannot serve a single request: out of the load balancer.
        assert await _ready(registry.url) == (503, {"started": True, "database": False, "kafka": True})
    finally:
        await cluster.infra.postgres.start()
    await eventually(lambda: _ready(registry.url), lambda answer: answer[0] == 200, timeout=30, what="ready again")
