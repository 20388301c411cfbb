"""The alert rules and the Grafana dashboard under deploy/observability: well formed, on metrics that exist.

What promtool (`make check-alerts`, in CI) cannot check: every rule and panel names only series a service
really exposes, every alert has a severity and the text the README's runbook refers to, and the README
explains every alert.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from common.observability import Metrics
from common.observability._metrics import JobState

ROOT = Path(__file__).resolve().parents[2]
OBSERVABILITY = ROOT / "deploy" / "observability"
# What issue 17 asks the rules to catch, by the alert that catches it.
REQUIRED_ALERTS = {
    "RegioConsumerLagGrowing",  # lag growing
    "RegioDeadLettersAppearing",  # dead letters appearing
    "RegioOutboxStuck",  # outbox stuck
    "RegioHttpErrorRate",  # error rate
    "RegioJobFailing",  # a job failing
    "RegioServiceNotReady",  # readiness down
}
# Series Prometheus itself adds to every scrape target.
PROMETHEUS_OWN = {"up"}


def _exposed_series() -> set[str]:
    """Every sample name one service instance exposes once each of its metrics has a value."""
    metrics = Metrics("probe", region="test")
    metrics.http.observe("GET", "/v1/x", 200, 0.01)
    metrics.consumer.fetched(1)
    metrics.consumer.committed(1)
    metrics.consumer.batch_done("t", mode="batch", outcomes={"applied": 1}, seconds=0.1, oldest_applied_age_s=1.0)
    metrics.outbox.published({"t": 1}, 0.1)
    metrics.outbox.failed()
    metrics.outbox.producer_connected(True)
    metrics.outbox.lock_held(True)
    metrics.jobs.started("j")
    metrics.jobs.finished("j", "done", 1.0)
    metrics.sample_failures.labels("probe", "kafka").inc()
    sampled = metrics.sampled
    sampled.lag = {("t", 0): 1}
    sampled.dead_letters = {"t": (1, 1)}
    sampled.outbox_pending = (1, 1.0)
    sampled.jobs = {"j": JobState(last_success_at=1.0, last_run_failed=False)}
    sampled.ready = True
    sampled.sampled_at = {"kafka": 1.0}

    class _Pool:
        def get_size(self) -> int:
            return 2

        def get_idle_size(self) -> int:
            return 1

        def get_max_size(self) -> int:
            return 5

    metrics.watch_pool(_Pool())
    text = generate_latest(metrics.registry).decode()
    return {sample.name for family in text_string_to_metric_families(text) for sample in family.samples}


EXPOSED = _exposed_series()


def _series_in(expr: str) -> set[str]:
    """The metric names a PromQL expression selects (identifiers followed by a selector, range or space)."""
    return set(re.findall(r"\b(regio_[a-z_]+|up)\b", expr))


def _balanced(expr: str) -> bool:
    depth: list[str] = []
    pairs = {")": "(", "]": "[", "}": "{"}
    for char in re.sub(r'"[^"]*"', '""', expr):
        if char in "([{":
            depth.append(char)
        elif char in pairs and (not depth or depth.pop() != pairs[char]):
            return False
    return not depth


def _rules() -> list[dict[str, Any]]:
    document = yaml.safe_load((OBSERVABILITY / "alerts.yaml").read_text())
    assert set(document) == {"groups"}
    rules: list[dict[str, Any]] = []
    for group in document["groups"]:
        assert set(group) <= {"name", "interval", "rules"}
        rules.extend(group["rules"])
    return rules


def test_the_probe_sees_every_kind_of_series() -> None:
    assert {"regio_consumer_lag", "regio_outbox_pending_rows", "regio_http_requests_total", "regio_service_ready"} <= (
        EXPOSED
    )


@pytest.mark.parametrize("rule", _rules(), ids=lambda rule: rule["alert"])
def test_every_alert_rule_is_complete_and_selects_series_that_exist(rule: dict[str, Any]) -> None:
    assert set(rule) <= {"alert", "expr", "for", "keep_firing_for", "labels", "annotations"}
    assert re.fullmatch(r"Regio[A-Z][A-Za-z]+", rule["alert"])
    assert rule["labels"]["severity"] in {"warning", "critical"}
    assert {"summary", "description"} <= set(rule["annotations"])
    if "for" in rule:
        assert re.fullmatch(r"\d+[smhd]", rule["for"])
    expr = rule["expr"]
    assert _balanced(expr), expr
    series = _series_in(expr)
    assert series, expr
    assert series <= EXPOSED | PROMETHEUS_OWN, series - EXPOSED


def test_the_rules_cover_what_the_issue_asks_and_the_readme_explains_each() -> None:
    names = [rule["alert"] for rule in _rules()]
    assert len(names) == len(set(names))
    assert set(names) >= REQUIRED_ALERTS
    readme = (ROOT / "README.md").read_text()
    assert [name for name in names if f"`{name}`" not in readme] == []


def test_the_dashboard_is_importable_json_on_series_that_exist() -> None:
    dashboard = json.loads((OBSERVABILITY / "dashboard.json").read_text())
    assert dashboard["uid"] == "regio-platform"
    variables = {variable["name"] for variable in dashboard["templating"]["list"]}
    assert variables == {"datasource", "service"}
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    targets = [target for panel in dashboard["panels"] for target in panel.get("targets", [])]
    assert len(targets) >= 20
    for panel in dashboard["panels"]:
        position = panel["gridPos"]
        assert position["x"] + position["w"] <= 24
    for target in targets:
        expr = target["expr"]
        assert _balanced(expr), expr
        assert _series_in(expr) <= EXPOSED, _series_in(expr) - EXPOSED
        assert 'service=~"$service"' in expr, expr
