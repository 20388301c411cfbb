"""The Helm chart's values agree with the code: services, settings prefixes, scaling limits.

Rendering and schema validation run in CI (`make check-chart`: helm lint --strict, helm template piped
through kubernetes-validate --strict); these tests check what the schemas cannot know.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest
import yaml

from common.consumer import EventConsumer
from common.service import ServiceSpec
from contracts import topic_for

CHART = Path(__file__).resolve().parents[2] / "deploy" / "helm" / "regio-platform"
VALUES: dict[str, Any] = yaml.safe_load((CHART / "values.yaml").read_text())
SERVICES = ("registry", "matching", "appreciation", "reporting")


def _merged(service: str) -> dict[str, Any]:
    """A service's values as the chart merges them: serviceDefaults with its own entry on top."""

    def merge(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
        merged = dict(base)
        for key, value in top.items():
            merged[key] = merge(base[key], value) if isinstance(value, dict) and key in base else value
        return merged

    return merge(VALUES["serviceDefaults"], VALUES["services"][service])


def _spec(service: str) -> ServiceSpec:
    spec: ServiceSpec = importlib.import_module(f"{service}.main").SPEC
    return spec


def test_the_chart_runs_the_four_services_and_the_portal_each_with_a_secret_entry() -> None:
    assert set(VALUES["services"]) == {*SERVICES, "portal"}
    assert set(VALUES["secrets"]["services"]) == {*SERVICES, "portal"}


def test_the_portal_is_stateless_and_calls_exactly_the_four_services_with_its_own_settings() -> None:
    from portal.config import Settings

    portal = _merged("portal")
    assert portal["stateless"] is True
    assert set(VALUES["secrets"]["services"]["portal"]) == {"secret"}
    assert all(f"{service}_url" in Settings.model_fields for service in portal["calls"])
    assert set(portal["calls"]) == set(SERVICES)
    assert not any(_merged(service)["stateless"] for service in SERVICES)


@pytest.mark.parametrize("service", [*SERVICES, "portal"])
def test_env_prefix_and_module_are_the_services_own(service: str) -> None:
    values = _merged(service)
    settings = importlib.import_module(f"{service}.config").Settings
    assert f"{values['envPrefix']}_" == settings.model_config["env_prefix"]
    assert importlib.util.find_spec(values["module"]) is not None


@pytest.mark.parametrize("service", SERVICES)
def test_autoscaling_stays_within_the_partitions_the_service_consumes(service: str) -> None:
    """Instances beyond the largest partition count of its topics would only sit idle in the groups."""
    consumer = EventConsumer(service, pool=None)
    spec = _spec(service)
    if spec.register_handlers is not None:
        spec.register_handlers(consumer)
    partitions = max((topic_for(topic).partitions for topic in consumer.topics), default=1)
    scaling = _merged(service)["autoscaling"]
    assert scaling["minReplicas"] <= scaling["maxReplicas"] <= partitions


def test_termination_grace_outlasts_the_services_shutdown_budget() -> None:
    from common.settings import ServiceSettings

    budget = ServiceSettings.model_fields["shutdown_timeout_s"].default
    assert VALUES["serviceDefaults"]["terminationGracePeriodSeconds"] > budget
