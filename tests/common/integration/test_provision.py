"""Provisioning on the real broker: dead-letter topics keep their records as long as the region's setting says."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from common.provision import ProvisionSettings, provision
from contracts.topics import DAY_MS, DEAD_LETTER_RETENTION_DAYS

pytestmark = pytest.mark.integration

DEAD_LETTERS = "registry.volunteers.v1.dlq"
STREAM = "registry.volunteers.v1"


@pytest_asyncio.fixture(loop_scope="session")
async def admin(kafka_bootstrap: str) -> AsyncIterator[AIOKafkaAdminClient]:
    """An admin client of the session's broker; the dead-letter retention is set back to the default after."""
    client = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    await client.start()
    try:
        yield client
    finally:
        await provision(kafka_bootstrap, ProvisionSettings())
        await client.close()


async def _topic_config(admin: AIOKafkaAdminClient, topic: str) -> dict[str, str]:
    """The topic's configuration as the broker reports it."""
    [response] = await admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])
    [(_, _, _, _, entries)] = response.resources
    return {entry[0]: entry[1] for entry in entries}


async def _retention_once_applied(admin: AIOKafkaAdminClient, topic: str, expected: str) -> str:
    """The topic's retention.ms, read until it shows ``expected`` or 10 s passed (brokers apply config changes
    from the metadata log, a moment after the controller accepted them)."""
    for _ in range(100):
        retention = (await _topic_config(admin, topic))["retention.ms"]
        if retention == expected:
            break
        await asyncio.sleep(0.1)
    return retention


@pytest.mark.asyncio(loop_scope="session")
async def test_dead_letter_topics_keep_records_as_long_as_the_setting_says(
    kafka_bootstrap: str, admin: AIOKafkaAdminClient
) -> None:
    settings = ProvisionSettings.model_validate({"DEAD_LETTER_RETENTION_DAYS": 7})

    await provision(kafka_bootstrap, settings)

    assert await _retention_once_applied(admin, DEAD_LETTERS, str(7 * DAY_MS)) == str(7 * DAY_MS)
    assert (await _topic_config(admin, DEAD_LETTERS))["cleanup.policy"] == "delete"
    # The streams themselves are untouched: they keep their records for replays.
    assert (await _topic_config(admin, STREAM))["retention.ms"] == "-1"


@pytest.mark.asyncio(loop_scope="session")
async def test_without_the_setting_dead_letters_keep_the_documented_default(
    kafka_bootstrap: str, admin: AIOKafkaAdminClient
) -> None:
    await provision(kafka_bootstrap, ProvisionSettings.model_validate({"DEAD_LETTER_RETENTION_DAYS": 3}))

    await provision(kafka_bootstrap, ProvisionSettings.model_validate({}))

    default = str(DEAD_LETTER_RETENTION_DAYS * DAY_MS)
    assert await _retention_once_applied(admin, DEAD_LETTERS, default) == default
