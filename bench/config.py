"""What a benchmark run is sized to do (full or smoke) and the shape of what it finds."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bench.harness import Run

__all__ = ["FULL", "SMOKE", "BenchConfig", "Goal", "Results", "ScenarioRow"]


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
    seed: int = 20260313
    latency_fraction: float = 0.2
    sustain_fraction: float = 0.7
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
    soak_s=180.0,
    soak_mark_s=60.0,
    outbox_rows=20_000,
    drain_timeout_s=15.0,
    matching_volunteers=1_000_000,
    matching_queries=30,
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
)


@dataclass
class Goal:
    """One goal of the issue: its target, what was measured and the verdict."""

    key: str
    title: str
    target: str
    verdict: str = "not run"  # met | missed | not measurable yet | not run | error (+ qualifiers)
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
