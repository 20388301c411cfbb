"""The four services as real processes on the session's Kafka and PostgreSQL."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from common.localinfra.processes import ServiceProcess

SERVICES = ("registry", "matching", "appreciation", "reporting")


def with_database(server_dsn: str, database: str) -> str:
    """The server URI pointed at another database (host and options kept)."""
    parts = urlsplit(server_dsn)
    return urlunsplit(parts._replace(path=f"/{database}"))


@dataclass
class Platform:
    """The running services and what a test needs to talk to them."""

    services: dict[str, ServiceProcess]
    ops_token: str
    bootstrap: str

    def url(self, service: str) -> str:
        """Base URL of a service's HTTP API."""
        return self.services[service].url


@pytest.fixture(scope="module")
async def platform(
    kafka_bootstrap: str, postgres_server_dsn: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Platform]:
    """Start the four services with their own fresh databases; stop them with SIGTERM afterwards."""
    logs = tmp_path_factory.mktemp("service-logs")
    suffix = secrets.token_hex(4)
    ops_token = secrets.token_urlsafe(24)
    conn = await asyncpg.connect(postgres_server_dsn)
    try:
        for service in SERVICES:
            await conn.execute(f'CREATE DATABASE "{service}_{suffix}"')
    finally:
        await conn.close()
    services = {
        service: ServiceProcess(
            module=service,
            env={
                "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
                "REGION": "testregio",
                "LOG_LEVEL": "INFO",
                f"{service.upper()}_DATABASE_URL": with_database(postgres_server_dsn, f"{service}_{suffix}"),
                "REGISTRY_OPS_TOKEN": ops_token,
                # Short backoff keeps the dead-letter path quick in tests.
                f"{service.upper()}_CONSUMER_RETRY_BACKOFF_S": "0.05",
                f"{service.upper()}_OUTBOX_POLL_INTERVAL_S": "0.5",
            },
            log_path=Path(logs) / f"{service}.log",
        )
        for service in SERVICES
    }
    for process in services.values():
        process.start()
    try:
        for process in services.values():
            await process.wait_ready()
        yield Platform(services=services, ops_token=ops_token, bootstrap=kafka_bootstrap)
    finally:
        exit_codes = {name: process.stop() for name, process in services.items()}
        # A graceful SIGTERM shutdown exits 0; anything else is a shutdown bug worth failing on.
        assert exit_codes == dict.fromkeys(SERVICES, 0), {
            name: services[name].log_tail() for name, code in exit_codes.items() if code != 0
        }
