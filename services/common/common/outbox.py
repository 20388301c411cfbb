"""Transactional outbox: write events with the state change, and a relay that publishes them to Kafka."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Final

import asyncpg
import orjson
from aiokafka import AIOKafkaProducer

from common.db import Connection
from common.deferral import CatchingUp, CatchUpDeferral
from common.kafka import KafkaTarget, kafka_client_options
from common.locks import Lock
from common.logging import get_logger
from common.observability import OutboxMetrics
from common.partitioning import BatchPartitioner
from common.settings import DEFAULT_OUTBOX_BATCH_SIZE
from common.tracing import TRACEPARENT_HEADER, current_traceparent
from contracts import TOPICS, Event, EventEnvelope

__all__ = [
    "RELAY_PRODUCER_SETTINGS",
    "HeaderTemplate",
    "OutboxRelay",
    "add_all_to_outbox",
    "add_to_outbox",
    "add_tombstone_to_outbox",
    "copy_to_outbox",
    "make_envelope",
    "record_headers",
]

log = get_logger(__name__)


def make_envelope(
    event: Event,
    *,
    source: str,
    tenant: str,
    region: str,
    correlation_id: Any = None,
    causation_id: Any = None,
    event_id: Any = None,
) -> EventEnvelope:
    """The envelope for a new event about ``event.subject()`` (under ``event_id`` when given, else a fresh id)."""
    extras: dict[str, Any] = {}
    if event_id is not None:
        extras["id"] = event_id
    if correlation_id is not None:
        extras["correlationid"] = correlation_id
    if causation_id is not None:
        extras["causationid"] = causation_id
    return EventEnvelope(
        source=source, type=event.event_type, subject=event.subject(), tenant=tenant, region=region, **extras
    )


async def add_to_outbox(conn: Connection, event: Event, envelope: EventEnvelope) -> None:
    """Queue ``event`` for publication; call inside the transaction that makes the change it describes.

    The current span's ``traceparent`` (if tracing is on) goes with it, for the relay's ``ce_traceparent``.
    """
    await conn.execute(
        "INSERT INTO outbox (topic, key, headers, payload, traceparent) VALUES ($1, $2, $3::jsonb, $4, $5)",
        event.topic,
        envelope.subject,
        headers_json(envelope),
        event.model_dump_json().encode(),
        current_traceparent(),
    )


def headers_json(envelope: EventEnvelope) -> str:
    """The envelope's Kafka headers as an outbox row stores them: ``[[name, text], ...]``."""
    # orjson: a third of json.dumps's time, paid per event (a burst of awards queues one per award).
    return orjson.dumps(envelope.header_texts()).decode()


async def add_tombstone_to_outbox(conn: Connection, topic: str, key: str) -> None:
    """Queue a tombstone (``key`` with no value) for a compacted topic: Kafka then forgets the key's records."""
    await conn.execute(
        "INSERT INTO outbox (topic, key, headers, payload) VALUES ($1, $2, '[]'::jsonb, NULL)", topic, key
    )


async def add_all_to_outbox(conn: Connection, events: Sequence[tuple[Event, EventEnvelope]]) -> None:
    """``add_to_outbox`` for many events in one statement; rows get ids in the given order (per-key order holds)."""
    if len(events) <= 1:
        for event, envelope in events:
            await add_to_outbox(conn, event, envelope)
        return
    await conn.execute(
        "INSERT INTO outbox (topic, key, headers, payload, traceparent)"
        " SELECT topic, key, headers, payload, $5 FROM unnest($1::text[], $2::text[], $3::jsonb[], $4::bytea[])"
        " WITH ORDINALITY AS queued (topic, key, headers, payload, n) ORDER BY n",
        [event.topic for event, _ in events],
        [envelope.subject for _, envelope in events],
        [headers_json(envelope) for _, envelope in events],
        [event.model_dump_json().encode() for event, _ in events],
        current_traceparent(),
    )


