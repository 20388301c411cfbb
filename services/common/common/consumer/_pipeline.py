"""The consumer's Kafka side: fetch and decode, apply, and commit offsets, as stages that overlap.

One group member (the service's FastStream subscriber for all its topics) feeds these tasks:

- **fetch** takes whatever the fetch buffer holds, up to ``batch_size`` records, the moment there is
  anything (a lone record is not held back for a batch to fill, and nothing sleeps after an empty fetch),
  decodes it (contract violations are dead-lettered here) and hands each topic's records to that topic's
  lane; while a lane holds ``batch_size`` decoded records or more, only the other topics' partitions are
  fetched (the full topic's records stay in the fetch buffer, and the fetcher asks the broker for no more
  of them until they are taken), so a backlog on one topic never holds up another and memory stays
  bounded;
- **apply**, one lane per topic, takes everything decoded for its topic so far, up to ``batch_size``
  records, as one batch (so under load a transaction covers what arrived while the previous one was
  applied, and a record waits for at most that one transaction before its own), applies the batches
  strictly in fetch order (once one is abandoned at shutdown, none after it is applied) and marks each
  applied batch's offsets done; lanes of different topics apply side by side, as independent
  transactions, as separate subscribers per topic did;
- **commit** commits the offsets marked done, one request at a time, each covering everything marked
  since the last: while a commit is in flight the next batches are applied. A partition's offset only
  moves forward and is committed only while this member owns the partition.

So the next batch is fetched and decoded while one is applied, and a batch's apply never waits for the
previous batch's offset commit.

The pipeline also tells when it last had a backlog (``backlogged_at``): a lane took a full batch, or left
records waiting behind the one it took. Background work that can wait (reporting's fold) defers to the
consumer while it catches up.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from typing import Any, TypeVar

from aiokafka import AIOKafkaConsumer
from aiokafka.errors import ConsumerStoppedError, KafkaError
from aiokafka.structs import TopicPartition

from common.consumer._batch import Abandoned, DecodedBatch, merged, next_offsets, offset_ranges, topics_of
from common.consumer._decode import Record
from common.logging import get_logger

__all__ = ["FETCH_WAIT_MS", "OffsetCommitter", "Pipeline"]

log = get_logger(__name__)

T = TypeVar("T")

# How long one fetch waits when nothing is buffered. It returns as soon as a record arrives, so this bounds
# nothing a record waits; it only sets how often an idle member asks (the broker itself holds each fetch
# request up to fetch.max.wait.ms, 500 ms by default, and answers as soon as a record is there).
FETCH_WAIT_MS = 500
# After a failed fetch (broker unreachable, authorisation refused) the next try waits this long.
_FETCH_RETRY_S = 5.0
# Backoff cap for a batch whose decoding failed outside any record (a bug in the runtime).
_MAX_BACKOFF_S = 10.0


class OffsetCommitter:
    """Commits offsets on one Kafka consumer: only forward per partition, only for partitions it owns now.

    After a rebalance the fetcher can hand over records that were applied and committed before (the inbox
    skips them); committing their offsets would move the group back, and with the fetch position already
    further on nothing might come to move it forward again: the group would show lag, and a restart would
    re-read. So a partition whose offset this process already committed further is left out. A partition
    this member no longer owns is left out too: its new owner re-reads from the last commit (the inbox
    skips what was applied here) and commits for itself.
    """

    def __init__(self, kafka: AIOKafkaConsumer) -> None:
        self._kafka = kafka
        self._committed: dict[TopicPartition, int] = {}

    async def commit(self, offsets: Mapping[TopicPartition, int]) -> bool:
        """Commit ``offsets`` (partition → next offset to read) where they move forward; False when Kafka refused."""
        owned = self._kafka.assignment()
        due = {tp: offset for tp, offset in offsets.items() if offset > self._committed.get(tp, -1) and tp in owned}
        if not due:
            return True
        try:
            await self._kafka.commit(due)
        except Exception as error:
            # The records are applied; after a rebalance or restart they come again and the inbox skips them.
            log.warning(
                "offset_commit_failed",
                error=repr(error),
                offsets={f"{tp.topic}[{tp.partition}]": o for tp, o in due.items()},
            )
            return False
        self._committed.update(due)
        return True


class _Lane:
    """One topic's decoded batches waiting to be applied, in fetch order, by the lane's own task."""

    def __init__(self, topic: str) -> None:
        self.topic = topic
        self.waiting: deque[DecodedBatch] = deque()
        self.records = 0
        self.something_waits = asyncio.Event()

    def add(self, batch: DecodedBatch) -> None:
        """Queue a decoded batch."""
        self.waiting.append(batch)
        self.records += len(batch.records)
        self.something_waits.set()

    def take(self, limit: int) -> DecodedBatch:
        """The batches waiting as one, oldest first, up to ``limit`` records (at least one batch)."""
        taken = [self.waiting.popleft()]
        records = len(taken[0].records)
        while self.waiting and records + len(self.waiting[0].records) <= limit:
            taken.append(self.waiting.popleft())
            records += len(taken[-1].records)
        self.records -= records
        return merged(taken)


class Pipeline:
    """The stages of one running consumer; see the module docstring."""

    def __init__(
        self,
        kafka: AIOKafkaConsumer,
        *,
        batch_size: int,
        decode: Callable[[Sequence[Record]], Awaitable[DecodedBatch]],
        apply: Callable[[DecodedBatch], Awaitable[bool]],
        closing: asyncio.Event,
        retry_backoff_s: float,
        fetched: Callable[[Sequence[Record]], None],
        committed: Callable[[int], None],
    ) -> None:
        self._kafka = kafka
        self._batch_size = batch_size
        self._decode = decode
        self._apply = apply
        self._closing = closing
        self._retry_backoff_s = retry_backoff_s
        self._on_fetched = fetched
        self._on_committed = committed
        # Per topic: decoded batches waiting to be applied, and the task applying them; ``_room`` is set when
        # a full lane took a batch.
        self._lanes: dict[str, _Lane] = {}
        self._lane_tasks: list[asyncio.Task[None]] = []
        self._room = asyncio.Event()
        self._committer = OffsetCommitter(kafka)
        # Applied, not yet committed: partition → next offset, and how many records that covers.
        self._done: dict[TopicPartition, int] = {}
        self._done_records = 0
        self._commit_due = asyncio.Event()
        self._applying_over = False
        self._closed: asyncio.Task[bool] | None = None
        self._tasks: list[asyncio.Task[None]] = []
        # time.monotonic() when a lane last took a full batch or left records waiting (None: never).
        self.backlogged_at: float | None = None

    def start(self) -> None:
        """Start the fetch and commit tasks (each topic's apply lane starts with its first records)."""
        self._closed = asyncio.create_task(self._closing.wait(), name="consumer-closing")
        self._tasks = [_task(self._fetch_loop(), "consumer-fetch"), _task(self._commit_loop(), "consumer-commit")]

    async def drain(self) -> None:
        """After ``closing`` is set: let fetch stop, the lanes finish or roll back their batches, commit, stop."""
        if not self._tasks:
            return
        fetching, committing = self._tasks
        await fetching
        await asyncio.gather(*self._lane_tasks)
        self._applying_over = True
        self._commit_due.set()
        await committing

    def cancel(self) -> None:
        """Stop every stage now (after a drain that ran out of time)."""
        for task in [*self._tasks, *self._lane_tasks]:
            task.cancel()
        if self._closed is not None:
            self._closed.cancel()

    async def _unless(self, awaitable: Awaitable[T], *events: asyncio.Event) -> tuple[bool, T | None]:
        """Await ``awaitable`` unless ``close`` or one of ``events`` comes first (then it is cancelled).

        Returns (finished, its result).
        """
        assert self._closed is not None
        task = asyncio.ensure_future(awaitable)
        interrupts = [asyncio.ensure_future(event.wait()) for event in events]
        await asyncio.wait((task, self._closed, *interrupts), return_when=asyncio.FIRST_COMPLETED)
        for interrupt in interrupts:
            interrupt.cancel()
        if task.done():
            return True, task.result()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        return False, None

    async def _pause(self, delay: float) -> bool:
        """Sleep ``delay`` seconds unless ``close`` is called first; False when closing."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closing.wait(), timeout=delay)
        return not self._closing.is_set()

    async def _fetch_loop(self) -> None:
        """Fetch what is there for the topics whose lanes have room, decode it, hand it on; until ``close``."""
        while not self._closing.is_set():
            self._room.clear()
            full = {topic for topic, lane in self._lanes.items() if lane.records >= self._batch_size}
            # No partitions named: all of them. With a full lane, only the other topics' partitions.
            partitions = [tp for tp in self._kafka.assignment() if tp.topic not in full] if full else []
            if full and not partitions:
                finished, _ = await self._unless(self._room.wait())
                if not finished:
                    return
                continue
            try:
                # What is buffered already comes at once; only an empty buffer is waited on, until a record
                # arrives, ``close``, or a full lane taking a batch (its topic is then fetched again).
                fetched = await self._kafka.getmany(*partitions, max_records=self._batch_size)
                finished = True
                if not fetched:
                    waiting = self._kafka.getmany(*partitions, timeout_ms=FETCH_WAIT_MS, max_records=self._batch_size)
                    finished, fetched = await self._unless(waiting, *([self._room] if full else []))
            except ConsumerStoppedError:
                return
            except Exception as error:
                # The broker is away or refuses us: aiokafka reconnects; the fetch is tried again later.
                kafka_error = isinstance(error, KafkaError)
                log.error("fetch_failed", error=repr(error), exc_info=not kafka_error)
                await self._pause(_FETCH_RETRY_S)
                continue
            if not finished or not fetched:
                continue  # closing, room, or nothing arrived while waiting: ask again (no sleep in between)
            by_topic: dict[str, list[Record]] = {}
            for tp, records in fetched.items():
                by_topic.setdefault(tp.topic, []).extend(records)
            self._on_fetched([record for records in by_topic.values() for record in records])
            for topic, records in by_topic.items():
                decoded = await self._decoded_batch(records)
                if decoded is None:
                    return
                self._lane(topic).add(decoded)

    def _lane(self, topic: str) -> _Lane:
        """The topic's lane, started with its first records."""
        lane = self._lanes.get(topic)
        if lane is None:
            lane = self._lanes[topic] = _Lane(topic)
            self._lane_tasks.append(_task(self._apply_loop(lane), f"consumer-apply-{topic}"))
        return lane

    async def _decoded_batch(self, records: Sequence[Record]) -> DecodedBatch | None:
        """Decode a batch (its contract violations are dead-lettered meanwhile); None when abandoned at shutdown.

        A failure of the runtime itself (not of a record, those are dead-lettered) is retried with backoff:
        skipping the batch would let a later batch's commit cover it.
        """
        attempt = 0
        while True:
            try:
                return await self._decode(records)
            except Abandoned:
                log.info("batch_abandoned_at_shutdown", topics=topics_of(records), offsets=offset_ranges(records))
                return None
            except Exception:
                attempt += 1
                log.exception("batch_decode_failed", topics=topics_of(records), attempt=attempt)
                if not await self._pause(min(self._retry_backoff_s * 2 ** (attempt - 1), _MAX_BACKOFF_S)):
                    return None

    async def _apply_loop(self, lane: _Lane) -> None:
        """Apply a lane's batches in order and mark their offsets done; until ``close`` or an abandoned batch."""
        while True:
            if not lane.waiting:
                lane.something_waits.clear()
                finished, _ = await self._unless(lane.something_waits.wait())
                if not finished:
                    return
            if self._closing.is_set():
                return  # shutting down: a batch not begun is neither applied nor committed (it is redelivered)
            decoded = lane.take(self._batch_size)
            if lane.records or len(decoded.records) >= self._batch_size:
                self.backlogged_at = time.monotonic()  # more was there than one batch: catching up
            if lane.records < self._batch_size:
                self._room.set()
            if not await self._apply(decoded):
                return  # abandoned at shutdown: nothing after it may be applied or committed
            for tp, offset in next_offsets(decoded.records).items():
                if offset > self._done.get(tp, -1):
                    self._done[tp] = offset
            self._done_records += len(decoded.records)
            self._commit_due.set()

    async def _commit_loop(self) -> None:
        """Commit what apply marked done, one commit at a time; after the drain, what is left, then stop."""
        while True:
            await self._commit_due.wait()
            self._commit_due.clear()
            if self._done:
                offsets, records = self._done, self._done_records
                self._done, self._done_records = {}, 0
                if await self._committer.commit(offsets):
                    self._on_committed(records)
            if self._applying_over and not self._done:
                return


def _task(stage: Coroutine[Any, Any, None], name: str) -> asyncio.Task[None]:
    """Run a stage as a task whose unexpected end is logged."""
    task = asyncio.create_task(stage, name=name)
    task.add_done_callback(_report_crash)
    return task


def _report_crash(task: asyncio.Task[None]) -> None:
    """Log a stage that ended with an exception (a bug: the stages handle every failure they expect)."""
    if not task.cancelled() and task.exception() is not None:
        log.error("consumer_stage_crashed", stage=task.get_name(), error=repr(task.exception()))
