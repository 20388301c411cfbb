"""The metrics read now and then instead of counted: consumer lag, dead letters, outbox backlog, job state, readiness.

What ``python -m common.ops lag`` and ``dlq list`` show, as gauges: every ``interval_s`` the sampler asks
Kafka for the group's committed offsets and the partitions' end offsets, reads what arrived in the
dead-letter topics of the topics it consumes since the last time (only the new records: a dead-letter topic
is read once per process, then followed), and asks its database for the outbox backlog and the latest
job runs. Every instance samples the same group and tables, so instances report the same values: dashboards
and alerts take ``max`` over instances. A failed read is counted and the last values stay until the next.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import time
from collections.abc import Awaitable, Callable, Sequence

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from common.kafka import KafkaTarget, kafka_client_options
from common.logging import get_logger
from common.observability._metrics import JobState, Metrics
from common.polling import PollingWorker
from contracts import TOPICS, dead_letter_topic

__all__ = ["MetricsSampler"]

log = get_logger(__name__)

# The consumer group whose committed offsets mark which dead letters were re-driven (common.ops.deadletters).
_REDRIVE_GROUP = "ops-redrive"
_DLQ_CONSUMER_HEADER = "dlq_consumer"
# One sample's Kafka and database reads together may take this long; the rest waits for the next sample.
_SAMPLE_TIMEOUT_S = 10.0
_REQUEST_TIMEOUT_MS = 10_000


class MetricsSampler(PollingWorker):
    """A background worker that refreshes ``Metrics.sampled`` every ``interval_s`` seconds."""

    def __init__(
        self,
        *,
        service: str,
        metrics: Metrics,
        interval_s: float,
        kafka: KafkaTarget | None = None,
        topics: Sequence[str] = (),
        pool: asyncpg.Pool | None = None,
        outbox: bool = False,
        jobs: Sequence[str] = (),
        ready: Callable[[], Awaitable[bool]] | None = None,
    ) -> None:
        super().__init__(f"{service}-metrics-sampler", interval_s, rest_after_work=True)
        self._service = service
        self._metrics = metrics
        self._sampled = metrics.sampled
        self._kafka = kafka
        self._topics = sorted(topics)
        names = {topic.name for topic in TOPICS}
        self._dlq_topics = sorted(dead_letter_topic(t) for t in self._topics if dead_letter_topic(t) in names)
        self._pool = pool
        self._outbox = outbox
        self._jobs = list(jobs)
        self._ready = ready
        self._admin: AIOKafkaAdminClient | None = None
        self._client: AIOKafkaConsumer | None = None
        self._partitions: list[TopicPartition] | None = None
        self._dlq_partitions: list[TopicPartition] = []
        # Per dead-letter partition: the offsets of the records this service dead-lettered, in order.
        self._letters: dict[TopicPartition, list[int]] = {}

    async def round(self) -> int:
        """One sample, bounded in time (a hung broker or database waits for the next round)."""
        try:
            await asyncio.wait_for(self.sample(), timeout=_SAMPLE_TIMEOUT_S)
        except TimeoutError:
            log.warning("metrics_sample_timed_out", timeout_s=_SAMPLE_TIMEOUT_S)
        return 1

    async def closing(self) -> None:
        """Close the Kafka clients."""
        await self._close_kafka()

    async def sample(self) -> None:
        """Read every sampled value once (tests call this directly)."""
        if self._pool is not None:
            try:
                await self._sample_database(self._pool)
                self._sampled.sampled_at["database"] = time.time()
            except Exception as error:
                self._metrics.sample_failures.labels(self._service, "database").inc()
                log.warning("metrics_sample_failed", source="database", error=repr(error))
        if self._ready is not None:
            self._sampled.ready = await self._ready()
        if self._kafka is not None and self._topics:
            try:
                await self._sample_kafka(self._kafka)
                self._sampled.sampled_at["kafka"] = time.time()
            except Exception as error:
                self._metrics.sample_failures.labels(self._service, "kafka").inc()
                log.warning("metrics_sample_failed", source="kafka", error=repr(error))
                await self._close_kafka()  # a fresh connection next time

    # -- the database -------------------------------------------------------------------------------

    async def _sample_database(self, pool: asyncpg.Pool) -> None:
        if self._outbox:
            row = await pool.fetchrow(
                "SELECT count(*) AS pending, coalesce(extract(epoch FROM now() - min(created_at)), 0) AS oldest_s"
                " FROM outbox WHERE published_at IS NULL"
            )
            assert row is not None
            self._sampled.outbox_pending = (int(row["pending"]), float(row["oldest_s"]))
        if self._jobs:
            rows = await pool.fetch(
                "SELECT job, extract(epoch FROM max(finished_at) FILTER (WHERE status = 'done')) AS last_success,"
                " (array_agg(status ORDER BY finished_at DESC) FILTER (WHERE status IN ('done', 'failed')))[1]"
                " AS last_status FROM job_runs WHERE job = ANY($1) GROUP BY job",
                self._jobs,
            )
            states = {job: JobState(last_success_at=None, last_run_failed=False) for job in self._jobs}
            for row in rows:
                last_success = float(row["last_success"]) if row["last_success"] is not None else None
                states[row["job"]] = JobState(last_success, row["last_status"] == "failed")
            self._sampled.jobs = states

    # -- Kafka --------------------------------------------------------------------------------------

    async def _sample_kafka(self, kafka: KafkaTarget) -> None:
        admin, client = await self._kafka_clients(kafka)
        if self._partitions is None:
            self._partitions = await _partitions_of(admin, self._topics)
            self._dlq_partitions = await _partitions_of(admin, self._dlq_topics) if self._dlq_topics else []
            client.assign(self._dlq_partitions)
            if self._dlq_partitions:
                await client.seek_to_beginning(*self._dlq_partitions)
        self._sampled.lag = await self._lag(admin, client, self._partitions)
        if self._dlq_partitions:
            self._sampled.dead_letters = await self._dead_letters(admin, client, self._dlq_partitions)

    async def _lag(
        self, admin: AIOKafkaAdminClient, client: AIOKafkaConsumer, partitions: list[TopicPartition]
    ) -> dict[tuple[str, int], int]:
        """Per partition: end offset minus the group's committed offset (the earliest offset before a commit)."""
        committed = await admin.list_consumer_group_offsets(self._service, partitions=partitions)
        ends = await client.end_offsets(partitions)
        starts = await client.beginning_offsets(partitions)
        lag = {}
        for tp in partitions:
            meta = committed.get(tp)
            position = meta.offset if meta is not None and meta.offset >= 0 else starts[tp]
            lag[(tp.topic, tp.partition)] = max(ends[tp] - position, 0)
        return lag

    async def _dead_letters(
        self, admin: AIOKafkaAdminClient, client: AIOKafkaConsumer, partitions: list[TopicPartition]
    ) -> dict[str, tuple[int, int]]:
        """Per original topic: this service's records in its dead-letter topic, and how many are not re-driven."""
        ends = await client.end_offsets(partitions)
        starts = await client.beginning_offsets(partitions)
        # Fetch only while sampling: paused between samples, the client does not prefetch in the background.
        client.resume(*partitions)
        try:
            behind = {tp for tp in partitions if await client.position(tp) < ends[tp]}
            while behind:
                fetched = await client.getmany(*behind, timeout_ms=1000)
                for tp, records in fetched.items():
                    mine = self._letters.setdefault(tp, [])
                    for record in records:
                        if any(k == _DLQ_CONSUMER_HEADER and v == self._service.encode() for k, v in record.headers):
                            mine.append(record.offset)
                behind = {tp for tp in behind if await client.position(tp) < ends[tp]}
        finally:
            client.pause(*partitions)
        marks = await admin.list_consumer_group_offsets(_REDRIVE_GROUP, partitions=partitions)
        counts: dict[str, tuple[int, int]] = {}
        for tp in partitions:
            offsets = self._letters.get(tp, [])
            # Records before the partition's start were deleted by retention; re-driven ones lie before the mark.
            kept = len(offsets) - bisect.bisect_left(offsets, starts[tp])
            mark = marks[tp].offset if tp in marks and marks[tp].offset >= 0 else 0
            pending = len(offsets) - bisect.bisect_left(offsets, max(mark, starts[tp]))
            original = tp.topic.removesuffix(".dlq")
            total, not_redriven = counts.get(original, (0, 0))
            counts[original] = (total + kept, not_redriven + pending)
        return counts

    async def _kafka_clients(self, kafka: KafkaTarget) -> tuple[AIOKafkaAdminClient, AIOKafkaConsumer]:
        """The admin client and the group-less consumer, connected once and kept."""
        if self._admin is None or self._client is None:
            await self._close_kafka()
            admin = AIOKafkaAdminClient(**kafka_client_options(kafka), request_timeout_ms=_REQUEST_TIMEOUT_MS)
            client = AIOKafkaConsumer(
                **kafka_client_options(kafka), enable_auto_commit=False, request_timeout_ms=_REQUEST_TIMEOUT_MS
            )
            self._admin, self._client = admin, client
            await admin.start()
            await client.start()
        return self._admin, self._client

    async def _close_kafka(self) -> None:
        admin, client = self._admin, self._client
        self._admin = self._client = None
        self._partitions = None
        self._letters.clear()  # a new client reads the dead-letter topics from the beginning again
        for close in (admin.close if admin else None, client.stop if client else None):
            if close is None:
                continue
            try:
                with contextlib.suppress(Exception):
                    await close()
            except asyncio.CancelledError:
                # aiokafka's stop() re-raises the cancellation of its own fetch task (broker gone); only a
                # cancellation of this task itself goes on.
                task = asyncio.current_task()
                if task is not None and task.cancelling():
                    raise


async def _partitions_of(admin: AIOKafkaAdminClient, topics: Sequence[str]) -> list[TopicPartition]:
    """Every partition of ``topics`` as the broker's metadata lists them (counts are fixed: read once)."""
    described = await admin.describe_topics(list(topics))
    found: list[TopicPartition] = []
    for topic in described:
        if topic["error_code"] or not topic["partitions"]:
            raise LookupError(f"topic {topic['topic']} is not available (error code {topic['error_code']})")
        found.extend(TopicPartition(topic["topic"], p["partition"]) for p in topic["partitions"])
    return sorted(found)
