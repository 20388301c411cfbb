"""The smoke benchmark end to end on the session's Kafka and PostgreSQL: the harness works (not how fast)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.__main__ import run
from bench.config import SMOKE
from bench.infra import BenchInfra

pytestmark = pytest.mark.integration

EVERY_GOAL = {
    "ingest", "pipeline", "reporting", "latency-p50", "latency-p99", "commit-p99", "sustainable", "soak", "outbox",
    "matching", "nldoet",
}  # fmt: skip


async def test_the_smoke_benchmark_reports_every_goal(
    kafka_bootstrap: str, postgres_server_dsn: str, fresh_database: str, tmp_path: Path
) -> None:
    infra = BenchInfra(
        kafka_bootstrap,
        fresh_database,
        "the test session's broker",
        "the test session's PostgreSQL",
        server_dsn=postgres_server_dsn,
    )
    # Logging stays as the test session has it: the production JSON set-up would outlive this test.
    report, json_path, md_path = await run(
        SMOKE, infra, out_dir=tmp_path, command="python -m bench --smoke", capture_logs=False
    )

    goals = {goal.key: goal for goal in report.results.goals}
    # Every goal in one line each, for the assertion messages: CI shows a failure's tail, mostly captured logs.
    summary = "\n".join(f"{key}: {goal.verdict} | {goal.measured} | {goal.note[:300]}" for key, goal in goals.items())
    assert set(goals) == EVERY_GOAL, summary
    assert {key: goal.note for key, goal in goals.items() if goal.verdict == "error"} == {}
    same_work = goals["matching"].data["same_work"]
    assert same_work["agreeing_queries"] == same_work["queries"]
    assert goals["matching"].data["bench_matching"]["volunteers"] == SMOKE.matching_volunteers
    # The spike ran through both services as processes, and every completeness check held.
    assert goals["nldoet"].verdict == "measured", summary
    assert " vs raw " in goals["nldoet"].measured
    assert all(check["ok"] for check in goals["nldoet"].data["spike"]["checks"]), summary
    assert goals["reporting"].data["project"][0]["hours_facts_rows"] > 0
    assert all(goals[key].measured for key in EVERY_GOAL), summary
    assert all(goals[key].verdict.split(" ")[0] in ("met", "missed", "measured", "not") for key in EVERY_GOAL)
    assert (report.results.drain_rate or 0) > 0
    assert report.results.facts["offset_commit_ms"]["p99"] > 0

    document = json.loads(json_path.read_text())
    assert {goal["key"] for goal in document["goals"]} == EVERY_GOAL
    assert document["machine"]["nproc"] >= 1
    assert all(run["records"] > 0 for scenario in document["scenarios"] for run in scenario["runs"])
    markdown = md_path.read_text()
    assert all(goals[key].title in markdown for key in EVERY_GOAL)
