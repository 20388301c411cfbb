"""Kafka and PostgreSQL on a developer machine without Docker: launchers, topic and database provisioning.

Run ``python -m common.localinfra up|status|down`` for a background stack; tests use the same launchers.
"""

from common.localinfra.kafka import (
    KAFKA_VERSION,
    LocalKafka,
    LocalKafkaError,
    TopicLike,
    broker_ids,
    create_topics,
    default_jar_cache,
    ensure_kafka_jars,
    new_cluster_id,
)
from common.localinfra.postgres import (
    LocalPostgres,
    LocalPostgresError,
    create_database,
    database_dsn,
    drop_database,
    ping,
)

__all__ = [
    "KAFKA_VERSION",
    "LocalKafka",
    "LocalKafkaError",
    "LocalPostgres",
    "LocalPostgresError",
    "TopicLike",
    "broker_ids",
    "create_database",
    "create_topics",
    "database_dsn",
    "default_jar_cache",
    "drop_database",
    "ensure_kafka_jars",
    "new_cluster_id",
    "ping",
]
