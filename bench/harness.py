"""Measuring: paired A/B runs (and rounds of more sides), percentiles, progress windows, CPU and RSS of this process.

Shared 2-core machines are noisy, so nothing here is judged on its own: every goal compares the project
(side A) with a raw baseline (side B) run right after it on the same broker and database, A B A B A B,
and reports the median of the per-pair ratios.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import re
import resource
import sys
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "LatencySummary",
    "Paired",
    "Progress",
    "Run",
    "cpu_seconds",
    "current_rss_bytes",
    "median",
    "peak_rss_bytes",
    "percentile",
    "reset_peak_rss",
    "round_ratios",
    "run_pairs",
    "run_rounds",
    "summarize",
]

_PROC_STATUS = Path("/proc/self/status")
_PROC_CLEAR_REFS = Path("/proc/self/clear_refs")
_PROC_STATM = Path("/proc/self/statm")


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) by linear interpolation between closest ranks (numpy's default)."""
    if not values:
        raise ValueError("percentile of no values")
    if not 0 <= q <= 100:
        raise ValueError(f"percentile {q} outside 0..100")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def median(values: Sequence[float]) -> float:
    """The 50th percentile."""
    return percentile(values, 50)


@dataclass(frozen=True)
class LatencySummary:
    """Percentiles of one latency series, in milliseconds."""

    count: int
    p50: float
    p95: float
    p99: float
    max: float

    def as_dict(self) -> dict[str, float]:
        """Plain numbers for the JSON result."""
        return {"count": self.count, "p50": self.p50, "p95": self.p95, "p99": self.p99, "max": self.max}


def summarize(values_ms: Sequence[float]) -> LatencySummary:
    """p50/p95/p99/max of a latency series."""
    return LatencySummary(
        count=len(values_ms),
        p50=percentile(values_ms, 50),
        p95=percentile(values_ms, 95),
        p99=percentile(values_ms, 99),
        max=max(values_ms),
    )


def cpu_seconds() -> float:
    """User + system CPU time this process has used (all its threads)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def reset_peak_rss() -> bool:
    """Reset the kernel's peak-RSS mark of this process (Linux 4.0+); False where that is impossible."""
    try:
        _PROC_CLEAR_REFS.write_text("5")
    except OSError:
        return False
    return True


def peak_rss_bytes() -> int:
    """Peak resident set size since the last ``reset_peak_rss`` (else since the process started)."""
    try:
        match = re.search(r"^VmHWM:\s+(\d+) kB", _PROC_STATUS.read_text(), re.MULTILINE)
    except OSError:
        match = None
    if match:
        return int(match.group(1)) * 1024
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # bytes on macOS, KiB on Linux