class HeaderTemplate:
    """The outbox headers of many events of one type from one origin, differing only in their id and subject.

    A bulk path (an import of a million rows) renders each event's ``ce_*`` headers from this instead of
    building an envelope per event; what it renders is exactly what ``make_envelope`` and ``headers_json``
    give (``tests/common/unit/test_outbox_headers.py``).
    """

    _ID = "00000000-0000-4000-8000-00000000e1d0"
    _SUBJECT = "subject-placeholder-e1d0"

    def __init__(
        self,
        event_type: str,
        *,
        source: str,
        tenant: str,
        region: str,
        correlation_id: Any = None,
        causation_id: Any = None,
        time: datetime | None = None,
    ) -> None:
        extras: dict[str, Any] = {"time": time} if time is not None else {}
        if correlation_id is not None:
            extras["correlationid"] = correlation_id
        if causation_id is not None:
            extras["causationid"] = causation_id
        envelope = EventEnvelope(
            id=self._ID, source=source, type=event_type, subject=self._SUBJECT, tenant=tenant, region=region, **extras
        )
        # json.dumps, not headers_json: ``render`` escapes a subject as json.dumps does, and its text is split here.
        rendered = json.dumps(envelope.header_texts())
        self._before_id, rest = rendered.split(self._ID)
        self._between, self._after_subject = rest.split(self._SUBJECT)

    def render(self, event_id: str, subject: str) -> str:
        """The headers' JSON of the event ``event_id`` about ``subject``."""
        escaped = json.dumps(subject)[1:-1]
        return f"{self._before_id}{event_id}{self._between}{escaped}{self._after_subject}"


async def copy_to_outbox(conn: Connection, rows: Sequence[tuple[str, str, str, bytes]]) -> None:
    """Queue events already rendered, (topic, key, headers JSON, payload) each, with one COPY, in the order given."""
    if not rows:
        return
    traceparent = current_traceparent()
    if traceparent is None:
        await conn.copy_records_to_table("outbox", records=rows, columns=("topic", "key", "headers", "payload"))
        return
    await conn.copy_records_to_table(
        "outbox",
        records=[(*row, traceparent) for row in rows],
        columns=("topic", "key", "headers", "payload", "traceparent"),
    )


def record_headers(headers_json: str, traceparent: str | None) -> list[tuple[str, bytes]]:
    """A row's Kafka headers: its ``ce_*`` headers, and ``ce_traceparent`` when the row was queued in a trace."""
    headers = [(name, value.encode()) for name, value in orjson.loads(headers_json)]
    if traceparent is not None:
        headers.append((TRACEPARENT_HEADER, traceparent.encode()))
    return headers


# Topics whose rows of a batch are published, and acknowledged, before the batch's other rows: a volunteer's
# data key must be on Kafka before any event sealed with it (common.keyring relies on it).
_PUBLISHED_FIRST = frozenset(topic.name for topic in TOPICS if topic.published_first)

# The relay's producer: every write acknowledged by all in-sync replicas, retried without duplicates, a few
# milliseconds' linger to fill batches. Batches of up to 256 KiB per partition instead of aiokafka's 16 KiB:
# an idempotent producer has one request in flight per broker, and at 16 KiB a round of 2,000 rows went out as
# several requests one after the other; the same 40,000 sends took 2.3-3.4 s and 1.7 s of CPU, 0.95 s and 0.9 s at
# 256 KiB (more gained nothing; a broker takes batches up to message.max.bytes, 1 MiB by default).
RELAY_PRODUCER_SETTINGS: Final[Mapping[str, Any]] = {
    "acks": "all",
    "enable_idempotence": True,
    "linger_ms": 5,
    "max_batch_size": 256 * 1024,
}

# Only one relay publishes at a time (Lock.OUTBOX_RELAY), whatever the number of instances: that keeps
# per-key order without reasoning about interleaved batches. The lock is per transaction, so a crashed
# relay's lock is released with its connection and another instance takes over.
# While Kafka has not acknowledged a batch, say so this often (the rows wait; nothing is lost).
_ACK_WAIT_REPORT_S = 10.0
# Backoff between failed rounds (broker or database down): doubles from the poll interval up to this.
_MAX_BACKOFF_S = 5.0
# Bound on closing a producer that may hold batches the broker will never take.
_PRODUCER_CLOSE_TIMEOUT_S = 5.0
_LISTEN_ACQUIRE_TIMEOUT_S = 5.0
# Start-up does not wait longer than this for the broker; the loop goes on trying in the background.
_CONNECT_AT_START_TIMEOUT_S = 10.0
# Rounds remembered to estimate the next one's length at shutdown (a slow round during an outage is forgotten).
_ROUNDS_REMEMBERED = 5
# While deferring to the consumer, how often the relay looks again whether it still catches up.
_DEFER_CHECK_S = 0.2


