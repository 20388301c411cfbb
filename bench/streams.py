"""Kafka plumbing of the benchmarks: where a topic ends, producing a data set, starting a group at a position."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable, Sequence

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from bench.generator import KafkaRecord
from contracts import topic_for

__all__ = [
    "Offsets",
    "assigned_consumer",
    "ce_id",
    "commit_round_trip_ms",
    "end_offsets",
    "position_group",
    "produce",
    "record_count_between",
    "seek_to",
]

# Partition → offset of one topic.
Offsets = dict[int, int]


def _partitions(topic: str) -> list[TopicPartition]:
    """Every partition of a catalogue topic (the catalogue fixes the count; metadata need not be fetched)."""
    return [TopicPartition(topic, partition) for partition in range(topic_for(topic).partitions)]


async def end_offsets(bootstrap: str, topic: str) -> Offsets:
    """The offset the next record of each partition will get."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        ends = await consumer.end_offsets(_partitions(topic))
    finally:
        await consumer.stop()
    return {tp.partition: offset for tp, offset in ends.items()}


def record_count_between(start: Offsets, end: Offsets) -> int:
    """How many records lie between two positions of the same topic."""
    return sum(end[partition] - start.get(partition, 0) for partition in end)


async def position_group(bootstrap: str, group: str, topic: str, offsets: Offsets) -> None:
    """Commit ``offsets`` for a new consumer group, so a subscriber of that group starts exactly there.

    The platform's subscribers read from the committed position (``earliest`` only without one); the
    catalogue topics hold other runs' records too, so every run starts its fresh group at its own data.
    """
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = _partitions(topic)
        consumer.assign(partitions)
        await consumer.commit({tp: offsets[tp.partition] for tp in partitions})
    finally:
        await consumer.stop()


async def commit_round_trip_ms(bootstrap: str, topic: str, group: str, *, commits: int = 100) -> list[float]:
    """How long single offset commits take on this broker (what a per-record commit waits for), in ms."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    await consumer.start()
    try:
        partition = _partitions(topic)[0]
        consumer.assign([partition])
        await consumer.commit({partition: 0})  # the first one also finds the coordinator
        timings = []
        for offset in range(1, commits + 1):
            started = time.perf_counter()
            await consumer.commit({partition: offset})
            timings.append((time.perf_counter() - started) * 1000)
    finally:
        await consumer.stop()
    return timings


def assigned_consumer(bootstrap: str, topic: str, *, group: str | None = None, **options: object) -> AIOKafkaConsumer:
    """A consumer for a raw baseline: no group membership (no rebalance), positioned by ``seek_to``."""
    return AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False, **options)


def seek_to(consumer: AIOKafkaConsumer, topic: str, offsets: Offsets) -> None:
    """Assign every partition of ``topic`` to a started consumer and seek each to ``offsets``."""
    partitions = _partitions(topic)
    consumer.assign(partitions)
    for tp in partitions:
        consumer.seek(tp, offsets[tp.partition])


async def produce(bootstrap: str, records: Iterable[KafkaRecord], *, chunk: int = 5_000) -> int:
    """Publish records with an idempotent producer (acks=all) and wait for every acknowledgement."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, linger_ms=20)
    await producer.start()
    sent = 0
    try:
        pending: list[asyncio.Future[object]] = []
        for record in records:
            pending.append(
                await producer.send(record.topic, value=record.value, key=record.key, headers=record.headers)
            )
            if len(pending) >= chunk:
                await asyncio.gather(*pending)
                sent += len(pending)
                pending.clear()
        await asyncio.gather(*pending)
        sent += len(pending)
    finally:
        await producer.stop()
    return sent


def ce_id(headers: Sequence[tuple[str, bytes]]) -> str:
    """The ``ce_id`` header of a record ('' when absent)."""
    for name, value in headers:
        if name == "ce_id":
            return value.decode()
    return ""
