"""Side B of every comparison: the least a hand-written aiokafka/asyncpg loop has to do for the same result.

Each loop validates every payload with its pydantic contract model (picked by the ``ce_type`` header),
as any consumer must; none has an inbox, dead letters or per-record logging.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

import asyncpg
from aiokafka import AIOKafkaProducer
from aiokafka.structs import ConsumerRecord

from bench.generator import KafkaRecord
from bench.harness import Progress, Run, cpu_seconds, peak_rss_bytes, reset_peak_rss
from bench.project import HOURS_COLUMNS, INSERT_HOURS, hours_row
from bench.streams import Offsets, assigned_consumer, seek_to
from common.outbox import RELAY_PRODUCER_SETTINGS
from contracts import Event, event_type_of
from contracts.events import HoursLogged

__all__ = ["raw_ingest", "raw_pipeline", "raw_send", "validate"]

# A raw loop polls with this timeout: short enough to notice the end of a run quickly.
_POLL_MS = 100


def validate(record: ConsumerRecord[bytes, bytes]) -> Event:
    """The record's payload validated by the contract model its ``ce_type`` header names."""
    event_type = next((value.decode() for name, value in record.headers if name == "ce_type"), "")
    model = event_type_of(event_type)
    if model is None or record.value is None:
        raise ValueError(f"not a contract event: {event_type!r}")
    return model.model_validate_json(record.value)


async def raw_ingest(
    *,
    bootstrap: str,
    topic: str,
    start: Offsets,
    stop_at: Offsets | None = None,
    target: int,
    time_limit_s: float,
    batch: int,
) -> Run:
    """``getmany`` batches and validate every payload (records from ``stop_at`` on are skipped); no commit."""
    progress = Progress(target, time_limit_s=time_limit_s)
    reset_peak_rss()
    consumer = assigned_consumer(bootstrap, topic)
    await consumer.start()
    try:
        seek_to(consumer, topic, start)

        async def loop() -> None:
            while not progress.stopped and not progress.done.is_set():
                batches = await consumer.getmany(timeout_ms=_POLL_MS, max_records=batch)
                records = _within([record for part in batches.values() for record in part], stop_at)
                if not records:
                    continue
                progress.begin()
                for record in records:
                    validate(record)
                progress.mark(len(records))

        task = asyncio.create_task(loop())
        await _finish(progress, task)
    finally:
        await consumer.stop()
    return progress.run("raw", peak_rss=peak_rss_bytes())


async def raw_pipeline(
    *,
    bootstrap: str,
    dsn: str,
    group: str,
    topic: str,
    start: Offsets,
    stop_at: Offsets | None = None,
    target: int,
    time_limit_s: float,
    batch: int,
    copy: bool = True,
) -> Run:
    """``getmany`` a batch, validate it, write its rows in one transaction (COPY), commit the offsets.

    With ``copy=False`` every record gets its own transaction with one INSERT instead (the reference
    that separates the cost of batching from the cost of the framework).
    """
    progress = Progress(target, time_limit_s=time_limit_s)
    reset_peak_rss()
    connection = await asyncpg.connect(dsn)
    consumer = assigned_consumer(bootstrap, topic, group=group)
    await consumer.start()
    try:
        seek_to(consumer, topic, start)

        async def loop() -> None:
            while not progress.stopped and not progress.done.is_set():
                batches = await consumer.getmany(timeout_ms=_POLL_MS, max_records=batch)
                records = _within([record for part in batches.values() for record in part], stop_at)
                if not records:
                    continue
                progress.begin()
                rows = [hours_row(_hours(record)) for record in records]
                if copy:
                    async with connection.transaction():
                        await connection.copy_records_to_table("bench_hours", records=rows, columns=HOURS_COLUMNS)
                else:
                    for row in rows:
                        async with connection.transaction():
                            await connection.execute(INSERT_HOURS, *row)
                await consumer.commit()
                progress.mark(len(records))

        task = asyncio.create_task(loop())
        await _finish(progress, task)
    finally:
        await consumer.stop()
        await connection.close()
    return progress.run("raw", peak_rss=peak_rss_bytes())


def _hours(record: ConsumerRecord[bytes, bytes]) -> HoursLogged:
    """The validated HoursLogged of a record (the data sets hold nothing else)."""
    event = validate(record)
    if not isinstance(event, HoursLogged):
        raise TypeError(f"expected HoursLogged, got {type(event).__name__}")
    return event


async def _finish(progress: Progress, task: asyncio.Task[None]) -> None:
    """Wait for the run's window to close, then for the loop to notice; a failed loop fails the run."""
    waiter = asyncio.create_task(progress.finished())
    done, _ = await asyncio.wait({waiter, task}, return_when=asyncio.FIRST_COMPLETED)
    if task in done and task.exception() is not None:
        waiter.cancel()
        task.result()  # raises the loop's error
    await waiter  # a loop that ended has reached its target or the end of the data: the window closes now
    await task


def _within(records: list[ConsumerRecord[bytes, bytes]], stop_at: Offsets | None) -> list[ConsumerRecord[bytes, bytes]]:
    """The records before ``stop_at`` (the end of the data set) in their partitions."""
    if stop_at is None:
        return records
    return [record for record in records if record.offset < stop_at[record.partition]]


async def raw_send(bootstrap: str, records: Sequence[KafkaRecord]) -> Run:
    """``send()`` every record with the relay's producer settings and wait for all acknowledgements."""
    reset_peak_rss()
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, **RELAY_PRODUCER_SETTINGS)
    await producer.start()
    try:
        started, cpu_start = time.perf_counter(), cpu_seconds()
        futures = [
            await producer.send(record.topic, value=record.value, key=record.key, headers=record.headers)
            for record in records
        ]
        await asyncio.gather(*futures)
        seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu_start
    finally:
        await producer.stop()
    return Run("raw", len(records), seconds, cpu, peak_rss_bytes())
