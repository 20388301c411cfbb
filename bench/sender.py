"""The paced sender, a process of its own (``python -m bench.sender SPEC``): the load of every paced run.

Latency, sustainable rate and soak measure the consumer in the benchmark's process; when the sender
shared that process (and its one core), a busy consumer delayed the sending and the sender's backlog
grew the memory being measured. Here the sender is a separate interpreter, and it reports whether it
kept its schedule, so a figure is never read without knowing whether the harness was the limit.

What it does:

- copies template HoursLogged records, each with a new ``ce_id`` and hours id, and ``ce_time`` set to
  the moment it hands the record to the producer (wall clock: CLOCK_REALTIME is one clock for every
  process on the machine, so the consumer's process reads a record's age from the record itself);
- sends them at ``rate`` for ``duration_s`` with an idempotent ``acks=all`` producer (the outbox
  relay's settings), counting each send's lag behind its scheduled moment;
- optionally LISTENs on a PostgreSQL channel where the consumer's transaction NOTIFYs the ``ce_time``
  of every record it wrote (delivered at commit): produced → committed latency and the backlog
  (sent - committed) are then measured here, in a process the consumer does not slow down.

Protocol, one JSON object per line: the sender prints ``ready``; on ``warm`` it sends a few records
and prints ``warmed`` with their ids (the parent waits until its consumer has them); on ``go`` it runs
the window and prints ``done`` with its report. Memory stays flat: histograms, counters and one
sample per second, never a record per record.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
from aiokafka import AIOKafkaProducer

from bench.harness import cpu_seconds
from bench.histogram import LatencyHistogram

__all__ = [
    "COMMITTED_SEPARATOR",
    "WARM_UP_RECORDS",
    "Schedule",
    "SenderSpec",
    "Template",
    "committed_payloads",
    "main",
    "record_copies",
    "stamped_headers",
]

# A tick due within this long is released at once: a sleep per tick would cost more than the send.
_SLACK_S = 0.001
# Behind schedule the loop still yields this often, so the producer's own task gets to send.
_YIELD_EVERY = 64
WARM_UP_RECORDS = 20
# NOTIFY payloads are limited to 8000 bytes: send times (16 digits and a comma each) go in chunks.
_NOTIFY_CHUNK = 400
_BATCH_BYTES = 128 * 1024
# Separates a NOTIFY payload's unique prefix from its send times (PostgreSQL folds identical payloads).
COMMITTED_SEPARATOR = "|"


@dataclass(frozen=True)
class Template:
    """A record to copy: topic, key, JSON value, headers, and the hours id its value carries."""

    topic: str
    key: str
    value: str
    headers: list[tuple[str, str]]
    hours_id: str


@dataclass(frozen=True)
class SenderSpec:
    """What one sender process does."""

    bootstrap: str
    templates_path: str
    rate: float
    duration_s: float
    drain_timeout_s: float
    listen_dsn: str | None = None
    listen_channel: str | None = None

    def to_json(self) -> str:
        """As one JSON object."""
        return json.dumps(asdict(self))


class Schedule:
    """When record ``i`` is due (``i / rate`` after the start), and how late each one actually went."""

    def __init__(self, rate: float, duration_s: float) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.total = max(1, round(rate * duration_s))
        self.lag = LatencyHistogram()

    def due_s(self, index: int) -> float:
        """Seconds after the start at which record ``index`` is due."""
        return index / self.rate

    def wait_s(self, index: int, elapsed_s: float) -> float:
        """How long to sleep before record ``index`` (0: send now); a late one counts its lag."""
        ahead = self.due_s(index) - elapsed_s
        if ahead > _SLACK_S:
            return ahead
        self.lag.record(max(0.0, -ahead) * 1000)
        return 0.0


def committed_payloads(token: str, sent_us: list[int]) -> list[str]:
    """NOTIFY payloads carrying the send times of one transaction's records (see ``COMMITTED_SEPARATOR``)."""
    return [
        f"{token}:{chunk}{COMMITTED_SEPARATOR}" + ",".join(map(str, sent_us[first : first + _NOTIFY_CHUNK]))
        for chunk, first in enumerate(range(0, len(sent_us), _NOTIFY_CHUNK))
    ]


