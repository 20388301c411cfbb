"""Rebuild every projection from the start of the topics into fresh tables, then switch over atomically.

The service keeps running and answering from its current tables meanwhile:

1. Create the projection tables afresh in the schema ``reporting_rebuild`` (``LIKE`` the live ones).
2. Read every partition of the projected topics from the beginning with a group-less consumer, merge
   the partitions by event time (``ce_time``; within a partition, offset order) so events apply in the
   order they happened, and apply them with the same projection functions as the live consumer, on a
   connection whose ``search_path`` puts the fresh schema first. Batches of events share a transaction.
3. Catch up to the topics' new ends until little is left.
4. Switch over in one transaction: take the switch gate exclusively (live projections hold it shared,
   so in-flight ones finish and new ones wait), apply the rest up to the ends as they are now, move the
   live tables to ``reporting_retired`` and the fresh ones into ``public``, record the rebuild; commit;
   drop the old tables. A waiting live projection then writes to the new tables; it may apply an event
   the rebuild applied already, which changes nothing since every projection is an idempotent upsert.

Configuration tables (mappings, agreements, closed periods) are not touched: a closed period stays
closed, and the closures book late events exactly as the live projection did (``periods.book``).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.structs import ConsumerRecord

from common.consumer import BatchContext, ContractViolation, Opener, decode
from common.kafka import KafkaTarget, kafka_client_options, offsets_client
from common.keyring import KeyRing
from common.locks import KeyedLock, Lock
from common.logging import get_logger
from common.sealing import region_key_from_environment
from contracts import Event, EventEnvelope, topic_for
from contracts.events import VolunteerErased
from reporting.projections import PROJECTIONS, SWITCH_GATE

__all__ = [
    "PROJECTION_TABLES",
    "Progress",
    "RebuildResult",
    "RebuildRunningError",
    "projected_topics",
    "rebuild_projections",
    "runs",
]

log = get_logger(__name__)

# Every table the projections write (their aggregates too); a replay empties or replaces exactly these.
PROJECTION_TABLES = (
    "volunteer_facts",
    "erased_volunteers",
    "organisation_facts",
    "task_facts",
    "match_facts",
    "hours_facts",
    "partner_facts",
    "volunteer_day_facts",
    "agg_flows",
    "agg_stocks",
    "agg_hours",
    "agg_retention",
    "agg_durations",
    "person_activity",
    "agg_active",
    "mdt_crossings",
    "hours_pending",
    "proposal_facts",
    "task_demand",
    "volunteer_supply",
    "agg_supply",
    "agg_fill_durations",
)
_FRESH = "reporting_rebuild"
_RETIRED = "reporting_retired"
# One rebuild at a time per database (session advisory lock).
_REBUILD_LOCK = Lock.REPORTING_REBUILD
# Catch up outside the switch-over until at most this many records are left, so live projections
# wait only briefly on the gate.
_SWITCH_BACKLOG = 2_000
_MAX_CATCH_UPS = 20
_FETCH_TIMEOUT_MS = 500
# How long the broker holds the reader's fetch while its partitions have nothing new (aiokafka's default).
_READ_WAIT_MS = 500
# Fold every queued hours entry at once (the rebuild's own connection has no statement timeout).
_ALL = 2**31 - 1
# Bound on the switch-over's lock waits (a long report query holds its tables); the rebuild then fails.
_LOCK_TIMEOUT = "30s"
# How often progress is reported while events are applied (each report is a write to ``job_runs``).
_PROGRESS_EVERY_S = 1.0

Progress = Callable[[int], Awaitable[None]]
"""Told how many events the rebuild applied so far (``JobContext.progress`` through ``reporting.jobs``)."""


class RebuildRunningError(RuntimeError):
    """Another rebuild of this database is running."""


@dataclass(frozen=True)
class RebuildResult:
    """What a rebuild did: how many events it applied and the offsets it switched over at."""

    events_applied: int
    started_at: datetime
    switched_at: datetime
    seconds: float
    end_offsets: dict[str, int]


def projected_topics() -> list[str]:
    """The topics the projections read."""
    return sorted({event_class.topic for event_class in PROJECTIONS})


@dataclass
class _Entry:
    """A buffered record with its sort key and, when it projects something, its decoded event."""

    order: tuple[datetime, str, int, int]
    offset: int
    event: tuple[EventEnvelope, Event] | None


def _entry(record: ConsumerRecord[bytes, bytes]) -> _Entry:
    """Decode a record; one that cannot be decoded or is not projected is kept only for ordering."""
    try:
        envelope, payload = decode(record)
    except ContractViolation:
        # The live consumer dead-lettered it: it never had an effect, so neither does it here.
        moment = datetime.fromtimestamp(record.timestamp / 1000, UTC)
        return _Entry((moment, record.topic, record.partition, record.offset), record.offset, None)
    event = (envelope, payload) if type(payload) in PROJECTIONS else None
    return _Entry((envelope.time, record.topic, record.partition, record.offset), record.offset, event)


class _MergedReader:
    """Reads partitions to target offsets and yields their records merged by event time."""

    def __init__(self, consumer: AIOKafkaConsumer, partitions: list[TopicPartition]) -> None:
        self._consumer = consumer
        self._partitions = partitions
        self._buffers: dict[TopicPartition, deque[_Entry]] = {tp: deque() for tp in partitions}

    async def _exhausted(self, tp: TopicPartition, target: int) -> bool:
        """Nothing below ``target`` is left to read or buffered on ``tp``."""
        buffer = self._buffers[tp]
        if buffer:
            return buffer[0].offset >= target
        return int(await self._consumer.position(tp)) >= target

    async def batches(
        self, targets: Mapping[TopicPartition, int], size: int, deadline: float
    ) -> AsyncIterator[list[_Entry]]:
        """Yield lists of up to ``size`` entries in event-time order until every partition reached its target."""
        batch: list[_Entry] = []
        while True:
            active = [tp for tp in self._partitions if not await self._exhausted(tp, targets[tp])]
            if not active:
                break
            empty = [tp for tp in active if not self._buffers[tp]]
            if empty:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"rebuild could not read {empty} to their end offsets in time")
                fetched = await self._consumer.getmany(*empty, timeout_ms=_FETCH_TIMEOUT_MS)
                for tp, records in fetched.items():
                    self._buffers[tp].extend(_entry(record) for record in records)
                continue
            # Every partition with records left has one buffered: the earliest head is safe to apply next.
            head = min(active, key=lambda tp: self._buffers[tp][0].order)
            batch.append(self._buffers[head].popleft())
            if len(batch) >= size:
                yield batch
                batch = []
        if batch:
            yield batch


Pair = tuple[EventEnvelope, Event]


def runs(events: Sequence[Pair]) -> Iterator[tuple[type[Event], list[Pair]]]:
    """The events as runs of one type each: as few runs as possible, erasures kept where they are.

    Projections give the same rows whatever the order of different events (upserts, the later time wins),
    except that an erasure forgets an id only in the facts written before it; so events are grouped by type
    between erasures, each type keeping its order, and every statement maintains its aggregates per run.
    """
    segment: dict[type[Event], list[Pair]] = {}
    for envelope, payload in events:
        if isinstance(payload, VolunteerErased):
            yield from segment.items()
            segment = {}
            yield VolunteerErased, [(envelope, payload)]
            continue
        segment.setdefault(type(payload), []).append((envelope, payload))
    yield from segment.items()


async def _opened(entries: list[_Entry], opener: Opener) -> list[Pair]:
    """The projected events of ``entries``, their sealed volunteer profiles opened (as the live consumer does)."""
    events: list[Pair] = []
    for entry in entries:
        if entry.event is None:
            continue
        envelope, payload = entry.event
        if type(payload).sealed_fields:
            try:
                payload = await opener.open(payload)
            except ContractViolation:
                continue  # the live consumer dead-lettered it: it never had an effect
        events.append((envelope, payload))
    return events


async def _apply(conn: asyncpg.Connection, entries: list[_Entry], opener: Opener) -> int:
    """Apply the projected events of ``entries`` in one transaction, in runs (see ``runs``); how many."""
    applied = 0
    events = await _opened(entries, opener)
    async with conn.transaction():
        for kind, run in runs(events):
            await PROJECTIONS[kind]([payload for _, payload in run], BatchContext([e for e, _ in run], conn))
            applied += len(run)
    return applied


class _Counter:
    """Events applied so far, reported to ``progress`` at most every ``_PROGRESS_EVERY_S``."""

    def __init__(self, progress: Progress | None) -> None:
        self.applied = 0
        self._progress = progress
        self._reported_at = time.monotonic()

    async def add(self, applied: int, *, force: bool = False) -> None:
        self.applied += applied
        if self._progress is not None and (force or time.monotonic() - self._reported_at >= _PROGRESS_EVERY_S):
            self._reported_at = time.monotonic()
            await self._progress(self.applied)


async def _read(
    reader: _MergedReader,
    conn: asyncpg.Connection,
    targets: Mapping[TopicPartition, int],
    size: int,
    deadline: float,
    counter: _Counter,
    opener: Opener,
) -> None:
    async for batch in reader.batches(targets, size, deadline):
        await counter.add(await _apply(conn, batch, opener))


async def rebuild_projections(
    database_url: str,
    kafka: KafkaTarget,
    *,
    start_offsets: Mapping[TopicPartition, int] | None = None,
    batch_size: int = 500,
    timeout: float = 3_600.0,
    progress: Progress | None = None,
) -> RebuildResult:
    """Rebuild the projection tables from the topics and swap them in; raises RebuildRunningError if busy.

    ``start_offsets`` (default: the beginning of every partition) lets a test on a shared broker start
    where its own service started; operations always rebuild from the beginning. ``progress`` is told the
    number of events applied so far, about once a second and once more before the switch-over.
    """
    started_at = datetime.now(UTC)
    clock = time.monotonic()
    deadline = clock + timeout
    conn = await asyncpg.connect(database_url, server_settings={"search_path": f"{_FRESH}, public"})
    consumer: AIOKafkaConsumer | None = None
    ends_asker: AIOKafkaConsumer | None = None
    if not await conn.fetchval("SELECT pg_try_advisory_lock($1)", _REBUILD_LOCK):
        await conn.close()
        raise RebuildRunningError("a rebuild of the reporting projections is already running")
    keys_pool: asyncpg.Pool | None = None
    keyring: KeyRing | None = None
    try:
        # The rebuild opens target groups as the live consumer does, with a key ring of its own on the same table.
        keys_pool = await asyncpg.create_pool(database_url, min_size=1, max_size=2)
        keyring = KeyRing(keys_pool, kafka, region_key_from_environment(), service="reporting-rebuild")
        await keyring.start()
        opener: Opener = keyring
        await _fresh_tables(conn)
        partitions = [TopicPartition(t, p) for t in projected_topics() for p in range(topic_for(t).partitions)]
        consumer = AIOKafkaConsumer(
            **kafka_client_options(kafka), enable_auto_commit=False, group_id=None, fetch_max_wait_ms=_READ_WAIT_MS
        )
        # The end offsets are asked of a client that never fetches (common.kafka.offsets_client): on the reader's
        # connection, once it had caught up, each waited behind its fetch, the last one under the switch gate.
        ends_asker = offsets_client(kafka, client_id="reporting-rebuild-offsets")
        await asyncio.gather(consumer.start(), ends_asker.start())
        consumer.assign(partitions)
        if start_offsets is None:
            await consumer.seek_to_beginning(*partitions)
        else:
            for tp in partitions:
                consumer.seek(tp, start_offsets.get(tp, 0))
        reader = _MergedReader(consumer, partitions)
        ends: dict[TopicPartition, int] = await ends_asker.end_offsets(partitions)
        counter = _Counter(progress)
        await _read(reader, conn, ends, batch_size, deadline, counter, opener)
        for _ in range(_MAX_CATCH_UPS):
            log.info("rebuild_caught_up", events_applied=counter.applied)
            ends = await ends_asker.end_offsets(partitions)
            backlog = 0
            for tp, end in ends.items():
                backlog += max(end - await consumer.position(tp), 0)
            if backlog <= _SWITCH_BACKLOG:
                break
            await _read(reader, conn, ends, batch_size, deadline, counter, opener)
        await counter.add(0, force=True)
        # The fresh tables' queued hours into their aggregates now, not while live projections wait at the gate.
        await conn.execute("SELECT reporting_fold_hours($1, $2)", _ALL, int(KeyedLock.REPORTING_ENTITY))
        async with conn.transaction():
            await conn.execute(f"SET LOCAL lock_timeout = '{_LOCK_TIMEOUT}'")
            await conn.execute("SELECT pg_advisory_xact_lock($1)", SWITCH_GATE)
            ends = await ends_asker.end_offsets(partitions)
            await _read(reader, conn, ends, batch_size, deadline, counter, opener)
            await conn.execute("SELECT reporting_fold_hours($1, $2)", _ALL, int(KeyedLock.REPORTING_ENTITY))
            applied = counter.applied
            await conn.execute(f"CREATE SCHEMA IF NOT EXISTS {_RETIRED}")
            for table in PROJECTION_TABLES:
                await conn.execute(f"ALTER TABLE public.{table} SET SCHEMA {_RETIRED}")
                await conn.execute(f"ALTER TABLE {_FRESH}.{table} SET SCHEMA public")
            # The old tables go under the gate too. Dropped after it, a read or fold whose cached plans still named
            # them locked one while revalidating its plan and wanted the next, which the drop held: a deadlock
            # (a 500 schemathesis found). Under the gate, readers and folders wait before they lock any table.
            await conn.execute(f"DROP SCHEMA {_RETIRED} CASCADE")
            # The swapped-in tables get the read-version triggers, and the version moves: a cube cached from the
            # old tables is not served again (migration 0082, reporting.read_cache).
            await conn.execute("SELECT reporting_attach_read_triggers()")
            await conn.execute("UPDATE public.read_version SET version = version + 1")
            offsets = {f"{tp.topic}[{tp.partition}]": offset for tp, offset in sorted(ends.items())}
            switched_at = await conn.fetchval(
                "INSERT INTO public.projection_rebuilds (started_at, switched_at, events_applied, end_offsets)"
                " VALUES ($1, now(), $2, $3::jsonb) RETURNING switched_at",
                started_at,
                applied,
                json.dumps(offsets),
            )
        log.info("rebuild_switched_over", events_applied=applied, seconds=round(time.monotonic() - clock, 2))
        return RebuildResult(applied, started_at, switched_at, round(time.monotonic() - clock, 3), offsets)
    finally:
        for client in (consumer, ends_asker):
            if client is not None:
                await client.stop()
        if keyring is not None:
            await keyring.stop()
        if keys_pool is not None:
            await keys_pool.close()
        try:
            await conn.execute(f"DROP SCHEMA IF EXISTS {_FRESH} CASCADE")
        finally:
            await conn.close()


async def _fresh_tables(conn: asyncpg.Connection) -> None:
    """Empty copies of the projection tables (columns, defaults, constraints, indexes, triggers) in the fresh schema."""
    async with conn.transaction():
        await conn.execute(f"DROP SCHEMA IF EXISTS {_FRESH} CASCADE")
        await conn.execute(f"DROP SCHEMA IF EXISTS {_RETIRED} CASCADE")
        await conn.execute(f"CREATE SCHEMA {_FRESH}")
        for table in PROJECTION_TABLES:
            await conn.execute(f"CREATE TABLE {_FRESH}.{table} (LIKE public.{table} INCLUDING ALL)")
        # The triggers that keep the aggregates (migration 0003) write to the fresh ones (search_path).
        await conn.execute("SELECT reporting_attach_triggers($1)", _FRESH)
