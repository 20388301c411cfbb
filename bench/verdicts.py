"""Verdicts and wording: whether a paced run held and whether its sender kept the schedule, ratio texts, diagnoses."""

from __future__ import annotations

from typing import Any

from bench.config import TARGETS
from bench.harness import Paired, Run, median

__all__ = [
    "HARNESS_BOUND",
    "backlog_bounded",
    "consumer_diagnosis",
    "mib",
    "paired_data",
    "ratio_text",
    "schedule_kept",
    "sustained",
]

# The verdict of a paced goal whose sender, not the platform, was the limit.
HARNESS_BOUND = "harness-bound"
# A sender process busy this share of its window was limited by its own CPU.
_SENDER_SATURATED = 0.8


def backlog_bounded(run: Run, rate: float) -> tuple[bool, int, int]:
    """Whether the backlog stayed bounded, its maximum and the bound (second half of the window).

    Bounded: never more than half a second of traffic behind once the run has settled, and nothing left
    uncommitted at the end.
    """
    samples: list[tuple[float, int]] = run.extra["lag_samples"]
    window = [backlog for elapsed, backlog in samples if elapsed <= run.seconds]
    worst = max(window[len(window) // 2 :] or [0])
    bound = max(10, int(0.5 * rate))
    return worst <= bound and run.extra["censored"] == 0, worst, bound


def schedule_kept(run: Run) -> tuple[bool, str]:
    """Whether the sender of a paced run kept its schedule (rate reached, sends on time), and its figures in words.

    The sender runs in its own process; on a shared 2-core machine it can still be starved. Then the load
    asked for was not the load delivered, and the run says nothing about the platform.
    """
    sender = run.extra["sender"]
    asked, achieved, lag = sender["asked_rate"], sender["achieved_rate"], sender["send_lag_ms"]
    kept = achieved >= TARGETS.sender_rate_floor * asked and lag["p99"] <= TARGETS.sender_lag_p99_ms
    busy = sender["cpu_seconds"] / sender["send_seconds"] if sender["send_seconds"] else 0.0
    why = (
        f"sender {achieved:,.0f} of {asked:,.0f} rec/s asked, send lag p99 {lag['p99']:.1f} ms "
        f"(max {lag['max']:.0f} ms), sender process busy {busy:.0%}"
    )
    if not kept:
        # Busy most of the time: its own work was the limit. Otherwise it waited, for a CPU (the machine's load)
        # or in send() for its producer's buffer (a broker slower than the rate).
        load = sender.get("load_average") or []
        why += (
            ": its own CPU was the limit"
            if busy >= _SENDER_SATURATED
            else ": it waited, for a CPU"
            + (f" (load average {load[0]:.1f} on this machine)" if load else "")
            + " or for its producer (the broker)"
        )
    return kept, why


def sustained(run: Run, rate: float) -> tuple[bool, str]:
    """Whether a paced run held: committed p99 under the bound, everything committed, backlog bounded."""
    summary = run.latencies_ms.get("committed")
    if summary is None:
        return False, "nothing was committed"
    bounded, worst, bound = backlog_bounded(run, rate)
    held = summary.p99 < TARGETS.sustained_p99_ms and bounded
    why = f"p99 {summary.p99:.1f} ms, max backlog {worst:,} (bound {bound:,})"
    if run.extra["censored"]:
        why += f", {run.extra['censored']:,} not committed in time"
    return held, why


def ratio_text(ratio: float, paired: Paired) -> str:
    """``0.12 x (1,234 vs 10,000 rec/s)`` with the median rates of each side."""
    a = median([run.rate for run in paired.a])
    b = median([run.rate for run in paired.b])
    shown = f"{ratio:.2f}" if ratio >= 0.1 else f"{ratio:.4f}"
    return f"{shown} × ({a:,.0f} vs {b:,.0f} rec/s)"


def paired_data(paired: Paired) -> dict[str, Any]:
    """Runs and ratios for the JSON result."""
    return {
        "ratios": paired.ratios(),
        "median_ratio": paired.median_ratio(),
        "project": [run.as_dict() for run in paired.a],
        "raw": [run.as_dict() for run in paired.b],
    }


def consumer_diagnosis(paired: Paired, commit_ms: float | None) -> str:
    """Where a batch consumer's time goes next to the raw loop, with this run's numbers."""
    a_cpu = median([run.cpu_us_per_record for run in paired.a])
    b_cpu = median([run.cpu_us_per_record for run in paired.b])
    busy = median([run.cpu_seconds / run.seconds for run in paired.a if run.seconds > 0])
    commit = (
        f" One offset commit takes {commit_ms:.1f} ms on this broker (median of the probe), once per batch and "
        "overlapping the next batch's work."
        if commit_ms
        else ""
    )
    return (
        f"The project's process is busy {busy:.0%} of the window at {a_cpu:,.0f} µs CPU per record (raw "
        f"{b_cpu:,.0f} µs): it validates each record's CloudEvents headers as well as its payload, and per batch "
        f"claims the inbox and logs a line; the rest of the window it waits for PostgreSQL, which shares the "
        f"two cores.{commit}"
    )


def mib(size: int) -> str:
    """Bytes as MiB."""
    return f"{size / 2**20:,.1f} MiB"
