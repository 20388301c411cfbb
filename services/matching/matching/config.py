"""Settings of the matching service (environment variables prefixed ``MATCHING_``)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from common.settings import ServiceSettings

__all__ = ["Settings"]


class Settings(ServiceSettings):
    """Matching settings."""

    model_config = SettingsConfigDict(env_prefix="MATCHING_", extra="ignore", frozen=True)

    @property
    def service_name(self) -> str:
        """Name of the service."""
        return "matching"
