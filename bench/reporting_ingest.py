"""Side A of the reporting goal (issue 6): reporting's own projection consumer, in this process, on its own tables.

The consumer is built as the reporting service builds it: ``common.consumer.EventConsumer`` with every
projection ``reporting.main.SPEC`` registers, attached to a broker from ``common.service.build_broker``,
on a pool to a database migrated with the runtime's and reporting's migrations.

It subscribes to nine topics as one group member. Joining the group is start-up, not ingest (the NLdoet
scenario times it, from process start), so a run first lets the group settle at the end of every topic,
then produces a copy of the data set's first records (same keys, values and headers, so same
partitions), and opens the window when the first batch is in hand, as the raw loop's window opens:

- the consumer's pool is wrapped so that its first ``acquire`` waits until the copy is on the topic;
- progress is the group's committed offsets, polled: a record counts once its effects and its offset
  are committed. Nothing in the service is changed to watch it.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any, cast

import asyncpg
from aiokafka import TopicPartition
from asyncpg.pool import PoolConnectionProxy

from bench.generator import KafkaRecord
from bench.harness import Run, cpu_seconds, peak_rss_bytes, reset_peak_rss
from bench.project import BENCH_MIGRATIONS
from bench.services import GroupWatcher
from bench.streams import Offsets, assigned_consumer, produce, seek_to
from common.consumer import EventConsumer
from common.db import RUNTIME_MIGRATIONS, apply_migrations, create_pool
from common.localinfra import create_database
from common.ops import commit_offsets, describe_group, end_offsets
from common.service import build_broker, freeze_startup_heap
from common.settings import ServiceSettings
from contracts import topic_for
from contracts.events import HoursLogged
from reporting.config import Settings
from reporting.main import SPEC
from reporting.rebuild import PROJECTION_TABLES

__all__ = ["dataset_head", "open_reporting_database", "reporting_throughput", "reset_reporting"]

HOURS_TOPIC = HoursLogged.topic
_POLL_S = 0.05
_SETTLE_TIMEOUT_S = 120.0
_FIRST_BATCH_TIMEOUT_S = 60.0
# A deployed service's pool size (``<SERVICE>_DB_POOL_SIZE`` default).
_POOL_SIZE: int = ServiceSettings.model_fields["db_pool_size"].default
# Reporting's batch size (``REPORTING_CONSUMER_BATCH_SIZE`` default), as the service builds its consumer.
_BATCH_SIZE: int = Settings.model_fields["consumer_batch_size"].default
# The service's shutdown budget for the batch in hand (``shutdown_timeout_s`` times its broker share).
_DRAIN_TIMEOUT_S = 8.0


class _GatedPool:
    """The consumer's pool, unchanged, except that connections are handed out only once the gate opens."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool
        self.waiting = asyncio.Event()  # a batch is in hand, waiting for its connection
        self.open = asyncio.Event()

    @asynccontextmanager
    async def acquire(self, *args: Any, **kwargs: Any) -> AsyncIterator[PoolConnectionProxy[asyncpg.Record]]:
        """``asyncpg.Pool.acquire``, after the gate opened."""
        if not self.open.is_set():
            self.waiting.set()
            await self.open.wait()
        async with self._pool.acquire(*args, **kwargs) as connection:
            yield connection

    def __getattr__(self, name: str) -> Any:
        return getattr(self._pool, name)


async def open_reporting_database(server_dsn: str, name: str) -> tuple[asyncpg.Pool, str]:
    """A new database with reporting's tables and ``bench_hours`` (the raw side's): a service-sized pool, its DSN."""
    dsn = await create_database(server_dsn, name)
    pool = await create_pool(dsn, _POOL_SIZE)
    await apply_migrations(pool, RUNTIME_MIGRATIONS, SPEC.migrations, BENCH_MIGRATIONS)
    return pool, dsn


async def reset_reporting(pool: asyncpg.Pool) -> None:
    """Empty reporting's fact tables, the inbox and ``bench_hours``: every run starts from the same state."""
    tables = ", ".join((*PROJECTION_TABLES, "inbox", "outbox", "bench_hours"))
    await pool.execute(f"TRUNCATE {tables}")  # the names are constants
    await pool.execute(f"VACUUM ANALYZE {tables}")


