"""EventConsumer.process_batch on real PostgreSQL and Kafka: inbox, batches, bounded retries, dead letters, outages."""

from __future__ import annotations

import asyncio
import dataclasses
import secrets
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import asyncpg
import pytest
import pytest_asyncio
import structlog
from aiokafka import AIOKafkaConsumer
from aiokafka.structs import ConsumerRecord, TopicPartition
from faststream.kafka import KafkaBroker

from common.consumer import BatchContext, EventConsumer
from common.consumer._batch import next_offsets
from common.consumer._pipeline import OffsetCommitter
from common.db import RUNTIME_MIGRATIONS, apply_migrations, create_pool
from common.ops import commit_offsets, end_offsets, read_dead_letters, wait_until_caught_up
from common.outbox import make_envelope
from common.uow import PostgresUnitOfWork
from contracts import Event, EventEnvelope, dead_letter_topic
from contracts.events import VolunteerErased, VolunteerRegistered

pytestmark = pytest.mark.integration

TOPIC = VolunteerRegistered.topic


@pytest_asyncio.fixture(loop_scope="session")
async def pool(fresh_database: str) -> AsyncIterator[asyncpg.Pool]:
    """A pool on a fresh database with the runtime's tables and a table the test handlers write."""
    pool = await create_pool(fresh_database, 3)
    await apply_migrations(pool, RUNTIME_MIGRATIONS)
    await pool.execute("CREATE TABLE effects (seq bigserial, event_id uuid NOT NULL, how text NOT NULL DEFAULT 'one')")
    yield pool
    await pool.close()


@pytest_asyncio.fixture(loop_scope="session")
async def broker(kafka_bootstrap: str) -> AsyncIterator[KafkaBroker]:
    """A connected FastStream broker (for the dead-letter producer); no subscriber is started."""
    broker = KafkaBroker(kafka_bootstrap, acks="all", enable_idempotence=True)
    await broker.connect()
    yield broker
    await broker.stop()


def _record(
    offset: int = 0, event: Event | None = None, *, value: bytes | None = None
) -> tuple[ConsumerRecord[bytes, bytes], EventEnvelope]:
    if event is None:
        event = VolunteerRegistered(volunteer_id=uuid4(), centrale_id="vc-retry", registered_at=datetime.now(UTC))
    envelope = make_envelope(event, source="/regions/test/registry", tenant="vc-retry", region="test")
    value = event.model_dump_json().encode() if value is None else value
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
    async def record_effect(event: VolunteerRegistered, uow: PostgresUnitOfWork) -> None:
        await uow.conn.execute("INSERT INTO effects (event_id) VALUES ($1)", uow.envelope.id)

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

    async def broken(event: VolunteerRegistered, uow: PostgresUnitOfWork) -> None:
        nonlocal calls
        calls += 1
        await uow.conn.execute("INSERT INTO effects (event_id) VALUES ($1)", uow.envelope.id)
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

    async def record_effect(event: VolunteerRegistered, uow: PostgresUnitOfWork) -> None:
        await uow.conn.execute("INSERT INTO effects (event_id) VALUES ($1)", uow.envelope.id)

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

    done = [entry for entry in logs if entry["log_level"] in ("error", "info")]
    assert [(entry["event"], entry["applied"]) for entry in done] == [("batch_done", 1)]
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

    async def broken(event: VolunteerRegistered, uow: PostgresUnitOfWork) -> None:
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
    assert [entry["event"] for entry in logs] == [
        "event_retry",
        "event_abandoned_at_shutdown",
        "batch_abandoned_at_shutdown",
    ]


def _registration() -> VolunteerRegistered:
    return VolunteerRegistered(volunteer_id=uuid4(), centrale_id="vc-batch", registered_at=datetime.now(UTC))


def _erasure() -> VolunteerErased:
    return VolunteerErased(volunteer_id=uuid4(), centrale_id="vc-batch", erased_at=datetime.now(UTC))