def current_rss_bytes() -> int:
    """Resident set size of this process now."""
    try:
        pages = int(_PROC_STATM.read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return peak_rss_bytes()
    return pages * resource.getpagesize()


@dataclass
class Run:
    """One measured run of one side: how many records in how long, at what cost."""

    side: str
    records: int
    seconds: float
    cpu_seconds: float
    peak_rss_bytes: int
    latencies_ms: dict[str, LatencySummary] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        """Records per second over the measured window."""
        return self.records / self.seconds if self.seconds > 0 else 0.0

    @property
    def cpu_us_per_record(self) -> float:
        """CPU microseconds this process spent per record."""
        return self.cpu_seconds / self.records * 1e6 if self.records else 0.0

    def as_dict(self) -> dict[str, Any]:
        """Plain values for the JSON result."""
        return {
            "side": self.side,
            "records": self.records,
            "seconds": self.seconds,
            "rate_per_s": self.rate,
            "cpu_seconds": self.cpu_seconds,
            "cpu_us_per_record": self.cpu_us_per_record,
            "peak_rss_bytes": self.peak_rss_bytes,
            "latencies_ms": {name: summary.as_dict() for name, summary in self.latencies_ms.items()},
            **self.extra,
        }


@dataclass
class Paired:
    """Runs of side A and side B taken in pairs (A first in each pair)."""

    a: list[Run] = field(default_factory=list)
    b: list[Run] = field(default_factory=list)

    def ratios(self, metric: Callable[[Run], float] = lambda run: run.rate) -> list[float]:
        """``metric(A) / metric(B)`` for each pair."""
        return [metric(a) / metric(b) if metric(b) else math.inf for a, b in zip(self.a, self.b, strict=True)]

    def median_ratio(self, metric: Callable[[Run], float] = lambda run: run.rate) -> float:
        """The median of the per-pair ratios: robust to one pair hit by a noisy neighbour."""
        return median(self.ratios(metric))


async def run_pairs(
    pairs: int,
    run_a: Callable[[int], Awaitable[Run]],
    run_b: Callable[[int], Awaitable[Run]],
    *,
    on_run: Callable[[Run], None] | None = None,
) -> Paired:
    """Run A then B, ``pairs`` times (A B A B ...); each callable gets the pair's index."""
    if pairs < 1:
        raise ValueError("at least one pair")
    paired = Paired()
    for index in range(pairs):
        for run, into in ((run_a, paired.a), (run_b, paired.b)):
            result = await run(index)
            into.append(result)
            if on_run is not None:
                on_run(result)
    return paired


async def run_rounds(
    rounds: int,
    sides: Mapping[str, Callable[[int], Awaitable[Run]]],
    *,
    on_run: Callable[[Run], None] | None = None,
) -> dict[str, list[Run]]:
    """Run every side in turn, ``rounds`` times (A B C A B C ...); the runs of each side, in round order."""
    if rounds < 1:
        raise ValueError("at least one round")
    runs: dict[str, list[Run]] = {name: [] for name in sides}
    for index in range(rounds):
        for name, run in sides.items():
            result = await run(index)
            runs[name].append(result)
            if on_run is not None:
                on_run(result)
    return runs


def round_ratios(runs: Mapping[str, list[Run]], top: str, bottom: str) -> list[float]:
    """``rate(top) / rate(bottom)`` per round."""
    return [a.rate / b.rate if b.rate else math.inf for a, b in zip(runs[top], runs[bottom], strict=True)]


class Progress:
    """The measured window of a throughput run: from the first record in hand to the last one done.

    Bounded in count (``target``) and time: ``time_limit_s`` after the first record, or
    ``startup_timeout_s`` without any record, the run ends with what it has.
    """

    def __init__(self, target: int, *, time_limit_s: float, startup_timeout_s: float = 60.0) -> None:
        self.target = target
        self.time_limit_s = time_limit_s
        self.startup_timeout_s = startup_timeout_s
        self.count = 0
        self.started_at: float | None = None
        self.last_at: float | None = None
        self.cpu_at_start = 0.0
        self.cpu_at_end: float | None = None
        self.first = asyncio.Event()
        self.done = asyncio.Event()
        self.stopped = False

    def begin(self) -> None:
        """Open the window (the first record is in hand) unless it is open already."""
        if self.started_at is None:
            self.started_at = time.perf_counter()
            self.cpu_at_start = cpu_seconds()
            self.first.set()

    def mark(self, records: int = 1) -> None:
        """``records`` more are done; the window ends when the target is reached."""
        if self.done.is_set():
            return  # records finished after the target fall outside the window
        self.begin()
        self.count += records
        self.last_at = time.perf_counter()
        if self.count >= self.target:
            self.done.set()

    async def finished(self) -> None:
        """Wait until the target is reached or a time bound passes; then stop the window."""
        try:
            await asyncio.wait_for(self.first.wait(), self.startup_timeout_s)
        except TimeoutError:
            self.stopped = True
            raise TimeoutError(f"no record arrived within {self.startup_timeout_s:.0f} s") from None
        assert self.started_at is not None
        remaining = self.started_at + self.time_limit_s - time.perf_counter()
        if remaining > 0:
            # Time-bounded: the rate is then taken over what was done.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.done.wait(), remaining)
        self.stopped = True
        self.cpu_at_end = cpu_seconds()

    def run(self, side: str, *, peak_rss: int, **extra: Any) -> Run:
        """The Run this window describes."""
        if self.started_at is None or self.last_at is None:
            raise RuntimeError(f"{side}: no record was processed")
        end_cpu = self.cpu_at_end if self.cpu_at_end is not None else cpu_seconds()
        return Run(
            side=side,
            records=self.count,
            seconds=self.last_at - self.started_at,
            cpu_seconds=end_cpu - self.cpu_at_start,
            peak_rss_bytes=peak_rss,
            extra={"reached_target": self.count >= self.target, **extra},
        )
