"""Event consumers: contract decoding, idempotent inbox, bounded retries and dead letters.

Every subscriber the platform runs is built here, so the delivery rules hold everywhere:

- commit policy is manual: an offset is committed only after the message's effects committed in
  PostgreSQL, or after it was written to the dead-letter topic;
- the inbox row and the handler's writes share one transaction, so a redelivery changes nothing;
- transient failures (database or broker unavailable) are retried with exponential backoff, a
  bounded number of times; then the message is dead-lettered so it never blocks its partition;
- a record that is not valid JSON, violates its contract or has an unknown type goes straight to
  ``<topic>.dlq`` with headers naming the consumer, the error and the original position.

Error classes raised while handling a record::

    Exception
    ├── ContractViolation      bad envelope, bad payload, unknown type: dead-lettered at once
    └── anything else          retried ``max_retries`` times, then dead-lettered
"""

from __future__ import annotations

import asyncio
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
                # FastStream would JSON-decode the body before our code runs; bad JSON must reach
                # ``process`` so it can be dead-lettered, so the body is passed through untouched.
                decoder=_undecoded,
                title=f"{self.name}:{topic}",
                description=f"{self.name} handles {', '.join(event_names)}; other types are skipped.",
            )
            subscriber(self._consume)

    async def _consume(self, message: KafkaMessage) -> None:
        """FastStream entry point for one record."""
        record: ConsumerRecord[bytes, bytes] = message.raw_message
        await self.process(record)
        await message.ack()

    async def process(self, record: ConsumerRecord[bytes, bytes]) -> None:
        """Apply one record exactly once in effect, or dead-letter it; never raises for a bad record."""
        position = {"topic": record.topic, "partition": record.partition, "offset": record.offset}
        try:
            envelope, payload = decode(record)
        except ContractViolation as violation:
            await self._dead_letter(record, violation, attempts=1)
            return
        handler = self._handlers.get(envelope.type)
        if handler is None:
            return  # A known event this service does not need: skipping it is the contract.
        with structlog.contextvars.bound_contextvars(
            event_id=str(envelope.id),
            event_type=envelope.type,
            correlation_id=str(envelope.correlationid),
            subject=envelope.subject,
            tenant=envelope.tenant,
        ):
            attempt = 0
            while True:
                attempt += 1
                try:
                    applied = await self._apply(handler, envelope, payload)
                except ContractViolation as violation:
                    await self._dead_letter(record, violation, attempts=attempt)
                    return
                except Exception as error:
                    if attempt > self._max_retries:
                        await self._dead_letter(record, error, attempts=attempt)
                        return
                    delay = min(self._retry_backoff_s * 2 ** (attempt - 1), 10.0)
                    log.warning("event_retry", attempt=attempt, delay_s=delay, error=repr(error), **position)
                    await asyncio.sleep(delay)
                    continue
                log.info("event_applied" if applied else "event_duplicate_skipped", **position)
                return

    async def _apply(self, handler: Handler, envelope: EventEnvelope, payload: Event) -> bool:
        """Run the handler and the inbox claim in one transaction; False for a duplicate."""
        assert self._pool is not None, "a consumer built without a pool only describes itself (AsyncAPI)"
        async with self._pool.acquire() as conn, conn.transaction():
            if not await claim_event(conn, self.name, envelope.id, envelope.type):
                return False
            await handler(payload, EventContext(envelope=envelope, conn=conn))
            return True

    async def _dead_letter(self, record: ConsumerRecord[bytes, bytes], error: BaseException, attempts: int) -> None:
        """Write the record unchanged to ``<topic>.dlq`` with the reason; retried until Kafka takes it."""
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
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)
        log.error("event_dead_lettered", **reason)
