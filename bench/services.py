"""The platform's services as real processes for a benchmark: own database, own log, CPU and memory from /proc."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import importlib
import json
import os
import re
import secrets
import signal
import time
from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from common.consumer import EventConsumer
from common.localinfra import database_dsn
from common.localinfra.processes import ServiceProcess

__all__ = [
    "BenchService",
    "GroupWatcher",
    "consumed_topics",
    "copy_database",
    "log_summary",
    "process_cpu_seconds",
    "process_peak_rss_bytes",
    "process_rss_bytes",
]

# How long a service may take to shut down after SIGTERM before it is killed (its own budget is 20 s).
_STOP_TIMEOUT_S = 30.0
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def consumed_topics(service: str) -> list[str]:
    """The topics ``service`` subscribes to, asked of its ServiceSpec (as the service itself builds them)."""
    spec = importlib.import_module(f"{service}.main").SPEC
    consumer = EventConsumer(service, None)
    if spec.register_handlers is not None:
        spec.register_handlers(consumer)
    return consumer.topics


# What a group member's trouble joining or staying in its group looks like in a service's log (aiokafka's own
# warnings come through the JSON logging too): rebalances, failed heartbeats, commits refused for a stale generation.
_REBALANCE_WORDS = re.compile(
    r"rebalanc|heartbeat|rejoin|generation|unknownmemberid|illegalgeneration|commitfailed|offset_commit_failed", re.I
)


def log_summary(path: Path, *, since: int = 0) -> dict[str, Any]:
    """Lines per level, the most frequent warnings and errors (by event), and the rebalance warnings of a JSON log.

    ``since``: a byte offset to start from (the log's size when a run began), so one run is counted alone.
    """
    levels: collections.Counter[str] = collections.Counter()
    problems: collections.Counter[str] = collections.Counter()
    rebalance: collections.Counter[str] = collections.Counter()
    if path.exists():
        with path.open("rb") as raw_lines:
            raw_lines.seek(since)
            for raw_line in raw_lines:
                line = raw_line.decode(errors="replace")
                try:
                    entry = json.loads(line)
                except json.JSONDecodeError:
                    levels["unparsed"] += 1
                    continue
                level = str(entry.get("level", "?")).lower() if isinstance(entry, dict) else "unparsed"
                levels[level] += 1
                if level in ("warning", "error", "critical"):
                    problems[f"{level}: {entry.get('event', '?')}"] += 1
                    if _REBALANCE_WORDS.search(line):
                        rebalance[f"{level}: {str(entry.get('event', '?'))[:120]}"] += 1
    return {
        "lines_by_level": dict(levels),
        "warnings": levels["warning"],
        "errors": levels["error"] + levels["critical"],
        "unparsed": levels["unparsed"],
        "problems": dict(problems.most_common(10)),
        "rebalance_warnings": sum(rebalance.values()),
        "rebalance_problems": dict(rebalance.most_common(5)),
    }


@dataclass
class BenchService:
    """One service (``python -m <name>``) on its own database, logging at INFO to ``log_path``."""

    name: str
    database_dsn: str
    process: ServiceProcess
    ops_token: str

    @classmethod
    def create(cls, name: str, *, database_dsn: str, bootstrap: str, region: str, log_path: Path) -> BenchService:
        """Describe the process with the environment a deployed service has (start it with ``start``)."""
        prefix = name.upper()
        # A throw-away ops token: settings refuse placeholder secrets outside development.
        ops_token = secrets.token_urlsafe(24)
        env = {
            "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
            "REGION": region,
            "LOG_LEVEL": "INFO",
            "OPS_TOKEN": ops_token,
            f"{prefix}_DATABASE_URL": database_dsn,
        }
        return cls(name, database_dsn, ServiceProcess(module=name, env=env, log_path=log_path), ops_token)

    @property
    def ops_headers(self) -> dict[str, str]:
        """The region ops bearer header of this process."""
        return {"Authorization": f"Bearer {self.ops_token}"}

    def log_size(self) -> int:
        """How far the log has grown (a run's ``since``)."""
        path = self.process.log_path
        return path.stat().st_size if path.exists() else 0

    @property
    def group(self) -> str:
        """The consumer group: a service's EventConsumer is named after it."""
        return self.name

    def start(self) -> None:
        """Start the process (binds a free port on 127.0.0.1)."""
        self.process.start()

    async def wait_ready(self, timeout: float) -> None:
        """Until ``/health/ready`` answers 200, asked every 50 ms (start-up is timed to the tenth of a second)."""
        deadline = time.perf_counter() + timeout
        async with httpx.AsyncClient(base_url=self.process.url, timeout=2) as client:
            while True:
                if why := self.exited():
                    raise RuntimeError(why)
                with contextlib.suppress(httpx.TransportError):
                    if (await client.get("/health/ready")).status_code == 200:
                        return
                if time.perf_counter() > deadline:
                    raise TimeoutError(f"{self.name} not ready after {timeout:.0f} s:\n{self.process.log_tail(15)}")
                await asyncio.sleep(0.05)

    async def stop(self) -> int | None:
        """SIGTERM and wait for the graceful exit (killed after a bound); the exit code, None if never started."""
        if self.process.process is None:
            return None
        return await asyncio.to_thread(self.process.stop, _STOP_TIMEOUT_S)

    @staticmethod
    def clean_exit(code: int | None) -> bool:
        """Whether an exit code is a graceful stop (uvicorn re-raises SIGTERM after its own shutdown)."""
        return code in (None, 0, -signal.SIGTERM)

    def exited(self) -> str | None:
        """Why the process is gone (with its log's tail), None while it runs."""
        process = self.process.process
        if process is None or process.poll() is None:
            return None
        return f"{self.name} exited with {process.returncode}:\n{self.process.log_tail(15)}"

    def cpu_seconds(self) -> float:
        """User + system CPU time of the running process so far (0 when it is not running)."""
        process = self.process.process
        return process_cpu_seconds(process.pid) if process is not None else 0.0

    def peak_rss_bytes(self) -> int:
        """Peak resident set size of the running process so far (0 when it is not running)."""
        process = self.process.process
        return process_peak_rss_bytes(process.pid) if process is not None else 0


_DATABASE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


async def copy_database(server_dsn: str, template: str, name: str) -> str:
    """A new database ``name`` as a copy of ``template`` (nobody may be connected to it); the copy's DSN."""
    for database in (template, name):
        if not _DATABASE_NAME.match(database):
            raise ValueError(f"not a benchmark database name: {database!r}")
    connection = await asyncpg.connect(server_dsn, timeout=10)
    try:
        # Both names are the benchmark's own, checked above.
        await connection.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    finally:
        await connection.close()
    return database_dsn(server_dsn, name)


async def _until_none(dsn: str, waiting: str, timeout: float) -> None:
    """Until the ``waiting`` query (an EXISTS) says false; TimeoutError after ``timeout`` s."""
    conn = await asyncpg.connect(dsn)
    try:
        async with asyncio.timeout(timeout):
            while True:  # polled: the other process signals nothing
                if not await conn.fetchval(waiting):
                    return
                await asyncio.sleep(0.1)
    finally:
        await conn.close()


async def until_folded(dsn: str, *, timeout: float) -> None:
    """Until reporting's hours queue is empty (its background fold done); TimeoutError after ``timeout`` s."""
    await _until_none(dsn, "SELECT EXISTS (SELECT 1 FROM hours_pending)", timeout)


async def until_published(dsn: str, *, timeout: float) -> None:
    """Until a service's outbox has no unpublished row (its relay caught up); TimeoutError after ``timeout`` s."""
    await _until_none(dsn, "SELECT EXISTS (SELECT 1 FROM outbox WHERE published_at IS NULL)", timeout)


def _proc(pid: int, name: str) -> str | None:
    """A /proc file of a process, None when it is gone."""
    try:
        return Path(f"/proc/{pid}/{name}").read_text()
    except OSError:
        return None


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time of a running process (all its threads) so far; 0 when it is gone."""
    stat = _proc(pid, "stat")
    if stat is None:
        return 0.0
    # Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS


def process_peak_rss_bytes(pid: int) -> int:
    """Peak resident set size of a running process so far; 0 when it is gone."""
    for line in (_proc(pid, "status") or "").splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def process_rss_bytes(pid: int) -> int:
    """Resident set size of a running process now; 0 when it is gone."""
    for line in (_proc(pid, "status") or "").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


class GroupWatcher:
    """Committed offsets of consumer groups through one long-lived admin client (cheap to poll)."""

    def __init__(self, admin: AIOKafkaAdminClient) -> None:
        self._admin = admin

    @classmethod
    @asynccontextmanager
    async def connect(cls, bootstrap: str) -> AsyncIterator[GroupWatcher]:
        """A watcher on ``bootstrap``, closed on exit."""
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=15_000)
        await admin.start()
        try:
            yield cls(admin)
        finally:
            await admin.close()

    async def committed(self, group: str, targets: Iterable[TopicPartition]) -> dict[TopicPartition, int]:
        """The group's committed offset of each partition (absent: never committed)."""
        offsets = await self._admin.list_consumer_group_offsets(group, partitions=list(targets))
        return {tp: meta.offset for tp, meta in offsets.items() if meta.offset >= 0}

    async def done(self, group: str, start: Mapping[TopicPartition, int], end: Mapping[TopicPartition, int]) -> int:
        """How many records between ``start`` and ``end`` the group has committed."""
        committed = await self.committed(group, end)
        return sum(min(max(committed.get(tp, 0), start[tp]), end[tp]) - start[tp] for tp in end)

    async def wait_for(
        self,
        group: str,
        end: Mapping[TopicPartition, int],
        *,
        timeout: float,
        alive: BenchService | None = None,
        every: float = 0.2,
    ) -> float:
        """Wait until the group committed ``end`` on every partition; the seconds it took.

        Fails early when ``alive`` (the process of the group) exits.
        """
        started = time.perf_counter()
        while True:
            committed = await self.committed(group, end)
            if all(committed.get(tp, 0) >= offset for tp, offset in end.items()):
                return time.perf_counter() - started
            if alive is not None and (why := alive.exited()):
                raise RuntimeError(why)
            if time.perf_counter() - started > timeout:
                behind = {f"{tp.topic}[{tp.partition}]": (committed.get(tp), offset) for tp, offset in end.items()}
                behind = {name: pair for name, pair in behind.items() if (pair[0] or 0) < pair[1]}
                raise TimeoutError(f"{group} had not committed {behind} (committed, end) after {timeout:.0f} s")
            await asyncio.sleep(every)
