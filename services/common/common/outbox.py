"""Transactional outbox: write events with the state change, and a relay that publishes them to Kafka."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Sequence
from typing import Any

import asyncpg
from aiokafka import AIOKafkaProducer

from common.db import Connection
from common.logging import get_logger
from contracts import Event, EventEnvelope

__all__ = ["OutboxRelay", "add_to_outbox", "make_envelope"]

log = get_logger(__name__)


def make_envelope(
    event: Event, *, source: str, tenant: str, region: str, correlation_id: Any = None, causation_id: Any = None
) -> EventEnvelope:
    """The envelope for a new event about ``event.subject()``."""
    extras: dict[str, Any] = {}
    if correlation_id is not None:
        extras["correlationid"] = correlation_id
    if causation_id is not None:
        extras["causationid"] = causation_id
    return EventEnvelope(
        source=source, type=event.event_type, subject=event.subject(), tenant=tenant, region=region, **extras
    )


async def add_to_outbox(conn: Connection, event: Event, envelope: EventEnvelope) -> None:
    """Queue ``event`` for publication; call inside the transaction that makes the change it describes."""
    headers = [[name, value.decode()] for name, value in envelope.to_headers()]
    await conn.execute(
        "INSERT INTO outbox (topic, key, headers, payload) VALUES ($1, $2, $3::jsonb, $4)",
        event.topic,
        envelope.subject,
        json.dumps(headers),
        event.model_dump_json().encode(),
    )


# Only one relay publishes at a time, whatever the number of instances: that keeps per-key order
# without reasoning about interleaved batches. The lock is per transaction, so a crashed relay's
# lock is released with its connection and another instance takes over.
_RELAY_LOCK_ID = 7_301_555_002


class OutboxRelay:
    """Publishes outbox rows in id order, marking a row published only after Kafka acknowledged it."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        bootstrap_servers: str,
        *,
        poll_interval_s: float = 1.0,
        batch_size: int = 500,
    ) -> None:
        self._pool = pool
        self._bootstrap_servers = bootstrap_servers
        self._poll_interval_s = poll_interval_s
        self._batch_size = batch_size
        self._producer: AIOKafkaProducer | None = None
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._listener: Connection | None = None
        self._stopping = False

    async def start(self) -> None:
        """Connect the idempotent producer, listen for NOTIFY and start the publishing loop."""
        self._producer = AIOKafkaProducer(
            bootstrap_servers=self._bootstrap_servers,
            acks="all",
            enable_idempotence=True,
            linger_ms=5,
        )
        await self._producer.start()
        listener = await self._pool.acquire()
        await listener.add_listener("outbox", self._on_notify)
        self._listener = listener
        self._task = asyncio.create_task(self._run(), name="outbox-relay")

    def _on_notify(self, *_: object) -> None:
        self._wake.set()

    async def stop(self) -> None:
        """Publish what is pending (best effort), then close the producer and the listener."""
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            await self._task
        if self._listener is not None:
            await self._listener.remove_listener("outbox", self._on_notify)
            await self._pool.release(self._listener)  # type: ignore[arg-type]
        if self._producer is not None:
            await self._producer.stop()

    async def _run(self) -> None:
        while True:
            try:
                published = await self.publish_pending()
            except Exception:
                # Broker or database unavailable: rows stay unpublished and are retried.
                log.warning("outbox_publish_failed", exc_info=True)
                published = 0
            if self._stopping:
                return
            if published:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self._poll_interval_s)
            self._wake.clear()

    async def publish_pending(self) -> int:
        """Publish one batch of unpublished rows; returns how many were published."""
        assert self._producer is not None, "start() the relay first"
        async with self._pool.acquire() as conn, conn.transaction():
            if not await conn.fetchval("SELECT pg_try_advisory_xact_lock($1)", _RELAY_LOCK_ID):
                return 0
            rows = await conn.fetch(
                "SELECT id, topic, key, headers, payload FROM outbox"
                " WHERE published_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE",
                self._batch_size,
            )
            if not rows:
                return 0
            await self._send_all(rows)
            await conn.execute(
                "UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[])", [r["id"] for r in rows]
            )
        log.debug("outbox_published", count=len(rows))
        return len(rows)

    async def _send_all(self, rows: Sequence[asyncpg.Record]) -> None:
        """Send rows in order and wait for every acknowledgement (idempotent producer keeps per-key order)."""
        assert self._producer is not None
        futures = [
            await self._producer.send(
                row["topic"],
                value=bytes(row["payload"]),
                key=row["key"].encode(),
                headers=[(name, value.encode()) for name, value in json.loads(row["headers"])],
            )
            for row in rows
        ]
        await asyncio.gather(*futures)
