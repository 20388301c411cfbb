"""Event consumers: contract decoding, idempotent inbox, retries and dead letters.

Every subscriber the platform runs is built here, so the delivery rules hold everywhere:

- commit policy is manual: an offset is committed only after the message's effects committed in
  PostgreSQL, or after it was written to the dead-letter topic;
- the inbox row and the handler's writes share one transaction, so a redelivery changes nothing;
- while the service's database is unreachable (restart, failover, network) the record is retried
  without limit, with backoff capped at a few seconds: the outage is not the message's fault, and
  dead-lettering every valid event that arrives during it would turn a restart into a mass re-drive;
- any other failure (a handler bug, a constraint the event breaks) is retried ``max_retries`` times
  with exponential backoff while the database answers, then dead-lettered, so one bad message never
  blocks its partition;
- a record that is not valid JSON, violates its contract or has an unknown type goes straight to
  ``<topic>.dlq`` with headers naming the consumer, the error and the original position;
- on shutdown (``close``) a record that is still failing is abandoned uncommitted: it is redelivered
  to whichever instance owns the partition next.

Error classes raised while handling a record::

    Exception
    ├── ContractViolation      bad envelope, bad payload, unknown type: dead-lettered at once
    └── anything else          database unreachable (checked with a probe): retried until it answers;
                               database reachable: retried ``max_retries`` times, then dead-lettered
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import asyncpg
import structlog
from aiokafka.structs import ConsumerRecord
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from faststream.message import StreamMessage
from pydantic import ValidationError

from common.db import Connection
from common.inbox import claim_event
from common.logging import get_logger
from contracts import Event, EventEnvelope, dead_letter_topic, event_type_of

__all__ = ["ContractViolation", "EventConsumer", "EventContext"]

log = get_logger(__name__)

E = TypeVar("E", bound=Event)

# Backoff caps: a record failing on its own waits up to 10 s between attempts; during a database outage
# the database is probed at least every 2 s, so a restarted server is picked up quickly.
_MAX_BACKOFF_S = 10.0
_OUTAGE_MAX_BACKOFF_S = 2.0
# How long the database probe may take before the database counts as unreachable.
_PROBE_TIMEOUT_S = 5.0


class ContractViolation(Exception):
    """A record that can never be processed as it is: malformed, invalid or of an unknown type."""


@dataclass(frozen=True)
class EventContext:
    """What a handler gets besides the payload: the envelope and the open transaction."""

    envelope: EventEnvelope
    conn: Connection


Handler = Callable[[Any, EventContext], Awaitable[None]]


def decode(record: ConsumerRecord[bytes, bytes]) -> tuple[EventEnvelope, Event]:
    """Parse a Kafka record into envelope and payload; raise ContractViolation when it cannot be."""
    try:
        envelope = EventEnvelope.from_headers(record.headers)
    except ValidationError as error:
        raise ContractViolation(f"invalid CloudEvents headers: {error.errors(include_url=False)}") from error
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


async def _undecoded(message: StreamMessage[Any]) -> bytes:
    """FastStream decoder that leaves the body as bytes; ``decode`` does the real work."""
    return message.body


class EventConsumer:
    """One service's consumer group: register handlers per event type, then ``attach`` to a broker."""

    def __init__(
        self,
        name: str,
        pool: asyncpg.Pool | None,
        *,
        max_retries: int = 5,
        retry_backoff_s: float = 0.2,
    ) -> None:
        self.name = name
        self._pool = pool
        self._max_retries = max_retries
        self._retry_backoff_s = retry_backoff_s
        self._handlers: dict[str, Handler] = {}
        self._topics: dict[str, list[str]] = {}
        self._broker: KafkaBroker | None = None
        self._closing = asyncio.Event()
        self._in_hand = 0
        self._idle = asyncio.Event()
        self._idle.set()

    def on(self, event_class: type[E]) -> Callable[[Callable[[E, EventContext], Awaitable[None]]], Handler]:
        """Decorator: run the function for every ``event_class`` event, inside the inbox transaction."""

        def register(function: Callable[[E, EventContext], Awaitable[None]]) -> Handler:
            self._handlers[event_class.event_type] = function
            self._topics.setdefault(event_class.topic, []).append(event_class.__name__)
            return function

        return register

    @property
    def handled_types(self) -> list[str]:
        """The CloudEvents types this consumer has handlers for."""
        return sorted(self._handlers)

    @property
    def topics(self) -> list[str]:
        """The topics this consumer subscribes to."""
        return sorted(self._topics)

    def attach(self, broker: KafkaBroker) -> None:
        """Create one manually-acknowledged FastStream subscriber per topic on ``broker``."""
        self._broker = broker
        for topic, event_names in sorted(self._topics.items()):
            subscriber = broker.subscriber(
                topic,
                group_id=self.name,
                # Manual: commit only after effects or dead letter are durable (see module docstring).
                ack_policy=AckPolicy.MANUAL,
                auto_offset_reset="earliest",
                # Each topic's subscriber is its own group member, so a join or leave anywhere rebalances
                # them all; members learn of a rebalance at their next heartbeat. 1 s instead of 3 s
                # shortens every such pause (one small request per second per member is cheap).
                heartbeat_interval_ms=1000,
                # FastStream would JSON-decode the body before our code runs; bad JSON must reach
                # ``process`` so it can be dead-lettered, so the body is passed through untouched.
                decoder=_undecoded,
                title=f"{self.name}:{topic}",
                description=f"{self.name} handles {', '.join(event_names)}; other types are skipped.",
            )
            subscriber(self._consume)

    def close(self) -> None:
        """Take no new record and stop retrying: a record still failing is left uncommitted (redelivered later)."""
        self._closing.set()

    async def drain(self, timeout: float) -> bool:
        """After ``close``: wait until the records in hand are finished and committed; False on timeout.

        The service calls this before stopping the broker. Each topic has its own subscriber in the
        service's group, and the first one to leave the group starts a rebalance during which Kafka
        refuses the others' commits: so every record in hand commits first, then the members leave.
        """
        try:
            await asyncio.wait_for(self._idle.wait(), timeout=timeout)
        except TimeoutError:
            return False
        return True

    async def _consume(self, message: KafkaMessage) -> None:
        """FastStream entry point for one record: commit its offset once it is applied or dead-lettered."""
        if self._closing.is_set():
            # Shutting down: not applied, not committed; the partition's next owner gets it. (Records are
            # handled one at a time per subscriber, so no later commit here can cover this one.)
            return
        record: ConsumerRecord[bytes, bytes] = message.raw_message
        self._in_hand += 1
        self._idle.clear()
        try:
            if await self.process(record):
                await message.ack()
        finally:
            self._in_hand -= 1
            if not self._in_hand:
                self._idle.set()

    async def process(self, record: ConsumerRecord[bytes, bytes]) -> bool:
        """Apply one record exactly once in effect, or dead-letter it; False only when abandoned by ``close``.

        Never raises for a bad record. True means the record is done with (its offset may be committed).
        """
        position = {"topic": record.topic, "partition": record.partition, "offset": record.offset}
        try:
            envelope, payload = decode(record)
        except ContractViolation as violation:
            return await self._dead_letter(record, violation, attempts=1)
        handler = self._handlers.get(envelope.type)
        if handler is None:
            return True  # A known event this service does not need: skipping it is the contract.
        with structlog.contextvars.bound_contextvars(
            event_id=str(envelope.id),
            event_type=envelope.type,
            correlation_id=str(envelope.correlationid),
            subject=envelope.subject,
            tenant=envelope.tenant,
        ):
            failures = 0  # attempts that failed while the database answered: these count against the bound
            outage_attempts = 0
            while True:
                try:
                    applied = await self._apply(handler, envelope, payload)
                except ContractViolation as violation:
                    return await self._dead_letter(record, violation, attempts=failures + 1)
                except Exception as error:
                    if await self._database_unreachable():
                        outage_attempts += 1
                        delay = min(self._retry_backoff_s * 2 ** (outage_attempts - 1), _OUTAGE_MAX_BACKOFF_S)
                        log.warning(
                            "event_waiting_for_database",
                            outage_attempt=outage_attempts,
                            delay_s=delay,
                            error=repr(error),
                            **position,
                        )
                    else:
                        failures += 1
                        if failures > self._max_retries:
                            return await self._dead_letter(record, error, attempts=failures)
                        delay = min(self._retry_backoff_s * 2 ** (failures - 1), _MAX_BACKOFF_S)
                        log.warning("event_retry", attempt=failures, delay_s=delay, error=repr(error), **position)
                    if not await self._pause(delay):
                        log.info("event_abandoned_at_shutdown", **position)
                        return False
                    continue
                log.info("event_applied" if applied else "event_duplicate_skipped", **position)
                return True

    async def _pause(self, delay: float) -> bool:
        """Sleep ``delay`` seconds unless ``close`` is called first; False when closing."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closing.wait(), timeout=delay)
        return not self._closing.is_set()

    async def _database_unreachable(self) -> bool:
        """Whether a fresh ``SELECT 1`` fails: tells an outage from a failure of this one record."""
        assert self._pool is not None
        try:
            async with asyncio.timeout(_PROBE_TIMEOUT_S), self._pool.acquire() as conn:
                await conn.fetchval("SELECT 1")
        except Exception:
            # Refused, reset, restarting (57P03), pool exhausted until the timeout: all "not now".
            return True
        return False

    async def _apply(self, handler: Handler, envelope: EventEnvelope, payload: Event) -> bool:
        """Run the handler and the inbox claim in one transaction; False for a duplicate."""
        assert self._pool is not None, "a consumer built without a pool only describes itself (AsyncAPI)"
        async with self._pool.acquire() as conn, conn.transaction():
            if not await claim_event(conn, self.name, envelope.id, envelope.type):
                return False
            await handler(payload, EventContext(envelope=envelope, conn=conn))
            return True

    async def _dead_letter(self, record: ConsumerRecord[bytes, bytes], error: BaseException, attempts: int) -> bool:
        """Write the record unchanged to ``<topic>.dlq`` with the reason; retried until Kafka takes it.

        Returns False only when ``close`` interrupts the retries: the record then stays uncommitted.
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
            except Exception:
                # Committing the offset without a durable dead letter would lose the record: keep trying.
                log.exception("dead_letter_publish_failed", **reason)
                if not await self._pause(delay):
                    return False
                delay = min(delay * 2, _MAX_BACKOFF_S)
        log.error("event_dead_lettered", **reason)
        return True
