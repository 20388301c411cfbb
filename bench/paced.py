"""Paced runs: the sender in its own process (``bench.sender``), the consumer under test in this one.

Both sides of a latency comparison use the same sender design; only the consumer differs:

- project: ``EventConsumer`` with a run handler that COPYs into ``bench_hours`` and NOTIFYs the send
  times of the records it wrote. ``handled`` (produce → handler called) is measured here; ``committed``
  (produce → transaction committed) and the backlog are measured by the sender, which LISTENs.
- raw: an aiokafka ``getmany`` loop validating every payload; ``consumed`` = produce → record in hand.

A record's age is read from its own ``ce_time`` (the sender stamps it when it sends), so this process
keeps no per-record state: histograms, counters and one RSS sample a second. It also checks that the
sender kept its schedule (``bench.verdicts.schedule_kept``) before any figure is believed.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import asyncpg
from aiokafka.structs import ConsumerRecord

from bench.baselines import validate
from bench.generator import Region, iter_hours_logged
from bench.harness import Run, cpu_seconds, current_rss_bytes, peak_rss_bytes, reset_peak_rss
from bench.histogram import LatencyHistogram
from bench.project import HOURS_COLUMNS, hours_row, project_consumer, reset_tables
from bench.sender import SenderSpec, Template, committed_payloads
from bench.streams import assigned_consumer, end_offsets, seek_to
from common.consumer import BatchContext
from contracts.events import HoursLogged

__all__ = [
    "COMMITTED_CHANNEL",
    "PacedSetup",
    "SenderProcess",
    "paced_project",
    "paced_raw",
    "sent_us",
    "write_templates",
]

HOURS_TOPIC = HoursLogged.topic
COMMITTED_CHANNEL = "bench_committed"
_NOTIFY = "SELECT pg_notify($1, $2)"
# Distinct generated HoursLogged the sender cycles through (each copy gets new ids).
_TEMPLATES = 5_000
_START_TIMEOUT_S = 60.0
_WARM_UP_TIMEOUT_S = 60.0
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_POLL_MS = 100


def sent_us(moment: datetime) -> int:
    """A ``ce_time`` as whole microseconds since the epoch (exact, unlike ``timestamp()``'s float)."""
    return (moment - _EPOCH) // _MICROSECOND


def write_templates(region: Region, seed: int, path: Path, count: int = _TEMPLATES) -> Path:
    """``count`` generated HoursLogged as the sender's templates (one JSON object a line)."""
    lines = []
    for generated in itertools.islice(iter_hours_logged(region, seed=seed), count):
        record = generated.record()
        template = Template(
            topic=record.topic,
            key=record.key.decode(),
            value=record.value.decode(),
            headers=[(name, raw.decode()) for name, raw in record.headers],
            hours_id=str(cast(HoursLogged, generated.event).hours_id),
        )
        lines.append(json.dumps(asdict(template)))
    path.write_text("\n".join(lines) + "\n")
    return path


class SenderProcess:
    """The parent's end of one ``python -m bench.sender`` process (see its module docstring)."""

    def __init__(self, process: asyncio.subprocess.Process, errors: Path) -> None:
        self._process = process
        self._errors = errors

    @classmethod
    @asynccontextmanager
    async def start(cls, spec: SenderSpec) -> AsyncIterator[SenderProcess]:
        """Start the process and wait for ``ready``; it is ended on exit (terminated if still running)."""
        with tempfile.TemporaryDirectory(prefix="regio-bench-sender-") as scratch:
            errors = Path(scratch) / "stderr"
            with errors.open("wb") as stderr:
                process = await asyncio.create_subprocess_exec(
                    sys.executable,
                    "-m",
                    "bench.sender",
                    spec.to_json(),
                    stdin=asyncio.subprocess.PIPE,
                    stdout=asyncio.subprocess.PIPE,
                    stderr=stderr,
                )
            sender = cls(process, errors)
            try:
                await sender._expect("ready", _START_TIMEOUT_S)
                yield sender
            finally:
                if process.returncode is None:
                    with contextlib.suppress(ProcessLookupError):
                        process.terminate()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(process.wait(), 10)
                    if process.returncode is None:
                        process.kill()
                        await process.wait()

    @property
    def pid(self) -> int:
        """The process id."""
        return self._process.pid

    async def _tell(self, command: str) -> None:
        """One command line."""
        assert self._process.stdin is not None
        self._process.stdin.write(command.encode() + b"\n")
        await self._process.stdin.drain()

    async def _expect(self, event: str, timeout: float) -> dict[str, Any]:
        """The next protocol line, which must be ``event``; the sender's stderr when it died instead."""
        assert self._process.stdout is not None
        try:
            line = await asyncio.wait_for(self._process.stdout.readline(), timeout)
        except TimeoutError:
            raise TimeoutError(f"the sender sent no {event!r} within {timeout:.0f} s") from None
        if not line:
            await self._process.wait()
            tail = self._errors.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"the sender exited with {self._process.returncode} before {event!r}:\n{tail}")
        message: dict[str, Any] = json.loads(line)
        if message.get("event") != event:
            raise RuntimeError(f"the sender said {message.get('event')!r}, expected {event!r}")
        return message

    async def warm(self) -> list[str]:
        """Send the warm-up records; their event ids."""
        await self._tell("warm")
        return list((await self._expect("warmed", _WARM_UP_TIMEOUT_S))["ids"])

    async def window(self, timeout: float) -> dict[str, Any]:
        """Run the paced window; the sender's report."""
        await self._tell("go")
        return await self._expect("done", timeout)