async def _effect_rows(pool: asyncpg.Pool) -> list[tuple[str, str]]:
    rows = await pool.fetch("SELECT event_id, how FROM effects ORDER BY seq")
    return [(str(row["event_id"]), row["how"]) for row in rows]


async def test_a_batch_applies_in_one_transaction_skipping_duplicates_and_dead_lettering_violations(
    pool: asyncpg.Pool, broker: KafkaBroker, kafka_bootstrap: str
) -> None:
    """New, already applied, repeated-in-batch, unhandled and malformed records in one batch."""

    async def record_effect(event: VolunteerRegistered, uow: PostgresUnitOfWork) -> None:
        await uow.conn.execute("INSERT INTO effects (event_id) VALUES ($1)", uow.envelope.id)

    consumer = _consumer(pool, broker, record_effect)
    seen_before, _ = _record(offset=0)
    assert await consumer.process(seen_before)
    first, first_envelope = _record(offset=1)
    copy = _copy_at(first, 2)
    second, second_envelope = _record(offset=3)
    unhandled, _ = _record(offset=4, event=_erasure())  # same topic, a type this consumer has no handler for
    malformed, malformed_envelope = _record(offset=5, value=b'{"volunteer_id": ')
    with structlog.testing.capture_logs() as logs:
        assert await consumer.process_batch([_copy_at(seen_before, 6), first, copy, second, unhandled, malformed])

    assert await _effect_rows(pool) == [
        (str(EventEnvelope.from_headers(seen_before.headers).id), "one"),
        (str(first_envelope.id), "one"),
        (str(second_envelope.id), "one"),
    ]
    assert await _inbox(pool, consumer) == 3
    done = [entry for entry in logs if entry["event"] == "batch_done"]
    assert [
        {key: entry[key] for key in ("records", "applied", "duplicates", "skipped", "dead_lettered", "mode")}
        for entry in done
    ] == [{"records": 6, "applied": 2, "duplicates": 2, "skipped": 1, "dead_lettered": 1, "mode": "batch"}]
    writers = await pool.fetchval(
        "SELECT count(DISTINCT xmin::text) FROM (SELECT xmin FROM effects WHERE event_id = ANY($1::uuid[])"
        " UNION ALL SELECT xmin FROM inbox WHERE event_id = ANY($1::uuid[])) AS rows",
        [first_envelope.id, second_envelope.id],
    )
    assert writers == 1, "effects and inbox rows of the batch were written by one transaction"
    letters = [
        letter
        for letter in await read_dead_letters(kafka_bootstrap, [dead_letter_topic(TOPIC)])
        if letter.event_id == str(malformed_envelope.id)
    ]
    assert [(x.consumer, x.error_class, x.original_position) for x in letters] == [
        (consumer.name, "ContractViolation", f"{TOPIC}[0]@5")
    ]


async def test_a_failing_event_in_a_batch_is_found_one_by_one_and_the_rest_apply_in_order(
    pool: asyncpg.Pool, broker: KafkaBroker, kafka_bootstrap: str
) -> None:
    """The batch rolls back, then each record gets its own transaction: only the poisoned one is dead-lettered."""
    events = [_registration() for _ in range(5)]
    poisoned = events[2].volunteer_id

    async def record_effect(event: VolunteerRegistered, uow: PostgresUnitOfWork) -> None:
        await uow.conn.execute("INSERT INTO effects (event_id) VALUES ($1)", uow.envelope.id)
        if event.volunteer_id == poisoned:
            raise RuntimeError("this event breaks the handler")

    consumer = _consumer(pool, broker, record_effect, max_retries=1, retry_backoff_s=0.01)
    records = [_record(offset=100 + n, event=event) for n, event in enumerate(events)]
    with structlog.testing.capture_logs() as logs:
        assert await consumer.process_batch([record for record, _ in records])

    expected = [str(envelope.id) for n, (_, envelope) in enumerate(records) if n != 2]
    assert [event_id for event_id, _ in await _effect_rows(pool)] == expected
    assert await _inbox(pool, consumer) == 4
    assert [entry["event"] for entry in logs if entry["log_level"] != "debug"] == [
        "batch_failed_applying_one_by_one",
        "event_retry",
        "event_dead_lettered",
        "batch_done",
    ]
    assert logs[-1]["mode"] == "one_by_one"
    assert (logs[-1]["applied"], logs[-1]["dead_lettered"]) == (4, 1)
    letters = [
        x.original_position
        for x in await read_dead_letters(kafka_bootstrap, [dead_letter_topic(TOPIC)])
        if x.event_id == str(records[2][1].id)
    ]
    assert letters == [f"{TOPIC}[0]@102"]


