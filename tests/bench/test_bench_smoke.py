"""The smoke benchmark end to end on the session's Kafka and PostgreSQL: the harness works (not how fast)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.__main__ import run
from bench.config import SMOKE
from bench.infra import BenchInfra
from bench.scenarios import GOAL_ORDER

pytestmark = pytest.mark.integration

EVERY_GOAL = {
    "ingest", "pipeline", "reporting", "outbox", "latency-p50", "latency-p99", "commit-p99", "nldoet-appreciation",
    "nldoet-reporting", "startup", "reads-p95", "reads-growth", "sustainable", "soak", "peer", "join", "matching",
}  # fmt: skip
VERDICTS = {"met", "missed", "harness-bound", "measured"}


# The services start as processes six times (NLdoet: prerequisites, burst, two joins; reads: two sizes), and the
# first run installs the peer's environment: more than the session's default per-test bound.
@pytest.mark.timeout(900)
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
    assert [goal.key for goal in report.results.goals] == list(GOAL_ORDER), summary  # the table, in order
    assert {key: goal.note for key, goal in goals.items() if goal.verdict == "error"} == {}
    same_work = goals["matching"].data["same_work"]
    assert same_work["agreeing_queries"] == same_work["queries"]
    assert goals["matching"].data["bench_matching"]["volunteers"] == SMOKE.matching_volunteers
    # The spike ran through both services as processes, and every completeness check held.
    spike = goals["nldoet-reporting"].data["spike"]
    assert " vs raw " in goals["nldoet-reporting"].measured
    assert " vs raw " in goals["nldoet-appreciation"].measured
    assert all(check["ok"] for check in spike["checks"]), summary
    assert all(drain["consuming_s"] > 0 for drain in spike["services"].values()), summary
    # Reporting's background fold put the burst into its figures after the drain (it defers to the consumer).
    reporting = spike["services"]["reporting"]
    assert reporting["folded_s"] is not None, summary
    assert reporting["folded_s"] >= reporting["seconds"], summary
    # A second instance of each service ran on a copy, and nothing was lost or applied twice.
    assert goals["join"].verdict == "measured", summary
    assert set(spike["joins"]) == {"reporting", "appreciation"}
    assert all(check["ok"] for join in spike["joins"].values() for check in join["checks"]), summary
    assert all(join["second_started_s"] is not None for join in spike["joins"].values()), summary
    # The peer ran in its own environment and process, beside raw and the project.
    assert goals["peer"].verdict == "measured", summary
    assert {"peer", "raw", "project"} <= set(goals["peer"].data)
    assert goals["peer"].data["versions"]["quixstreams"]
    # The paced runs were measured against the sender process, which reported on its schedule.
    assert all("sender" in run for run in goals["latency-p50"].data["project"] + goals["latency-p50"].data["raw"])
    assert goals["soak"].data["run"]["sender"]["sent"] > 0
    # The reads were timed at both sizes.
    assert all(result["ms"]["json"]["count"] >= 1 for result in goals["reads-p95"].data.values()), summary
    # And again, each right after the read version moved: the reads that build the cube.
    assert all(result["built_ms"]["json"]["count"] >= 1 for result in goals["reads-p95"].data.values()), summary
    assert all(result["folded_s"] >= result["load_s"] for result in goals["reads-p95"].data.values()), summary
    assert goals["reporting"].data["project"][0]["hours_facts_rows"] > 0
    assert all(goals[key].measured for key in EVERY_GOAL), summary
    assert all(goals[key].verdict.split(" ")[0] in VERDICTS for key in EVERY_GOAL), summary
    assert (report.results.drain_rate or 0) > 0
    assert report.results.facts["offset_commit_ms"]["p99"] > 0

    document = json.loads(json_path.read_text())
    assert {goal["key"] for goal in document["goals"]} == EVERY_GOAL
    assert document["machine"]["nproc"] >= 1
    assert all(run["records"] > 0 for scenario in document["scenarios"] for run in scenario["runs"])
    markdown = md_path.read_text()
    assert all(goals[key].title in markdown for key in EVERY_GOAL)
