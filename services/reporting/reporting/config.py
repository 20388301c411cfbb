"""Settings of the reporting service (environment variables prefixed ``REPORTING_``)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from common.settings import ServiceSettings

__all__ = ["Settings"]


class Settings(ServiceSettings):
    """Reporting settings."""

    model_config = SettingsConfigDict(env_prefix="REPORTING_", extra="ignore", frozen=True)

    # Every batch pays a dozen statements (inbox claim, gates, context, savepoints) and its hours statements'
    # set-up whatever its size: at 2,000 records an hours burst is applied in 20 µs a record instead of 25.
    consumer_batch_size: int = Field(
        2000, ge=1, le=5000, description="Most records one consumer transaction applies; offsets committed per batch."
    )

    # Folding a burst's hours while they are still being ingested made both compete for the same cores: the
    # NLdoet burst's fold took 12.5 s of CPU (0.85 of the 2 cores for 16 s) beside the ingest.
    fold_defer_max_s: float = Field(
        30.0,
        ge=0,
        le=600,
        description=(
            "Longest the background fold of queued hours waits while the consumer catches up (0: never waits);"
            " a read folds what is queued first either way."
        ),
    )

    @property
    def service_name(self) -> str:
        """Name of the service."""
        return "reporting"
