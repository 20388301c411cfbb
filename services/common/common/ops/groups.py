"""Consumer groups seen from outside: members, committed offsets, lag, and resetting offsets."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.coordinator.protocol import ConsumerProtocolMemberAssignment
from aiokafka.errors import KafkaError, for_code

from common.kafka import KafkaTarget, kafka_client_options

__all__ = [
    "GroupActiveError",
    "GroupMember",
    "PartitionLag",
    "commit_offsets",
    "committed_offsets",
    "consumer_lag",
    "describe_group",
    "end_offsets",
    "partitions_of",
    "reset_offsets",
    "wait_until_caught_up",
]

# Groups the ops tool itself keeps offsets in; not services, so not shown as lagging consumers.
OPS_GROUP_PREFIX = "ops-"
# A young broker creates its offsets topic on the first group request and answers "coordinator not
# available" meanwhile; such retriable errors are retried this long.
_RETRY_FOR_S = 30.0

T = TypeVar("T")


async def _retrying(call: Callable[[], Awaitable[T]]) -> T:
    """Run ``call``, again after a retriable Kafka error (coordinator loading or moving), for a while."""
    deadline = time.monotonic() + _RETRY_FOR_S
    while True:
        try:
            return await call()
        except KafkaError as error:
            if not error.retriable or time.monotonic() > deadline:
                raise
        await asyncio.sleep(0.5)


class GroupActiveError(RuntimeError):
    """The consumer group has live members; its offsets can only be moved when every instance is stopped."""


@dataclass(frozen=True)
class GroupMember:
    """One live member of a consumer group and the partitions assigned to it."""

    member_id: str
    client_id: str
    partitions: tuple[TopicPartition, ...]


@dataclass(frozen=True)
class PartitionLag:
    """How far a group is behind on one partition; ``committed`` is None before its first commit."""

    group: str
    topic: str
    partition: int
    committed: int | None
    end: int
    lag: int


@asynccontextmanager
async def _admin(kafka: KafkaTarget) -> AsyncIterator[AIOKafkaAdminClient]:
    admin = AIOKafkaAdminClient(**kafka_client_options(kafka), request_timeout_ms=15_000)
    await admin.start()
    try:
        yield admin
    finally:
        await admin.close()


@asynccontextmanager
async def _offsets_client(kafka: KafkaTarget, group: str | None = None) -> AsyncIterator[AIOKafkaConsumer]:
    """A consumer that never subscribes: it only reads offsets (and commits them for ``group``)."""
    consumer = AIOKafkaConsumer(**kafka_client_options(kafka), group_id=group, enable_auto_commit=False)
    await consumer.start()
    try:
        yield consumer
    finally:
        await consumer.stop()


async def partitions_of(kafka: KafkaTarget, topics: Iterable[str]) -> list[TopicPartition]:
    """Every partition of ``topics``, as the broker's metadata lists them."""
    names = sorted(set(topics))
    async with _admin(kafka) as admin:
        described = await _retrying(lambda: admin.describe_topics(names))
    found: list[TopicPartition] = []
    for topic in described:
        if topic["error_code"] or not topic["partitions"]:
            raise LookupError(f"topic {topic['topic']} is not available (error code {topic['error_code']})")
        found.extend(TopicPartition(topic["topic"], p["partition"]) for p in topic["partitions"])
    return sorted(found)


async def end_offsets(kafka: KafkaTarget, topics: Iterable[str]) -> dict[TopicPartition, int]:
    """The offset the next record of each partition of ``topics`` will get."""
    partitions = await partitions_of(kafka, topics)
    async with _offsets_client(kafka) as consumer:
        ends: dict[TopicPartition, int] = await consumer.end_offsets(partitions)
        return ends


async def committed_offsets(
    kafka: KafkaTarget, group: str, partitions: Iterable[TopicPartition] | None = None
) -> dict[TopicPartition, int]:
    """The group's committed offsets (all it has, or only ``partitions``); partitions never committed are absent."""
    wanted = list(partitions) if partitions is not None else None
    async with _admin(kafka) as admin:
        offsets = await _retrying(lambda: admin.list_consumer_group_offsets(group, partitions=wanted))
    return {tp: meta.offset for tp, meta in offsets.items() if meta.offset >= 0}


