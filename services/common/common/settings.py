"""Settings every service shares; each service subclasses ``ServiceSettings`` with its own env prefix."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, FilePath, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from common.ratelimit import RateLimit, parse_rate_limit

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "DEFAULT_OUTBOX_BATCH_SIZE",
    "OPS_TOKEN_MIN_LENGTH",
    "KafkaSettings",
    "ProcessSettings",
    "ServiceSettings",
    "env_names",
    "refuse_placeholder",
]

_PLACEHOLDERS = {"", "change-me", "changeme", "secret"}
# OPS_TOKEN opens every service as region ops: outside development it must be at least this long
# (32 characters of `openssl rand -base64 32` or `python -c "import secrets; print(secrets.token_urlsafe(32))"`).
OPS_TOKEN_MIN_LENGTH = 32
# Most records one consumer transaction applies, unless a service sets its own (common.consumer uses it too).
DEFAULT_BATCH_SIZE = 500
# Most outbox rows one relay round sends before it waits for Kafka's acknowledgements and marks them (common.outbox).
# Each round waits once for the broker and twice for PostgreSQL; raw send() never waits, so fewer, larger rounds
# are what brings the relay near it (README "Performance").
DEFAULT_OUTBOX_BATCH_SIZE = 2000
_TLS_PROTOCOLS = {"SSL", "SASL_SSL"}
_SASL_PROTOCOLS = {"SASL_PLAINTEXT", "SASL_SSL"}


class KafkaSettings(BaseSettings):
    """How every Kafka client of the region connects: servers, TLS and SASL (unprefixed, region-wide).

    ``common.kafka.kafka_client_options`` turns these into the arguments of every client the platform
    builds (the services' brokers, the outbox relay, provisioning, the ops tools), so none is forgotten.
    """

    # populate_by_name: tests and tools may pass fields by name; the environment uses the aliases.
    model_config = SettingsConfigDict(extra="ignore", frozen=True, populate_by_name=True)

    kafka_bootstrap_servers: str = Field(
        "127.0.0.1:9092",
        validation_alias="KAFKA_BOOTSTRAP_SERVERS",
        description="Comma-separated Kafka bootstrap servers.",
    )
    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = Field(
        "PLAINTEXT",
        validation_alias="KAFKA_SECURITY_PROTOCOL",
        description="PLAINTEXT, SSL (TLS), SASL_PLAINTEXT or SASL_SSL (SASL over TLS: what managed clusters use).",
    )
    kafka_sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] | None = Field(
        None,
        validation_alias="KAFKA_SASL_MECHANISM",
        description="SASL mechanism with a SASL_* protocol: SCRAM-SHA-512, SCRAM-SHA-256 or PLAIN.",
    )
    kafka_sasl_username: str | None = Field(
        None, validation_alias="KAFKA_SASL_USERNAME", description="SASL user name (with a SASL_* protocol)."
    )
    kafka_sasl_password: SecretStr | None = Field(
        None, validation_alias="KAFKA_SASL_PASSWORD", description="SASL password (with a SASL_* protocol)."
    )
    kafka_ssl_cafile: FilePath | None = Field(
        None,
        validation_alias="KAFKA_SSL_CAFILE",
        description="PEM file of the CA(s) that signed the brokers' certificates; unset: the system's CAs.",
    )
    kafka_ssl_certfile: FilePath | None = Field(
        None,
        validation_alias="KAFKA_SSL_CERTFILE",
        description="PEM client certificate, for brokers that authenticate clients by TLS (mTLS).",
    )
    kafka_ssl_keyfile: FilePath | None = Field(
        None, validation_alias="KAFKA_SSL_KEYFILE", description="PEM private key of the client certificate."
    )
    kafka_ssl_check_hostname: bool = Field(
        True,
        validation_alias="KAFKA_SSL_CHECK_HOSTNAME",
        description="Check that a broker's certificate names its host; turn off only for tests.",
    )

    @field_validator(
        "kafka_sasl_mechanism",
        "kafka_sasl_username",
        "kafka_sasl_password",
        "kafka_ssl_cafile",
        "kafka_ssl_certfile",
        "kafka_ssl_keyfile",
        mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, value: Any) -> Any:
        # Compose and Helm pass optional variables as empty strings; an empty path would mean ".".
        return None if value == "" else value

    @model_validator(mode="after")
    def _consistent_kafka_security(self) -> KafkaSettings:
        protocol = self.kafka_security_protocol
        if protocol in _SASL_PROTOCOLS:
            missing = [
                name
                for name, value in (
                    ("KAFKA_SASL_MECHANISM", self.kafka_sasl_mechanism),
                    ("KAFKA_SASL_USERNAME", self.kafka_sasl_username),
                    ("KAFKA_SASL_PASSWORD", self.kafka_sasl_password),
                )
                if not value
            ]
            if missing:
                raise ValueError(f"KAFKA_SECURITY_PROTOCOL={protocol} needs {', '.join(missing)}")
        elif self.kafka_sasl_mechanism or self.kafka_sasl_username or self.kafka_sasl_password:
            raise ValueError(f"SASL settings are given but KAFKA_SECURITY_PROTOCOL={protocol} does not use SASL")
        tls_files = self.kafka_ssl_cafile or self.kafka_ssl_certfile or self.kafka_ssl_keyfile
        if tls_files and protocol not in _TLS_PROTOCOLS:
            raise ValueError(f"KAFKA_SSL_* files are given but KAFKA_SECURITY_PROTOCOL={protocol} does not use TLS")
        if self.kafka_ssl_keyfile and not self.kafka_ssl_certfile:
            raise ValueError("KAFKA_SSL_KEYFILE needs KAFKA_SSL_CERTFILE")
        return self


class ProcessSettings(BaseSettings):
    """What every process of the platform has, with or without a database or Kafka: region, logs, HTTP, shutdown.

    Region-wide settings (region name, log level, development) read unprefixed variables, so one region env
    file configures every process; the others use the subclass's ``env_prefix``. The portal (no database,
    no Kafka) builds on this alone; the services on ``ServiceSettings``.
    """

    model_config = SettingsConfigDict(extra="ignore", frozen=True, populate_by_name=True)

    region: str = Field(
        "demo-regio", validation_alias="REGION", description="Name of the region this deployment serves."
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", validation_alias="LOG_LEVEL", description="Minimum level of the JSON logs."
    )
    http_host: str = Field("127.0.0.1", description="Interface the HTTP API binds to.")
    http_port: int = Field(8000, ge=0, le=65535, description="Port of the HTTP API (0 picks a free one).")
    development: bool = Field(
        False, validation_alias="DEVELOPMENT", description="Allow placeholder secrets (local demo only)."
    )
    shutdown_timeout_s: float = Field(20.0, gt=0, le=300, description="Upper bound on graceful shutdown after SIGTERM.")

    @property
    def service_name(self) -> str:
        """Name of the process: its log field (and, for services, consumer group and outbox channel)."""
        raise NotImplementedError


def refuse_placeholder(settings: ProcessSettings, value: SecretStr, name: str) -> None:
    """Refuse a placeholder secret (``change-me``, empty, ...) outside development, naming the variable."""
    if not settings.development and value.get_secret_value() in _PLACEHOLDERS:
        raise ValueError(f"{name} must be set to a real secret outside development")


class ServiceSettings(ProcessSettings, KafkaSettings):
    """Settings common to all services: the process's, the region's Kafka, the own database, delivery.

    Region-wide settings (Kafka, region name, log level) read unprefixed variables, so one region env
    file configures every service; service-specific ones use the subclass's ``env_prefix``.
    """

    database_url: SecretStr = Field(
        SecretStr("postgresql://postgres@127.0.0.1:5432/postgres"),
        description="PostgreSQL URI of the service's own database.",
    )
    db_pool_size: int = Field(5, ge=1, le=100, description="Maximum PostgreSQL connections in the pool.")
    consumer_max_retries: int = Field(
        5, ge=0, le=50, description="Retries of a transient failure before a message is dead-lettered."
    )
    consumer_retry_backoff_s: float = Field(
        0.2, gt=0, le=30, description="First retry delay; doubles per attempt (capped at 10 s)."
    )
    consumer_batch_size: int = Field(
        DEFAULT_BATCH_SIZE,
        ge=1,
        le=5000,
        description="Most records one consumer transaction applies; offsets are committed once per batch.",
    )
    outbox_poll_interval_s: float = Field(
        1.0, gt=0, le=60, description="Outbox relay polling fallback when no NOTIFY wakes it."
    )
    outbox_batch_size: int = Field(
        DEFAULT_OUTBOX_BATCH_SIZE,
        ge=1,
        le=20000,
        description="Most outbox rows one relay round publishes before waiting for Kafka's acknowledgements.",
    )
    outbox_defer_max_s: float = Field(
        0.0,
        ge=0,
        le=300,
        description="While this service's consumer catches up (a burst, a restart after downtime), the relay waits at"
        " most this long at a time before publishing, so consuming gets the CPU; 0 publishes at once.",
    )
    metrics_sample_interval_s: float = Field(
        15.0,
        gt=0,
        le=3600,
        description="How often consumer lag, dead letters, the outbox backlog and job state are read for /metrics.",
    )
    otel_exporter_otlp_endpoint: str | None = Field(
        None,
        validation_alias="OTEL_EXPORTER_OTLP_ENDPOINT",
        description="Base URL of the OpenTelemetry collector's OTLP/HTTP receiver (e.g. `http://collector:4318`):"
        " traces are sent to its /v1/traces. Unset: tracing is off and costs nothing.",
    )
    ops_token: SecretStr = Field(
        SecretStr("change-me"),
        validation_alias="OPS_TOKEN",
        description="Bearer token of the region's ops team (region-wide, every service); at least 32 random characters"
        " outside development.",
    )
    region_key_encryption_key: SecretStr | None = Field(
        None,
        validation_alias="REGION_KEY_ENCRYPTION_KEY",
        description="The region's key-encryption key of volunteers' data keys (crypto-shredding; base64url of 32"
        " bytes, `make region-key`); the registry, matching, reporting and appreciation refuse to start without it.",
    )
    scheduler_enabled: bool = Field(
        True, description="Run the service's scheduled jobs (off: only on demand through /v1/ops/jobs)."
    )
    scheduler_poll_interval_s: float = Field(
        30.0, gt=0, le=3600, description="How often the scheduler looks for due jobs."
    )
    scheduler_run_retention_days: int = Field(
        30, ge=1, le=3650, description="How long finished job runs stay listed (each job's latest always stays)."
    )
    outbox_retention_days: int = Field(
        7, ge=1, le=3650, description="How long a published outbox row is kept (the event is on its topic)."
    )
    inbox_retention_days: int = Field(
        30,
        ge=1,
        le=3650,
        description="How long a consumer remembers an applied event's id: the window in which a redelivery is"
        " recognised (a replay clears the inbox anyway).",
    )
    max_body_bytes: int = Field(
        1_000_000,
        ge=1024,
        le=100_000_000,
        validation_alias="HTTP_MAX_BODY_BYTES",
        description="Largest request body accepted; a larger one is answered 413 before it is parsed.",
    )
    api_docs: bool = Field(
        True,
        validation_alias="API_DOCS",
        description="Serve Swagger UI (/docs) and ReDoc (/redoc) from local assets; off: neither is served.",
    )
    rate_limit_failed_auth: str = Field(
        "20/300",
        validation_alias="RATE_LIMIT_FAILED_AUTH",
        description="Failed authentications (401) per client address: '<hits>/<seconds>'; beyond it every "
        "request with a token gets 429 until the window ends. 0/... is off.",
    )
    rate_limit_self_registration: str = Field(
        "10/3600",
        validation_alias="RATE_LIMIT_SELF_REGISTRATION",
        description="Anonymous self-registrations per client address: '<hits>/<seconds>'.",
    )
    rate_limit_certificate_lookup: str = Field(
        "60/60",
        validation_alias="RATE_LIMIT_CERTIFICATE_LOOKUP",
        description="Public certificate look-ups and verifications per client address: '<hits>/<seconds>'.",
    )

    @field_validator("rate_limit_failed_auth", "rate_limit_self_registration", "rate_limit_certificate_lookup")
    @classmethod
    def _valid_rate_limit(cls, value: str) -> str:
        parse_rate_limit("setting", value)
        return value

    @property
    def failed_auth_limit(self) -> RateLimit:
        """The limit on failed authentications per client address."""
        return parse_rate_limit("failed-auth", self.rate_limit_failed_auth)

    @property
    def self_registration_limit(self) -> RateLimit:
        """The limit on self-registrations per client address."""
        return parse_rate_limit("self-registration", self.rate_limit_self_registration)

    @property
    def certificate_lookup_limit(self) -> RateLimit:
        """The limit on public certificate look-ups per client address."""
        return parse_rate_limit("certificate-lookup", self.rate_limit_certificate_lookup)

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> ServiceSettings:
        if self.development:
            return self
        token = self.ops_token.get_secret_value()
        if token in _PLACEHOLDERS:
            raise ValueError("OPS_TOKEN must be set to a real secret outside development")
        if len(token) < OPS_TOKEN_MIN_LENGTH or len(set(token)) < OPS_TOKEN_MIN_LENGTH // 4:
            # The value is never echoed: only its length is said.
            raise ValueError(
                f"OPS_TOKEN is too weak: it must be at least {OPS_TOKEN_MIN_LENGTH} random characters outside"
                f" development (it has {len(token)}); e.g. python -c 'import secrets; print(secrets.token_urlsafe(32))'"
            )
        return self

    @property
    def service_name(self) -> str:
        """Name of the service: its consumer group, outbox channel and log field."""
        raise NotImplementedError


def env_names(settings_class: type[BaseSettings]) -> dict[str, str]:
    """Environment variable name → description of every setting of ``settings_class``."""
    prefix = str(settings_class.model_config.get("env_prefix", ""))
    names: dict[str, str] = {}
    for field_name, info in settings_class.model_fields.items():
        alias = info.validation_alias
        name = alias if isinstance(alias, str) else f"{prefix}{field_name}".upper()
        names[name] = info.description or ""
    return names
