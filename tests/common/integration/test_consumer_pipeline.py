"""The consumer on a real broker: one group member per service, records fetched at once, stages that overlap."""

from __future__ import annotations

import asyncio
import logging
import secrets
import statistics
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import uuid4

import asyncpg
import pytest
import pytest_asyncio
import structlog
from aiokafka import AIOKafkaConsumer
from faststream.kafka import KafkaBroker

from common.consumer import EventConsumer
from common.db import RUNTIME_MIGRATIONS, apply_migrations, create_pool
from common.ops import commit_offsets, describe_group, end_offsets, wait_until_caught_up
from common.ops.groups import partitions_of
from common.outbox import make_envelope
from common.uow import PostgresUnitOfWork
from contracts.events import HoursLogged, VolunteerRegistered
from reporting.main import SPEC as REPORTING

pytestmark = pytest.mark.integration

TOPIC = VolunteerRegistered.topic


@pytest_asyncio.fixture(loop_scope="session")
async def pool(fresh_database: str) -> AsyncIterator[asyncpg.Pool]:
    """A pool on a fresh database with the runtime's tables (inbox)."""
    pool = await create_pool(fresh_database, 3)
    await apply_migrations(pool, RUNTIME_MIGRATIONS)
    yield pool
    await pool.close()


async def _at_the_end(consumer: EventConsumer, kafka_bootstrap: str) -> None:
    """Move the consumer's group to the end of its topics: it sees only what the test sends."""
    await commit_offsets(kafka_bootstrap, consumer.name, await end_offsets(kafka_bootstrap, consumer.topics))


@asynccontextmanager
async def _running(consumer: EventConsumer, kafka_bootstrap: str) -> AsyncIterator[KafkaBroker]:
    """The consumer started as a service starts it: attached, the broker started (joins), then the consumer."""
    broker = KafkaBroker(kafka_bootstrap, acks="all", enable_idempotence=True)
    consumer.attach(broker)
    await broker.start()
    await consumer.start()
    try:
        yield broker
    finally:
        consumer.close()
        assert await consumer.drain(timeout=10)
        await broker.stop()


async def _publish(broker: KafkaBroker) -> VolunteerRegistered:
    """Publish one new registration as the registry's relay would; returns it."""
    event = VolunteerRegistered(volunteer_id=uuid4(), centrale_id="vc-pipe", registered_at=datetime.now(UTC))
    envelope = make_envelope(event, source="/regions/test/registry", tenant="vc-pipe", region="test")
    headers = {name: value.decode() for name, value in envelope.to_headers()}
    await broker.publish(event.model_dump_json().encode(), TOPIC, key=envelope.subject.encode(), headers=headers)
    return event


