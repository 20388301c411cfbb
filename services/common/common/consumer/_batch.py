"""A batch on its way through the consumer: its decoded deliveries, what became of them, where it came from."""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from aiokafka.structs import TopicPartition

from common.consumer._decode import Record
from contracts import Event, EventEnvelope

__all__ = ["Abandoned", "DecodedBatch", "Delivery", "Tally", "merged", "next_offsets", "offset_ranges", "topics_of"]


class Abandoned(Exception):
    """``close`` was called while a batch was in hand: roll back, commit nothing (it is redelivered)."""


class Delivery(NamedTuple):
    """A decoded record this consumer has a handler for (a tuple: one is built per record)."""

    record: Record
    envelope: EventEnvelope
    payload: Event


@dataclass
class Tally:
    """What became of a batch's records, for its log line."""

    applied: int = 0
    duplicates: int = 0
    skipped: int = 0
    dead_lettered: int = 0
    applied_partitions: set[tuple[str, int]] = field(default_factory=set)

    def count(self, outcome: str, delivery: Delivery) -> None:
        """Add one record's outcome (applied, duplicate or dead_lettered)."""
        if outcome == "applied":
            self.applied += 1
            self.applied_partitions.add((delivery.record.topic, delivery.record.partition))
        elif outcome == "duplicate":
            self.duplicates += 1
        else:
            self.dead_lettered += 1

    def applied_by_topic(self) -> dict[str, list[int]]:
        """Topic → the partitions from which at least one event was applied, for the log line."""
        by_topic: dict[str, list[int]] = {}
        for topic, partition in sorted(self.applied_partitions):
            by_topic.setdefault(topic, []).append(partition)
        return by_topic


@dataclass
class DecodedBatch:
    """A batch after decoding: its records, the deliveries to apply, and the tally so far."""

    records: Sequence[Record]
    started: float = field(default_factory=time.perf_counter)
    deliveries: list[Delivery] = field(default_factory=list)
    tally: Tally = field(default_factory=Tally)


def merged(batches: Sequence[DecodedBatch]) -> DecodedBatch:
    """Decoded batches as one, in their order (applied in one transaction, logged as one batch)."""
    if len(batches) == 1:
        return batches[0]
    return DecodedBatch(
        records=[record for batch in batches for record in batch.records],
        started=batches[0].started,
        deliveries=[delivery for batch in batches for delivery in batch.deliveries],
        tally=Tally(
            skipped=sum(batch.tally.skipped for batch in batches),
            dead_lettered=sum(batch.tally.dead_lettered for batch in batches),
        ),
    )


def topics_of(records: Iterable[Record]) -> list[str]:
    """The topics a batch's records come from, for log lines."""
    return sorted({record.topic for record in records})


def offset_ranges(records: Sequence[Record]) -> dict[str, dict[str, list[int]]]:
    """Topic → partition → [first, last] offset of a batch (in fetch order per partition), for its log line."""
    first: dict[tuple[str, int], int] = {}
    last: dict[tuple[str, int], int] = {}
    for record in records:
        where = (record.topic, record.partition)
        first.setdefault(where, record.offset)
        last[where] = record.offset
    ranges: dict[str, dict[str, list[int]]] = {}
    for (topic, partition), offset in sorted(first.items()):
        ranges.setdefault(topic, {})[str(partition)] = [offset, last[(topic, partition)]]
    return ranges


def next_offsets(records: Iterable[Record]) -> dict[TopicPartition, int]:
    """The offset to commit per partition once ``records`` are done with: just past the highest of each."""
    highest: dict[tuple[str, int], int] = {}
    for record in records:
        where = (record.topic, record.partition)
        if record.offset > highest.get(where, -1):
            highest[where] = record.offset
    return {TopicPartition(topic, partition): offset + 1 for (topic, partition), offset in highest.items()}
