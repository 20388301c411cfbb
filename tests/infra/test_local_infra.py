"""The session fixtures give a working broker with the catalogue topics and a working PostgreSQL server."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from contracts.topics import TOPICS
from tests.support.infra import Infra

pytestmark = pytest.mark.integration

# A keyed stream of the catalogue, not a dead-letter topic: the kind of topic services actually use.
TOPIC = next(topic for topic in TOPICS if not topic.name.endswith(".dlq"))


async def test_infra_reports_where_servers_come_from(infra: Infra) -> None:
    """Local launchers hand out handles for fault injection; env and Docker servers do not."""
    assert (infra.kafka is not None) == (infra.kafka_source == "local"), infra.describe()
    assert (infra.postgres is not None) == (infra.postgres_source == "local"), infra.describe()


async def test_catalogue_topics_exist_with_their_partition_counts(kafka_bootstrap: str) -> None:
    """Every catalogue topic was created with the partition count the catalogue gives."""
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    await admin.start()
    try:
        described = await admin.describe_topics([topic.name for topic in TOPICS])
    finally:
        await admin.close()
    partitions = {entry["topic"]: len(entry["partitions"]) for entry in described if entry["error_code"] == 0}
    assert partitions == {topic.name: topic.partitions for topic in TOPICS}


async def test_record_round_trips_through_a_catalogue_topic(kafka_bootstrap: str) -> None:
    """A record produced with acks=all is read back from the partition and offset the broker reported."""
    key = uuid.uuid4().hex.encode()
    value = b'{"probe": "' + key + b'"}'
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    await producer.start()
    try:
        sent = await producer.send_and_wait(TOPIC.name, value, key=key)
    finally:
        await producer.stop()

    consumer = AIOKafkaConsumer(bootstrap_servers=kafka_bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        partition = TopicPartition(TOPIC.name, sent.partition)
        consumer.assign([partition])
        consumer.seek(partition, sent.offset)
        record = await asyncio.wait_for(consumer.getone(partition), timeout=30)
    finally:
        await consumer.stop()
    assert (record.key, record.value, record.offset) == (key, value, sent.offset)


async def test_consumer_group_receives_a_record(kafka_bootstrap: str) -> None:
    """A consumer group joins and reads (group coordinator and offsets topic work on a single broker)."""
    key = uuid.uuid4().hex.encode()
    consumer = AIOKafkaConsumer(
        TOPIC.name,
        bootstrap_servers=kafka_bootstrap,
        group_id=f"test-infra-{key.decode()}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    await consumer.start()
    await producer.start()
    try:
        await producer.send_and_wait(TOPIC.name, b"group probe", key=key)

        async def first_with_key() -> bytes | None:
            """Consume until our record arrives; other tests' records on the topic are skipped."""
            async for record in consumer:
                if record.key == key:
                    await consumer.commit()
                    received: bytes = record.value
                    return received
            return None

        assert await asyncio.wait_for(first_with_key(), timeout=60) == b"group probe"
    finally:
        await producer.stop()
        await consumer.stop()


async def test_fresh_database_accepts_a_table(fresh_database: str) -> None:
    """A per-test database is empty, writable and distinct from the server's maintenance database."""
    connection = await asyncpg.connect(fresh_database)
    try:
        assert await connection.fetchval("SELECT current_database()") != "postgres"
        assert await connection.fetchval("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == 0
        await connection.execute("CREATE TABLE probe (id bigint PRIMARY KEY, note text NOT NULL)")
        await connection.execute("INSERT INTO probe (id, note) VALUES ($1, $2)", 1, "hello")
        assert [tuple(row) for row in await connection.fetch("SELECT id, note FROM probe")] == [(1, "hello")]
    finally:
        await connection.close()