def record_copies(templates: list[Template]) -> Iterator[tuple[Template, bytes, list[tuple[str, bytes]], bytes]]:
    """Endless (template, value, headers, event id): a new event id and hours id per copy, a few µs each."""
    prepared = [
        (template, template.value.encode(), [(name, raw.encode()) for name, raw in template.headers])
        for template in templates
    ]
    while True:
        for template, value, headers in prepared:
            event_id = str(uuid.uuid4()).encode()
            copied = value.replace(template.hours_id.encode(), str(uuid.uuid4()).encode())
            yield template, copied, headers, event_id


def stamped_headers(headers: list[tuple[str, bytes]], event_id: bytes, now: float) -> list[tuple[str, bytes]]:
    """The headers with this copy's ``ce_id`` and ``ce_time`` (now, UTC, microseconds)."""
    stamp = datetime.fromtimestamp(now, UTC).isoformat().encode()
    return [(name, event_id if name == "ce_id" else stamp if name == "ce_time" else raw) for name, raw in headers]


class _Committed:
    """Produced → committed latencies and counts, from the consumer's NOTIFYs."""

    def __init__(self) -> None:
        self.window_start_us: int | None = None  # warm-up records commit before the window opens
        self.latency = LatencyHistogram()
        self.count = 0
        self.before_window = 0

    def on_notify(self, _connection: object, _pid: int, _channel: str, payload: object) -> None:
        """One NOTIFY: the send times of records a transaction committed."""
        now_us = time.time() * 1e6
        times = str(payload).split(COMMITTED_SEPARATOR, 1)[1]
        for sent in times.split(","):
            sent_us = int(sent)
            if self.window_start_us is not None and sent_us >= self.window_start_us:
                self.latency.record((now_us - sent_us) / 1000)
                self.count += 1
            else:
                self.before_window += 1


