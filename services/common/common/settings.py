"""Settings every service shares; each service subclasses ``ServiceSettings`` with its own env prefix."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from common.consumer import DEFAULT_BATCH_SIZE

__all__ = ["ServiceSettings", "env_names"]

_PLACEHOLDERS = {"", "change-me", "changeme", "secret"}


class ServiceSettings(BaseSettings):
    """Settings common to all services.

    Region-wide settings (Kafka, region name, log level) read unprefixed variables, so one region env
    file configures every service; service-specific ones use the subclass's ``env_prefix``.
    """

    # populate_by_name: tests and tools may pass fields by name; the environment uses the aliases.
    model_config = SettingsConfigDict(extra="ignore", frozen=True, populate_by_name=True)

    kafka_bootstrap_servers: str = Field(
        "127.0.0.1:9092",
        validation_alias="KAFKA_BOOTSTRAP_SERVERS",
        description="Comma-separated Kafka bootstrap servers.",
    )
    region: str = Field(
        "demo-regio", validation_alias="REGION", description="Name of the region this deployment serves."
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", validation_alias="LOG_LEVEL", description="Minimum level of the JSON logs."
    )
    database_url: SecretStr = Field(
        SecretStr("postgresql://postgres@127.0.0.1:5432/postgres"),
        description="PostgreSQL URI of the service's own database.",
    )
    http_host: str = Field("127.0.0.1", description="Interface the HTTP API binds to.")
    http_port: int = Field(8000, ge=0, le=65535, description="Port of the HTTP API (0 picks a free one).")
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
    ops_token: SecretStr = Field(
        SecretStr("change-me"),
        validation_alias="OPS_TOKEN",
        description="Bearer token of the region's ops team (region-wide, every service).",
    )
    development: bool = Field(
        False, validation_alias="DEVELOPMENT", description="Allow placeholder secrets (local demo only)."
    )
    shutdown_timeout_s: float = Field(20.0, gt=0, le=300, description="Upper bound on graceful shutdown after SIGTERM.")
    scheduler_enabled: bool = Field(
        True, description="Run the service's scheduled jobs (off: only on demand through /v1/ops/jobs)."
    )
    scheduler_poll_interval_s: float = Field(
        30.0, gt=0, le=3600, description="How often the scheduler looks for due jobs."
    )

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> ServiceSettings:
        if not self.development and self.ops_token.get_secret_value() in _PLACEHOLDERS:
            raise ValueError("OPS_TOKEN must be set to a real secret outside development")
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
