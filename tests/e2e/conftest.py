"""The four services as real processes on the session's Kafka and PostgreSQL."""

from __future__ import annotations

import asyncio
import secrets
import signal
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from common.localinfra.postgres import create_database
from common.localinfra.processes import ServiceProcess

SERVICES = ("registry", "matching", "appreciation", "reporting")


@dataclass
class Platform:
    """The running services and what a test needs to talk to them."""

    services: dict[str, ServiceProcess]
    ops_token: str
    bootstrap: str
    databases: dict[str, str] = field(default_factory=dict)
    """Each service's database URL (for scans of every table)."""

    def url(self, service: str) -> str:
        """Base URL of a service's HTTP API."""
        return self.services[service].url

    async def rebuild_reporting(self, http: httpx.AsyncClient, timeout: float = 120.0) -> None:
        """Reporting's online rebuild from the beginning of its topics, until it reports done."""
        ops = {"Authorization": f"Bearer {self.ops_token}"}
        started = await http.post(f"{self.url('reporting')}/v1/ops/rebuild", headers=ops)
        assert started.status_code == 202, started.text
        status_url = f"{self.url('reporting')}{started.json()['status_url']}"
        deadline = time.monotonic() + timeout
        while (run := (await http.get(status_url, headers=ops)).json())["status"] != "done":
            assert run["status"] == "running", run
            assert time.monotonic() < deadline, f"reporting's rebuild not done within {timeout} s"
            await asyncio.sleep(0.25)


@asynccontextmanager
async def running_platform(
    kafka_bootstrap: str,
    postgres_server_dsn: str,
    logs: Path,
    extra_env: Mapping[str, Mapping[str, str]] | None = None,
) -> AsyncIterator[Platform]:
    """The four services with their own fresh databases (``extra_env``: settings per service); SIGTERM after."""
    suffix = secrets.token_hex(4)
    ops_token = secrets.token_urlsafe(24)
    databases = {service: await create_database(postgres_server_dsn, f"{service}_{suffix}") for service in SERVICES}
    services = {
        service: ServiceProcess(
            module=service,
            env={
                "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
                "REGION": "testregio",
                "LOG_LEVEL": "INFO",
                f"{service.upper()}_DATABASE_URL": databases[service],
                "OPS_TOKEN": ops_token,
                # Short backoff keeps the dead-letter path quick in tests.
                f"{service.upper()}_CONSUMER_RETRY_BACKOFF_S": "0.05",
                f"{service.upper()}_OUTBOX_POLL_INTERVAL_S": "0.5",
                **(extra_env or {}).get(service, {}),
            },
            log_path=logs / f"{service}.log",
        )
        for service in SERVICES
    }
    for process in services.values():
        process.start()
    try:
        for process in services.values():
            await process.wait_ready()
        yield Platform(services=services, ops_token=ops_token, bootstrap=kafka_bootstrap, databases=databases)
    finally:
        exit_codes = {name: process.stop() for name, process in services.items()}
        # uvicorn re-raises SIGTERM after its graceful shutdown, so -SIGTERM is a clean exit too;
        # the service's own "service_stopped" line proves the shutdown sequence ran to the end.
        unclean = {
            name: services[name].log_tail()
            for name, code in exit_codes.items()
            if code not in (0, -signal.SIGTERM) or '"service_stopped"' not in services[name].log_path.read_text()
        }
        assert unclean == {}, unclean


@pytest.fixture(scope="module")
async def platform(
    kafka_bootstrap: str, postgres_server_dsn: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Platform]:
    """Start the four services with their own fresh databases; stop them with SIGTERM afterwards."""
    logs = Path(tmp_path_factory.mktemp("service-logs"))
    async with running_platform(kafka_bootstrap, postgres_server_dsn, logs) as running:
        yield running
