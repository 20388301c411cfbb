"""EventConsumer.process on real PostgreSQL and Kafka: inbox, bounded retries, dead letters, outages."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import asyncpg
import pytest
import pytest_asyncio
import structlog
from aiokafka.structs import ConsumerRecord
from faststream.kafka import KafkaBroker

from common.consumer import EventConsumer, EventContext
from common.db import RUNTIME_MIGRATIONS, apply_migrations, create_pool
from common.ops import read_dead_letters
from common.outbox import make_envelope
from contracts import EventEnvelope, dead_letter_topic
from contracts.events import VolunteerRegistered

pytestmark = pytest.mark.integration

TOPIC = VolunteerRegistered.topic


@pytest_asyncio.fixture(loop_scope="session")
async def pool(fresh_database: str) -> AsyncIterator[asyncpg.Pool]:
    """A pool on a fresh database with the runtime's tables and a table the test handlers write."""
    pool = await create_pool(fresh_database, 3)
    await apply_migrations(pool, RUNTIME_MIGRATIONS)
    await pool.execute("CREATE TABLE effects (event_id uuid NOT NULL)")
    yield pool
    await pool.close()


@pytest_asyncio.fixture(loop_scope="session")
async def broker(kafka_bootstrap: str) -> AsyncIterator[KafkaBroker]:
    """A connected FastStream broker (for the dead-letter producer); no subscriber is started."""
    broker = KafkaBroker(kafka_bootstrap, acks="all", enable_idempotence=True)
    await broker.connect()
    yield broker
    await broker.stop()


def _record(offset: int = 0) -> tuple[ConsumerRecord[bytes, bytes], EventEnvelope]:
    event = VolunteerRegistered(volunteer_id=uuid4(), centrale_id="vc-retry", registered_at=datetime.now(UTC))
    envelope = make_envelope(event, source="/regions/test/registry", tenant="vc-retry", region="test")
    value = event.model_dump_json().encode()
    record = ConsumerRecord(
        topic=TOPIC, partition=0, offset=offset, timestamp=0, timestamp_type=0, key=envelope.subject.encode(),
        value=value, checksum=None, serialized_key_size=36, serialized_value_size=len(value),
        headers=envelope.to_headers(),
    )  # fmt: skip
    return record, envelope


def _consumer(pool: asyncpg.Pool, broker: KafkaBroker, handler: Any, **options: Any) -> EventConsumer:
    consumer = EventConsumer(f"test-{secrets.token_hex(4)}", pool, **options)
    consumer.on(VolunteerRegistered)(handler)
    consumer.attach(broker)
    return consumer


async def _effects(pool: asyncpg.Pool) -> int:
    return int(await pool.fetchval("SELECT count(*) FROM effects"))


async def _inbox(pool: asyncpg.Pool, consumer: EventConsumer) -> int:
    return int(await pool.fetchval("SELECT count(*) FROM inbox WHERE consumer = $1", consumer.name))


async def test_a_redelivered_event_has_its_effect_once(pool: asyncpg.Pool, broker: KafkaBroker) -> None:
    async def record_effect(event: VolunteerRegistered, ctx: EventContext) -> None:
        await ctx.conn.execute("INSERT INTO effects (event_id) VALUES ($1)", ctx.envelope.id)

    consumer = _consumer(pool, broker, record_effect)
    record, _ = _record()
    assert await consumer.process(record)
    assert await consumer.process(record)
    assert (await _effects(pool), await _inbox(pool, consumer)) == (1, 1)