async def test_batch_handlers_get_consecutive_runs_and_order_is_kept(pool: asyncpg.Pool, broker: KafkaBroker) -> None:
    """Registrations go to a batch handler in runs, erasures to a per-event handler between them."""
    runs: list[int] = []

    async def register_run(events: Sequence[VolunteerRegistered], ctx: BatchContext) -> None:
        runs.append(len(events))
        await ctx.conn.executemany(
            "INSERT INTO effects (event_id, how) VALUES ($1, 'run')", [(e.id,) for e in ctx.envelopes]
        )

    async def erase(event: VolunteerErased, uow: PostgresUnitOfWork) -> None:
        await uow.conn.execute("INSERT INTO effects (event_id) VALUES ($1)", uow.envelope.id)

    consumer = EventConsumer(f"test-{secrets.token_hex(4)}", pool)
    consumer.on_batch(VolunteerRegistered)(register_run)
    consumer.on(VolunteerErased)(erase)
    consumer.attach(broker)
    events: list[Event] = [_registration(), _registration(), _erasure(), _registration()]
    records = [_record(offset=n, event=event) for n, event in enumerate(events)]
    assert await consumer.process_batch([record for record, _ in records])
    assert await consumer.process_batch([record for record, _ in records]), "a redelivery changes nothing"

    assert runs == [2, 1]
    assert await _effect_rows(pool) == [
        (str(envelope.id), "one" if isinstance(event, VolunteerErased) else "run")
        for event, (_, envelope) in zip(events, records, strict=True)
    ]


async def test_before_runs_is_called_once_per_transaction_with_its_new_events_before_any_handler(
    pool: asyncpg.Pool, broker: KafkaBroker
) -> None:
    """A service takes its transaction-wide locks there, before any run takes its own."""
    calls: list[tuple[str, list[Event]]] = []

    async def before(events: Sequence[Event], batch: BatchContext) -> None:
        assert batch.conn.is_in_transaction()
        assert [envelope.type for envelope in batch.envelopes] == [event.event_type for event in events]
        calls.append(("before", list(events)))

    async def register_run(events: Sequence[VolunteerRegistered], ctx: BatchContext) -> None:
        calls.append(("registrations", []))

    async def erase(event: VolunteerErased, uow: PostgresUnitOfWork) -> None:
        calls.append(("erasure", []))

    consumer = EventConsumer(f"test-{secrets.token_hex(4)}", pool)
    consumer.before_runs(before)
    consumer.on_batch(VolunteerRegistered)(register_run)
    consumer.on(VolunteerErased)(erase)
    consumer.attach(broker)
    events: list[Event] = [_registration(), _erasure(), _registration()]
    records = [record for record, _ in (_record(offset=n, event=event) for n, event in enumerate(events))]
    assert await consumer.process_batch(records)
    assert calls == [("before", events), ("registrations", []), ("erasure", []), ("registrations", [])]

    calls.clear()
    assert await consumer.process_batch(records)  # every event a duplicate: nothing to apply, nothing to lock
    lone = _registration()
    assert await consumer.process_batch([_record(offset=9, event=lone)[0]])  # a lone record too
    assert calls == [("before", [lone]), ("registrations", [])]


