"""The broker and database a benchmark runs on: from the environment, else started here and stopped after."""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from common.localinfra import (
    KAFKA_VERSION,
    LocalKafka,
    LocalPostgres,
    broker_ids,
    create_database,
    create_topics,
    drop_database,
    ping,
)
from common.sealing import REGION_KEY_VARIABLE, new_region_key
from contracts import TOPICS

__all__ = ["BenchInfra", "bench_infra", "server_version"]

# The region's key-encryption key for the services a benchmark starts (crypto-shredding): one per run, unless the
# broker given comes with its own (.local/infra/env).
os.environ.setdefault(REGION_KEY_VARIABLE, new_region_key())


@dataclass(frozen=True)
class BenchInfra:
    """Where the benchmark's broker and its own database are, and where they came from."""

    kafka_bootstrap: str
    database_dsn: str
    kafka_source: str
    postgres_source: str
    # The server's maintenance database, for creating more databases; None: ``database_dsn`` serves too.
    server_dsn: str | None = None

    @property
    def postgres_server(self) -> str:
        """A DSN on the server that ``create_database`` and ``drop_database`` can connect through."""
        return self.server_dsn or self.database_dsn


async def server_version(dsn: str) -> str:
    """PostgreSQL's ``server_version``."""
    connection = await asyncpg.connect(dsn, timeout=10)
    try:
        return str(await connection.fetchval("SHOW server_version"))
    finally:
        await connection.close()


@asynccontextmanager
async def bench_infra(work_dir: Path) -> AsyncIterator[BenchInfra]:
    """Kafka with the catalogue topics and a fresh database for the run; whatever was started here stops after.

    ``KAFKA_BOOTSTRAP_SERVERS`` and ``DATABASE_URL`` name servers to reuse (CI starts them once for
    everything); otherwise a local KRaft broker and an embedded PostgreSQL start on free ports on
    127.0.0.1, in ``work_dir``.
    """
    env_kafka = os.environ.get("KAFKA_BOOTSTRAP_SERVERS") or None
    env_postgres = os.environ.get("DATABASE_URL") or None
    async with AsyncExitStack() as stack:

        async def kafka() -> tuple[str, str]:
            """The broker's bootstrap address and a description of where it came from."""
            if env_kafka is not None:
                await broker_ids(env_kafka)
                return env_kafka, "from KAFKA_BOOTSTRAP_SERVERS"
            broker = LocalKafka(work_dir / "kafka")
            stack.push_async_callback(broker.stop)
            await broker.start()
            return broker.bootstrap_servers, f"Kafka {KAFKA_VERSION}, local KRaft broker started for this run"

        async def postgres() -> tuple[str, str]:
            """The server's DSN and a description of where it came from."""
            if env_postgres is not None:
                await ping(env_postgres)
                return env_postgres, "from DATABASE_URL"
            server = LocalPostgres(work_dir / "postgres")
            stack.push_async_callback(server.stop)
            await server.start()
            return server.dsn, "embedded PostgreSQL started for this run"

        # Concurrently: the broker's JVM start dominates and PostgreSQL fits inside it.
        async with asyncio.TaskGroup() as group:
            kafka_task, postgres_task = group.create_task(kafka()), group.create_task(postgres())
        (bootstrap, kafka_source), (server_dsn, pg_source) = kafka_task.result(), postgres_task.result()
        await create_topics(bootstrap, TOPICS)
        name = f"bench_{secrets.token_hex(6)}"
        dsn = await create_database(server_dsn, name)
        stack.push_async_callback(drop_database, server_dsn, name)
        version = await server_version(dsn)
        yield BenchInfra(
            kafka_bootstrap=bootstrap,
            database_dsn=dsn,
            kafka_source=kafka_source,
            postgres_source=f"PostgreSQL {version}, {pg_source}",
            server_dsn=server_dsn,
        )