@dataclass
class _Observed:
    """What this process sees of the records: the warm-up ids, then the window's latencies."""

    warm_seen: set[str] = field(default_factory=set)
    window_start_us: int | None = None
    latency: LatencyHistogram = field(default_factory=LatencyHistogram)

    def see(self, sent: Sequence[int], event_ids: Sequence[str]) -> None:
        """Records now in hand (their send times and ids)."""
        now_us = time.time() * 1e6
        start = self.window_start_us
        if start is None:  # only the warm-up records are sent before the window: a few ids
            self.warm_seen.update(event_ids)
            return
        for moment in sent:
            if moment >= start:
                self.latency.record((now_us - moment) / 1000)

    async def warmed(self, ids: list[str], task: asyncio.Task[None] | None = None) -> None:
        """Wait until the consumer had every warm-up record: group joined, fetching going."""
        deadline = time.perf_counter() + _WARM_UP_TIMEOUT_S
        while not set(ids) <= self.warm_seen:
            _raise_if_failed(task)
            if time.perf_counter() > deadline:
                raise TimeoutError(f"the consumer did not see its warm-up records within {_WARM_UP_TIMEOUT_S:.0f} s")
            await asyncio.sleep(0.02)


@dataclass(frozen=True)
class PacedSetup:
    """Where a paced run sends, writes and listens."""

    bootstrap: str
    dsn: str
    pool: asyncpg.Pool
    templates: Path
    drain_timeout_s: float


async def _window(
    side: str,
    setup: PacedSetup,
    spec: SenderSpec,
    observed: _Observed,
    series: str,
    task: asyncio.Task[None] | None = None,
) -> Run:
    """Warm up, run the sender's window, sample this process's RSS each second; the Run."""
    async with SenderProcess.start(spec) as sender:
        await observed.warmed(await sender.warm(), task)
        reset_peak_rss()
        rss: list[tuple[float, int]] = []
        started, cpu_start = time.perf_counter(), cpu_seconds()

        async def sample() -> None:
            while True:
                await asyncio.sleep(1.0)
                rss.append((round(time.perf_counter() - started, 3), current_rss_bytes()))

        sampler = asyncio.create_task(sample())
        try:
            observed.window_start_us = int(time.time() * 1e6)
            report = await sender.window(spec.duration_s * 2 + setup.drain_timeout_s + 60)
            # The raw loop's records are counted here: wait for the last ones like the sender waits for commits.
            deadline = time.perf_counter() + setup.drain_timeout_s
            while task is not None and observed.latency.count < report["sent"] and time.perf_counter() < deadline:
                _raise_if_failed(task)
                await asyncio.sleep(0.02)
            cpu = cpu_seconds() - cpu_start
        finally:
            sampler.cancel()
    if report["failed"]:
        raise RuntimeError(f"the sender's producer failed {report['failed']} sends: {report['first_error']}")
    extra: dict[str, Any] = {
        "target_rate_per_s": spec.rate,
        "sender": {key: value for key, value in report.items() if key not in ("samples", "committed_ms", "event")},
        "rss_samples": rss,
    }
    latencies = {}
    if report.get("committed_ms"):
        latencies["committed"] = LatencyHistogram.from_dict(report["committed_ms"]).summary()
        extra["lag_samples"] = [(t, sent - committed) for t, sent, committed in report["samples"]]
        extra["censored"] = report["censored"]
    else:
        extra["censored"] = max(report["sent"] - observed.latency.count, 0)
        if extra["censored"]:
            # Never seen in time: counted with the time waited for them, a lower bound of their latency.
            observed.latency.record(setup.drain_timeout_s * 1000, extra["censored"])
    if observed.latency.count:
        latencies[series] = observed.latency.summary()
    return Run(
        side,
        records=report["sent"],
        seconds=report["send_seconds"],
        cpu_seconds=cpu,
        peak_rss_bytes=peak_rss_bytes(),
        latencies_ms=latencies,
        extra=extra,
    )


