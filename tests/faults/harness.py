"""The fault-injection harness: private Kafka and PostgreSQL, services as processes, exact-count probes.

The faults tier stops and restarts its servers, so it never uses the session's shared ones: it launches
its own broker and database server once per session (always the local launchers, whatever the
environment names) and gives each test fresh databases. All services of one name share one consumer
group on that broker, so each test first moves the group's offsets to the end of its topics: a test's
counts then contain exactly the events that test sent.

The consumer under test is ``faultcounter`` (this directory): the shared runtime with a handler whose
effect is an increment, so a double application would show. The registry is the producer under test.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import signal
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar
from uuid import uuid4

import asyncpg
import httpx
from aiokafka import AIOKafkaProducer, TopicPartition
from aiokafka.structs import RecordMetadata

from common.consumer import EventConsumer
from common.localinfra import LocalKafka, LocalPostgres, create_database
from common.localinfra.processes import ServiceProcess
from common.ops import describe_group, end_offsets, load_spec, reset_offsets, wait_until_caught_up
from common.outbox import make_envelope
from contracts import EventEnvelope
from contracts.events import VolunteerRegistered

__all__ = [
    "COUNTER",
    "FAULTS_DIR",
    "SPECS",
    "VOLUNTEERS",
    "Cluster",
    "FaultInfra",
    "Service",
    "eventually",
    "publish_registrations",
    "registration",
]

VOLUNTEERS = VolunteerRegistered.topic
COUNTER = "faultcounter"
FAULTS_DIR = Path(__file__).parent
# Where each service's ServiceSpec lives, for its consumed topics and for `common.ops replay --spec`.
SPECS = {COUNTER: f"{COUNTER}:SPEC", "registry": "registry.main:SPEC", "reporting": "reporting.main:SPEC"}
T = TypeVar("T")


@dataclass
class FaultInfra:
    """The tier's own broker and database server, which tests may stop and restart."""

    kafka: LocalKafka
    postgres: LocalPostgres
    logs: Path

    @property
    def bootstrap(self) -> str:
        """Bootstrap address of the private broker."""
        return self.kafka.bootstrap_servers

    @property
    def dsn(self) -> str:
        """DSN of the private server's maintenance database."""
        return self.postgres.dsn


async def eventually(
    probe: Callable[[], Awaitable[T]], done: Callable[[T], bool], *, timeout: float, what: str, every: float = 0.05
) -> T:
    """Poll ``probe`` until ``done(value)`` holds; fail with the last value after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = await probe()
        if done(value):
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not reached within {timeout} s (last value {value!r})")
        await asyncio.sleep(every)


@dataclass
class Service:
    """A service process of a test, with the database it owns."""

    name: str
    database_url: str
    process: ServiceProcess

    @property
    def url(self) -> str:
        """Base URL of its HTTP API."""
        return self.process.url

    @property
    def pid(self) -> int:
        """Process id."""
        assert self.process.process is not None
        return self.process.process.pid

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, nothing is flushed or committed."""
        assert self.process.process is not None
        self.process.process.send_signal(signal.SIGKILL)
        self.process.process.wait(timeout=10)

    def terminate(self, timeout: float = 60.0) -> tuple[int, float]:
        """SIGTERM and wait for the exit; returns the exit code and how long the shutdown took."""
        began = time.monotonic()
        code = self.process.stop(timeout)
        return code, time.monotonic() - began

    def log_events(self, event: str | None = None) -> list[dict[str, Any]]:
        """The service's JSON log lines so far (those whose ``event`` is ``event``, if given)."""
        lines = []
        for raw in self.process.log_path.read_text(errors="replace").splitlines():
            try:
                line = json.loads(raw)
            except ValueError:
                continue
            if isinstance(line, dict) and (event is None or line.get("event") == event):
                lines.append(line)
        return lines

    def batch_total(self, field: str) -> int:
        """Sum of ``field`` (applied, duplicates, dead_lettered, ...) over the consumer's ``batch_done`` lines."""
        return sum(int(line[field]) for line in self.log_events("batch_done"))

    def applied_partitions(self, topic: str = VOLUNTEERS) -> set[int]:
        """Partitions of ``topic`` from which this instance applied at least one event."""
        lines = self.log_events("batch_done")
        return {partition for line in lines for partition in line["applied_partitions"].get(topic, [])}

    def stopped_cleanly(self) -> bool:
        """Whether the process exited after logging the end of its shutdown sequence."""
        return bool(self.log_events("service_stopped"))


