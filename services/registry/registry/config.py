"""Settings of the registry service (environment variables prefixed ``REGISTRY_``)."""

from __future__ import annotations

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from common.settings import ServiceSettings

__all__ = ["Settings"]

_PLACEHOLDERS = {"", "change-me", "changeme", "secret"}


class Settings(ServiceSettings):
    """Registry settings."""

    model_config = SettingsConfigDict(env_prefix="REGISTRY_", extra="ignore", frozen=True)

    ops_token: SecretStr = Field(
        SecretStr("change-me"),
        description="Bearer token of the region's ops team (creates centrales and issues credentials).",
    )
    development: bool = Field(
        False, validation_alias="DEVELOPMENT", description="Allow placeholder secrets (local demo only)."
    )

    @property
    def service_name(self) -> str:
        """Name of the service."""
        return "registry"

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> Settings:
        if not self.development and self.ops_token.get_secret_value() in _PLACEHOLDERS:
            raise ValueError("REGISTRY_OPS_TOKEN must be set to a real secret outside development")
        return self
