"""The volunteer data keys a consuming service learned, to open sealed volunteer profiles (issue 16).

A ``KeyRing`` reads the compacted key topic (``registry.volunteer-keys.v1``) with a consumer of its own (no
group: every instance reads every partition, from the beginning at each start) and keeps what it learned in
the service's ``volunteer_keys`` table, wrapped as published. A tombstone deletes the row at once.

"Key not yet here" versus "key gone": the registry's outbox relay publishes a key, acknowledged, before any
event sealed with it (``TopicSpec.published_first``). So when a sealed event arrives and its key is unknown,
the ring reads the key topic up to its end offsets as they are now; a key still unknown then was shredded
(erased volunteer, or compacted away after a tombstone) and the event applies with its sealed fields at their
placeholders.

The ring is the consumer's ``opener``: ``EventConsumer`` hands it every decoded event before the handlers
run. Services that do not need the fields have no ring and never open them.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from uuid import UUID

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.structs import ConsumerRecord
from pydantic import ValidationError

from common.kafka import KafkaTarget, kafka_client_options, offsets_client
from common.logging import get_logger
from common.sealing import KeyEncryptionKey, open_profile
from contracts import Event, topic_for
from contracts.events import KEY_TOPIC, VolunteerKeyIssued

__all__ = ["KeyRing"]

log = get_logger(__name__)

# How often the ring looks for new keys and tombstones while nothing asks it to: a tombstone reaches the
# service's table within about this long (README "Crypto-shredding").
_POLL_S = 1.0
_CATCH_UP_TIMEOUT_S = 30.0
# How long the broker holds the reader's fetch while the topic has nothing new (aiokafka's default).
_READ_WAIT_MS = 500


class KeyRing:
    """Volunteer data keys learned from the key topic, kept in ``volunteer_keys``; opens sealed events."""

    def __init__(self, pool: asyncpg.Pool, kafka: KafkaTarget, kek: KeyEncryptionKey, *, service: str) -> None:
        self._pool = pool
        self._kafka = kafka
        self._kek = kek
        self._service = service
        # What the table holds: each volunteer's key wrapped with the region key, as published. A start reads
        # the whole topic again (tens of thousands of keys in a region), so only a key that differs from this is
        # written, and a key is unwrapped when an event of theirs is first opened, not at start.
        self._wrapped: dict[UUID, str] = {}
        self._keys: dict[UUID, bytes] = {}
        # Ids found without a key after a catch-up: shredded for good (an erased volunteer gets no new key), so
        # their further events (a replay) need no catch-up each.
        self._shredded: set[UUID] = set()
        self._consumer: AIOKafkaConsumer | None = None
        # Asks for the end offsets (common.kafka.offsets_client): on the reader's connection they waited behind
        # its fetch of a topic with nothing new, half a second at every start and every key not read yet.
        self._offsets: AIOKafkaConsumer | None = None
        self._partitions: list[TopicPartition] = []
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Read the whole key topic, make the table agree with it, then follow it in the background."""
        consumer = AIOKafkaConsumer(
            **kafka_client_options(self._kafka),
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            client_id=f"{self._service}-keyring",
            fetch_max_wait_ms=_READ_WAIT_MS,
        )
        offsets = offsets_client(self._kafka, client_id=f"{self._service}-keyring-offsets")
        await asyncio.gather(consumer.start(), offsets.start())
        self._consumer, self._offsets = consumer, offsets
        # The catalogue fixes the partition count (provisioning created the topic so).
        self._partitions = [TopicPartition(KEY_TOPIC, p) for p in range(topic_for(KEY_TOPIC).partitions)]
        consumer.assign(self._partitions)
        await consumer.seek_to_beginning(*self._partitions)
        async with self._pool.acquire() as conn:
            rows = await conn.fetch("SELECT volunteer_id, wrapped_key FROM volunteer_keys")
        self._wrapped = {row["volunteer_id"]: row["wrapped_key"] for row in rows}
        seen = await self.catch_up()
        # Keys compacted away while the service was down (the tombstone too, after delete.retention.ms):
        # absent from the topic now means shredded, so the copy goes.
        gone = [volunteer_id for volunteer_id in self._wrapped if volunteer_id not in seen]
        await self._forget(gone)
        log.info("keyring_started", keys=len(self._wrapped), forgotten=len(gone))
        self._task = asyncio.create_task(self._follow(), name=f"{self._service}-keyring")

    async def stop(self, timeout: float = 5.0) -> None:
        """Stop following the key topic."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        for client in (self._consumer, self._offsets):
            if client is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(client.stop(), timeout)

    async def _follow(self) -> None:
        while True:
            try:
                await self.catch_up()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("keyring_follow_failed", exc_info=True)
            await asyncio.sleep(_POLL_S)

    async def catch_up(self) -> set[UUID]:
        """Read the key topic up to its end offsets as they are now; the ids with a live key among what was read."""
        consumer, offsets = self._consumer, self._offsets
        assert consumer is not None, "start the key ring first"
        assert offsets is not None, "start the key ring first"
        live: set[UUID] = set()
        async with self._lock:
            ends = await offsets.end_offsets(self._partitions)
            async with asyncio.timeout(_CATCH_UP_TIMEOUT_S):
                while await self._behind(ends):
                    batches = await consumer.getmany(*self._partitions, timeout_ms=200)
                    for records in batches.values():
                        live = await self._apply(records, live)
        return live

    async def _behind(self, ends: dict[TopicPartition, int]) -> bool:
        """Whether some partition's position is still before its end offset in ``ends``."""
        assert self._consumer is not None
        for tp, end in ends.items():
            if await self._consumer.position(tp) < end:
                return True
        return False

    async def _apply(self, records: Sequence[ConsumerRecord[bytes, bytes]], live: set[UUID]) -> set[UUID]:
        """Learn the keys among ``records`` and forget the tombstoned ones, in order."""
        learned: dict[UUID, str] = {}
        for record in records:
            try:
                volunteer_id = UUID((record.key or b"").decode())
            except ValueError:
                log.warning("keyring_record_without_volunteer_id", offset=record.offset, partition=record.partition)
                continue
            if record.value is None:
                learned.pop(volunteer_id, None)
                live.discard(volunteer_id)
                self._shredded.add(volunteer_id)
                await self._forget([volunteer_id])
                continue
            try:
                issued = VolunteerKeyIssued.model_validate_json(record.value)
            except ValidationError:
                log.warning("keyring_unreadable_key", offset=record.offset, partition=record.partition)
                continue
            if issued.kek_fingerprint != self._kek.fingerprint:
                # Every key would fail the same way: a misconfigured region, not a bad record.
                raise RuntimeError(
                    f"key of {volunteer_id} was wrapped with region key {issued.kek_fingerprint}, this service has"
                    f" {self._kek.fingerprint}: REGION_KEY_ENCRYPTION_KEY differs from the registry's"
                )
            if self._remember(volunteer_id, issued.wrapped_key):
                learned[volunteer_id] = issued.wrapped_key
            live.add(volunteer_id)
        if learned:
            async with self._pool.acquire() as conn:
                await conn.executemany(
                    "INSERT INTO volunteer_keys (volunteer_id, wrapped_key) VALUES ($1, $2)"
                    " ON CONFLICT (volunteer_id) DO UPDATE SET wrapped_key = EXCLUDED.wrapped_key",
                    list(learned.items()),
                )
        return live

    def _remember(self, volunteer_id: UUID, wrapped: str) -> bool:
        """Hold ``wrapped`` as the volunteer's key; whether it differs from what was held (and must be stored)."""
        self._shredded.discard(volunteer_id)
        if self._wrapped.get(volunteer_id) == wrapped:
            return False
        self._wrapped[volunteer_id] = wrapped
        self._keys.pop(volunteer_id, None)
        return True

    async def _forget(self, volunteer_ids: Sequence[UUID]) -> None:
        """Delete the service's copy of these keys (memory and table)."""
        if not volunteer_ids:
            return
        for volunteer_id in volunteer_ids:
            self._wrapped.pop(volunteer_id, None)
            self._keys.pop(volunteer_id, None)
        async with self._pool.acquire() as conn:
            await conn.execute("DELETE FROM volunteer_keys WHERE volunteer_id = ANY($1::uuid[])", list(volunteer_ids))
        log.info("keyring_keys_forgotten", count=len(volunteer_ids))

    def knows(self, volunteer_id: UUID) -> bool:
        """Whether the ring holds this volunteer's key now."""
        return volunteer_id in self._wrapped

    async def open(self, event: Event) -> Event:
        """``event`` with its sealed fields opened; at their placeholders when the key is gone."""
        if not type(event).sealed_fields or getattr(event, "sealed_special", None) is None:
            return event
        volunteer_id = UUID(event.subject())
        if volunteer_id not in self._wrapped and volunteer_id not in self._shredded:
            # Not learned yet or shredded: the key was on Kafka before this event, so reading up to now decides.
            await self.catch_up()
            if volunteer_id not in self._wrapped:
                self._shredded.add(volunteer_id)
        return open_profile(event, self._key(volunteer_id))

    def _key(self, volunteer_id: UUID) -> bytes | None:
        """The volunteer's data key, unwrapped at its first use; None when the ring holds none."""
        key = self._keys.get(volunteer_id)
        if key is None and (wrapped := self._wrapped.get(volunteer_id)) is not None:
            key = self._keys[volunteer_id] = self._kek.unwrap(wrapped, volunteer_id)
        return key
