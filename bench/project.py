"""Side A of every comparison: the project's own runtime, used exactly as a service uses it.

- Consumers are ``common.consumer.EventConsumer`` attached to a broker from ``common.service.build_broker``
  and started (one FastStream subscriber, manual acks, the consumer's own fetch/apply/commit pipeline,
  ``decode``, one inbox transaction and one log line per batch), the way ``common.service`` starts a
  service. Throughput windows run from the first batch in hand to the last batch's offsets committed, as
  the raw loops' do.
- "No database" swaps in ``NullPool``: the inbox claim and the transaction cost nothing, everything
  else (fetch, decode, dispatch, logging, offset commit) is real.
- The relay is ``common.outbox.OutboxRelay`` publishing rows written with ``common.outbox.add_to_outbox``.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, cast

import asyncpg
from aiokafka.structs import ConsumerRecord

from bench.generator import GeneratedEvent
from bench.harness import Progress, Run, cpu_seconds, peak_rss_bytes, reset_peak_rss
from bench.streams import Offsets, position_group
from common.consumer import DEFAULT_BATCH_SIZE, BatchContext, EventConsumer
from common.db import RUNTIME_MIGRATIONS, apply_migrations, create_pool
from common.outbox import OutboxRelay, add_to_outbox
from common.service import ServiceSpec, build_broker, freeze_startup_heap
from common.settings import ServiceSettings
from common.uow import PostgresUnitOfWork
from contracts.events import HoursLogged

__all__ = [
    "BENCH_MIGRATIONS",
    "HOURS_COLUMNS",
    "INSERT_HOURS",
    "NOTIFY_CHANNEL",
    "NOTIFY_COMMITTED",
    "NullPool",
    "hours_row",
    "open_pool",
    "process_cpu_us",
    "project_consumer",
    "project_throughput",
    "relay_run",
    "reset_tables",
]

BENCH_MIGRATIONS = Path(__file__).parent / "migrations"
HOURS_COLUMNS = ("hours_id", "volunteer_id", "task_id", "centrale_id", "theme", "worked_on", "hours", "logged_at")
# Built from constants only (no input reaches these strings).
INSERT_HOURS = f"INSERT INTO bench_hours ({', '.join(HOURS_COLUMNS)}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"  # noqa: S608
# The commit of a handler's transaction is observed from outside: NOTIFY is delivered only at commit.
NOTIFY_CHANNEL = "bench_committed"
# $1 the channel, $2 the event ids: one notification each.
NOTIFY_COMMITTED = "SELECT pg_notify($1, event_id) FROM unnest($2::text[]) AS notified (event_id)"
# Pool size of a service (``<SERVICE>_DB_POOL_SIZE`` default).
SERVICE_POOL_SIZE = 5
_RELAY_TIMEOUT_S = 300.0

HoursHandler = Callable[[HoursLogged, PostgresUnitOfWork], Awaitable[None]]
HoursRunHandler = Callable[[Sequence[HoursLogged], BatchContext], Awaitable[None]]


def hours_row(event: HoursLogged) -> tuple[Any, ...]:
    """The ``bench_hours`` row of an event, in ``HOURS_COLUMNS`` order."""
    return (
        event.hours_id,
        event.volunteer_id,
        event.task_id,
        event.centrale_id,
        event.theme,
        event.worked_on,
        event.hours,
        event.logged_at,
    )


class _NullTransaction:
    """A transaction that does nothing."""

    async def __aenter__(self) -> _NullTransaction:
        return self

    async def __aexit__(self, *_: object) -> None:
        return None


class _NullConnection:
    """Answers the inbox claim with "new event" and accepts every write without doing it."""

    def transaction(self) -> _NullTransaction:
        """A no-op transaction."""
        return _NullTransaction()

    async def fetchval(self, *_: object, **__: object) -> bool:
        """Any single value: true."""
        return True

    async def execute(self, *_: object, **__: object) -> str:
        """Any statement: nothing happens."""
        return "INSERT 0 1"

    async def executemany(self, *_: object, **__: object) -> None:
        """Any batch: nothing happens."""

    async def copy_records_to_table(self, *_: object, **__: object) -> str:
        """``claim_events``' COPY into the inbox (and any other COPY): accepted, nothing written."""
        return "COPY 0"

    async def fetch(self, query: str, *args: Any, **__: object) -> list[tuple[Any, ...]]:
        """``claim_events``' INSERT ... RETURNING event_id: every event is new; any other query: no rows."""
        if query.startswith("INSERT INTO inbox"):
            return list(zip(args[1], strict=True))
        return []


