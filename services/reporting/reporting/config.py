"""Settings of the reporting service (environment variables prefixed ``REPORTING_``)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from common.settings import ServiceSettings

__all__ = ["Settings"]


class Settings(ServiceSettings):
    """Reporting settings."""

    model_config = SettingsConfigDict(env_prefix="REPORTING_", extra="ignore", frozen=True)

    @property
    def service_name(self) -> str:
        """Name of the service."""
        return "reporting"
