"""Kafka helpers for tests: read a topic from the beginning, publish raw records, await consumer progress."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import ConsumerRecord, RecordMetadata

from contracts import topic_for

__all__ = ["publish_raw", "read_all", "read_until", "wait_for_group_offset"]

Record = ConsumerRecord[bytes, bytes]


async def read_until(
    bootstrap: str, topic: str, done: Callable[[list[Record]], bool], timeout: float = 30.0
) -> list[Record]:
    """Read every partition of ``topic`` from the start until ``done(records)`` holds; no consumer group."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        # The catalogue fixes partition counts, so no metadata round trip is needed.
        assigned = [TopicPartition(topic, p) for p in range(topic_for(topic).partitions)]
        consumer.assign(assigned)
        await consumer.seek_to_beginning(*assigned)
        records: list[Record] = []
        deadline = time.monotonic() + timeout
        while not done(records):
            if time.monotonic() > deadline:
                raise TimeoutError(f"condition on {topic} not met after {timeout}s; read {len(records)} records")
            batch = await consumer.getmany(timeout_ms=500)
            for partition_records in batch.values():
                records.extend(partition_records)
        return records
    finally:
        await consumer.stop()


async def read_all(bootstrap: str, topic: str, timeout: float = 30.0) -> list[Record]:
    """Every record on ``topic`` up to its current end offsets."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        assigned = [TopicPartition(topic, p) for p in range(topic_for(topic).partitions)]
        consumer.assign(assigned)
        await consumer.seek_to_beginning(*assigned)
        ends = await consumer.end_offsets(assigned)
        records: list[Record] = []
        deadline = time.monotonic() + timeout
        while any([await consumer.position(tp) < end for tp, end in ends.items()]):
            if time.monotonic() > deadline:
                raise TimeoutError(f"could not read {topic} to its end in {timeout}s")
            for partition_records in (await consumer.getmany(timeout_ms=500)).values():
                records.extend(partition_records)
        return records
    finally:
        await consumer.stop()


async def publish_raw(
    bootstrap: str, topic: str, value: bytes, *, key: bytes | None, headers: list[tuple[str, bytes]]
) -> RecordMetadata:
    """Publish one record exactly as given (duplicates, malformed records) and return where it landed."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        metadata: RecordMetadata = await producer.send_and_wait(topic, value=value, key=key, headers=headers)
        return metadata
    finally:
        await producer.stop()


async def wait_for_group_offset(
    bootstrap: str, group: str, topic: str, partition: int, beyond: int, timeout: float = 30.0
) -> None:
    """Wait until ``group`` committed an offset past ``beyond`` on the partition (it processed that record)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        deadline = time.monotonic() + timeout
        tp = TopicPartition(topic, partition)
        while True:
            offsets = await admin.list_consumer_group_offsets(group, partitions=[tp])
            committed = offsets.get(tp)
            if committed is not None and committed.offset > beyond:
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"{group} did not commit past {topic}[{partition}]@{beyond} in {timeout}s")
            await asyncio.sleep(0.2)
    finally:
        await admin.close()
