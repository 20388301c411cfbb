"""The registry's outbox relay under a broker outage, with two relay instances on one database."""

from __future__ import annotations

import signal

import asyncpg
import httpx
import pytest

from tests.faults.harness import (
    COUNTER,
    VOLUNTEERS,
    Cluster,
    effect_count,
    eventually,
    inbox_rows,
    new_centrale,
    register_over_http,
)
from tests.support.kafka import read_until

pytestmark = pytest.mark.faults

REGISTERED = "nl.vrijwilligerscentrale.volunteer.registered.v1"


async def _unpublished(database_url: str) -> int:
    connection = await asyncpg.connect(database_url)
    try:
        return int(await connection.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL"))
    finally:
        await connection.close()


async def test_broker_restart_while_registry_accepts_requests_delivers_every_event(cluster: Cluster) -> None:
    """Registrations keep being accepted while Kafka is down; their events wait in the outbox, then drain."""
    before, during, after = 10, 15, 10
    total = before + during + after
    await cluster.isolate(COUNTER)
    registry_db, counter_db = await cluster.database("registry"), await cluster.database(COUNTER)
    # Two registry instances on one database: two relays, of which one publishes at a time.
    registries = [cluster.service("registry", registry_db), cluster.service("registry", registry_db)]
    counter = cluster.service(COUNTER, counter_db)
    await cluster.start(*registries, counter)
    await cluster.settled(counter)

    async with httpx.AsyncClient(timeout=30) as client:
        centrale, staff = await new_centrale(client, registries[0].url, cluster.ops_token)
        for number in range(before):
            await register_over_http(client, registries[number % 2].url, centrale, staff)
        await eventually(lambda: effect_count(counter_db, centrale), lambda n: n == before, timeout=30, what="before")

        await cluster.infra.kafka.stop()
        for number in range(during):
            await register_over_http(client, registries[number % 2].url, centrale, staff)
        # Nothing is marked published without an acknowledgement from the (absent) broker. Each registration
        # queued two rows: the volunteer's data key (on the key topic, sent first) and the registration.
        assert await _unpublished(registry_db) == 2 * during

        # SIGTERM during the outage: the relay cannot flush, so the shutdown gives up at its bound (10 s)
        # and leaves the rows unpublished for the other instance.
        code, took = registries[1].terminate()
        assert code in (0, -signal.SIGTERM), registries[1].process.log_tail()
        assert registries[1].stopped_cleanly(), registries[1].process.log_tail()
        assert took < 12.0, f"shutdown during the outage took {took:.1f} s"
        assert await _unpublished(registry_db) == 2 * during

        await cluster.infra.kafka.start()
        for _ in range(after):
            await register_over_http(client, registries[0].url, centrale, staff)
        await eventually(
            lambda: effect_count(counter_db, centrale), lambda n: n >= total, timeout=90, what="all counted"
        )
        await eventually(lambda: _unpublished(registry_db), lambda n: n == 0, timeout=30, what="outbox drained")

    def ours(records: list[object]) -> list[str]:
        return [
            headers["ce_id"]
            for headers in ({k: v.decode() for k, v in record.headers} for record in records)  # type: ignore[attr-defined]
            if headers.get("ce_tenant") == centrale and headers.get("ce_type") == REGISTERED
        ]

    records = await read_until(cluster.bootstrap, VOLUNTEERS, lambda seen: len(set(ours(seen))) >= total)
    published = ours(records)
    assert len(set(published)) == total
    # The idempotent producer retried through the outage without writing any record twice.
    assert len(published) == total
    assert await effect_count(counter_db, centrale) == total
    assert await inbox_rows(counter_db, COUNTER) == total