async def test_a_failing_handler_is_dead_lettered_after_its_bounded_retries(
    pool: asyncpg.Pool, broker: KafkaBroker, kafka_bootstrap: str
) -> None:
    """The database answers, the handler fails every time: 1 + max_retries attempts, then the dead letter."""
    calls = 0

    async def broken(event: VolunteerRegistered, ctx: EventContext) -> None:
        nonlocal calls
        calls += 1
        await ctx.conn.execute("INSERT INTO effects (event_id) VALUES ($1)", ctx.envelope.id)
        raise RuntimeError("handler bug")

    consumer = _consumer(pool, broker, broken, max_retries=2, retry_backoff_s=0.01)
    record, envelope = _record(offset=41)
    assert await consumer.process(record)

    assert calls == 3
    assert (await _effects(pool), await _inbox(pool, consumer)) == (0, 0), "each failed attempt rolled back"
    letters = [
        letter
        for letter in await read_dead_letters(kafka_bootstrap, [dead_letter_topic(TOPIC)])
        if letter.event_id == str(envelope.id)
    ]
    assert [(x.consumer, x.error_class, x.error_message, x.headers["dlq_attempts"]) for x in letters] == [
        (consumer.name, "RuntimeError", "handler bug", "3")
    ]
    assert letters[0].original_position == f"{TOPIC}[0]@41"
    assert letters[0].value == record.value


async def test_a_database_outage_is_waited_out_instead_of_dead_lettered(
    pool: asyncpg.Pool, broker: KafkaBroker, kafka_bootstrap: str, postgres_server_dsn: str
) -> None:
    """The service's database refuses connections for a while: the event waits, then applies, never DLQ'd."""

    async def record_effect(event: VolunteerRegistered, ctx: EventContext) -> None:
        await ctx.conn.execute("INSERT INTO effects (event_id) VALUES ($1)", ctx.envelope.id)

    # No retry at all for a failing record: under the old rule the first failure would dead-letter it.
    consumer = _consumer(pool, broker, record_effect, max_retries=0, retry_backoff_s=0.02)
    database = await pool.fetchval("SELECT current_database()")
    admin = await asyncpg.connect(postgres_server_dsn)
    try:
        # The outage: this one database takes no connections and its sessions are cut (others unaffected).
        await admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS false')
        await admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", database)
        record, envelope = _record()
        with structlog.testing.capture_logs() as logs:
            applying = asyncio.create_task(consumer.process(record))
            deadline = asyncio.get_running_loop().time() + 30
            # Barrier: more outage retries than a failing record gets (0), and the record is still in hand.
            while sum(entry["event"] == "event_waiting_for_database" for entry in logs) < 3:
                assert asyncio.get_running_loop().time() < deadline, logs
                assert not applying.done(), logs
                await asyncio.sleep(0.02)
            await admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true')
            assert await asyncio.wait_for(applying, timeout=30)
    finally:
        await admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true')
        await admin.close()

    assert [entry["event"] for entry in logs if entry["log_level"] in ("error", "info")] == ["event_applied"]
    assert (await _effects(pool), await _inbox(pool, consumer)) == (1, 1)
    dead = [
        x
        for x in await read_dead_letters(kafka_bootstrap, [dead_letter_topic(TOPIC)])
        if x.event_id == str(envelope.id)
    ]
    assert dead == []


async def test_close_abandons_a_record_that_keeps_failing_without_committing_it(
    pool: asyncpg.Pool, broker: KafkaBroker
) -> None:
    """At shutdown a record in its retries is given up uncommitted (False), not dead-lettered."""
    failing = asyncio.Event()

    async def broken(event: VolunteerRegistered, ctx: EventContext) -> None:
        failing.set()
        raise RuntimeError("still broken")

    consumer = _consumer(pool, broker, broken, max_retries=50, retry_backoff_s=5.0)
    record, _ = _record()
    with structlog.testing.capture_logs() as logs:
        applying = asyncio.create_task(consumer.process(record))
        await asyncio.wait_for(failing.wait(), timeout=10)
        consumer.close()
        assert await asyncio.wait_for(applying, timeout=2) is False
        assert await consumer.drain(timeout=1)
    assert [entry["event"] for entry in logs] == ["event_retry", "event_abandoned_at_shutdown"]