class _Sender:
    """One sender's state: the producer, the copies, the counts."""

    def __init__(self, spec: SenderSpec, templates: list[Template]) -> None:
        self.spec = spec
        self.copies = record_copies(templates)
        # acks=all and idempotent as the outbox relay; batches of up to 128 KB (default 16 KB) so one request per
        # partition carries what piled up while the previous one was in flight: at ten thousand records a second
        # the default let a slow broker block send(), and the sender fell behind its schedule for that.
        self.producer = AIOKafkaProducer(
            bootstrap_servers=spec.bootstrap, acks="all", enable_idempotence=True, max_batch_size=_BATCH_BYTES
        )
        self.committed = _Committed()
        self.listener: asyncpg.Connection | None = None
        self.acked = 0
        self.failed = 0
        self.first_error = ""

    async def start(self) -> None:
        """Connect the producer (and the listener)."""
        await self.producer.start()
        if self.spec.listen_dsn and self.spec.listen_channel:
            self.listener = await asyncpg.connect(self.spec.listen_dsn)
            await self.listener.add_listener(self.spec.listen_channel, self.committed.on_notify)

    async def stop(self) -> None:
        """Close both."""
        await self.producer.stop()
        if self.listener is not None:
            await self.listener.close()

    def _on_ack(self, future: asyncio.Future[Any]) -> None:
        """Count an acknowledgement (or a failure, which the report shows)."""
        if future.cancelled() or future.exception() is not None:
            self.failed += 1
            self.first_error = self.first_error or repr(future.exception())[:300]
        else:
            self.acked += 1

    async def send_one(self) -> str:
        """Send the next copy now; its event id."""
        template, value, headers, event_id = next(self.copies)
        stamped = stamped_headers(headers, event_id, time.time())
        future = await self.producer.send(template.topic, value=value, key=template.key.encode(), headers=stamped)
        future.add_done_callback(self._on_ack)
        return event_id.decode()

    async def warm(self) -> list[str]:
        """A few records, each acknowledged before the next: the consumer joins and starts fetching on these."""
        ids = []
        for _ in range(WARM_UP_RECORDS):
            ids.append(await self.send_one())
            await self.producer.flush()
        return ids

    async def window(self) -> dict[str, Any]:
        """Send at the rate for the duration, wait for the acks and (listening) the commits; the report."""
        spec = self.spec
        schedule = Schedule(spec.rate, spec.duration_s)
        self.committed.window_start_us = int(time.time() * 1e6)
        acked_before, sent = self.acked, 0
        cpu_start, started = cpu_seconds(), time.perf_counter()
        samples: list[tuple[float, int, int]] = []
        next_sample = 1.0
        while sent < schedule.total:
            elapsed = time.perf_counter() - started
            if elapsed >= next_sample:
                samples.append((round(elapsed, 3), sent, self.committed.count))
                next_sample += 1.0
            wait = schedule.wait_s(sent, elapsed)
            if wait:
                await asyncio.sleep(wait)
                continue
            await self.send_one()
            sent += 1
            if sent % _YIELD_EVERY == 0:
                await asyncio.sleep(0)
        send_seconds = time.perf_counter() - started
        await self.producer.flush()
        drain_deadline = time.perf_counter() + spec.drain_timeout_s
        while self.listener is not None and self.committed.count < sent and time.perf_counter() < drain_deadline:
            elapsed = time.perf_counter() - started
            if elapsed >= next_sample:
                samples.append((round(elapsed, 3), sent, self.committed.count))
                next_sample += 1.0
            await asyncio.sleep(0.02)
        # The backlog where the drain ended, too: a short run drained before its first whole second had none.
        samples.append((round(time.perf_counter() - started, 3), sent, self.committed.count))
        censored = 0
        report: dict[str, Any] = {
            "event": "done",
            "asked_rate": spec.rate,
            "duration_s": spec.duration_s,
            "sent": sent,
            "send_seconds": send_seconds,
            "achieved_rate": sent / max(send_seconds, spec.duration_s),
            "send_lag_ms": schedule.lag.summary().as_dict(),
            "acked": self.acked - acked_before,
            "failed": self.failed,
            "first_error": self.first_error,
            "cpu_seconds": cpu_seconds() - cpu_start,
            "load_average": [round(value, 2) for value in os.getloadavg()],
            "samples": samples,
        }
        if self.listener is not None:
            censored = sent - self.committed.count
            if censored > 0:
                # Never committed in time: counted with their age now, a lower bound (since the last send).
                self.committed.latency.record((time.perf_counter() - started - send_seconds) * 1000, censored)
            report["committed"] = self.committed.count
            report["censored"] = max(censored, 0)
            report["committed_ms"] = self.committed.latency.as_dict() if self.committed.latency.count else None
        return report


def _say(message: dict[str, Any]) -> None:
    """One protocol line to the parent."""
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def _templates(path: str) -> list[Template]:
    """The templates file ``bench.paced.write_templates`` wrote."""
    return [Template(**json.loads(line)) for line in Path(path).read_text().splitlines()]


async def _serve(spec: SenderSpec) -> None:
    """Ready, then answer the parent's commands until the window is done."""
    sender = _Sender(spec, _templates(spec.templates_path))
    await sender.start()
    loop = asyncio.get_running_loop()
    try:
        _say({"event": "ready"})
        while True:
            line = await loop.run_in_executor(None, sys.stdin.readline)
            command = line.strip()
            if command == "warm":
                _say({"event": "warmed", "ids": await sender.warm()})
            elif command == "go":
                _say(await sender.window())
                return
            else:  # the parent closed stdin or gave up
                return
    finally:
        await sender.stop()


def main(argv: list[str] | None = None) -> int:
    """``python -m bench.sender '<SenderSpec as JSON>'``."""
    arguments = sys.argv[1:] if argv is None else argv
    spec = SenderSpec(**json.loads(arguments[0]))
    asyncio.run(_serve(spec))
    return 0


if __name__ == "__main__":
    sys.exit(main())