async def test_close_rolls_back_the_batch_in_hand(pool: asyncpg.Pool, broker: KafkaBroker) -> None:
    """``close`` during a batch: what it wrote so far is rolled back and the batch reports False (uncommitted)."""
    started, release = asyncio.Event(), asyncio.Event()

    async def slow(event: VolunteerRegistered, uow: PostgresUnitOfWork) -> None:
        await uow.conn.execute("INSERT INTO effects (event_id) VALUES ($1)", uow.envelope.id)
        started.set()
        await release.wait()

    consumer = _consumer(pool, broker, slow)
    records = [_record(offset=n)[0] for n in range(3)]
    applying = asyncio.create_task(consumer.process_batch(records))
    await asyncio.wait_for(started.wait(), timeout=10)
    consumer.close()
    release.set()
    assert await asyncio.wait_for(applying, timeout=5) is False
    assert (await _effects(pool), await _inbox(pool, consumer)) == (0, 0)


def _copy_at(record: ConsumerRecord[bytes, bytes], offset: int) -> ConsumerRecord[bytes, bytes]:
    """The same record at another offset: a redelivery."""
    return dataclasses.replace(record, offset=offset)


async def test_a_batch_that_fails_outside_its_handlers_is_retried_not_skipped(
    pool: asyncpg.Pool, kafka_bootstrap: str
) -> None:
    """A runtime failure outside any handler: the batch is retried until it applies, then committed (not skipped)."""
    broker = KafkaBroker(kafka_bootstrap, acks="all", enable_idempotence=True)
    applied = asyncio.Event()

    async def record_effect(event: VolunteerRegistered, uow: PostgresUnitOfWork) -> None:
        await uow.conn.execute("INSERT INTO effects (event_id) VALUES ($1)", uow.envelope.id)
        applied.set()

    consumer = EventConsumer(f"test-{secrets.token_hex(4)}", pool)
    consumer.on(VolunteerRegistered)(record_effect)
    consumer.attach(broker)
    await commit_offsets(kafka_bootstrap, consumer.name, await end_offsets(kafka_bootstrap, [TOPIC]))
    genuine = consumer._apply_decoded
    failures = 0

    async def fails_once(decoded: Any) -> bool:
        nonlocal failures
        if not failures:
            failures += 1
            raise RuntimeError("a bug in the runtime")
        return await genuine(decoded)

    consumer._apply_decoded = fails_once  # type: ignore[method-assign]
    record, envelope = _record()
    await broker.start()
    await consumer.start()
    try:
        headers = {name: value.decode() for name, value in record.headers}
        await broker.publish(record.value, TOPIC, key=record.key, headers=headers)
        await asyncio.wait_for(applied.wait(), timeout=30)
        targets = await end_offsets(kafka_bootstrap, [TOPIC])
        await wait_until_caught_up(kafka_bootstrap, consumer.name, targets, timeout=30)
    finally:
        consumer.close()
        await consumer.drain(timeout=10)
        await broker.stop()
    assert failures == 1
    assert await pool.fetchval("SELECT count(*) FROM effects WHERE event_id = $1", envelope.id) == 1


async def test_records_handed_over_again_never_move_the_committed_offset_back(
    pool: asyncpg.Pool, kafka_bootstrap: str
) -> None:
    """After a rebalance the fetcher may hand over records applied and committed before: their commit is left out."""
    kafka = AIOKafkaConsumer(
        bootstrap_servers=kafka_bootstrap, group_id=f"test-{secrets.token_hex(4)}", enable_auto_commit=False
    )
    partition = TopicPartition(TOPIC, 0)
    await kafka.start()
    try:
        kafka.assign([partition])
        committer = OffsetCommitter(kafka)
        await committer.commit(next_offsets([_record(offset)[0] for offset in (5, 6, 7)]))
        await committer.commit(next_offsets([_record(offset)[0] for offset in (2, 3)]))  # the same records again
        stays = await kafka.committed(partition)
        await committer.commit(next_offsets([_record(offset)[0] for offset in (8, 9)]))
        moves_on = await kafka.committed(partition)
    finally:
        await kafka.stop()
    assert (stays, moves_on) == (8, 10)
