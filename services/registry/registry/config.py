"""Settings of the registry service (environment variables prefixed ``REGISTRY_``)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from common.settings import ServiceSettings

__all__ = ["Settings"]


class Settings(ServiceSettings):
    """Registry settings."""

    model_config = SettingsConfigDict(env_prefix="REGISTRY_", extra="ignore", frozen=True)

    @property
    def service_name(self) -> str:
        """Name of the service."""
        return "registry"