async def describe_group(kafka: KafkaTarget, group: str) -> tuple[str, list[GroupMember]]:
    """The group's state (``Stable``, ``Empty``, ``PreparingRebalance``, ``Dead`` ...) and its live members."""

    async def describe() -> tuple[Any, ...]:
        [response] = await admin.describe_consumer_groups([group])
        [described] = response.groups
        if described[0]:
            # Per-group errors come in the body; as exceptions the retriable ones (loading) are retried.
            raise for_code(described[0])(f"describing group {group}")
        return tuple(described)

    async with _admin(kafka) as admin:
        _, _, state, _, _, raw_members = (await _retrying(describe))[:6]
    members = []
    for member in raw_members:
        member_id, client_id, _, _, raw_assignment = member[:5]
        partitions: tuple[TopicPartition, ...] = ()
        if raw_assignment:
            assignment = ConsumerProtocolMemberAssignment.decode(raw_assignment)
            partitions = tuple(sorted(assignment.partitions()))
        members.append(GroupMember(member_id=member_id, client_id=client_id, partitions=partitions))
    return state, members


async def reset_offsets(
    kafka: KafkaTarget,
    group: str,
    topics: Iterable[str],
    *,
    to: Literal["earliest", "latest"],
    wait_for_empty_s: float = 0.0,
) -> dict[TopicPartition, int]:
    """Commit the first (``earliest``) or next (``latest``) offset of every partition of ``topics`` for ``group``.

    Refused (GroupActiveError) while the group has members: a live instance would overwrite the offsets
    with its own commits. ``wait_for_empty_s`` waits that long for members to leave (a killed instance
    stays a member until its session times out).
    """
    deadline = time.monotonic() + wait_for_empty_s
    while True:
        state, members = await describe_group(kafka, group)
        if not members:
            break
        if time.monotonic() >= deadline:
            raise GroupActiveError(f"group {group} is {state} with {len(members)} member(s); stop its instances first")
        await asyncio.sleep(0.5)
    partitions = await partitions_of(kafka, topics)
    async with _offsets_client(kafka) as consumer:
        if to == "earliest":
            targets: dict[TopicPartition, int] = await consumer.beginning_offsets(partitions)
        else:
            targets = await consumer.end_offsets(partitions)
    await commit_offsets(kafka, group, targets)
    return targets


async def commit_offsets(kafka: KafkaTarget, group: str, offsets: Mapping[TopicPartition, int]) -> None:
    """Commit ``offsets`` for ``group``; the broker refuses while the group has members (it then raises)."""
    async with _offsets_client(kafka, group) as consumer:
        consumer.assign(list(offsets))
        # A commit by a consumer that never joined is accepted only while the group has no members.
        await _retrying(lambda: consumer.commit(dict(offsets)))


async def consumer_lag(kafka: KafkaTarget, groups: Iterable[str] | None = None) -> list[PartitionLag]:
    """Lag of each group on every partition of every topic it consumes (committed there, or assigned)."""
    async with _admin(kafka) as admin:
        if groups is None:
            listed = await admin.list_consumer_groups()
            groups = sorted(str(entry[0]) for entry in listed if not str(entry[0]).startswith(OPS_GROUP_PREFIX))
    rows: list[PartitionLag] = []
    for group in groups:
        committed = await committed_offsets(kafka, group)
        _, members = await describe_group(kafka, group)
        topics = {tp.topic for tp in committed} | {tp.topic for member in members for tp in member.partitions}
        if not topics:
            continue
        partitions = await partitions_of(kafka, topics)
        async with _offsets_client(kafka) as consumer:
            ends = await consumer.end_offsets(partitions)
            starts = await consumer.beginning_offsets(partitions)
        for tp in partitions:
            position = committed.get(tp)
            # Without a commit the group starts at the earliest record (auto_offset_reset=earliest).
            lag = ends[tp] - (position if position is not None else starts[tp])
            rows.append(PartitionLag(group, tp.topic, tp.partition, position, ends[tp], max(lag, 0)))
    return rows


async def wait_until_caught_up(
    kafka: KafkaTarget, group: str, targets: Mapping[TopicPartition, int], *, timeout: float = 60.0
) -> None:
    """Wait until ``group`` committed at least ``targets`` (e.g. end offsets taken earlier) on every partition."""
    deadline = time.monotonic() + timeout
    while True:
        committed = await committed_offsets(kafka, group, targets)
        # A partition never committed counts as 0: nothing to wait for when it is empty.
        behind = {tp: (committed.get(tp), end) for tp, end in targets.items() if committed.get(tp, 0) < end}
        if not behind:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"{group} still behind after {timeout} s (committed, target): {behind}")
        await asyncio.sleep(0.2)