class NullPool:
    """Stands in for the asyncpg pool of "no database" runs; see the module docstring."""

    @asynccontextmanager
    async def acquire(self) -> AsyncIterator[_NullConnection]:
        """A connection that writes nothing."""
        yield _NullConnection()


async def open_pool(dsn: str) -> asyncpg.Pool:
    """A service-sized pool with the runtime's tables (outbox, inbox) and ``bench_hours`` migrated."""
    pool = await create_pool(dsn, SERVICE_POOL_SIZE)
    await apply_migrations(pool, RUNTIME_MIGRATIONS, BENCH_MIGRATIONS)
    return pool


async def reset_tables(pool: asyncpg.Pool) -> None:
    """Empty what a previous run wrote, so every run starts from the same state."""
    await pool.execute("TRUNCATE bench_hours, inbox, outbox")
    await pool.execute("VACUUM ANALYZE bench_hours, inbox, outbox")


def _settings(bootstrap: str) -> ServiceSettings:
    """Service settings with the defaults a deployed service has, on the benchmark's broker."""
    # A throw-away ops token: settings refuse placeholder secrets outside development.
    values = {"KAFKA_BOOTSTRAP_SERVERS": bootstrap, "REGION": "bench", "OPS_TOKEN": secrets.token_urlsafe(24)}
    return ServiceSettings.model_validate(values)


class _MeasuredConsumer(EventConsumer):
    """The project's consumer with a throughput window around each batch: in hand → offsets committed."""

    def __init__(self, name: str, pool: asyncpg.Pool, progress: Progress) -> None:
        super().__init__(name, pool)
        self._progress = progress

    def _fetched(self, records: Sequence[ConsumerRecord[bytes, bytes]]) -> None:
        """The runtime's batch entry point: the window opens with the first batch in hand."""
        self._progress.begin()

    def _committed(self, records: int) -> None:
        """The runtime's offset commit: records count once their offsets are committed."""
        self._progress.mark(records)


@asynccontextmanager
async def project_consumer(
    *,
    bootstrap: str,
    group: str,
    topic: str,
    start: Offsets,
    pool: asyncpg.Pool | NullPool,
    handler: HoursHandler | None = None,
    run_handler: HoursRunHandler | None = None,
    progress: Progress | None = None,
) -> AsyncIterator[None]:
    """A running EventConsumer for HoursLogged, its group positioned at ``start``, stopped on exit.

    ``handler`` is called per event, ``run_handler`` per run of events (``EventConsumer.on_batch``);
    with ``progress`` every committed batch is counted.
    """
    await position_group(bootstrap, group, topic, start)
    if progress is not None:
        consumer: EventConsumer = _MeasuredConsumer(group, cast(asyncpg.Pool, pool), progress)
    else:
        consumer = EventConsumer(group, cast(asyncpg.Pool, pool))
    if run_handler is not None:
        consumer.on_batch(HoursLogged)(run_handler)
    elif handler is not None:
        consumer.on(HoursLogged)(handler)
    spec = ServiceSpec(name=group, migrations=BENCH_MIGRATIONS, description="benchmark consumer")
    broker = build_broker(_settings(bootstrap), spec)
    consumer.attach(broker)
    await broker.start()
    await consumer.start()
    freeze_startup_heap()  # as the service does when its start-up is done
    try:
        yield
    finally:
        # As the service stops: finish or roll back what is in hand, let the commits land, then leave.
        consumer.close()
        await consumer.drain(timeout=10.0)
        await broker.stop()


