"""What a benchmark run is sized to do (full or smoke), the targets it is judged by, and the shape of what it finds."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bench.harness import Run

__all__ = ["FULL", "SMOKE", "TARGETS", "BenchConfig", "Goal", "Results", "ScenarioRow", "Targets"]


@dataclass(frozen=True)
class Targets:
    """The goals of issue 20 (second round), in one place: every verdict reads its threshold from here."""

    ingest_ratio: float = 0.5  # batch ingest / raw getmany + validate
    pipeline_ratio: float = 0.8  # full pipeline / raw validate + COPY
    reporting_ratio: float = 0.7  # reporting projection ingest / raw validate + COPY
    outbox_ratio: float = 0.7  # outbox relay / raw send()
    latency_p50_added_ms: float = 3.0  # p50 <= raw p50 + this
    latency_p99_factor: float = 2.0  # p99 <= factor x raw p99 + added
    latency_p99_added_ms: float = 5.0
    commit_p99_ms: float = 50.0  # produced -> row committed
    appreciation_drain_ratio: float = 3.0  # NLdoet drain / raw drain
    reporting_drain_ratio: float = 2.0
    startup_s: float = 3.0  # a service ready and consuming after start
    startup_rebalance_warnings: int = 0
    reads_p95_ms: float = 200.0  # one municipality's figures for a year
    reads_growth: float = 1.5  # p95 at the large region / at the bench region
    sustainable_fraction: float = 0.7  # of the drain rate, held with committed p99 < sustained_p99_ms
    sustained_p99_ms: float = 100.0
    soak_growth: float = 1.05  # RSS at the end of the soak / at its first minute
    matching_ratio: float = 3.0  # issue 8, unchanged
    # The harness: a paced run is believed only when its sender reached this share of the asked rate with
    # a send lag p99 within this bound; otherwise the verdict is "harness-bound".
    sender_rate_floor: float = 0.95
    sender_lag_p99_ms: float = 20.0


TARGETS = Targets()


@dataclass(frozen=True)
class BenchConfig:
    """Sizes and durations of one benchmark run."""

    mode: str
    pairs: int
    region_volunteers: int
    dataset: int  # HoursLogged of the NLdoet spike, produced once
    throughput_target: int  # records per throughput run (bounded by time too)
    throughput_limit_s: float
    reference_limit_s: float
    batch: int
    latency_s: float
    sustain_s: float
    probe_s: float
    soak_s: float
    soak_mark_s: float
    outbox_rows: int
    drain_timeout_s: float
    matching_volunteers: int
    matching_queries: int
    reads_volunteers: tuple[int, int]  # the bench region, and one five times larger
    reads_budget_s: float  # per region size: keep asking for this long (at least three rounds)
    reads_max_rounds: int
    seed: int = 20260313
    join_services: tuple[str, ...] = ("reporting", "appreciation")
    latency_fraction: float = 0.2
    sustain_fraction: float = TARGETS.sustainable_fraction
    soak_fraction: float = 0.5

    def __post_init__(self) -> None:
        """Refuse sizes under which a project consumer could run past the data set into later records."""
        if self.throughput_target * 2 > self.dataset:
            raise ValueError("throughput_target must be at most half the data set")

    @property
    def full_soak(self) -> bool:
        """Whether the soak lasts the goal's 10 minutes."""
        return self.soak_s >= 600


FULL = BenchConfig(
    mode="full",
    pairs=3,
    region_volunteers=20_000,
    dataset=100_000,
    throughput_target=30_000,
    throughput_limit_s=10.0,
    reference_limit_s=5.0,
    batch=500,
    latency_s=15.0,
    sustain_s=60.0,
    probe_s=20.0,
    soak_s=600.0,
    soak_mark_s=60.0,
    outbox_rows=20_000,
    drain_timeout_s=15.0,
    matching_volunteers=1_000_000,
    matching_queries=30,
    reads_volunteers=(20_000, 100_000),
    reads_budget_s=30.0,
    reads_max_rounds=30,
)
SMOKE = BenchConfig(
    mode="smoke",
    pairs=1,
    region_volunteers=1_000,
    dataset=1_000,
    throughput_target=500,
    throughput_limit_s=3.0,
    reference_limit_s=1.0,
    batch=500,
    latency_s=2.0,
    sustain_s=3.0,
    probe_s=0.0,
    soak_s=4.0,
    soak_mark_s=2.0,
    outbox_rows=300,
    drain_timeout_s=10.0,
    matching_volunteers=20_000,
    matching_queries=5,
    reads_volunteers=(1_000, 2_000),
    reads_budget_s=10.0,
    reads_max_rounds=2,
)


@dataclass
class Goal:
    """One goal of the issue: its target, what was measured and the verdict."""

    key: str
    title: str
    target: str
    verdict: str = "not run"  # met | missed | harness-bound | measured | not run | error (+ qualifiers)
    measured: str = ""
    note: str = ""
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class ScenarioRow:
    """The runs of one side of one scenario, for the detail table."""

    scenario: str
    side: str
    measures: str
    runs: list[Run]


@dataclass
class Results:
    """Everything one benchmark run found."""

    goals: list[Goal]
    rows: list[ScenarioRow]
    drain_rate: float | None = None
    facts: dict[str, Any] = field(default_factory=dict)
