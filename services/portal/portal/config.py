"""Settings of the portal (environment variables prefixed ``PORTAL_``; region-wide ones unprefixed)."""

from __future__ import annotations

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from common.settings import ProcessSettings, refuse_placeholder

__all__ = ["Settings"]

# The portal's secret keys the CSRF tokens (an HMAC of the session): long enough to resist guessing offline.
SECRET_MIN_LENGTH = 32
# A service's base URL: http(s), a host, optionally a port and a path.
_URL = r"^https?://[^\s/?#]+(/[^\s?#]*)?$"


class Settings(ProcessSettings):
    """Portal settings: where the four services are, the secret behind its CSRF tokens, its cookies."""

    model_config = SettingsConfigDict(env_prefix="PORTAL_", extra="ignore", frozen=True, populate_by_name=True)

    registry_url: str = Field("http://127.0.0.1:8001", pattern=_URL, description="Base URL of the registry.")
    matching_url: str = Field("http://127.0.0.1:8002", pattern=_URL, description="Base URL of matching.")
    appreciation_url: str = Field("http://127.0.0.1:8003", pattern=_URL, description="Base URL of appreciation.")
    reporting_url: str = Field("http://127.0.0.1:8004", pattern=_URL, description="Base URL of reporting.")
    secret: SecretStr = Field(
        SecretStr("change-me"),
        description="Key of the CSRF tokens (HMAC of the session); at least 32 random characters outside development.",
    )
    cookie_secure: bool = Field(
        True,
        description="Send cookies only over HTTPS (Secure, `__Host-` names); switch off only for local http.",
    )
    api_timeout_s: float = Field(10.0, gt=0, le=120, description="Timeout of one call to a service's API.")
    api_connections: int = Field(
        50, ge=1, le=1000, description="Most open connections to each service (requests beyond wait for one)."
    )
    otel_exporter_otlp_endpoint: str | None = Field(
        None,
        validation_alias="OTEL_EXPORTER_OTLP_ENDPOINT",
        description="As the services': the collector's OTLP/HTTP base URL; a page's span is the parent of its API"
        " calls' spans. Unset: tracing is off.",
    )

    @model_validator(mode="after")
    def _refuse_weak_secret(self) -> Settings:
        refuse_placeholder(self, self.secret, "PORTAL_SECRET")
        if not self.development and len(self.secret.get_secret_value()) < SECRET_MIN_LENGTH:
            raise ValueError(f"PORTAL_SECRET must be at least {SECRET_MIN_LENGTH} random characters")
        return self

    @property
    def service_name(self) -> str:
        """Name of the process in logs."""
        return "portal"

    def service_url(self, service: str) -> str:
        """Base URL of ``service`` (registry, matching, appreciation, reporting), without a trailing slash."""
        url: str = getattr(self, f"{service}_url")
        return url.rstrip("/")
