"""Create every topic of the catalogue on a running cluster (``python -m common.provision``).

Used by deploy/compose.yaml and the Helm chart's job before the services start; brokers run with topic
auto-creation off. Dead-letter topics keep their records ``DEAD_LETTER_RETENTION_DAYS`` days: new ones are
created so, existing ones are set to it on every run, so changing the setting and provisioning again is
how an operator changes how long dead letters live.
"""

from __future__ import annotations

import asyncio
import sys

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from common.kafka import KafkaTarget, kafka_client_options
from common.localinfra.kafka import create_topics
from common.settings import KafkaSettings
from contracts import TOPICS, TopicSpec
from contracts.topics import DEAD_LETTER_RETENTION_DAYS, is_dead_letter_topic, with_dead_letter_retention

__all__ = ["ProvisionSettings", "provision", "region_topics"]


class ProvisionSettings(BaseSettings):
    """What provisioning decides beyond the catalogue (unprefixed, region-wide)."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True, populate_by_name=True)

    dead_letter_retention_days: int = Field(
        DEAD_LETTER_RETENTION_DAYS,
        ge=1,
        validation_alias="DEAD_LETTER_RETENTION_DAYS",
        description="How long dead-letter topics keep a record (Kafka deletes it after); long enough to re-drive.",
    )
    kafka_replication_factor: int = Field(
        1, ge=1, validation_alias="KAFKA_REPLICATION_FACTOR", description="Replicas of every topic created."
    )


def region_topics(settings: ProvisionSettings) -> tuple[TopicSpec, ...]:
    """The catalogue as this region provisions it: its dead-letter retention applied."""
    return with_dead_letter_retention(TOPICS, settings.dead_letter_retention_days)


async def provision(kafka: KafkaTarget, settings: ProvisionSettings) -> tuple[TopicSpec, ...]:
    """Create missing topics and set every dead-letter topic's retention to the setting; the topics provisioned."""
    topics = region_topics(settings)
    await create_topics(kafka, topics, replication_factor=settings.kafka_replication_factor)
    admin = AIOKafkaAdminClient(**kafka_client_options(kafka))
    await admin.start()
    try:
        # AlterConfigs replaces a topic's whole dynamic config: send all of the catalogue's, not only retention.
        responses = await admin.alter_configs(
            [
                ConfigResource(ConfigResourceType.TOPIC, topic.name, configs=topic.configs())
                for topic in topics
                if is_dead_letter_topic(topic.name)
            ]
        )
    finally:
        await admin.close()
    refused = [
        f"{name}: error {code} {message or ''}".strip()
        for response in responses
        for code, message, _, name in response.resources
        if code != 0
    ]
    if refused:
        raise RuntimeError("the broker refused dead-letter retention:\n" + "\n".join(refused))
    return topics


def main() -> None:
    """Provision the region's cluster (``KAFKA_*``, ``DEAD_LETTER_RETENTION_DAYS``); existing topics are kept."""
    kafka = KafkaSettings()
    settings = ProvisionSettings()
    topics = asyncio.run(provision(kafka, settings))
    sys.stdout.write(
        f"provisioned {len(topics)} topics on {kafka.kafka_bootstrap_servers}"
        f" (dead letters kept {settings.dead_letter_retention_days} days)\n"
    )


if __name__ == "__main__":
    main()
