"""The matching benchmark runs end to end on a small region (a check of the harness, not of speed)."""

from __future__ import annotations

from bench.matching import K, Reference, markdown, run, tasks, volunteers


def test_benchmark_reports_ratio_and_percentiles() -> None:
    result = run(volunteer_count=3000, query_count=6, seed=7)
    assert result["volunteers"] == 3000
    assert result["ours_ms"]["p50"] > 0
    assert result["reference_ms"]["p95"] >= result["reference_ms"]["p50"]
    assert result["median_ratio"] > 0
    assert result["mean_candidates_found"] > 0
    assert "matching top-20 among 3,000 volunteers" in markdown(result)


def test_generated_region_is_reproducible_and_the_reference_finds_k() -> None:
    assert volunteers(50, seed=3) == volunteers(50, seed=3)
    people = volunteers(2000, seed=3)
    found = Reference(people).top(tasks(1, seed=3)[0])
    assert len(found) == K
