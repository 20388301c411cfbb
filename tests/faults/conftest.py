"""Fixtures of the faults tier: a private broker and database server per session, a Cluster per test."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from common.localinfra import LocalKafka, LocalPostgres, create_topics
from contracts import TOPICS
from tests.faults.harness import Cluster, FaultInfra


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def fault_infra(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[FaultInfra]:
    """Kafka and PostgreSQL of this tier only: tests stop and restart them without disturbing other tiers."""
    # Not under pytest's temp root: every pytest session that starts (a developer's, next to this one)
    # chmods that root to 0700, and a PostgreSQL restarted as its own system user (under root) could
    # then no longer reach its data directory.
    root = Path(tempfile.mkdtemp(prefix="regio-faults-"))
    kafka = LocalKafka(root / "kafka")
    postgres = LocalPostgres(root / "postgres")
    try:
        await asyncio.gather(kafka.start(), postgres.start())
        await create_topics(kafka.bootstrap_servers, TOPICS)
        yield FaultInfra(kafka=kafka, postgres=postgres, logs=tmp_path_factory.mktemp("faults-logs"))
    finally:
        # Started unconditionally, so stopped unconditionally: a failed start must not leak a server.
        await asyncio.gather(kafka.stop(), postgres.stop(), return_exceptions=True)
        shutil.rmtree(root, ignore_errors=True)


@pytest_asyncio.fixture(loop_scope="session")
async def cluster(fault_infra: FaultInfra, request: pytest.FixtureRequest) -> AsyncIterator[Cluster]:
    """The test's services and databases; every process it started is stopped afterwards."""
    # A test that stopped a server must leave it running again; restart it here if it did not.
    if not fault_infra.kafka.is_running():
        await fault_infra.kafka.start()
    if not fault_infra.postgres.is_running():
        await fault_infra.postgres.start()
    label = request.node.name.removeprefix("test_")[:20].replace("-", "_")
    cluster = Cluster(infra=fault_infra, label=label)
    try:
        yield cluster
    finally:
        await asyncio.to_thread(cluster.stop_all)