async def project_throughput(
    *,
    bootstrap: str,
    group: str,
    topic: str,
    start: Offsets,
    pool: asyncpg.Pool | NullPool,
    target: int,
    time_limit_s: float,
    write: bool,
) -> Run:
    """Drain a backlog through the project's consumer: batches decoded, claimed, (COPY-)written, committed."""
    progress = Progress(target, time_limit_s=time_limit_s)

    async def copy_hours(events: Sequence[HoursLogged], ctx: BatchContext) -> None:
        """The benchmark projection: the run's rows by COPY, in the batch's inbox transaction."""
        if write:
            rows = [hours_row(event) for event in events]
            await ctx.conn.copy_records_to_table("bench_hours", records=rows, columns=HOURS_COLUMNS)

    reset_peak_rss()
    async with project_consumer(
        bootstrap=bootstrap, group=group, topic=topic, start=start, pool=pool, run_handler=copy_hours, progress=progress
    ):
        await progress.finished()
    return progress.run("project", peak_rss=peak_rss_bytes())


async def process_cpu_us(events: Sequence[GeneratedEvent]) -> float:
    """CPU microseconds per record of ``EventConsumer.process_batch`` alone: decode, dispatch, log, no I/O.

    Records are handed over in memory (no broker, no FastStream, no offset commit) to a consumer on a
    ``NullPool``: what is left is the project's own per-record code.
    """
    consumer = EventConsumer("bench-process-only", cast(asyncpg.Pool, NullPool()))

    async def on_hours_logged(_event: HoursLogged, _uow: PostgresUnitOfWork) -> None:
        """Nothing: only the runtime's share is measured."""

    consumer.on(HoursLogged)(on_hours_logged)
    records = [
        ConsumerRecord(
            topic=record.topic,
            partition=0,
            offset=offset,
            timestamp=0,
            timestamp_type=0,
            key=record.key,
            value=record.value,
            checksum=None,
            serialized_key_size=len(record.key),
            serialized_value_size=len(record.value),
            headers=record.headers,
        )
        for offset, record in enumerate(generated.record() for generated in events)
    ]
    started = cpu_seconds()
    for first in range(0, len(records), DEFAULT_BATCH_SIZE):
        await consumer.process_batch(records[first : first + DEFAULT_BATCH_SIZE])
    return (cpu_seconds() - started) / len(records) * 1e6


async def relay_run(pool: asyncpg.Pool, bootstrap: str, events: Sequence[GeneratedEvent]) -> Run:
    """Publish ``events`` through the outbox: rows committed first, then timed until the relay marked all."""
    await reset_tables(pool)
    reset_peak_rss()
    relay = OutboxRelay(pool, bootstrap)
    await relay.start()
    try:
        async with pool.acquire() as conn, conn.transaction():
            for generated in events:
                await add_to_outbox(conn, generated.event, generated.envelope)
        # The commit fired NOTIFY: the relay is waking now. Poll the partial index until nothing is pending.
        started, cpu_start = time.perf_counter(), cpu_seconds()
        deadline = started + _RELAY_TIMEOUT_S
        while await pool.fetchval("SELECT EXISTS (SELECT 1 FROM outbox WHERE published_at IS NULL)"):
            if time.perf_counter() > deadline:
                raise TimeoutError(f"the relay did not publish {len(events)} rows within {_RELAY_TIMEOUT_S:.0f} s")
            await asyncio.sleep(0.005)
        seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu_start
    finally:
        await relay.stop()
    return Run("project", len(events), seconds, cpu, peak_rss_bytes())
