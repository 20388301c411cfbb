"""Dead letters: read ``<topic>.dlq``, and re-drive records to their original topic after a fix.

A re-drive publishes the record unchanged (value, key, the original ``ce_*`` headers, so the same event
id) to the topic it came from, with ``ops_redriven_from=<dlq topic>@<offset>`` added. Every consumer group
of that topic sees it again: those that applied the event before skip it through their inbox, the one
that dead-lettered it applies it now, or dead-letters it again (a new entry) if the cause is not fixed.

Which entries are still pending is kept as the committed offset of the consumer group ``ops-redrive`` on
each dead-letter topic: ``redrive_pending`` re-drives from there to the end and moves it on.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.structs import RecordMetadata

from common.kafka import KafkaTarget, kafka_client_options
from common.ops.groups import committed_offsets, partitions_of
from contracts import TOPICS, dead_letter_topic

__all__ = [
    "REDRIVE_GROUP",
    "DeadLetter",
    "dead_letter_topics",
    "mark_redriven",
    "read_dead_letter",
    "read_dead_letters",
    "redrive",
    "redrive_one",
    "redrive_pending",
]

REDRIVE_GROUP = "ops-redrive"
_REDRIVEN_FROM = "ops_redriven_from"
_READ_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class DeadLetter:
    """One record of a dead-letter topic, with the reason the consumer wrote in its headers."""

    dlq_topic: str
    partition: int
    offset: int
    timestamp_ms: int
    key: bytes | None
    value: bytes
    headers: dict[str, str] = field(default_factory=dict)
    pending: bool = True

    @property
    def consumer(self) -> str:
        """The consumer group that gave up on the record."""
        return self.headers.get("dlq_consumer", "")

    @property
    def error_class(self) -> str:
        """Class of the error that sent the record here (``ContractViolation`` for malformed records)."""
        return self.headers.get("dlq_error_class", "")

    @property
    def error_message(self) -> str:
        """The error's message."""
        return self.headers.get("dlq_error_message", "")

    @property
    def original_topic(self) -> str:
        """The topic the record was consumed from."""
        return self.headers.get("dlq_original_topic", "")

    @property
    def original_position(self) -> str:
        """``topic[partition]@offset`` of the original record."""
        h = self.headers
        return f"{h.get('dlq_original_topic')}[{h.get('dlq_original_partition')}]@{h.get('dlq_original_offset')}"

    @property
    def event_id(self) -> str:
        """The CloudEvents id, when the record had one."""
        return self.headers.get("ce_id", "")

    @property
    def event_type(self) -> str:
        """The CloudEvents type, when the record had one."""
        return self.headers.get("ce_type", "")

    def summary(self) -> dict[str, Any]:
        """The fields ops look at first, JSON-serialisable."""
        return {
            "dlq_topic": self.dlq_topic,
            "offset": self.offset,
            "pending": self.pending,
            "consumer": self.consumer,
            "error_class": self.error_class,
            "error_message": self.error_message,
            "original": self.original_position,
            "event_type": self.event_type,
            "event_id": self.event_id,
            "tenant": self.headers.get("ce_tenant", ""),
            "attempts": self.headers.get("dlq_attempts", ""),
            "redriven_from": self.headers.get(_REDRIVEN_FROM, ""),
        }

    def detail(self) -> dict[str, Any]:
        """Everything: headers, key and payload (parsed as JSON when it is JSON)."""
        try:
            payload: Any = json.loads(self.value)
        except ValueError:
            payload = self.value.decode(errors="replace")
        return {
            **self.summary(),
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.timestamp_ms / 1000)),
            "key": self.key.decode(errors="replace") if self.key is not None else None,
            "headers": self.headers,
            "payload": payload,
        }


def dead_letter_topics() -> list[str]:
    """Every dead-letter topic the catalogue names."""
    names = {topic.name for topic in TOPICS}
    return sorted(dead_letter_topic(name) for name in names if dead_letter_topic(name) in names)


async def _marks(kafka: KafkaTarget, partitions: Sequence[TopicPartition]) -> dict[TopicPartition, int]:
    """Offset of the first entry not yet re-driven by ``redrive_pending``, per dead-letter partition."""
    return await committed_offsets(kafka, REDRIVE_GROUP, partitions)


def _letter(record: Any, mark: int) -> DeadLetter:
    return DeadLetter(
        dlq_topic=record.topic,
        partition=record.partition,
        offset=record.offset,
        timestamp_ms=record.timestamp,
        key=record.key,
        value=record.value or b"",
        headers={name: value.decode(errors="replace") for name, value in record.headers},
        pending=record.offset >= mark,
    )


