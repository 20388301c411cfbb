"""Event consumers: contract decoding, idempotent inbox, retries and dead letters, in batches.

Every subscriber the platform runs is built here, so the delivery rules hold everywhere:

- records arrive in batches (up to ``batch_size``, whatever the fetch buffer holds: a busy topic gives
  full batches, a quiet one single records without waiting); a batch is applied in one transaction with
  one set-based inbox claim, in partition order, and its offsets are committed once, after that
  transaction committed or the record was dead-lettered; while one batch is applied and committed the
  next is fetched and decoded, so CPU and round trips overlap;
- the inbox rows and the handlers' writes share the transaction, so a redelivery changes nothing;
- a record that is not valid JSON, violates its contract or has an unknown type goes straight to
  ``<topic>.dlq`` with headers naming the consumer, the error and the original position;
- while the service's database is unreachable (restart, failover, network) the batch is retried
  without limit, with backoff capped at a few seconds: the outage is not the messages' fault, and
  dead-lettering every valid event that arrives during it would turn a restart into a mass re-drive;
- a batch aborted by a deadlock or serialization failure (another subscriber's batch touched the same
  rows) is retried whole, up to three times;
- any other failure of a batch (a handler bug, a constraint one event breaks) rolls it back and the
  batch is applied again one record per transaction, so the culprit is found; that record is retried
  ``max_retries`` times with exponential backoff while the database answers, then dead-lettered, so
  one bad message never blocks its partition;
- a failure of the runtime itself (outside any handler) retries the whole batch with backoff until it
  passes: skipping it would let the next batch's commit cover it;
- on shutdown (``close``) a batch still being applied is rolled back and a record still failing is
  abandoned, both uncommitted: they are redelivered to whichever instance owns the partition next.

Handlers are per event (``on``) or per run of consecutive events of one type (``on_batch``, for
projections that write a whole run in one statement); both run inside the batch's transaction. A
per-event handler gets the service's unit of work (``common.uow``) on that transaction, with the event's
origin (its correlation id, the event as cause, its tenant) and envelope: whatever it emits commits
with the inbox row.

Logging: one ``batch_done`` line per batch at INFO (counts, partitions, offsets); handlers log per event
with the event's id, type, correlation id, subject and tenant bound.

Error classes raised while handling a record::

    Exception
    ├── ContractViolation      bad envelope, bad payload, unknown type: dead-lettered at once
    └── anything else          database unreachable (checked with a probe): retried until it answers;
                               database reachable: retried ``max_retries`` times, then dead-lettered
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, TypeAlias, TypeVar, cast

import asyncpg
import structlog
from aiokafka import AIOKafkaConsumer
from aiokafka.structs import ConsumerRecord, TopicPartition
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from faststream.message import StreamMessage
from pydantic import ValidationError

from common.clock import Clock, SystemClock
from common.db import Connection
from common.errors import ContractViolation
from common.inbox import claim_events
from common.logging import get_logger
from common.settings import DEFAULT_BATCH_SIZE
from common.uow import Origin, PostgresUnitOfWork, UnitOfWorkFactory
from contracts import Event, EventEnvelope, dead_letter_topic, event_type_of

__all__ = ["DEFAULT_BATCH_SIZE", "BatchContext", "ContractViolation", "EventConsumer"]

log = get_logger(__name__)

E = TypeVar("E", bound=Event)
W = TypeVar("W", bound=PostgresUnitOfWork)
Record: TypeAlias = "ConsumerRecord[bytes, bytes]"

# Backoff caps: a record failing on its own waits up to 10 s between attempts; during a database outage
# the database is probed at least every 2 s, so a restarted server is picked up quickly.
_MAX_BACKOFF_S = 10.0
_OUTAGE_MAX_BACKOFF_S = 2.0
# Deadlocks and serialization failures between concurrent batches: retried whole this often.
_CONFLICTS = (asyncpg.DeadlockDetectedError, asyncpg.SerializationError)
_CONFLICT_RETRIES = 3
# How long the database probe may take before the database counts as unreachable.
_PROBE_TIMEOUT_S = 5.0
# How long a fetch waits for records when none are buffered. FastStream sleeps as long again after an
# empty fetch, so this bounds the extra latency of the first record after a quiet spell; under load the
# buffer is never empty and batches are taken without waiting.
_FETCH_WAIT_MS = 20


class _Abandoned(Exception):
    """``close`` was called while a batch was in hand: roll back, commit nothing (it is redelivered)."""


@dataclass(frozen=True)
class BatchContext:
    """What a batch handler gets besides the payloads: their envelopes (same order) and the open transaction."""

    envelopes: Sequence[EventEnvelope]
    conn: Connection


Handler = Callable[[Any, Any], Awaitable[None]]
# A handler of one event type, given the service's unit of work.
EventHandler: TypeAlias = Callable[[E, W], Awaitable[None]]
BatchHandler = Callable[[Sequence[Any], BatchContext], Awaitable[None]]


@dataclass(frozen=True)
class _Route:
    """Where events of one type go: a handler per event, or per run of consecutive events."""

    handler: Handler | BatchHandler
    batched: bool


class _Delivery(NamedTuple):
    """A decoded record this consumer has a handler for (a tuple: one is built per record)."""

    record: Record
    envelope: EventEnvelope
    payload: Event


@dataclass
class _Tally:
    """What became of a batch's records, for its log line."""

    applied: int = 0
    duplicates: int = 0
    skipped: int = 0
    dead_lettered: int = 0
    applied_partitions: set[int] = field(default_factory=set)

    def count(self, outcome: str, delivery: _Delivery) -> None:
        """Add one record's outcome (applied, duplicate or dead_lettered)."""
        if outcome == "applied":
            self.applied += 1
            self.applied_partitions.add(delivery.record.partition)
        elif outcome == "duplicate":
            self.duplicates += 1
        else:
            self.dead_lettered += 1


