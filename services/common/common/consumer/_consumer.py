"""``EventConsumer``: one service's consumer group, its handlers, and the delivery rules of a batch."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeAlias, TypeVar, cast

import asyncpg
import structlog
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.subscriber.usecase import BatchSubscriber

from common.clock import Clock, SystemClock
from common.consumer._batch import Abandoned, DecodedBatch, Delivery, offset_ranges, topics_of
from common.consumer._decode import Record, decode
from common.consumer._pipeline import Pipeline
from common.db import Connection
from common.errors import ContractViolation
from common.inbox import claim_events
from common.logging import get_logger
from common.observability import ConsumerMetrics
from common.settings import DEFAULT_BATCH_SIZE
from common.tracing import Tracing
from common.uow import Origin, PostgresUnitOfWork, UnitOfWorkFactory
from contracts import Event, EventEnvelope, dead_letter_topic

__all__ = ["BatchContext", "EventConsumer", "Opener"]

log = get_logger(__name__)

E = TypeVar("E", bound=Event)
W = TypeVar("W", bound=PostgresUnitOfWork)

# Backoff caps: a record failing on its own waits up to 10 s between attempts; during a database outage
# the database is probed at least every 2 s, so a restarted server is picked up quickly.
_MAX_BACKOFF_S = 10.0
_OUTAGE_MAX_BACKOFF_S = 2.0
# Deadlocks and serialization failures between concurrent transactions: a batch is retried whole this often.
_CONFLICTS = (asyncpg.DeadlockDetectedError, asyncpg.SerializationError)
_CONFLICT_RETRIES = 3
# How long the database probe may take before the database counts as unreachable.
_PROBE_TIMEOUT_S = 5.0


class Opener(Protocol):
    """Opens the sealed profile fields of an event before its handler sees it (``common.keyring.KeyRing``)."""

    async def open(self, event: Event) -> Event:
        """``event`` with its sealed fields in the clear (at their placeholders when shredded); ContractViolation when
        the sealed text does not open."""
        ...


@dataclass(frozen=True)
class BatchContext:
    """What a batch handler gets besides the payloads: their envelopes (same order) and the open transaction."""

    envelopes: Sequence[EventEnvelope]
    conn: Connection


Handler = Callable[[Any, Any], Awaitable[None]]
# A handler of one event type, given the service's unit of work.
EventHandler: TypeAlias = Callable[[E, W], Awaitable[None]]
BatchHandler = Callable[[Sequence[Any], BatchContext], Awaitable[None]]
# A service's locks for a whole transaction, given the new events it is about to apply (in order), as a batch
# handler is given its run.
BeforeRuns = Callable[[Sequence[Event], BatchContext], Awaitable[None]]


@dataclass(frozen=True)
class _Route:
    """Where events of one type go: a handler per event, or per run of consecutive events."""

    handler: Handler | BatchHandler
    batched: bool


def _event_fields(envelope: EventEnvelope) -> dict[str, str]:
    """Log context of one event."""
    return {
        "event_id": str(envelope.id),
        "event_type": envelope.type,
        "correlation_id": str(envelope.correlationid),
        "subject": envelope.subject,
        "tenant": envelope.tenant,
    }


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
        metrics: ConsumerMetrics | None = None,
        opener: Opener | None = None,
        tracing: Tracing | None = None,
    ) -> None:
        self.name = name
        # Only services that read sealed fields get an opener; the others see them at their placeholders.
        self._opener = opener
        self._metrics = metrics
        self._tracing = tracing or Tracing.off()
        self._pool = pool
        self._unit_of_work = unit_of_work
        self._clock = clock or SystemClock()
        self._max_retries = max_retries
        self._retry_backoff_s = retry_backoff_s
        self._batch_size = batch_size
        self._routes: dict[str, _Route] = {}
        self._before_runs: BeforeRuns | None = None
        self._topics: dict[str, list[str]] = {}
        self._broker: KafkaBroker | None = None
        self._subscriber: BatchSubscriber | None = None
        self._pipeline: Pipeline | None = None
        self._closing = asyncio.Event()

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

    def before_runs(self, function: BeforeRuns) -> BeforeRuns:
        """Decorator: call ``function`` in every transaction, after the inbox claim and before the first handler.

        It gets the new events the transaction applies (their types, the entities they are about), for locks a
        service takes in one fixed order for the whole transaction: a lock taken by a later run or event, after
        an earlier one's, could deadlock with a transaction that takes them the other way round.
        """
        self._before_runs = function
        return function

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
        """Create the service's one group member on ``broker``: a FastStream subscriber to all its topics.

        One member, however many topics: a service joins its group once and rebalances once, instead of a
        member per topic joining one after another (each join rebalancing every member before it).
        """
        self._broker = broker
        if not self._topics:
            return
        handled = ", ".join(name for _, names in sorted(self._topics.items()) for name in names)
        self._subscriber = broker.subscriber(
            *self.topics,
            group_id=self.name,
            batch=True,
            # Manual: commit only after effects or dead letter are durable (see the package docstring).
            ack_policy=AckPolicy.MANUAL,
            auto_offset_reset="earliest",
            # Members learn of a rebalance (another instance joining or leaving) at their next heartbeat:
            # 1 s instead of 3 s shortens that pause, for one small request per second.
            heartbeat_interval_ms=1000,
            title=self.name,
            description=f"{self.name} handles {handled}; other types are skipped.",
        )

    async def start(self) -> None:
        """Begin consuming, once the broker started (its subscriber joined the group): fetch, apply, commit.

        The subscriber registers no FastStream handler: FastStream connects it, joins the group and leaves
        it at ``broker.stop()``, while the records are taken from its Kafka consumer here (``_pipeline``).
        FastStream's own batch loop sleeps after every empty fetch, so a lone record on a quiet topic would
        wait out that sleep, and it decodes every header of every record once more for its message object.
        """
        if self._subscriber is None:
            return
        kafka = self._subscriber.consumer
        assert kafka is not None, "start the broker before the consumer"
        self._pipeline = Pipeline(
            kafka,
            batch_size=self._batch_size,
            decode=self._decode_batch,
            apply=self._apply_retrying,
            closing=self._closing,
            retry_backoff_s=self._retry_backoff_s,
            fetched=self._fetched,
            committed=self._committed,
        )
        self._pipeline.start()

    def backlogged_within(self, seconds: float) -> bool:
        """Whether the consumer had more records in hand than one batch within the last ``seconds``.

        True while it catches up (a burst, a restart after downtime); work that can wait defers to it.
        """
        since = self._pipeline.backlogged_at if self._pipeline is not None else None
        return since is not None and time.monotonic() - since < seconds

    def close(self) -> None:
        """Take no new batch, roll back the one in hand, stop retrying: nothing unfinished is committed."""
        self._closing.set()

    async def drain(self, timeout: float) -> bool:
        """After ``close``: wait until the batch in hand is finished or rolled back and the done ones committed.

        False on timeout. The service calls this before stopping the broker, since leaving the group starts a
        rebalance during which Kafka refuses commits: so every finished batch commits first, then it leaves.
        """
        if self._pipeline is None:
            return True
        try:
            async with asyncio.timeout(timeout):
                await self._pipeline.drain()
        except TimeoutError:
            self._pipeline.cancel()
            return False
        return True

    def _fetched(self, records: Sequence[Record]) -> None:
        """Called with every batch taken from Kafka, before it is decoded (a seam for measurements)."""
        if self._metrics is not None:
            self._metrics.fetched(len(records))

    def _committed(self, records: int) -> None:
        """Called when the offsets of ``records`` more applied records are committed (a seam for measurements)."""
        if self._metrics is not None:
            self._metrics.committed(records)

    def _batch_done(self, decoded: DecodedBatch, mode: str, oldest_applied: datetime | None) -> None:
        """Called when a batch's transaction committed (or its records were dead-lettered): count it."""
        if self._metrics is None or not decoded.records:
            return
        tally = decoded.tally
        self._metrics.batch_done(
            # The pipeline's lanes are per topic, so a batch holds one topic's records.
            decoded.records[0].topic,
            mode=mode,
            outcomes={
                "applied": tally.applied,
                "duplicate": tally.duplicates,
                "skipped": tally.skipped,
                "dead_lettered": tally.dead_lettered,
            },
            seconds=time.perf_counter() - decoded.started,
            oldest_applied_age_s=time.time() - oldest_applied.timestamp() if oldest_applied is not None else None,
        )

    async def _apply_retrying(self, decoded: DecodedBatch) -> bool:
        """Apply a decoded batch (``_apply_decoded``) until it passes; False when abandoned at shutdown.

        A failure of the runtime itself (records' failures are retried and dead-lettered inside) is retried
        with backoff until it passes or the service stops: skipping the batch would let a later commit cover
        it. Records already applied are skipped by the inbox.
        """
        attempt = 0
        while True:
            try:
                return await self._apply_decoded(decoded)
            except Exception:
                attempt += 1
                delay = min(self._retry_backoff_s * 2 ** (attempt - 1), _MAX_BACKOFF_S)
                log.exception("batch_failed_unexpectedly", topics=topics_of(decoded.records), attempt=attempt)
                if not await self._pause(delay):
                    return False

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
        except Abandoned:
            log.info("batch_abandoned_at_shutdown", topics=topics_of(records), offsets=offset_ranges(records))
            return False
        return await self._apply_decoded(decoded)

    async def _decode_batch(self, records: Sequence[Record]) -> DecodedBatch:
        """Decode every record; contract violations go to the dead-letter topic now, unneeded types are skipped."""
        decoded = DecodedBatch(records=records)
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
            if self._opener is not None and type(payload).sealed_fields:
                try:
                    payload = await self._opener.open(payload)
                except ContractViolation as violation:
                    await self._dead_letter(record, violation, attempts=1)
                    decoded.tally.dead_lettered += 1
                    continue
            decoded.deliveries.append(Delivery(record, envelope, payload))
        return decoded

    async def _apply_decoded(self, decoded: DecodedBatch) -> bool:
        """``_apply_and_log`` in the batch's span (``Tracing.batch_span``) when tracing is on and there is work."""
        if not self._tracing.enabled or not decoded.deliveries:
            return await self._apply_and_log(decoded)
        deliveries = decoded.deliveries
        topic = deliveries[0].record.topic  # the pipeline's lanes are per topic
        with self._tracing.batch_span(
            f"process {topic}",
            [delivery.envelope.traceparent for delivery in deliveries],
            **{
                "messaging.system": "kafka",
                "messaging.operation.type": "process",
                "messaging.destination.name": topic,
                "messaging.consumer.group.name": self.name,
                "messaging.batch.message_count": len(decoded.records),
            },
        ) as span:
            done = await self._apply_and_log(decoded)
            if span is not None:
                tally = decoded.tally
                span.set_attributes(
                    {
                        "consumer.applied": tally.applied,
                        "consumer.duplicates": tally.duplicates,
                        "consumer.dead_lettered": tally.dead_lettered,
                    }
                )
            return done

    async def _apply_and_log(self, decoded: DecodedBatch) -> bool:
        """Apply a decoded batch (whole, else record by record) and log it; False when abandoned at shutdown.

        Runs in the batch's span (when tracing is on), so the events its handlers emit carry it on.
        """
        records, deliveries, tally = decoded.records, decoded.deliveries, decoded.tally
        mode = "batch"
        oldest_applied: datetime | None = None
        try:
            applied = await self._apply_batch(deliveries) if len(deliveries) > 1 else None
            if applied is not None:
                tally.applied = len(applied)
                tally.duplicates = len(deliveries) - len(applied)
                tally.applied_partitions = {(d.record.topic, d.record.partition) for d in applied}
                if applied and self._metrics is not None:
                    oldest_applied = min(delivery.envelope.time for delivery in applied)
            elif deliveries:
                # One record, or a batch that failed as a whole: one transaction per record finds the culprit.
                mode = "single" if len(deliveries) == 1 else "one_by_one"
                for delivery in deliveries:
                    outcome = await self._process_one(delivery)
                    tally.count(outcome, delivery)
                    if outcome == "applied" and (oldest_applied is None or delivery.envelope.time < oldest_applied):
                        oldest_applied = delivery.envelope.time
        except Abandoned:
            log.info("batch_abandoned_at_shutdown", topics=topics_of(records), offsets=offset_ranges(records))
            return False
        log.info(
            "batch_done",
            topics=topics_of(records),
            records=len(records),
            applied=tally.applied,
            duplicates=tally.duplicates,
            skipped=tally.skipped,
            dead_lettered=tally.dead_lettered,
            applied_partitions=tally.applied_by_topic(),
            offsets=offset_ranges(records),
            mode=mode,
            ms=round((time.perf_counter() - decoded.started) * 1000, 1),
        )
        self._batch_done(decoded, mode, oldest_applied)
        return True

    async def _apply_batch(self, deliveries: Sequence[Delivery]) -> list[Delivery] | None:
        """Apply every delivery in one transaction, waiting out database outages; the applied ones.

        None when the batch failed while the database answered: the caller applies it record by record.
        """
        outage_attempts = 0
        conflicts = 0
        while True:
            try:
                return await self._apply_all(deliveries)
            except Abandoned:
                raise
            except _CONFLICTS as error:
                # This batch crossed another transaction (another topic's batch, a request, a job) and PostgreSQL
                # aborted it. Whole again it will most likely pass; record by record would cost a transaction each.
                conflicts += 1
                if conflicts > _CONFLICT_RETRIES:
                    log.warning("batch_failed_applying_one_by_one", error=repr(error), records=len(deliveries))
                    return None
                log.info("batch_conflict_retried", error=repr(error), attempt=conflicts, records=len(deliveries))
                if not await self._pause(self._retry_backoff_s * conflicts):
                    raise Abandoned from error
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
                    raise Abandoned from error

    async def _apply_all(self, deliveries: Sequence[Delivery], *, abandon_on_close: bool = True) -> list[Delivery]:
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
            if fresh and self._before_runs is not None:
                await self._before_runs(
                    [d.payload for d in fresh], BatchContext(envelopes=[d.envelope for d in fresh], conn=conn)
                )
            for event_type, run in itertools.groupby(fresh, key=lambda delivery: delivery.envelope.type):
                route = self._routes[event_type]
                run_list = list(run)
                if route.batched:
                    if abandon_on_close and self._closing.is_set():
                        raise Abandoned
                    batch_handler = cast(BatchHandler, route.handler)
                    envelopes = [delivery.envelope for delivery in run_list]
                    await batch_handler([d.payload for d in run_list], BatchContext(envelopes=envelopes, conn=conn))
                    continue
                handler = cast(Handler, route.handler)
                for delivery in run_list:
                    if abandon_on_close and self._closing.is_set():
                        raise Abandoned
                    with structlog.contextvars.bound_contextvars(**_event_fields(delivery.envelope)):
                        await handler(delivery.payload, self._unit_of_work_for(conn, delivery.envelope))
            return fresh

    def _unit_of_work_for(self, conn: Connection, envelope: EventEnvelope) -> PostgresUnitOfWork:
        """The service's unit of work for one event, on the batch's transaction."""
        return self._unit_of_work(conn, Origin.of_event(envelope, self.name), self._clock, envelope)

    async def _process_one(self, delivery: Delivery) -> str:
        """Apply one record in its own transaction with bounded retries: applied, duplicate or dead_lettered.

        Raises Abandoned when ``close`` interrupts its retries.
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
                        raise Abandoned from error
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

        Raises Abandoned when ``close`` interrupts the retries: the record then stays uncommitted.
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
                    raise Abandoned from publish_error
                delay = min(delay * 2, _MAX_BACKOFF_S)
        log.error("event_dead_lettered", **reason)