async def dataset_head(bootstrap: str, start: Offsets, stop_at: Offsets, count: int) -> list[KafkaRecord]:
    """The first ``count`` records of the data set as a raw loop reads them (``getmany`` from ``start``)."""
    records: list[KafkaRecord] = []
    consumer = assigned_consumer(bootstrap, HOURS_TOPIC)
    await consumer.start()
    try:
        seek_to(consumer, HOURS_TOPIC, start)
        deadline = time.perf_counter() + _FIRST_BATCH_TIMEOUT_S
        while len(records) < count:
            if time.perf_counter() > deadline:
                raise TimeoutError(f"read {len(records):,} of {count:,} records of the data set")
            for part in (await consumer.getmany(timeout_ms=500, max_records=count - len(records))).values():
                records += [
                    KafkaRecord(HOURS_TOPIC, record.key or b"", record.value or b"", list(record.headers))
                    for record in part
                    if record.offset < stop_at[record.partition]
                ]
    finally:
        await consumer.stop()
    return records[:count]


def _settings(bootstrap: str) -> ServiceSettings:
    """Service settings with a deployed service's defaults, on the benchmark's broker."""
    # A throw-away ops token: settings refuse placeholder secrets outside development.
    values = {"KAFKA_BOOTSTRAP_SERVERS": bootstrap, "REGION": "bench", "OPS_TOKEN": secrets.token_urlsafe(24)}
    return ServiceSettings.model_validate(values)


async def _settled(bootstrap: str, group: str, topics: Sequence[str]) -> None:
    """Wait until the group is Stable with every partition of ``topics`` assigned (no rebalance due).

    Whether the service joins as one member or as one per topic: what counts is that nothing is left unassigned.
    """
    wanted = {TopicPartition(topic, partition) for topic in topics for partition in range(topic_for(topic).partitions)}
    deadline = time.perf_counter() + _SETTLE_TIMEOUT_S
    while True:
        state, members = await describe_group(bootstrap, group)
        assigned = {tp for member in members for tp in member.partitions}
        if state == "Stable" and wanted <= assigned:
            return
        if time.perf_counter() > deadline:
            raise TimeoutError(
                f"group {group} not settled after {_SETTLE_TIMEOUT_S:.0f} s: {state}, {len(members)} members, "
                f"{len(wanted - assigned)} partitions unassigned"
            )
        await asyncio.sleep(0.2)


async def reporting_throughput(
    *, bootstrap: str, group: str, pool: asyncpg.Pool, records: Sequence[KafkaRecord], time_limit_s: float
) -> Run:
    """Drain ``records`` (produced anew once the group settled) through reporting's projection consumer."""
    gate = _GatedPool(pool)
    consumer = EventConsumer(group, cast(asyncpg.Pool, gate), batch_size=_BATCH_SIZE)
    assert SPEC.register_handlers is not None
    SPEC.register_handlers(consumer)
    await commit_offsets(bootstrap, group, await end_offsets(bootstrap, consumer.topics))
    reset_peak_rss()
    broker = build_broker(_settings(bootstrap), SPEC)
    consumer.attach(broker)
    await broker.start()
    await consumer.start()
    freeze_startup_heap()  # as the service does when its start-up is done
    try:
        await _settled(bootstrap, group, consumer.topics)  # one member for all the service's topics
        first = await end_offsets(bootstrap, [HOURS_TOPIC])
        await produce(bootstrap, records)
        last = await end_offsets(bootstrap, [HOURS_TOPIC])
        if sum(last[tp] - first[tp] for tp in last) != len(records):
            raise RuntimeError(f"another producer wrote to {HOURS_TOPIC} during the run")
        await asyncio.wait_for(gate.waiting.wait(), _FIRST_BATCH_TIMEOUT_S)
        async with GroupWatcher.connect(bootstrap) as watcher:
            opened, cpu_at_open = time.perf_counter(), cpu_seconds()
            gate.open.set()
            done, done_at = 0, opened
            while done < len(records) and time.perf_counter() - opened <= time_limit_s:
                await asyncio.sleep(_POLL_S)
                committed = await watcher.done(group, first, last)
                if committed > done:
                    done, done_at = committed, time.perf_counter()
            cpu = cpu_seconds() - cpu_at_open
    finally:
        gate.open.set()  # a batch still waiting must not hold up the shutdown
        consumer.close()
        await consumer.drain(_DRAIN_TIMEOUT_S)
        await broker.stop()
    if not done:
        raise RuntimeError(f"no record was committed within {time_limit_s:.0f} s")
    rows = int(await pool.fetchval("SELECT count(*) FROM hours_facts"))
    if rows < done:
        raise RuntimeError(f"{done:,} offsets committed but only {rows:,} hours_facts rows written")
    return Run(
        "project",
        records=done,
        seconds=done_at - opened,
        cpu_seconds=cpu,
        peak_rss_bytes=peak_rss_bytes(),
        extra={"reached_target": done >= len(records), "hours_facts_rows": rows},
    )
