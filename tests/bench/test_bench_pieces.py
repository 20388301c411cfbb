"""Pieces around the scenarios: the join's pause, the log's rebalance warnings, the goals' order, the peer's pins."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from bench.config import Goal
from bench.join import pauses
from bench.peer import PEER_PROJECT
from bench.project import HOURS_COLUMNS
from bench.reads import KINDS, reads_paths
from bench.scenarios import GOAL_ORDER, goal_rank
from bench.services import log_summary
from contracts.events import HoursLogged


def test_the_pause_is_the_longest_gap_in_progress_after_the_second_instance_started() -> None:
    progress = [(1.0, 500), (1.1, 1_000), (1.2, 1_500), (1.3, 2_000), (3.8, 2_500), (3.9, 3_000), (4.0, 3_500)]
    longest, typical = pauses(progress, since=1.25)
    assert longest == pytest.approx(2.5)  # 1.3 → 3.8: the rebalance
    assert typical == pytest.approx(0.1)
    # A gap that ended before the second instance started is not its pause.
    assert pauses(progress, since=3.85)[0] == pytest.approx(0.1)
    assert pauses([(1.0, 10)], since=0.5) == (None, None)


def _line(level: str, event: str) -> str:
    return json.dumps({"level": level, "event": event, "timestamp": "2026-12-05T10:00:00Z"}) + "\n"


def test_a_log_summary_counts_rebalance_and_heartbeat_warnings_from_where_a_run_began(tmp_path: Path) -> None:
    log = tmp_path / "reporting.log"
    log.write_text(_line("warning", "Heartbeat failed for group reporting because it is rebalancing"))
    since = log.stat().st_size
    with log.open("a") as more:
        more.write(_line("info", "batch_done"))
        more.write(_line("warning", "Heartbeat failed for group reporting because it is rebalancing"))
        more.write(_line("warning", "OffsetCommit failed for group reporting due to group error (IllegalGeneration)"))
        more.write(_line("warning", "outbox_relay_waiting"))
        more.write("not json\n")
    whole, run = log_summary(log), log_summary(log, since=since)
    assert whole["rebalance_warnings"] == 3
    assert run["rebalance_warnings"] == 2
    assert run["warnings"] == 3
    assert run["unparsed"] == 1
    assert set(run["rebalance_problems"]) == {
        "warning: Heartbeat failed for group reporting because it is rebalancing",
        "warning: OffsetCommit failed for group reporting due to group error (IllegalGeneration)",
    }


def test_goals_are_listed_in_the_issues_order_and_a_broken_scenario_where_its_goals_would_be() -> None:
    goals = [Goal(key, key, "") for key in ("matching", "peer", "soak", "ingest", "commit-p99", "latency-p50")]
    goals.append(Goal("reads", "error", "", verdict="error"))  # a scenario that failed: one row under its name
    assert [goal.key for goal in sorted(goals, key=goal_rank)] == [
        "ingest", "latency-p50", "commit-p99", "reads", "soak", "peer", "matching",
    ]  # fmt: skip
    assert len(set(GOAL_ORDER)) == len(GOAL_ORDER)


def test_the_reads_ask_one_municipality_for_its_year_in_every_kind() -> None:
    paths = reads_paths("GM0344")
    assert set(paths) == set(KINDS)
    assert all(
        path.startswith("/v1/municipalities/GM0344/") and path.endswith("period=2026") for path in paths.values()
    )


def test_the_peer_has_its_own_locked_environment_with_the_pydantic_quix_needs() -> None:
    project = tomllib.loads((PEER_PROJECT / "pyproject.toml").read_text())
    pins = {
        requirement.split("==")[0]: requirement.split("==")[1] for requirement in project["project"]["dependencies"]
    }
    assert pins["quixstreams"] == "3.28.1"
    lock = tomllib.loads((PEER_PROJECT / "uv.lock").read_text())
    locked = {package["name"]: package["version"] for package in lock["package"]}
    assert locked["quixstreams"] == "3.28.1"
    assert locked["pydantic"].startswith("2.13.")  # below the project's 2.14.3: why the peer has its own environment


def test_the_peer_writes_the_columns_the_raw_loop_writes() -> None:
    # The peer is given HOURS_COLUMNS and reads each one as an attribute of the validated event.
    assert set(HOURS_COLUMNS) <= set(HoursLogged.model_fields)