@dataclass
class _DecodedBatch:
    """A batch after decoding: its records, the deliveries to apply, and the tally so far."""

    records: Sequence[Record]
    started: float
    deliveries: list[_Delivery] = field(default_factory=list)
    tally: _Tally = field(default_factory=_Tally)


def decode(record: Record) -> tuple[EventEnvelope, Event]:
    """Parse a Kafka record into envelope and payload; raise ContractViolation when it cannot be."""
    try:
        envelope = EventEnvelope.from_headers(record.headers)
    except ValidationError as error:
        raise ContractViolation(f"invalid CloudEvents headers: {error.errors(include_url=False)}") from error
    except (UnicodeDecodeError, AttributeError) as error:
        raise ContractViolation(f"unreadable CloudEvents header: {error}") from error
    model = event_type_of(envelope.type)
    if model is None:
        raise ContractViolation(f"unknown event type {envelope.type!r}")
    if model.topic != record.topic:
        raise ContractViolation(f"event type {envelope.type!r} does not belong on topic {record.topic!r}")
    if record.value is None:
        raise ContractViolation("record has no value")
    try:
        payload = model.model_validate_json(record.value)
    except ValidationError as error:
        raise ContractViolation(f"payload violates {model.__name__}: {error.errors(include_url=False)}") from error
    if payload.subject() != envelope.subject:
        raise ContractViolation(f"ce_subject {envelope.subject!r} differs from payload id {payload.subject()!r}")
    return envelope, payload


async def _undecoded(message: StreamMessage[Any]) -> Any:
    """FastStream decoder that leaves the bodies as bytes; ``decode`` does the real work."""
    return message.body


def _event_fields(envelope: EventEnvelope) -> dict[str, str]:
    """Log context of one event."""
    return {
        "event_id": str(envelope.id),
        "event_type": envelope.type,
        "correlation_id": str(envelope.correlationid),
        "subject": envelope.subject,
        "tenant": envelope.tenant,
    }


def _offset_ranges(records: Sequence[Record]) -> dict[str, list[int]]:
    """Partition → [first, last] offset of a batch (in offset order per partition, as fetched), for its log line."""
    first: dict[int, int] = {}
    last: dict[int, int] = {}
    for record in records:
        first.setdefault(record.partition, record.offset)
        last[record.partition] = record.offset
    return {str(partition): [offset, last[partition]] for partition, offset in first.items()}


