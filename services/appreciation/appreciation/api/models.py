"""Request and response bodies of the appreciation API; validation here gives field-level 422s."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from appreciation.domain import RuleKind
from common.bounds import PlatformDate
from common.clock import dutch_today

__all__ = [
    "CertificateIn",
    "DisplayNameIn",
    "PaymentCheckIn",
    "PaymentIn",
    "RuleIn",
    "RuleOut",
    "RulePatch",
]

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=200)]
Record = dict[str, Any]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class RuleIn(_Request):
    """A new rule for the centrale."""

    rule_id: Slug = Field(
        description="Stable id; awards derive their ids from it, so it is never reused.", examples=["hours-75"]
    )
    kind: RuleKind
    title: Title = Field(description="What is celebrated, in Dutch.", examples=["75 uur vrijwillige inzet"])
    params: dict[str, Any] = Field(
        default_factory=dict,
        description="Per kind: hours_milestone {hours}; anniversary {years}; nldoet {dates}; "
        "mdt {min_hours, within_months?, age_bands?}; partner_team_day {min_participants}; first_match {}.",
        examples=[{"hours": 75}],
    )
    active: bool = True


class RulePatch(_Request):
    """Changes to a rule: its title, parameters, or switching it off (or on again)."""

    title: Title | None = None
    params: dict[str, Any] | None = None
    active: bool | None = None


class RuleOut(BaseModel):
    """A centrale's rule."""

    rule_id: str
    kind: RuleKind
    title: str
    params: dict[str, Any]
    active: bool


class DisplayNameIn(_Request):
    """How certificates name the centrale."""

    display_name: Title = Field(examples=["Vrijwilligerscentrale Utrecht"])


class CertificateIn(_Request):
    """A certificate request: the name to print comes with it and is not kept."""

    name: str = Field(
        min_length=1,
        max_length=200,
        description="Name to print on the certificate (not stored).",
        examples=["Fatima el Amrani"],
    )


class PaymentCheckIn(_Request):
    """An allowance about to be paid: checked against the volunteer's totals across all organisations."""

    volunteer_id: UUID
    paid_on: PlatformDate = Field(description="Day of payment (2000-2100); its month and year are what count.")
    amount: Decimal = Field(gt=0, le=100_000, decimal_places=2, description="Euros.", examples=["80.00"])
    hours: Decimal | None = Field(
        None, gt=0, le=744, decimal_places=2, description="Hours the allowance is for (checks the hourly maximum)."
    )


class PaymentIn(PaymentCheckIn):
    """An allowance paid, recorded under the organisation's own reference (a retry returns the first record)."""

    reference: str = Field(
        min_length=1, max_length=100, description="Your own payment reference.", examples=["BETALING-2025-031"]
    )

    @field_validator("paid_on")
    @classmethod
    def _not_in_future(cls, value: date) -> date:
        if value > dutch_today():
            raise ValueError("a payment made cannot lie in the future; use /check before paying")
        return value
