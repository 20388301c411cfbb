"""The platform's own Kafka clients on a SASL/SCRAM listener: provisioning, outbox relay, consumer, ops tools."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from uuid import uuid4

import asyncpg
import pytest
import pytest_asyncio
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

from common.consumer import EventConsumer
from common.db import RUNTIME_MIGRATIONS, apply_migrations, create_pool
from common.kafka import kafka_client_options
from common.localinfra import LocalKafka, create_topics
from common.ops import consumer_lag
from common.outbox import OutboxRelay, add_to_outbox, make_envelope
from common.service import ServiceSpec, build_broker
from common.settings import KafkaSettings, ServiceSettings
from common.uow import PostgresUnitOfWork
from contracts import TOPICS
from contracts.events import VolunteerRegistered

pytestmark = pytest.mark.integration

USER = "regio-registry"
PASSWORD = secrets.token_urlsafe(16)


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def sasl_kafka(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[LocalKafka]:
    """A broker of its own with a SCRAM listener (the session's broker may be a plain one named by env)."""
    kafka = LocalKafka(tmp_path_factory.mktemp("sasl") / "kafka", scram_users={USER: PASSWORD})
    try:
        await kafka.start()
        yield kafka
    finally:
        await kafka.stop()


def _settings(kafka: LocalKafka, mechanism: str = "SCRAM-SHA-512", password: str = PASSWORD) -> ServiceSettings:
    """A service's settings pointing at the SCRAM listener, as a region's env file would."""
    return ServiceSettings(
        kafka_bootstrap_servers=kafka.sasl_bootstrap_servers,
        kafka_security_protocol="SASL_PLAINTEXT",
        kafka_sasl_mechanism=mechanism,
        kafka_sasl_username=USER,
        kafka_sasl_password=password,
        region="test",
        development=True,
    )


async def _effects(pool: asyncpg.Pool) -> list[str]:
    return [str(row["event_id"]) for row in await pool.fetch("SELECT event_id FROM effects ORDER BY seq")]


async def test_outbox_relay_and_consumer_work_through_scram(sasl_kafka: LocalKafka, fresh_database: str) -> None:
    """Provision over SCRAM, publish through the relay, consume through an EventConsumer and its inbox."""
    settings = _settings(sasl_kafka)
    await create_topics(settings, TOPICS)
    pool = await create_pool(fresh_database, 4)
    await apply_migrations(pool, RUNTIME_MIGRATIONS)
    await pool.execute("CREATE TABLE effects (seq bigserial, event_id uuid NOT NULL)")

    consumer = EventConsumer(f"test-sasl-{secrets.token_hex(4)}", pool)
    applied = asyncio.Event()

    @consumer.on(VolunteerRegistered)
    async def record_effect(event: VolunteerRegistered, uow: PostgresUnitOfWork) -> None:
        await uow.conn.execute("INSERT INTO effects (event_id) VALUES ($1)", uow.envelope.id)
        applied.set()

    broker = build_broker(settings, ServiceSpec(name="sasl-test", migrations=RUNTIME_MIGRATIONS))
    consumer.attach(broker)
    relay = OutboxRelay(pool, settings, poll_interval_s=0.1)
    event = VolunteerRegistered(volunteer_id=uuid4(), centrale_id="vc-sasl", registered_at=datetime.now(UTC))
    envelope = make_envelope(event, source="/regions/test/registry", tenant="vc-sasl", region="test")
    try:
        await broker.start()
        await consumer.start()
        await relay.start()
        async with pool.acquire() as conn, conn.transaction():
            await add_to_outbox(conn, event, envelope)
        await asyncio.wait_for(applied.wait(), timeout=60)
        # The ops tools read the group's lag over the same listener once the batch is committed.
        lag: list[int] = []
        for _ in range(100):
            lag = [row.lag for row in await consumer_lag(settings, [consumer.name]) if row.topic == event.topic]
            if lag and sum(lag) == 0:
                break
            await asyncio.sleep(0.2)
    finally:
        await relay.stop(timeout=10)
        consumer.close()
        await consumer.drain(timeout=10)
        await broker.stop()
    unpublished = await pool.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL")
    effects = await _effects(pool)
    inbox = await pool.fetchval("SELECT count(*) FROM inbox WHERE consumer = $1", consumer.name)
    await pool.close()
    assert (unpublished, effects, inbox) == (0, [str(envelope.id)], 1)
    assert lag, "the ops tools found no committed offsets of the group"
    assert sum(lag) == 0, f"the group's committed offsets should reach the end, lag per partition {lag}"


async def test_the_ops_command_line_reads_the_kafka_security_settings(sasl_kafka: LocalKafka) -> None:
    """``python -m common.ops`` as ops run it: the region's KAFKA_* variables, SCRAM included."""
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": sasl_kafka.sasl_bootstrap_servers,
        "KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
        "KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
        "KAFKA_SASL_USERNAME": USER,
        "KAFKA_SASL_PASSWORD": PASSWORD,
    }
    command = [
        sys.executable,
        "-m",
        "common.ops",
        "--json",
        "dlq",
        "list",
        "--topic",
        f"{VolunteerRegistered.topic}.dlq",
    ]
    result = await asyncio.to_thread(subprocess.run, command, env=env, capture_output=True, text=True, timeout=60)
    assert (result.returncode, json.loads(result.stdout)) == (0, []), result.stderr[-2000:]
    env["KAFKA_SASL_PASSWORD"] = "not-the-password"
    refused = await asyncio.to_thread(subprocess.run, command, env=env, capture_output=True, text=True, timeout=60)
    assert refused.returncode != 0


async def test_scram_sha_256_logs_in_and_a_wrong_password_is_refused(sasl_kafka: LocalKafka) -> None:
    """Both SCRAM mechanisms work; the listener really authenticates (a wrong password gets no metadata)."""
    admin = AIOKafkaAdminClient(**kafka_client_options(_settings(sasl_kafka, "SCRAM-SHA-256")))
    await admin.start()
    try:
        assert [broker["node_id"] for broker in (await admin.describe_cluster())["brokers"]] == [1]
    finally:
        await admin.close()
    intruder = AIOKafkaAdminClient(
        **kafka_client_options(_settings(sasl_kafka, password="not-the-password")), request_timeout_ms=5_000
    )
    try:
        with pytest.raises(KafkaError):
            await asyncio.wait_for(intruder.start(), timeout=20)
    finally:
        await intruder.close()


def test_plain_settings_without_credentials_do_not_reach_the_sasl_listener() -> None:
    """A misconfigured region (SASL protocol, no user) fails at start-up, not at the first publish."""
    with pytest.raises(ValueError, match="KAFKA_SASL_USERNAME"):
        KafkaSettings(kafka_security_protocol="SASL_PLAINTEXT", kafka_sasl_mechanism="SCRAM-SHA-512")