async def read_dead_letters(kafka: KafkaTarget, topics: Iterable[str] | None = None) -> list[DeadLetter]:
    """Every record now in the dead-letter ``topics`` (default: all), oldest first per topic."""
    partitions = await partitions_of(kafka, topics if topics is not None else dead_letter_topics())
    marks = await _marks(kafka, partitions)
    consumer = AIOKafkaConsumer(**kafka_client_options(kafka), enable_auto_commit=False)
    await consumer.start()
    letters: list[DeadLetter] = []
    try:
        consumer.assign(partitions)
        ends = await consumer.end_offsets(partitions)
        starts = await consumer.beginning_offsets(partitions)
        remaining = {tp for tp in partitions if ends[tp] > starts[tp]}
        for tp in remaining:
            consumer.seek(tp, starts[tp])
        deadline = time.monotonic() + _READ_TIMEOUT_S
        while remaining:
            if time.monotonic() > deadline:
                raise TimeoutError(f"dead letters not read to the end within {_READ_TIMEOUT_S} s: {remaining}")
            batch = await consumer.getmany(*remaining, timeout_ms=1000)
            for tp, records in batch.items():
                letters.extend(_letter(r, marks.get(tp, 0)) for r in records if r.offset < ends[tp])
            # Snapshot semantics: read up to the end offsets taken above, whatever arrives meanwhile.
            remaining = {tp for tp in remaining if await consumer.position(tp) < ends[tp]}
    finally:
        await consumer.stop()
    return sorted(letters, key=lambda letter: (letter.dlq_topic, letter.partition, letter.offset))


async def read_dead_letter(kafka: KafkaTarget, topic: str, offset: int, partition: int = 0) -> DeadLetter:
    """The dead letter at ``topic[partition]@offset``; LookupError when there is none."""
    tp = TopicPartition(topic, partition)
    marks = await _marks(kafka, [tp])
    consumer = AIOKafkaConsumer(**kafka_client_options(kafka), enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign([tp])
        end = (await consumer.end_offsets([tp]))[tp]
        start = (await consumer.beginning_offsets([tp]))[tp]
        if not start <= offset < end:
            raise LookupError(f"{topic}[{partition}] holds offsets {start}..{end - 1}, not {offset}")
        consumer.seek(tp, offset)
        deadline = time.monotonic() + _READ_TIMEOUT_S
        while time.monotonic() < deadline:
            for record in (await consumer.getmany(tp, timeout_ms=1000, max_records=1)).get(tp, []):
                if record.offset != offset:
                    raise LookupError(f"{topic}[{partition}] has no record at offset {offset}")
                return _letter(record, marks.get(tp, 0))
        raise TimeoutError(f"{topic}[{partition}]@{offset} not read within {_READ_TIMEOUT_S} s")
    finally:
        await consumer.stop()


async def redrive(kafka: KafkaTarget, letters: Sequence[DeadLetter]) -> list[RecordMetadata]:
    """Publish each dead letter back to its original topic (same key, value and ce_* headers), in order."""
    producer = AIOKafkaProducer(**kafka_client_options(kafka), acks="all", enable_idempotence=True)
    await producer.start()
    try:
        sent = []
        for letter in letters:
            if not letter.original_topic:
                raise ValueError(f"{letter.dlq_topic}@{letter.offset} has no dlq_original_topic header")
            headers = [(name, value.encode()) for name, value in letter.headers.items() if not name.startswith("dlq_")]
            headers = [h for h in headers if h[0] != _REDRIVEN_FROM]
            headers.append((_REDRIVEN_FROM, f"{letter.dlq_topic}@{letter.offset}".encode()))
            sent.append(await producer.send(letter.original_topic, value=letter.value, key=letter.key, headers=headers))
        return [await future for future in sent]
    finally:
        await producer.stop()


async def redrive_pending(kafka: KafkaTarget, topics: Iterable[str] | None = None) -> list[DeadLetter]:
    """Re-drive every pending dead letter of ``topics`` (default: all), then mark them re-driven; returns them."""
    dlq_topics = list(topics) if topics is not None else dead_letter_topics()
    letters = [letter for letter in await read_dead_letters(kafka, dlq_topics) if letter.pending]
    if not letters:
        return []
    # Publish first, then move the mark: a crash in between re-drives again, which the inboxes absorb.
    await redrive(kafka, letters)
    marks: dict[TopicPartition, int] = {}
    for letter in letters:
        tp = TopicPartition(letter.dlq_topic, letter.partition)
        marks[tp] = max(marks.get(tp, 0), letter.offset + 1)
    await mark_redriven(kafka, marks)
    return letters


async def redrive_one(kafka: KafkaTarget, topic: str, offset: int, partition: int = 0) -> DeadLetter:
    """Re-drive the dead letter at ``topic[partition]@offset``; the pending mark moves only if it was next."""
    letter = await read_dead_letter(kafka, topic, offset, partition)
    await redrive(kafka, [letter])
    tp = TopicPartition(topic, partition)
    if (await _marks(kafka, [tp])).get(tp, 0) == offset:
        await mark_redriven(kafka, {tp: offset + 1})
    return letter


async def mark_redriven(kafka: KafkaTarget, marks: dict[TopicPartition, int]) -> None:
    """Move the ``ops-redrive`` marks forward (never back) to the given offsets."""
    current = await _marks(kafka, list(marks))
    forward = {tp: offset for tp, offset in marks.items() if offset > current.get(tp, 0)}
    if not forward:
        return
    consumer = AIOKafkaConsumer(**kafka_client_options(kafka), group_id=REDRIVE_GROUP, enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign(list(forward))
        await consumer.commit(forward)
    finally:
        await consumer.stop()