@dataclass
class Cluster:
    """One test's view of the platform: its services, databases and the private servers."""

    infra: FaultInfra
    label: str
    services: list[Service] = field(default_factory=list)
    suffix: str = field(default_factory=lambda: secrets.token_hex(4))
    ops_token: str = field(default_factory=lambda: secrets.token_urlsafe(24))

    @property
    def bootstrap(self) -> str:
        """Bootstrap address of the private broker."""
        return self.infra.bootstrap

    async def isolate(self, service: str) -> None:
        """Move the service's group to the end of every topic it consumes: it sees only this test's events."""
        await reset_offsets(self.bootstrap, service, consumed_topics(service), to="latest", wait_for_empty_s=30.0)

    async def database(self, service: str) -> str:
        """A new database for ``service`` on the private server."""
        return await create_database(self.infra.dsn, f"{service}_{self.label}_{self.suffix}"[:63])

    def service(self, name: str, database_url: str, *, max_retries: int | None = None, **env: str) -> Service:
        """Describe a service process (start it with ``start``); ``env`` adds or overrides settings."""
        prefix = name.upper()
        if max_retries is not None:
            env[f"{prefix}_CONSUMER_MAX_RETRIES"] = str(max_retries)
        number = sum(1 for s in self.services if s.name == name) + 1
        settings = {
            "KAFKA_BOOTSTRAP_SERVERS": self.bootstrap,
            "REGION": "faultregio",
            "LOG_LEVEL": "INFO",
            f"{prefix}_DATABASE_URL": database_url,
            "OPS_TOKEN": self.ops_token,
            # Short backoff and polling keep each scenario to seconds; the logic is the production one.
            f"{prefix}_CONSUMER_RETRY_BACKOFF_S": "0.05",
            f"{prefix}_OUTBOX_POLL_INTERVAL_S": "0.2",
            f"{prefix}_SHUTDOWN_TIMEOUT_S": "10",
            # Small batches and a few ms per event make a 250-event stream last about a second in some 25
            # transactions, so a kill or SIGTERM lands between batches; the batch logic is the production one.
            f"{prefix}_CONSUMER_BATCH_SIZE": "10",
            "FAULTCOUNTER_APPLY_DELAY_S": "0.004",
            # The probe service is a module of this directory.
            "PYTHONPATH": os.pathsep.join(filter(None, [str(FAULTS_DIR), os.environ.get("PYTHONPATH")])),
            **env,
        }
        log_path = self.infra.logs / f"{self.label}-{self.suffix}" / f"{name}-{number}.log"
        service = Service(name, database_url, ServiceProcess(module=name, env=settings, log_path=log_path))
        self.services.append(service)
        return service

    async def start(self, *services: Service) -> None:
        """Start the services together and wait until each answers ``/health/ready``."""
        for service in services:
            service.process.start()
        for service in services:
            await service.process.wait_ready(timeout=60)

    def stop_all(self) -> None:
        """SIGTERM every process of the test still running (SIGKILL after a bound)."""
        for service in self.services:
            if service.process.alive():
                service.process.stop(timeout=30)
            elif service.process.process is not None:
                service.process.process.wait(timeout=10)

    async def owned(self, service: Service, topic: str = VOLUNTEERS) -> set[int]:
        """Partitions of ``topic`` the service owns now (its group member is matched by the id it logs)."""
        _, members = await describe_group(self.bootstrap, service.name)
        log = service.process.log_path.read_text(errors="replace")
        return {tp.partition for m in members if m.member_id in log for tp in m.partitions if tp.topic == topic}

    async def settled(self, *services: Service, timeout: float = 60.0) -> None:
        """Barrier: the group is Stable and made of exactly these processes (one member each; no rebalance due)."""
        name = services[0].name
        expected = len(services)
        logs = [service.process.log_path for service in services]

        async def members() -> tuple[str, int, int]:
            state, found = await describe_group(self.bootstrap, name)
            texts = "".join(path.read_text(errors="replace") for path in logs)
            return state, len(found), sum(1 for member in found if member.member_id in texts)

        await eventually(
            members, lambda m: m == ("Stable", expected, expected), timeout=timeout, what="group settled", every=0.2
        )

    async def ends(self, *topics: str) -> dict[TopicPartition, int]:
        """End offsets of ``topics`` now."""
        return await end_offsets(self.bootstrap, topics or (VOLUNTEERS,))

    async def caught_up(self, group: str, targets: dict[TopicPartition, int], timeout: float = 90.0) -> None:
        """Barrier: ``group`` has committed every record up to ``targets``, so it processed all of them."""
        await wait_until_caught_up(self.bootstrap, group, targets, timeout=timeout)