async def paced_project(setup: PacedSetup, *, group: str, rate: float, duration_s: float) -> Run:
    """Paced HoursLogged through the project's consumer writing to PostgreSQL: handled here, committed by the sender."""
    await reset_tables(setup.pool)
    start = await end_offsets(setup.bootstrap, HOURS_TOPIC)
    observed = _Observed()
    batches = itertools.count()

    async def on_hours_logged(events: Sequence[HoursLogged], ctx: BatchContext) -> None:
        """The run's rows by COPY, and their send times NOTIFYed (delivered when the batch commits)."""
        sent = [sent_us(envelope.time) for envelope in ctx.envelopes]
        observed.see(sent, [str(envelope.id) for envelope in ctx.envelopes])
        rows = [hours_row(event) for event in events]
        await ctx.conn.copy_records_to_table("bench_hours", records=rows, columns=HOURS_COLUMNS)
        for payload in committed_payloads(f"b{next(batches)}", sent):
            await ctx.conn.execute(_NOTIFY, COMMITTED_CHANNEL, payload)

    spec = SenderSpec(
        bootstrap=setup.bootstrap,
        templates_path=str(setup.templates),
        rate=rate,
        duration_s=duration_s,
        drain_timeout_s=setup.drain_timeout_s,
        listen_dsn=setup.dsn,
        listen_channel=COMMITTED_CHANNEL,
    )
    async with project_consumer(
        bootstrap=setup.bootstrap,
        group=group,
        topic=HOURS_TOPIC,
        start=start,
        pool=setup.pool,
        run_handler=on_hours_logged,
    ):
        return await _window("project", setup, spec, observed, "handled")


async def paced_raw(setup: PacedSetup, *, rate: float, duration_s: float) -> Run:
    """Paced HoursLogged consumed by a raw aiokafka loop (produce → record in hand, then validated)."""
    start = await end_offsets(setup.bootstrap, HOURS_TOPIC)
    observed = _Observed()
    stop = asyncio.Event()

    async def consume() -> None:
        consumer = assigned_consumer(setup.bootstrap, HOURS_TOPIC)
        await consumer.start()
        try:
            seek_to(consumer, HOURS_TOPIC, start)
            while not stop.is_set():
                batches = await consumer.getmany(timeout_ms=_POLL_MS)
                records = [record for part in batches.values() for record in part]
                if records:
                    observed.see([_record_sent_us(r) for r in records], [_ce(r, "ce_id") for r in records])
                    for record in records:
                        validate(record)
        finally:
            await consumer.stop()

    spec = SenderSpec(
        bootstrap=setup.bootstrap,
        templates_path=str(setup.templates),
        rate=rate,
        duration_s=duration_s,
        drain_timeout_s=setup.drain_timeout_s,
    )
    task = asyncio.create_task(consume())
    try:
        return await _window("raw", setup, spec, observed, "consumed", task)
    finally:
        stop.set()
        await task


def _ce(record: ConsumerRecord[bytes, bytes], name: str) -> str:
    """A header of the record ('' when absent)."""
    return next((value.decode() for header, value in record.headers if header == name), "")


def _record_sent_us(record: ConsumerRecord[bytes, bytes]) -> int:
    """The record's ``ce_time`` in microseconds since the epoch."""
    return sent_us(datetime.fromisoformat(_ce(record, "ce_time")))


def _raise_if_failed(task: asyncio.Task[None] | None) -> None:
    """Surface the error of a consumer task that died."""
    if task is not None and task.done():
        task.result()
        raise RuntimeError("the consumer stopped early")
