"""deploy/ cannot run here (no Docker engine), so check that it parses and only passes real settings."""

from __future__ import annotations

import importlib
import importlib.util
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from common.settings import env_names

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
COMPOSE_TEXT = (DEPLOY / "compose.yaml").read_text()
COMPOSE: dict[str, Any] = yaml.safe_load(COMPOSE_TEXT)
SERVICES = ("registry", "matching", "appreciation", "reporting")


def _settings_names(service: str) -> set[str]:
    return set(env_names(importlib.import_module(f"{service}.config").Settings))


def _env_file(path: Path) -> dict[str, str]:
    lines = [line for line in path.read_text().splitlines() if line and not line.startswith("#")]
    return dict(line.split("=", 1) for line in lines)


def test_compose_runs_kafka_postgres_provisioning_and_the_four_services() -> None:
    assert set(COMPOSE["services"]) == {"kafka", "postgres", "provision", *SERVICES}
    assert COMPOSE["services"]["kafka"]["image"].startswith("apache/kafka:4.1.")
    assert COMPOSE["services"]["postgres"]["image"].startswith("postgres:")
    assert COMPOSE["services"]["kafka"]["environment"]["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"


@pytest.mark.parametrize("service", SERVICES)
def test_every_variable_a_service_gets_is_one_of_its_settings(service: str) -> None:
    passed = set(COMPOSE["services"][service]["environment"])
    assert passed <= _settings_names(service), passed - _settings_names(service)


@pytest.mark.parametrize("service", [*SERVICES, "provision"])
def test_every_service_command_names_an_importable_module(service: str) -> None:
    command = COMPOSE["services"][service]["command"]
    assert command[:2] == ["python", "-m"]
    assert importlib.util.find_spec(command[2]) is not None


def test_region_env_file_holds_only_settings_or_compose_variables() -> None:
    interpolated = set(re.findall(r"\$\{([A-Z_]+)", COMPOSE_TEXT))
    known = set().union(*(_settings_names(service) for service in SERVICES)) | interpolated
    region = _env_file(DEPLOY / "regions" / "utrecht-west.env.example")
    assert set(region) <= known, set(region) - known
    # Secrets are left empty in the example: a copy that forgets to set them fails at start-up.
    assert region["OPS_TOKEN"] == ""
    assert region["POSTGRES_PASSWORD"] == ""


def test_registry_refuses_to_start_with_the_placeholder_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    from registry.config import Settings

    monkeypatch.setenv("OPS_TOKEN", "")
    monkeypatch.delenv("DEVELOPMENT", raising=False)
    with pytest.raises(ValueError, match="OPS_TOKEN"):
        Settings()


def test_postgres_init_creates_one_database_per_service() -> None:
    init = (DEPLOY / "postgres-init.sql").read_text()
    assert set(re.findall(r"CREATE DATABASE (\w+);", init)) == set(SERVICES)
