"""Settings of the registry service (environment variables prefixed ``REGISTRY_``)."""

from __future__ import annotations

from datetime import time

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from common.settings import ServiceSettings

__all__ = ["Settings"]


class Settings(ServiceSettings):
    """Registry settings."""

    model_config = SettingsConfigDict(env_prefix="REGISTRY_", extra="ignore", frozen=True)

    smtp_host: str | None = Field(
        None, description="SMTP server for volunteers' thank-you messages; unset: messages are recorded, not sent."
    )
    smtp_port: int = Field(25, ge=1, le=65535, description="Port of the SMTP server.")
    smtp_sender: str = Field(
        "waardering@vrijwilligerscentrale.invalid", description="From address of thank-you messages."
    )
    smtp_starttls: bool = Field(False, description="Upgrade the SMTP connection with STARTTLS before sending.")
    smtp_username: str | None = Field(None, description="SMTP login, when the server requires one.")
    smtp_password: SecretStr | None = Field(None, description="SMTP password.")
    smtp_timeout_s: float = Field(10.0, gt=0, le=120, description="Timeout of one SMTP conversation.")
    messages_poll_interval_s: float = Field(
        2.0, gt=0, le=300, description="How often the thank-you and notice senders look for messages due."
    )
    notice_gather_s: float = Field(
        60.0,
        ge=0,
        le=3600,
        description="How long a notice waits before it is mailed, so a burst to one person goes as one mail.",
    )
    notice_digest_at: time = Field(
        time(8, 0), description="When the daily digest of notices goes out (08:00 Europe/Amsterdam), for who chose it."
    )
    portal_url: str | None = Field(
        None, description="Base URL of the portal, for links in notices; unset: notices say to ask the centrale."
    )
    vog_reminder_days: int = Field(
        60, ge=1, le=365, description="A volunteer is reminded this many days before their VOG expires."
    )
    proposal_reminder_days: int = Field(
        7, ge=1, le=60, description="Whoever has not answered a proposal after this many days is reminded once."
    )

    @property
    def service_name(self) -> str:
        """Name of the service."""
        return "registry"