class OutboxRelay:
    """Publishes outbox rows in id order, marking a row published only after Kafka acknowledged it.

    Per-key order: a use case writes an aggregate's row before its outbox row, so two events about one
    aggregate get ids in commit order; one relay at a time sends rows in id order through an idempotent
    producer, whose per-partition sequence numbers keep that order on the broker, also across retries.

    Broker outage: aiokafka's idempotent producer never expires a batch, it retries until the broker is
    back; the batch's rows stay locked and unpublished in the meantime, later rows wait behind them, and
    everything drains once the broker answers. A producer whose batch failed for good (or that could not
    connect) is discarded and a new one connects on the next round. A relay killed mid-batch leaves its
    rows unpublished, so the next relay sends them again: the copies carry the same event id, which the
    consumers' inboxes drop. That is the only way a row is published twice; at shutdown the relay starts
    no round it expects to outlive its deadline, so a normal stop does not cut one off.
    """

    def __init__(
        self,
        pool: asyncpg.Pool,
        kafka: KafkaTarget,
        *,
        poll_interval_s: float = 1.0,
        batch_size: int = DEFAULT_OUTBOX_BATCH_SIZE,
        metrics: OutboxMetrics | None = None,
    ) -> None:
        self._pool = pool
        self._metrics = metrics
        self._kafka = kafka
        self._poll_interval_s = poll_interval_s
        self._batch_size = batch_size
        self._producer: AIOKafkaProducer | None = None
        # Partitions as aiokafka's default picks them, each round's keys hashed at once (common.partitioning).
        self._partitioner = BatchPartitioner()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._listener: Connection | None = None
        self._stopping = False
        # At shutdown: when the drain must end. The last rounds that published: how long the next one may take.
        self._drain_deadline = float("inf")
        self._recent_rounds_s: collections.deque[float] = collections.deque(maxlen=_ROUNDS_REMEMBERED)
        self._deferral: CatchUpDeferral | None = None

    def defer_to(self, consumer: CatchingUp, max_s: float) -> None:
        """Wait while ``consumer`` catches up, at most ``max_s`` at a time, before publishing (0: never wait).

        For a service whose events can wait some seconds (appreciation's thanks): its burst's input gets the
        CPU first. Rows only wait; after ``max_s`` everything pending is published, then it may wait again.
        """
        self._deferral = CatchUpDeferral(consumer, max_s)

    async def start(self) -> None:
        """Connect to Kafka and start the publishing loop; without a broker the loop keeps trying to connect.

        The service keeps accepting requests without a broker: that is what the outbox is for.
        """
        try:
            await asyncio.wait_for(self._ensure_producer(), timeout=_CONNECT_AT_START_TIMEOUT_S)
        except Exception:
            log.warning("outbox_producer_unavailable", exc_info=True)
        await self._ensure_listener()
        self._task = asyncio.create_task(self._run(), name="outbox-relay")

    def _on_notify(self, *_: object) -> None:
        self._wake.set()

    async def stop(self, timeout: float = 10.0) -> None:
        """Publish what is pending until nothing is left or ``timeout`` passes, then close everything.

        No round starts that the longest of the last few would carry past the deadline: a round cut off after
        sending leaves rows Kafka has but the outbox does not know about, sent again at the next start.
        Rows still unpublished at the deadline stay so; the next start sends them.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        self._drain_deadline = deadline
        self._stopping = True
        self._wake.set()
        try:
            if self._task is not None:
                # The loop finishes the batch in hand, then drains the rest before returning.
                await asyncio.wait_for(self._task, timeout=max(deadline - loop.time(), 0.0))
        except TimeoutError:
            # wait_for cancelled the loop: its transaction rolled back, its rows are still unpublished.
            log.warning("outbox_flush_timed_out", timeout_s=timeout)
        except Exception:
            log.exception("outbox_relay_failed")
        await self._release_listener()
        await self._discard_producer(max(min(deadline - loop.time(), _PRODUCER_CLOSE_TIMEOUT_S), 0.1))

    async def _run(self) -> None:
        failures = 0
        published = 0
        while True:
            # Cleared before looking, so a NOTIFY for a row committed meanwhile is never lost.
            self._wake.clear()
            if not published and await self._deferred():
                continue
            # Whether this round began after stop(): one begun before may have looked before the last rows
            # were committed, so its "nothing left" does not end the drain.
            draining = self._stopping
            if draining and not self._round_fits():
                log.warning("outbox_flush_stopped_at_deadline", round_s=round(self._round_estimate_s(), 3))
                return
            began = asyncio.get_running_loop().time()
            try:
                published = await self.publish_pending()
                failures = 0
                if published:
                    self._recent_rounds_s.append(asyncio.get_running_loop().time() - began)
            except Exception:
                # Broker or database unavailable: rows stay unpublished and are retried.
                failures += 1
                if self._metrics is not None:
                    self._metrics.failed()
                log.warning("outbox_publish_failed", attempt=failures, exc_info=True)
                published = 0
            if draining and (published == 0 or failures):
                # Draining at shutdown: go on while batches succeed, stop at the first empty or failed one.
                return
            if published:
                continue
            await self._ensure_listener()
            wait = self._poll_interval_s
            if failures:
                wait = min(self._poll_interval_s * 2 ** (failures - 1), _MAX_BACKOFF_S)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=wait)

    def _round_estimate_s(self) -> float:
        """How long the next round may take: the longest of the last few that published (0 before any)."""
        return max(self._recent_rounds_s, default=0.0)

    def _round_fits(self) -> bool:
        """Whether a round as long as the estimate would end before the drain's deadline."""
        return asyncio.get_running_loop().time() + self._round_estimate_s() < self._drain_deadline

    async def _deferred(self) -> bool:
        """Whether this round gives way to the consumer catching up (checked before a run of batches, not within)."""
        if self._deferral is None or self._stopping:
            return False
        if self._deferral.defers():
            await asyncio.sleep(_DEFER_CHECK_S)
            return True
        self._deferral.worked()
        return False

    async def publish_pending(self) -> int:
        """Publish one batch of unpublished rows; returns how many were published.

        Raises when Kafka refused part of the batch, after marking the rows it did acknowledge.
        """
        async with self._pool.acquire() as conn, conn.transaction():
            locked = await conn.fetchval("SELECT pg_try_advisory_xact_lock($1)", Lock.OUTBOX_RELAY)
            if self._metrics is not None:
                self._metrics.lock_held(locked)
            if not locked:
                return 0
            rows = await conn.fetch(
                "SELECT id, topic, key, headers, payload, traceparent FROM outbox"
                " WHERE published_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE",
                self._batch_size,
            )
            if not rows:
                return 0
            producer = await self._ensure_producer()
            acknowledged, error = await self._send_all(producer, rows)
            if acknowledged:
                # The oldest row's wait, on the database's clock (created_at is its now() too).
                waited_s = await conn.fetchval(
                    "WITH marked AS (UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[])"
                    " RETURNING created_at) SELECT extract(epoch FROM clock_timestamp() - min(created_at)) FROM marked",
                    [row["id"] for row in acknowledged],
                )
                if self._metrics is not None:
                    self._metrics.published(Counter(row["topic"] for row in acknowledged), float(waited_s))
        if error is not None:
            # The producer may be in a fatal state (its sender stops on some errors): use a new one.
            await self._discard_producer(_PRODUCER_CLOSE_TIMEOUT_S)
            raise error
        log.debug("outbox_published", count=len(acknowledged))
        return len(acknowledged)

    async def _ensure_producer(self) -> AIOKafkaProducer:
        """The connected idempotent producer, connecting a new one when there is none."""
        if self._producer is None:
            producer = AIOKafkaProducer(
                **kafka_client_options(self._kafka), **RELAY_PRODUCER_SETTINGS, partitioner=self._partitioner
            )
            try:
                await producer.start()
            except BaseException:
                await producer.stop()  # closes its client; nothing was sent
                raise
            self._producer = producer
            if self._metrics is not None:
                self._metrics.producer_connected(True)
            log.info("outbox_producer_connected")
        return self._producer

    async def _discard_producer(self, timeout: float) -> None:
        """Close the producer, bounded: with the broker gone its flush would wait forever."""
        producer, self._producer = self._producer, None
        if producer is None:
            return
        if self._metrics is not None:
            self._metrics.producer_connected(False)
        try:
            await asyncio.wait_for(producer.stop(), timeout=timeout)
        except Exception:
            log.warning("outbox_producer_close_failed", exc_info=True)

    async def _send_all(
        self, producer: AIOKafkaProducer, rows: Sequence[asyncpg.Record]
    ) -> tuple[list[asyncpg.Record], BaseException | None]:
        """Send the published-first topics' rows, then (once all acknowledged) the others; each part in id order.

        Returns the acknowledged rows and any error; after an error in the first part the rest is not sent.
        """
        first = [row for row in rows if row["topic"] in _PUBLISHED_FIRST]
        if not first:
            return await self._send_in_order(producer, rows)
        acknowledged, error = await self._send_in_order(producer, first)
        if error is not None:
            return acknowledged, error
        rest, rest_error = await self._send_in_order(
            producer, [row for row in rows if row["topic"] not in _PUBLISHED_FIRST]
        )
        return acknowledged + rest, rest_error

    async def _send_in_order(
        self, producer: AIOKafkaProducer, rows: Sequence[asyncpg.Record]
    ) -> tuple[list[asyncpg.Record], BaseException | None]:
        """Send rows in id order and wait for every acknowledgement; return the acknowledged rows and any error."""
        futures: list[asyncio.Future[Any]] = []
        error: BaseException | None = None
        keys = [row["key"].encode() for row in rows]
        self._partitioner.prepare(keys)
        for row, key in zip(rows, keys, strict=True):
            try:
                futures.append(
                    await producer.send(
                        row["topic"],
                        # No payload: a tombstone, for a compacted topic to forget the key.
                        value=bytes(row["payload"]) if row["payload"] is not None else None,
                        key=key,
                        headers=record_headers(row["headers"], row["traceparent"]),
                    )
                )
            except Exception as refused:
                # Nothing after a refused row is sent in this round, so no later row of its key overtakes it.
                error = refused
                break
        pending: set[asyncio.Future[Any]] = set(futures)
        waited = 0.0
        while pending:
            _, pending = await asyncio.wait(pending, timeout=_ACK_WAIT_REPORT_S)
            if pending:
                waited += _ACK_WAIT_REPORT_S
                log.warning("outbox_waiting_for_broker", unacknowledged=len(pending), waited_s=waited)
        acknowledged: list[asyncpg.Record] = []
        for row, future in zip(rows, futures, strict=False):
            # A cancelled future must not re-raise CancelledError here: that would read as our own cancellation.
            failure = RuntimeError("send cancelled") if future.cancelled() else future.exception()
            if failure is None:
                acknowledged.append(row)
            elif error is None:
                error = failure
        return acknowledged, error

    async def _ensure_listener(self) -> None:
        """LISTEN on a dedicated connection; after a database restart, on a new one. Best effort: polling stays."""
        if self._listener is not None and not self._listener.is_closed():
            return
        await self._release_listener()
        try:
            # Bounded: with the database unreachable this must not stall the loop's polling fallback.
            listener = await self._pool.acquire(timeout=_LISTEN_ACQUIRE_TIMEOUT_S)
        except Exception:
            return
        try:
            await listener.add_listener("outbox", self._on_notify)
        except Exception:
            await self._pool.release(listener)
            return
        self._listener = listener

    async def _release_listener(self) -> None:
        listener, self._listener = self._listener, None
        if listener is None:
            return
        with contextlib.suppress(Exception):
            if not listener.is_closed():
                await listener.remove_listener("outbox", self._on_notify)
        with contextlib.suppress(Exception):
            await self._pool.release(listener)  # type: ignore[arg-type]
