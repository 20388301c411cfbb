"""Settings of the appreciation service (environment variables prefixed ``APPRECIATION_``)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from common.settings import ServiceSettings

__all__ = ["Settings"]


class Settings(ServiceSettings):
    """Appreciation settings."""

    model_config = SettingsConfigDict(env_prefix="APPRECIATION_", extra="ignore", frozen=True)

    @property
    def service_name(self) -> str:
        """Name of the service."""
        return "appreciation"