def registration(centrale_id: str) -> tuple[VolunteerRegistered, EventEnvelope]:
    """A valid VolunteerRegistered for ``centrale_id`` and its envelope, as the registry would make them."""
    event = VolunteerRegistered(volunteer_id=uuid4(), centrale_id=centrale_id, registered_at=datetime.now(UTC))
    envelope = make_envelope(event, source="/regions/faultregio/registry", tenant=centrale_id, region="faultregio")
    return event, envelope


async def publish_registrations(
    bootstrap: str, centrale_id: str, count: int
) -> list[tuple[VolunteerRegistered, EventEnvelope, RecordMetadata]]:
    """Publish ``count`` new registrations of ``centrale_id`` (acks=all) and return where each landed."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, linger_ms=5)
    await producer.start()
    try:
        pending = []
        for _ in range(count):
            event, envelope = registration(centrale_id)
            future = await producer.send(
                VOLUNTEERS,
                event.model_dump_json().encode(),
                key=envelope.subject.encode(),
                headers=envelope.to_headers(),
            )
            pending.append((event, envelope, future))
        return [(event, envelope, await future) for event, envelope, future in pending]
    finally:
        await producer.stop()


async def effect_count(database_url: str, centrale_id: str) -> int:
    """How many registrations of the centrale the probe service applied (0 before the first)."""
    connection = await asyncpg.connect(database_url)
    try:
        return int(
            await connection.fetchval("SELECT applied FROM effect_counts WHERE centrale_id = $1", centrale_id) or 0
        )
    finally:
        await connection.close()


async def inbox_rows(database_url: str, consumer: str, event_type: str = VolunteerRegistered.event_type) -> int:
    """How many events of ``event_type`` the consumer has applied, by its inbox."""
    connection = await asyncpg.connect(database_url)
    try:
        return int(
            await connection.fetchval(
                "SELECT count(*) FROM inbox WHERE consumer = $1 AND event_type = $2", consumer, event_type
            )
        )
    finally:
        await connection.close()


def consumed_topics(service: str) -> list[str]:
    """The topics the service subscribes to, from its ServiceSpec."""
    spec = load_spec(SPECS[service].replace(f"{COUNTER}:", f"tests.faults.{COUNTER}:"))
    consumer = EventConsumer(service, pool=None)
    if spec.register_handlers is not None:
        spec.register_handlers(consumer)
    return consumer.topics


async def new_centrale(client: httpx.AsyncClient, registry_url: str, ops_token: str) -> tuple[str, dict[str, str]]:
    """Create a centrale with a unique id through the registry and return it with staff headers."""
    centrale_id = f"vc-fault-{secrets.token_hex(4)}"
    ops = {"Authorization": f"Bearer {ops_token}"}
    created = await client.post(
        f"{registry_url}/v1/centrales",
        json={"id": centrale_id, "name": "Vrijwilligerscentrale Fout", "municipality_code": "GM0344"},
        headers=ops,
    )
    assert created.status_code == 201, created.text
    credential = await client.post(
        f"{registry_url}/v1/centrales/{centrale_id}/credentials", json={"label": "intake"}, headers=ops
    )
    assert credential.status_code == 201, credential.text
    return centrale_id, {"Authorization": f"Bearer {credential.json()['token']}"}


async def register_over_http(
    client: httpx.AsyncClient, registry_url: str, centrale_id: str, staff: dict[str, str]
) -> None:
    """Register one volunteer at the registry; it must be accepted (201)."""
    response = await client.post(
        f"{registry_url}/v1/centrales/{centrale_id}/volunteers", json={"name": "Sanne Fout"}, headers=staff
    )
    assert response.status_code == 201, response.text
