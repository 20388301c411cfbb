"""Connection options for every Kafka client the platform builds, from the region's Kafka settings.

Every aiokafka client (``AIOKafkaProducer``, ``AIOKafkaConsumer``, ``AIOKafkaAdminClient``) is built
with ``**kafka_client_options(kafka)`` and every FastStream ``KafkaBroker`` with ``**broker_options(kafka)``,
so TLS and SASL reach all of them; ``tests/common/unit/test_kafka_options.py`` fails on a client built
otherwise. ``kafka`` is the region's ``KafkaSettings`` (a service's settings are one) or, for tests and
local tools, a bare bootstrap string, which means PLAINTEXT.
"""

from __future__ import annotations

import ssl
from typing import Any, TypeAlias

from aiokafka import AIOKafkaConsumer
from faststream.security import BaseSecurity, SASLPlaintext, SASLScram256, SASLScram512

from common.settings import KafkaSettings

__all__ = ["KafkaTarget", "bootstrap_of", "broker_options", "kafka_client_options", "offsets_client", "ssl_context"]

# A region's Kafka settings, or a bootstrap string for a PLAINTEXT cluster (tests, local tools).
KafkaTarget: TypeAlias = KafkaSettings | str

_SASL_SECURITY: dict[str, type[SASLPlaintext | SASLScram256 | SASLScram512]] = {
    "PLAIN": SASLPlaintext,
    "SCRAM-SHA-256": SASLScram256,
    "SCRAM-SHA-512": SASLScram512,
}


def bootstrap_of(kafka: KafkaTarget) -> str:
    """The bootstrap servers of ``kafka``, for messages and logs."""
    return kafka if isinstance(kafka, str) else kafka.kafka_bootstrap_servers


def ssl_context(settings: KafkaSettings) -> ssl.SSLContext:
    """A client TLS context: the given CA file (else the system's CAs), hostname checks, optional client cert."""
    cafile = str(settings.kafka_ssl_cafile) if settings.kafka_ssl_cafile else None
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=cafile)
    context.check_hostname = settings.kafka_ssl_check_hostname
    if settings.kafka_ssl_certfile is not None:
        keyfile = str(settings.kafka_ssl_keyfile) if settings.kafka_ssl_keyfile else None
        context.load_cert_chain(str(settings.kafka_ssl_certfile), keyfile)
    return context


def kafka_client_options(kafka: KafkaTarget) -> dict[str, Any]:
    """Keyword arguments every aiokafka client takes: bootstrap servers, security protocol, TLS, SASL."""
    if isinstance(kafka, str):
        return {"bootstrap_servers": kafka}
    protocol = kafka.kafka_security_protocol
    options: dict[str, Any] = {"bootstrap_servers": kafka.kafka_bootstrap_servers, "security_protocol": protocol}
    if protocol in ("SSL", "SASL_SSL"):
        options["ssl_context"] = ssl_context(kafka)
    if protocol in ("SASL_PLAINTEXT", "SASL_SSL"):
        # The settings validator guarantees all three when the protocol uses SASL.
        assert kafka.kafka_sasl_password is not None
        options["sasl_mechanism"] = kafka.kafka_sasl_mechanism
        options["sasl_plain_username"] = kafka.kafka_sasl_username
        options["sasl_plain_password"] = kafka.kafka_sasl_password.get_secret_value()
    return options


def offsets_client(kafka: KafkaTarget, *, client_id: str) -> AIOKafkaConsumer:
    """A consumer of no group that is never assigned: it asks for partitions' offsets and never fetches.

    A broker answers a connection's requests in order, and holds a fetch with nothing new up to the fetching
    consumer's fetch_max_wait_ms (500 ms by default). Asked on a reading consumer's own connection, the end
    offsets waited behind that fetch whenever the reader had caught up. A fresh client's first request learns
    the topic's partitions and retries after retry_backoff_ms: 20 ms here, not 100 (the answer takes a few).
    """
    return AIOKafkaConsumer(
        **kafka_client_options(kafka),
        group_id=None,
        enable_auto_commit=False,
        client_id=client_id,
        retry_backoff_ms=20,
    )


def broker_options(kafka: KafkaTarget) -> dict[str, Any]:
    """Keyword arguments of FastStream's ``KafkaBroker``: the same connection, as its ``security`` object."""
    if isinstance(kafka, str):
        return {"bootstrap_servers": kafka}
    options = kafka_client_options(kafka)
    protocol = options["security_protocol"]
    tls = protocol in ("SSL", "SASL_SSL")
    security: BaseSecurity | None = None
    if protocol in ("SASL_PLAINTEXT", "SASL_SSL"):
        security = _SASL_SECURITY[options["sasl_mechanism"]](
            options["sasl_plain_username"],
            options["sasl_plain_password"],
            ssl_context=options.get("ssl_context"),
            use_ssl=tls,
        )
    elif tls:
        security = BaseSecurity(ssl_context=options["ssl_context"], use_ssl=True)
    return {"bootstrap_servers": options["bootstrap_servers"], "security": security}
