"""Settings of the appreciation service (environment variables prefixed ``APPRECIATION_``)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from appreciation.domain import AllowanceLimits
from common.settings import ServiceSettings

__all__ = ["SERVICE", "Settings"]

# The service's name: its consumer group, its events' source, its database's migrations.
SERVICE = "appreciation"

# Belastingdienst 2025 (DOMAIN.md): €5.60/h from 21, €3.30/h under 21, €210 a month, €2,100 a year.
# 2026 is deliberately not configured: no official publication of the 2026 figures was found when this was
# built (issue 18); a check for 2026 answers that no official limits are configured. Add them, with their
# source, through APPRECIATION_ALLOWANCE_LIMITS once the Belastingdienst publishes them.
_LIMITS_2025 = AllowanceLimits(
    hourly_21_plus=Decimal("5.60"),
    hourly_under_21=Decimal("3.30"),
    monthly=Decimal("210"),
    yearly=Decimal("2100"),
    source="https://www.belastingdienst.nl/wps/wcm/connect/bldcontentnl/belastingdienst/prive/werk_en_inkomen/"
    "werken/werken-als-vrijwilliger/vrijwilligersvergoedingen",
)


class Settings(ServiceSettings):
    """Appreciation settings."""

    model_config = SettingsConfigDict(env_prefix="APPRECIATION_", extra="ignore", frozen=True)

    allowance_limits: dict[int, AllowanceLimits] = Field(
        {2025: _LIMITS_2025},
        description='Fiscal limits of the volunteer allowance per year, as JSON {"<year>": {"hourly_21_plus": "5.60", '
        '"hourly_under_21": "3.30", "monthly": "210", "yearly": "2100", "source": "<the official page>"}}. Replaces '
        "the default (2025 only), so list every year still paid in; a payment in a year without an entry is not "
        "checked: the answer says no official limits are configured for that year.",
    )
    # A batch of hours pays its statements (claim, hours, matches, rules, awards given, stores, inbox) whatever its
    # size: the NLdoet burst (bench --only nldoet) drained in 15.3 s at 2,000 a batch against 19.4 s at 500.
    consumer_batch_size: int = Field(
        2000, ge=1, le=5000, description="Most records one consumer transaction applies; offsets committed per batch."
    )
    # Its events are thanks and milestones: they can wait while a burst (NLdoet) is taken in.
    outbox_defer_max_s: float = Field(
        30.0,
        ge=0,
        le=300,
        description="While the consumer catches up (a burst, a restart after downtime), awards wait at most this long"
        " at a time before they are published, so consuming gets the CPU; 0 publishes at once.",
    )
    public_url: str = Field(
        "http://127.0.0.1:8003",
        description="Base URL of this service as third parties reach it; printed on certificates for verification.",
    )
    certificate_font: Path | None = Field(
        Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
        description="TrueType font for certificates (any script in names); without it, a built-in Latin-1 font.",
    )

    @field_validator("allowance_limits")
    @classmethod
    def _some_limits(cls, value: dict[int, AllowanceLimits]) -> dict[int, AllowanceLimits]:
        if not value:
            raise ValueError("configure the limits of at least one year")
        return value

    @property
    def service_name(self) -> str:
        """Name of the service."""
        return SERVICE
