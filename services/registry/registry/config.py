"""Settings of the registry service (environment variables prefixed ``REGISTRY_``)."""

from __future__ import annotations

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
        2.0, gt=0, le=300, description="How often the thank-you sender looks for messages due."
    )
    public_url: str | None = Field(
        None,
        pattern=r"^https?://[^\s]+[^/\s]$",
        description="The registry's public address, for links in feeds and calendar-feed URLs; unset: the address "
        "each request came in on.",
        examples=["https://api.regio-utrecht.example"],
    )
    vacaturebank_url: str | None = Field(
        None,
        pattern=r"^https?://[^\s]+$",
        description="The vacaturebank's human home page (feeds link to it); unset: the search API.",
        examples=["https://vacatures.regio-utrecht.example/"],
    )
    vacature_page_url: str | None = Field(
        None,
        pattern=r"^https?://[^\s]*\{task_id\}[^\s]*$",
        description="A task's human page, with {task_id} in it (feeds and JSON-LD link to it); unset: the "
        "task's public API page.",
        examples=["https://vacatures.regio-utrecht.example/vacatures/{task_id}"],
    )

    @property
    def service_name(self) -> str:
        """Name of the service."""
        return "registry"