class EventConsumer:
    """One service's consumer group: register handlers per event type, then ``attach`` to a broker."""

    def __init__(
        self,
        name: str,
        pool: asyncpg.Pool | None,
        *,
        max_retries: int = 5,
        retry_backoff_s: float = 0.2,
        batch_size: int = DEFAULT_BATCH_SIZE,
        unit_of_work: UnitOfWorkFactory = PostgresUnitOfWork,
        clock: Clock | None = None,
    ) -> None:
        self.name = name
        self._pool = pool
        self._unit_of_work = unit_of_work
        self._clock = clock or SystemClock()
        self._max_retries = max_retries
        self._retry_backoff_s = retry_backoff_s
        self._batch_size = batch_size
        self._routes: dict[str, _Route] = {}
        self._topics: dict[str, list[str]] = {}
        self._broker: KafkaBroker | None = None
        self._closing = asyncio.Event()
        self._in_hand = 0
        self._idle = asyncio.Event()
        self._idle.set()
        # Per subscriber (topic): the batch being applied and committed while the next one is decoded.
        self._in_flight: dict[str, asyncio.Task[bool]] = {}
        # The highest offset this process committed per partition: commits only ever move forward.
        self._committed: dict[TopicPartition, int] = {}

    def on(
        self, event_class: type[E]
    ) -> Callable[[Callable[[E, W], Awaitable[None]]], Callable[[E, W], Awaitable[None]]]:
        """Decorator: run the function for every ``event_class`` event, with a unit of work on the batch's transaction.

        The unit of work is the service's own (``unit_of_work`` factory), so handlers reach its repositories.
        """

        def register(function: EventHandler[E, W]) -> EventHandler[E, W]:
            self._route(event_class, _Route(function, batched=False))
            return function

        return register

    def on_batch(
        self, event_class: type[E]
    ) -> Callable[[Callable[[Sequence[E], BatchContext], Awaitable[None]]], BatchHandler]:
        """Decorator: run the function once per run of consecutive ``event_class`` events (new ones only).

        For projections that write a run in one statement; the events keep their partition order.
        """

        def register(function: Callable[[Sequence[E], BatchContext], Awaitable[None]]) -> BatchHandler:
            self._route(event_class, _Route(cast(BatchHandler, function), batched=True))
            return cast(BatchHandler, function)

        return register

    def _route(self, event_class: type[Event], route: _Route) -> None:
        """Register where ``event_class`` events go."""
        self._routes[event_class.event_type] = route
        self._topics.setdefault(event_class.topic, []).append(event_class.__name__)

    @property
    def handled_types(self) -> list[str]:
        """The CloudEvents types this consumer has handlers for."""
        return sorted(self._routes)

    @property
    def topics(self) -> list[str]:
        """The topics this consumer subscribes to."""
        return sorted(self._topics)

    def attach(self, broker: KafkaBroker) -> None:
        """Create one manually-acknowledged FastStream batch subscriber per topic on ``broker``."""
        self._broker = broker
        for topic, event_names in sorted(self._topics.items()):
            subscriber = broker.subscriber(
                topic,
                group_id=self.name,
                batch=True,
                max_records=self._batch_size,
                batch_timeout_ms=_FETCH_WAIT_MS,
                # Manual: commit only after effects or dead letter are durable (see module docstring).
                ack_policy=AckPolicy.MANUAL,
                auto_offset_reset="earliest",
                # Each topic's subscriber is its own group member, so a join or leave anywhere rebalances
                # them all; members learn of a rebalance at their next heartbeat. 1 s instead of 3 s
                # shortens every such pause (one small request per second per member is cheap).
                heartbeat_interval_ms=1000,
                # FastStream would JSON-decode the bodies before our code runs; bad JSON must reach
                # ``process_batch`` so it can be dead-lettered, so the bodies are passed through untouched.
                decoder=_undecoded,
                title=f"{self.name}:{topic}",
                description=f"{self.name} handles {', '.join(event_names)}; other types are skipped.",
            )
            subscriber(self._consume)

    def close(self) -> None:
        """Take no new batch, roll back the one in hand, stop retrying: nothing unfinished is committed."""
        self._closing.set()

    async def drain(self, timeout: float) -> bool:
        """After ``close``: wait until the batches in hand are finished or rolled back and committed; False on timeout.

        The service calls this before stopping the broker. Each topic has its own subscriber in the
        service's group, and the first one to leave the group starts a rebalance during which Kafka
        refuses the others' commits: so every finished batch commits first, then the members leave.
        """
        try:
            async with asyncio.timeout(timeout):
                await self._idle.wait()
                await asyncio.gather(*self._in_flight.values())
        except TimeoutError:
            return False
        return True

    async def _consume(self, message: KafkaMessage) -> None:
        """FastStream entry point for one batch: decode it while the previous one is applied, then hand it on.

        Per subscriber one batch is being applied and committed (a task) while the next is decoded here, so
        the decoding's CPU overlaps the database's and the broker's round trips. Batches are applied and
        committed strictly in order; once one is abandoned at shutdown, none after it is applied.
        """
        if self._closing.is_set():
            # Shutting down: not applied, not committed; the partitions' next owner gets it.
            return
        records = cast(tuple[Record, ...], message.raw_message)
        if not records:
            return
        self._in_hand += 1
        self._idle.clear()
        try:
            try:
                decoded = await self._decode_batch(records)
            except _Abandoned:
                log.info("batch_abandoned_at_shutdown", topic=records[0].topic, offsets=_offset_ranges(records))
                return
            topic = records[0].topic
            previous = self._in_flight.pop(topic, None)
            if previous is not None and not await previous:
                return  # the batch before was abandoned: so is this one (nothing after it may be committed)
            self._in_flight[topic] = asyncio.create_task(self._apply_and_commit(message, decoded))
        finally:
            self._in_hand -= 1
            if not self._in_hand:
                self._idle.set()

    async def _apply_and_commit(self, message: KafkaMessage, decoded: _DecodedBatch) -> bool:
        """Apply a decoded batch, then commit its offsets; False when abandoned at shutdown (not committed)."""
        attempt = 0
        while True:
            try:
                if not await self._apply_decoded(decoded):
                    return False
                break
            except Exception:
                # A bug in the runtime itself, not in a record (those are retried and dead-lettered inside).
                # Skipping the batch would let the next batch's commit cover it, so it is retried, with
                # backoff, until it passes or the service stops; records already applied are skipped by the inbox.
                attempt += 1
                delay = min(self._retry_backoff_s * 2 ** (attempt - 1), _MAX_BACKOFF_S)
                log.exception("batch_failed_unexpectedly", topic=decoded.records[0].topic, attempt=attempt)
                if not await self._pause(delay):
                    return False
        await self._commit(message, decoded.records)
        return True

    async def _commit(self, message: KafkaMessage, records: Sequence[Record]) -> None:
        """Commit the offsets just past ``records`` (explicit: the consumer's position has moved on meanwhile).

        A partition whose offset this process already committed further is left out. After a rebalance the
        fetcher can hand over records again that were applied and committed before (the inbox skips them);
        committing their offsets would move the group back, and with the fetch position already further on,
        nothing might come to move it forward again: the group would show lag, and a restart would re-read.
        """
        offsets = {
            tp: offset
            for tp, offset in {TopicPartition(r.topic, r.partition): r.offset + 1 for r in records}.items()
            if offset > self._committed.get(tp, -1)
        }
        if not offsets:
            return
        try:
            if isinstance(message.consumer, AIOKafkaConsumer):
                await message.consumer.commit(offsets)
                self._committed.update(offsets)
            else:
                await message.ack()  # FastStream's in-memory test broker: nothing to commit to
        except Exception as error:
            # The batch is applied; after a rebalance or restart its records come again and the inbox skips them.
            log.warning(
                "offset_commit_failed", error=repr(error), topic=records[0].topic, offsets=_offset_ranges(records)
            )

    async def process(self, record: Record) -> bool:
        """``process_batch`` of one record."""
        return await self.process_batch([record])

    async def process_batch(self, records: Sequence[Record]) -> bool:
        """Apply records exactly once in effect, in partition order, or dead-letter them; False only when abandoned.

        Never raises for a bad record. True means every record is done with (the offsets may be committed);
        False means ``close`` interrupted and nothing of the batch may be committed.
        """
        if not records:
            return True
        try:
            decoded = await self._decode_batch(records)
        except _Abandoned:
            log.info("batch_abandoned_at_shutdown", topic=records[0].topic, offsets=_offset_ranges(records))
            return False
        return await self._apply_decoded(decoded)

    async def _decode_batch(self, records: Sequence[Record]) -> _DecodedBatch:
        """Decode every record; contract violations go to the dead-letter topic now, unneeded types are skipped."""
        decoded = _DecodedBatch(records=records, started=time.perf_counter())
        for record in records:
            try:
                envelope, payload = decode(record)
            except ContractViolation as violation:
                await self._dead_letter(record, violation, attempts=1)
                decoded.tally.dead_lettered += 1
                continue
            if envelope.type not in self._routes:
                decoded.tally.skipped += 1  # A known event this service does not need: skipping it is the contract.
                continue
            decoded.deliveries.append(_Delivery(record, envelope, payload))
        return decoded

    async def _apply_decoded(self, decoded: _DecodedBatch) -> bool:
        """Apply a decoded batch (whole, else record by record) and log it; False when abandoned at shutdown."""
        records, deliveries, tally = decoded.records, decoded.deliveries, decoded.tally
        mode = "batch"
        try:
            applied = await self._apply_batch(deliveries) if len(deliveries) > 1 else None
            if applied is not None:
                tally.applied = len(applied)
                tally.duplicates = len(deliveries) - len(applied)
                tally.applied_partitions = {delivery.record.partition for delivery in applied}
            elif deliveries:
                # One record, or a batch that failed as a whole: one transaction per record finds the culprit.
                mode = "single" if len(deliveries) == 1 else "one_by_one"
                for delivery in deliveries:
                    tally.count(await self._process_one(delivery), delivery)
        except _Abandoned:
            log.info("batch_abandoned_at_shutdown", topic=records[0].topic, offsets=_offset_ranges(records))
            return False
        log.info(
            "batch_done",
            topic=records[0].topic,
            records=len(records),
            applied=tally.applied,
            duplicates=tally.duplicates,
            skipped=tally.skipped,
            dead_lettered=tally.dead_lettered,
            applied_partitions=sorted(tally.applied_partitions),
            offsets=_offset_ranges(records),
            mode=mode,
            ms=round((time.perf_counter() - decoded.started) * 1000, 1),
        )
        return True

    async def _apply_batch(self, deliveries: Sequence[_Delivery]) -> list[_Delivery] | None:
        """Apply every delivery in one transaction, waiting out database outages; the applied ones.

        None when the batch failed while the database answered: the caller applies it record by record.
        """
        outage_attempts = 0
        conflicts = 0
        while True:
            try:
                return await self._apply_all(deliveries)
            except _Abandoned:
                raise
            except _CONFLICTS as error:
                # Two subscribers' batches (other topics, same rows) crossed: PostgreSQL aborted this one.
                # Whole again it will most likely pass; record by record would cost a transaction each.
                conflicts += 1
                if conflicts > _CONFLICT_RETRIES:
                    log.warning("batch_failed_applying_one_by_one", error=repr(error), records=len(deliveries))
                    return None
                log.info("batch_conflict_retried", error=repr(error), attempt=conflicts, records=len(deliveries))
                if not await self._pause(self._retry_backoff_s * conflicts):
                    raise _Abandoned from error
            except Exception as error:
                if not await self._database_unreachable():
                    log.warning(
                        "batch_failed_applying_one_by_one",
                        error=repr(error),
                        records=len(deliveries),
                        topic=deliveries[0].record.topic,
                    )
                    return None
                outage_attempts += 1
                delay = self._outage_delay(
                    outage_attempts, error, records=len(deliveries), topic=deliveries[0].record.topic
                )
                if not await self._pause(delay):
                    raise _Abandoned from error

    async def _apply_all(self, deliveries: Sequence[_Delivery], *, abandon_on_close: bool = True) -> list[_Delivery]:
        """One transaction: claim every event in the inbox, run the handlers of the new ones in order."""
        assert self._pool is not None, "a consumer built without a pool only describes itself (AsyncAPI)"
        async with self._pool.acquire() as conn, conn.transaction():
            envelopes = [delivery.envelope for delivery in deliveries]
            unclaimed = await claim_events(conn, self.name, [e.id for e in envelopes], [e.type for e in envelopes])
            fresh = []
            for delivery in deliveries:
                if delivery.envelope.id in unclaimed:
                    unclaimed.discard(delivery.envelope.id)  # a copy later in the same batch is a duplicate
                    fresh.append(delivery)
            for event_type, run in itertools.groupby(fresh, key=lambda delivery: delivery.envelope.type):
                route = self._routes[event_type]
                run_list = list(run)
                if route.batched:
                    if abandon_on_close and self._closing.is_set():
                        raise _Abandoned
                    batch_handler = cast(BatchHandler, route.handler)
                    envelopes = [delivery.envelope for delivery in run_list]
                    await batch_handler([d.payload for d in run_list], BatchContext(envelopes=envelopes, conn=conn))
                    continue
                handler = cast(Handler, route.handler)
                for delivery in run_list:
                    if abandon_on_close and self._closing.is_set():
                        raise _Abandoned
                    with structlog.contextvars.bound_contextvars(**_event_fields(delivery.envelope)):
                        await handler(delivery.payload, self._unit_of_work_for(conn, delivery.envelope))
            return fresh

    def _unit_of_work_for(self, conn: Connection, envelope: EventEnvelope) -> PostgresUnitOfWork:
        """The service's unit of work for one event, on the batch's transaction."""
        return self._unit_of_work(conn, Origin.of_event(envelope, self.name), self._clock, envelope)

    async def _process_one(self, delivery: _Delivery) -> str:
        """Apply one record in its own transaction with bounded retries: applied, duplicate or dead_lettered.

        Raises _Abandoned when ``close`` interrupts its retries.
        """
        record = delivery.record
        position = {"topic": record.topic, "partition": record.partition, "offset": record.offset}
        with structlog.contextvars.bound_contextvars(**_event_fields(delivery.envelope)):
            failures = 0  # attempts that failed while the database answered: these count against the bound
            outage_attempts = 0
            while True:
                try:
                    # The record in hand is finished even when closing: its transaction is short.
                    applied = await self._apply_all([delivery], abandon_on_close=False)
                except ContractViolation as violation:
                    await self._dead_letter(record, violation, attempts=failures + 1)
                    return "dead_lettered"
                except Exception as error:
                    if await self._database_unreachable():
                        outage_attempts += 1
                        delay = self._outage_delay(outage_attempts, error, **position)
                    else:
                        failures += 1
                        if failures > self._max_retries:
                            await self._dead_letter(record, error, attempts=failures)
                            return "dead_lettered"
                        delay = min(self._retry_backoff_s * 2 ** (failures - 1), _MAX_BACKOFF_S)
                        log.warning("event_retry", attempt=failures, delay_s=delay, error=repr(error), **position)
                    if not await self._pause(delay):
                        log.info("event_abandoned_at_shutdown", **position)
                        raise _Abandoned from error
                    continue
                return "applied" if applied else "duplicate"

    def _outage_delay(self, attempt: int, error: BaseException, **where: object) -> float:
        """The wait before the next attempt while the database is unreachable (logged); doubles up to a cap."""
        delay: float = min(self._retry_backoff_s * 2 ** (attempt - 1), _OUTAGE_MAX_BACKOFF_S)
        log.warning("event_waiting_for_database", outage_attempt=attempt, delay_s=delay, error=repr(error), **where)
        return delay

    async def _pause(self, delay: float) -> bool:
        """Sleep ``delay`` seconds unless ``close`` is called first; False when closing."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closing.wait(), timeout=delay)
        return not self._closing.is_set()

    async def _database_unreachable(self) -> bool:
        """Whether a fresh ``SELECT 1`` fails: tells an outage from a failure of these records."""
        assert self._pool is not None
        try:
            async with asyncio.timeout(_PROBE_TIMEOUT_S), self._pool.acquire() as conn:
                await conn.fetchval("SELECT 1")
        except Exception:
            # Refused, reset, restarting (57P03), pool exhausted until the timeout: all "not now".
            return True
        return False

    async def _dead_letter(self, record: Record, error: BaseException, attempts: int) -> None:
        """Write the record unchanged to ``<topic>.dlq`` with the reason; retried until Kafka takes it.

        Raises _Abandoned when ``close`` interrupts the retries: the record then stays uncommitted.
        """
        assert self._broker is not None, "attach() the consumer first"
        reason = {
            "dlq_consumer": self.name,
            "dlq_error_class": type(error).__name__,
            "dlq_error_message": str(error)[:2000],
            "dlq_original_topic": record.topic,
            "dlq_original_partition": str(record.partition),
            "dlq_original_offset": str(record.offset),
            "dlq_attempts": str(attempts),
        }
        # Keep the original ce_* headers so a re-drive replays the exact event.
        headers = {name: value.decode(errors="replace") for name, value in record.headers}
        headers.update(reason)
        delay = self._retry_backoff_s
        while True:
            try:
                await self._broker.publish(
                    record.value or b"", dead_letter_topic(record.topic), key=record.key, headers=headers
                )
                break
            except Exception as publish_error:
                # Committing the offset without a durable dead letter would lose the record: keep trying.
                log.exception("dead_letter_publish_failed", **reason)
                if not await self._pause(delay):
                    raise _Abandoned from publish_error
                delay = min(delay * 2, _MAX_BACKOFF_S)
        log.error("event_dead_lettered", **reason)
