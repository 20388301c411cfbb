"""A latency histogram in constant memory: log-spaced buckets (1 % wide), mergeable, and plain JSON.

Paced runs last up to ten minutes at thousands of records a second. Keeping every latency (or every event
id until its commit is seen) would grow the measuring process by hundreds of megabytes, which is exactly
what the memory soak must not measure; a histogram of a few hundred buckets answers p50/p95/p99 within
1 % and stays the same size however long the run.
"""

from __future__ import annotations

import math
from typing import Any

from bench.harness import LatencySummary

__all__ = ["LatencyHistogram"]

# Buckets grow by 1 % each: a percentile is reported within 1 % of the exact value.
_GROWTH = 1.01
_SCALE = 1 / math.log(_GROWTH)


def _bucket(value_us: float) -> int:
    """The bucket of a latency in microseconds (0 and below share bucket 0)."""
    return int(math.log1p(value_us) * _SCALE) if value_us > 0 else 0


def _representative_us(bucket: int) -> float:
    """The middle of a bucket (geometric), in microseconds."""
    low, high = math.expm1(bucket / _SCALE), math.expm1((bucket + 1) / _SCALE)
    return math.sqrt(max(low, 0.0) * high) if low > 0 else high / 2


class LatencyHistogram:
    """Counts of latencies (milliseconds in, milliseconds out) in 1 %-wide buckets, with the exact maximum."""

    def __init__(self) -> None:
        self.counts: dict[int, int] = {}
        self.count = 0
        self.max_ms = 0.0

    def record(self, value_ms: float, times: int = 1) -> None:
        """Count ``value_ms`` (``times`` times)."""
        bucket = _bucket(value_ms * 1000)
        self.counts[bucket] = self.counts.get(bucket, 0) + times
        self.count += times
        self.max_ms = max(self.max_ms, value_ms)

    def merge(self, other: LatencyHistogram) -> None:
        """Add ``other``'s counts to this one."""
        for bucket, times in other.counts.items():
            self.counts[bucket] = self.counts.get(bucket, 0) + times
        self.count += other.count
        self.max_ms = max(self.max_ms, other.max_ms)

    def percentile(self, q: float) -> float:
        """The ``q``-th percentile (0-100) in milliseconds, within 1 %; the exact maximum at 100."""
        if not self.count:
            raise ValueError("percentile of no values")
        if not 0 <= q <= 100:
            raise ValueError(f"percentile {q} outside 0..100")
        rank = max(1, math.ceil(q / 100 * self.count))
        seen = 0
        for bucket in sorted(self.counts):
            seen += self.counts[bucket]
            if seen >= rank:
                return min(_representative_us(bucket) / 1000, self.max_ms)
        return self.max_ms

    def summary(self) -> LatencySummary:
        """p50/p95/p99/max."""
        return LatencySummary(
            count=self.count,
            p50=self.percentile(50),
            p95=self.percentile(95),
            p99=self.percentile(99),
            max=self.max_ms,
        )

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON (bucket numbers as strings), for a result file or another process."""
        return {"counts": {str(bucket): times for bucket, times in self.counts.items()}, "max_ms": self.max_ms}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LatencyHistogram:
        """The histogram ``as_dict`` described."""
        histogram = cls()
        for bucket, times in data["counts"].items():
            histogram.counts[int(bucket)] = int(times)
            histogram.count += int(times)
        histogram.max_ms = float(data["max_ms"])
        return histogram
