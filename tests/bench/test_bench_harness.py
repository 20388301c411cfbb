"""The measuring harness: percentiles, pairing and rounds, progress windows, CPU and memory, the verdicts."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

import pytest

from bench.config import SMOKE, BenchConfig, Goal, Results, ScenarioRow
from bench.harness import (
    Progress,
    Run,
    cpu_seconds,
    median,
    peak_rss_bytes,
    percentile,
    reset_peak_rss,
    round_ratios,
    run_pairs,
    run_rounds,
    summarize,
)
from bench.report import Report, render_markdown
from bench.verdicts import schedule_kept, sustained


def _run(side: str, records: int, seconds: float, **extra: object) -> Run:
    return Run(side, records, seconds, cpu_seconds=seconds / 2, peak_rss_bytes=50 * 2**20, extra=dict(extra))


def test_percentiles_interpolate_between_ranks_like_numpy() -> None:
    values = [float(n) for n in range(1, 101)]
    assert percentile(values, 50) == pytest.approx(50.5)
    assert percentile(values, 95) == pytest.approx(95.05)
    assert percentile(values, 99) == pytest.approx(99.01)
    assert percentile(values, 0) == 1
    assert percentile(values, 100) == 100
    assert percentile([7.0], 99) == 7.0
    assert median([3.0, 1.0, 2.0, 10.0]) == pytest.approx(2.5)


def test_percentiles_refuse_no_values_and_impossible_ranks() -> None:
    with pytest.raises(ValueError, match="no values"):
        percentile([], 50)
    with pytest.raises(ValueError, match="outside"):
        percentile([1.0], 101)


def test_latency_summary_reports_p50_p95_p99_and_max() -> None:
    summary = summarize([float(n) for n in range(1000)])
    assert (summary.count, summary.p50, summary.max) == (1000, pytest.approx(499.5), 999)
    assert summary.p95 < summary.p99 < summary.max


async def test_pairs_run_a_then_b_and_the_ratio_is_the_median_of_per_pair_ratios() -> None:
    order: list[str] = []
    rates_a = iter([50.0, 52.0, 300.0])  # the third pair hit a quiet moment for A only

    async def side_a(index: int) -> Run:
        order.append(f"A{index}")
        return _run("project", int(next(rates_a)), 1.0)

    async def side_b(index: int) -> Run:
        order.append(f"B{index}")
        return _run("raw", 100, 1.0)

    paired = await run_pairs(3, side_a, side_b)
    assert order == ["A0", "B0", "A1", "B1", "A2", "B2"]
    assert paired.ratios() == [0.5, 0.52, 3.0]
    assert paired.median_ratio() == 0.52


async def test_rounds_run_every_side_in_turn_and_ratios_are_per_round() -> None:
    order: list[str] = []

    def side(name: str, records: int) -> Callable[[int], Awaitable[Run]]:
        async def run(index: int) -> Run:
            order.append(f"{name}{index}")
            return _run(name, records + index, 1.0)

        return run

    runs = await run_rounds(2, {"peer": side("peer", 50), "raw": side("raw", 100), "project": side("project", 40)})
    assert order == ["peer0", "raw0", "project0", "peer1", "raw1", "project1"]
    assert round_ratios(runs, "peer", "raw") == [0.5, 51 / 101]
    assert [run.records for run in runs["project"]] == [40, 41]


def test_cpu_seconds_count_this_process_busy_work() -> None:
    before, process_before = cpu_seconds(), time.process_time()
    # Spin until the process itself has used 0.1 s (wall time would depend on the neighbours' load).
    while time.process_time() - process_before < 0.1:
        pass
    assert 0.09 < cpu_seconds() - before < 1.0


def test_peak_rss_sees_a_large_allocation_and_resets() -> None:
    assert reset_peak_rss()
    baseline = peak_rss_bytes()
    block = bytearray(80 * 2**20)
    block[::4096] = b"x" * len(block[::4096])  # touch every page so it is resident
    assert peak_rss_bytes() - baseline > 60 * 2**20
    del block
    assert reset_peak_rss()
    assert peak_rss_bytes() - baseline < 40 * 2**20


async def test_a_progress_window_runs_from_the_first_record_to_the_target() -> None:
    progress = Progress(3, time_limit_s=5)

    async def work() -> None:
        await asyncio.sleep(0.05)  # before the first record: not part of the window
        for _ in range(3):
            await asyncio.sleep(0.02)
            progress.mark()
        progress.mark()  # after the target: ignored

    await asyncio.gather(work(), progress.finished())
    run = progress.run("raw", peak_rss=1)
    assert run.records == 3
    assert 0.03 < run.seconds < 0.2
    assert run.extra["reached_target"] is True


async def test_a_progress_window_is_bounded_in_time() -> None:
    progress = Progress(1_000, time_limit_s=0.1)
    progress.mark()
    await progress.finished()
    assert progress.stopped
    assert progress.run("project", peak_rss=1).extra["reached_target"] is False


async def test_a_run_without_any_record_times_out() -> None:
    progress = Progress(10, time_limit_s=1, startup_timeout_s=0.05)
    with pytest.raises(TimeoutError, match="no record"):
        await progress.finished()
    with pytest.raises(RuntimeError, match="no record was processed"):
        progress.run("raw", peak_rss=1)


def test_a_paced_run_holds_only_with_low_p99_bounded_backlog_and_nothing_left_over() -> None:
    def paced(latencies: list[float], backlog: list[int], censored: int = 0) -> Run:
        run = _run(
            "project", 600, 10.0, lag_samples=[(float(i + 1), b) for i, b in enumerate(backlog)], censored=censored
        )
        run.latencies_ms["committed"] = summarize(latencies)
        return run

    fast = [5.0] * 990 + [40.0] * 10
    assert sustained(paced(fast, [3] * 10), rate=60)[0]
    assert not sustained(paced([5.0] * 900 + [150.0] * 100, [3] * 10), rate=60)[0]
    growing = [3, 5, 8, 12, 20, 40, 60, 90, 120, 160]
    held, why = sustained(paced(fast, growing), rate=60)
    assert not held
    assert "max backlog 160" in why
    assert not sustained(paced(fast, [3] * 10, censored=4), rate=60)[0]


def test_the_markdown_names_every_goal_its_verdict_and_what_each_side_measured() -> None:
    results = Results(
        goals=[
            Goal("ingest", "Batch ingest", "≥ 0.35 × raw", "missed", "0.02 × (100 vs 5,000 rec/s)", "commits"),
            Goal("matching", "Matching top-20", "≤ 3 × numpy", "not measurable yet"),
        ],
        rows=[
            ScenarioRow("ingest", "project", "the consumer", [_run("project", 100, 1.0)]),
            ScenarioRow("ingest", "raw", "getmany", [_run("raw", 5_000, 1.0)]),
        ],
    )
    config: BenchConfig = SMOKE
    report = Report(
        started_at="2026-11-22 12:00 UTC",
        duration_s=30.0,
        command="python -m bench --smoke",
        config=config,
        machine={
            "nproc": 2,
            "cpu_model": "AMD EPYC",
            "memory_gib": 23.5,
            "os": "Linux",
            "python": "3.11.7",
            "commit": "abc1234",
            "load_average_at_start": [0.1, 0.1, 0.1],
        },
        infra={"kafka": "Kafka 4.1.1", "postgres": "PostgreSQL 18.6"},
        results=results,
        logs={"summary": "none"},
    )
    markdown = render_markdown(report)
    assert "| Batch ingest | ≥ 0.35 × raw | 0.02 × (100 vs 5,000 rec/s) | **missed** |" in markdown
    assert "**not measurable yet**" in markdown
    assert "- ingest, raw: getmany" in markdown
    assert "`python -m bench --smoke`" in markdown
    assert "2 CPUs (AMD EPYC)" in markdown
    assert "| ingest | project | 1 | 100 | 100 |" in markdown


def _sender(asked: float, achieved: float, lag_p99: float) -> dict[str, object]:
    lag = {"count": 100, "p50": 0.1, "p95": lag_p99 / 2, "p99": lag_p99, "max": lag_p99 * 2}
    return {"asked_rate": asked, "achieved_rate": achieved, "send_lag_ms": lag, "cpu_seconds": 1.0, "send_seconds": 4.0}


def test_a_paced_run_is_believed_only_when_its_sender_kept_rate_and_time() -> None:
    on_time = _run("project", 4_000, 2.0, sender=_sender(2_000, 1_999, 1.5))
    kept, why = schedule_kept(on_time)
    assert kept
    assert "1,999 of 2,000 rec/s" in why
    assert "busy 25%" in why
    assert not schedule_kept(_run("project", 3_000, 2.0, sender=_sender(2_000, 1_500, 1.5)))[0]
    late = _run("project", 4_000, 2.0, sender=_sender(2_000, 2_000, 40.0) | {"load_average": [3.5, 3.0, 2.0]})
    kept, why = schedule_kept(late)
    assert not kept
    assert "it waited, for a CPU (load average 3.5 on this machine)" in why