async def test_a_service_with_all_its_topics_is_one_group_member(
    pool: asyncpg.Pool, kafka_bootstrap: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Reporting's consumer (all its topics) joins its group as one member that owns every partition of them."""
    consumer = EventConsumer(f"reporting-{secrets.token_hex(4)}", pool)
    assert REPORTING.register_handlers is not None
    REPORTING.register_handlers(consumer)
    assert len(consumer.topics) >= 9  # nine at the consumer change, eleven since the programmes
    await _at_the_end(consumer, kafka_bootstrap)
    with caplog.at_level(logging.WARNING):
        async with _running(consumer, kafka_bootstrap):
            state, members = await describe_group(kafka_bootstrap, consumer.name)
            every_partition = await partitions_of(kafka_bootstrap, consumer.topics)
    assert (state, len(members)) == ("Stable", 1)
    assert sorted(members[0].partitions) == every_partition
    # (A young broker may still answer "coordinator not available" once: that is the broker starting.)
    heard = [record.getMessage() for record in caplog.records if record.name.startswith("aiokafka")]
    rebalancing = [message for message in heard if "rebalanc" in message.lower() or "heartbeat" in message.lower()]
    assert rebalancing == [], "joining alone, the member never heard of a rebalance"


async def test_a_lone_record_on_an_idle_topic_is_applied_at_once(
    pool: asyncpg.Pool, fresh_database: str, kafka_bootstrap: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While idle the consumer is always inside a fetch (no sleep after an empty one); a lone record is a batch."""
    loop = asyncio.get_running_loop()
    fetches: list[tuple[float, float]] = []
    genuine_getmany = AIOKafkaConsumer.getmany

    async def timed_getmany(self: AIOKafkaConsumer, *partitions: Any, **options: Any) -> Any:
        began = loop.time()
        try:
            return await genuine_getmany(self, *partitions, **options)
        finally:
            fetches.append((began, loop.time()))

    monkeypatch.setattr(AIOKafkaConsumer, "getmany", timed_getmany)
    committed_at: dict[str, float] = {}
    heard_one = asyncio.Event()
    listener = await asyncpg.connect(fresh_database)

    consumer = EventConsumer(f"test-lone-{secrets.token_hex(4)}", pool)

    @consumer.on(VolunteerRegistered)
    async def notify(event: VolunteerRegistered, uow: PostgresUnitOfWork) -> None:
        # Delivered only when the batch's transaction commits: the row's commit as the listener sees it.
        await uow.conn.execute("SELECT pg_notify('lone', $1)", str(event.volunteer_id))

    def heard(_connection: object, _pid: int, _channel: str, payload: object) -> None:
        committed_at[str(payload)] = loop.time()
        heard_one.set()

    await listener.add_listener("lone", heard)
    await _at_the_end(consumer, kafka_bootstrap)
    latencies: list[float] = []
    try:
        with structlog.testing.capture_logs() as logs:
            async with _running(consumer, kafka_bootstrap) as broker:
                await asyncio.sleep(0.5)  # the group settled; nothing arrives
                idle_from = loop.time()
                await asyncio.sleep(1.5)
                idle_to = loop.time()
                for _ in range(5):
                    heard_one.clear()
                    produced_at = loop.time()
                    event = await _publish(broker)
                    await asyncio.wait_for(heard_one.wait(), timeout=30)
                    latencies.append((committed_at[str(event.volunteer_id)] - produced_at) * 1000)
                    await asyncio.sleep(0.3)  # idle again
    finally:
        await listener.close()

    fetching = sum(
        min(end, idle_to) - max(began, idle_from) for began, end in fetches if end > idle_from and began < idle_to
    )
    assert fetching / (idle_to - idle_from) > 0.9, f"fetching {fetching:.2f} s of {idle_to - idle_from:.2f} s idle"
    done = [(line["records"], line["mode"]) for line in logs if line["event"] == "batch_done"]
    assert done == [(1, "single")] * 5, "each lone record was applied as a batch of its own"
    assert not consumer.backlogged_within(3600), "lone records are no backlog: nothing waits to defer to them"
    assert statistics.median(latencies) < 100, f"produced → committed: {latencies} ms"
    assert max(latencies) < 1000, f"produced → committed: {latencies} ms"


async def test_applying_a_batch_does_not_wait_for_the_previous_batchs_offset_commit(
    pool: asyncpg.Pool, kafka_bootstrap: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first batch's offset commit is held: the second batch is applied meanwhile, then both commit in order."""
    commit_entered, release_commits = asyncio.Event(), asyncio.Event()
    genuine_commit = AIOKafkaConsumer.commit

    async def held_commit(self: AIOKafkaConsumer, offsets: Any = None) -> None:
        commit_entered.set()
        await release_commits.wait()
        await genuine_commit(self, offsets)

    applied: list[str] = []
    both_applied = asyncio.Event()

    consumer = EventConsumer(f"test-overlap-{secrets.token_hex(4)}", pool)

    @consumer.on(VolunteerRegistered)
    async def remember(event: VolunteerRegistered, uow: PostgresUnitOfWork) -> None:
        applied.append(str(event.volunteer_id))
        if len(applied) == 2:
            both_applied.set()

    await _at_the_end(consumer, kafka_bootstrap)
    monkeypatch.setattr(AIOKafkaConsumer, "commit", held_commit)
    async with _running(consumer, kafka_bootstrap) as broker:
        first = await _publish(broker)
        await asyncio.wait_for(commit_entered.wait(), timeout=30)  # the first batch is applied, its commit held
        second = await _publish(broker)
        # Under the old loop the second batch waited for the first one's commit: this timed out.
        await asyncio.wait_for(both_applied.wait(), timeout=10)
        assert not release_commits.is_set()
        release_commits.set()
        await wait_until_caught_up(
            kafka_bootstrap, consumer.name, await end_offsets(kafka_bootstrap, [TOPIC]), timeout=30
        )
    assert applied == [str(first.volunteer_id), str(second.volunteer_id)]


async def test_a_backlog_on_one_topic_does_not_hold_up_another(pool: asyncpg.Pool, kafka_bootstrap: str) -> None:
    """One member for both topics, yet registrations stuck in their handler leave hours to be applied meanwhile."""
    release = asyncio.Event()
    registrations: list[str] = []
    hours_applied = asyncio.Event()

    consumer = EventConsumer(f"test-lanes-{secrets.token_hex(4)}", pool, batch_size=5)

    @consumer.on(VolunteerRegistered)
    async def stuck(event: VolunteerRegistered, uow: PostgresUnitOfWork) -> None:
        await release.wait()
        registrations.append(str(event.volunteer_id))

    @consumer.on(HoursLogged)
    async def logged(event: HoursLogged, uow: PostgresUnitOfWork) -> None:
        hours_applied.set()

    await _at_the_end(consumer, kafka_bootstrap)
    async with _running(consumer, kafka_bootstrap) as broker:
        backlog = [await _publish(broker) for _ in range(20)]  # four batches' worth: the lane fills up
        hours = HoursLogged(
            hours_id=uuid4(),
            match_id=uuid4(),
            volunteer_id=uuid4(),
            task_id=uuid4(),
            organisation_id=uuid4(),
            centrale_id="vc-pipe",
            theme="natuur",
            worked_on=date(2026, 3, 1),
            hours=Decimal("2.5"),
            logged_at=datetime.now(UTC),
        )
        envelope = make_envelope(hours, source="/regions/test/registry", tenant="vc-pipe", region="test")
        headers = {name: value.decode() for name, value in envelope.to_headers()}
        await broker.publish(
            hours.model_dump_json().encode(), hours.topic, key=envelope.subject.encode(), headers=headers
        )
        await asyncio.wait_for(hours_applied.wait(), timeout=30)
        assert registrations == [], "the registrations are still held in their handler"
        release.set()
        await wait_until_caught_up(
            kafka_bootstrap, consumer.name, await end_offsets(kafka_bootstrap, consumer.topics), timeout=30
        )
        # Four batches' worth waited behind the stuck one: the consumer says it was catching up.
        assert consumer.backlogged_within(60)
    assert sorted(registrations) == sorted(str(event.volunteer_id) for event in backlog)
