"""The allowance guardrail: one payment checked against a year's fiscal limits, across all organisations."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["AllowanceCheck", "AllowanceLimits", "AllowanceWarning", "check_allowance", "dutch_amount", "month_bounds"]

# Age bands of volunteers under 21, who have the lower hourly allowance maximum.
_UNDER_21_BANDS = frozenset({"12-17", "18-20"})


class AllowanceLimits(BaseModel):
    """One year's fiscal limits of the untaxed volunteer allowance, counted across all organisations."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    hourly_21_plus: Decimal = Field(gt=0, description="Maximum per hour for volunteers aged 21 or over.")
    hourly_under_21: Decimal = Field(gt=0, description="Maximum per hour for volunteers under 21.")
    monthly: Decimal = Field(gt=0, description="Maximum per calendar month.")
    yearly: Decimal = Field(gt=0, description="Maximum per calendar year.")
    source: str | None = Field(
        None,
        max_length=500,
        description="Where the figures were officially published (the Belastingdienst's page), so anyone can check.",
    )


@dataclass(frozen=True)
class AllowanceWarning:
    """One limit a payment would break."""

    limit: Literal["monthly", "yearly", "hourly", "no_limits"]
    message: str
    limit_amount: Decimal | None = None
    excess: Decimal | None = None


@dataclass(frozen=True)
class AllowanceCheck:
    """What recording a payment means for the volunteer's totals, and which limits it would break.

    ``limits`` is None when no official limits are configured for the payment's year: then nothing was checked
    (the one warning says so), rather than checking against another year's figures.
    """

    limits_year: int
    limits: AllowanceLimits | None
    month_room_before: Decimal | None
    year_room_before: Decimal | None
    warnings: list[AllowanceWarning]

    @property
    def within_limits(self) -> bool | None:
        """True when no limit is broken; None when the year has no configured limits (nothing to check)."""
        if self.limits is None:
            return None
        return not self.warnings


def dutch_amount(amount: Decimal) -> str:
    """€ amount the Dutch way: '€ 1.234,50'."""
    whole, _, cents = f"{amount.quantize(Decimal('0.01')):,.2f}".partition(".")
    return f"€ {whole.replace(',', '.')},{cents}"


def check_allowance(
    *,
    amount: Decimal,
    hours: Decimal | None,
    paid_on: date,
    age_band: str | None,
    month_total_before: Decimal,
    year_total_before: Decimal,
    limits_by_year: dict[int, AllowanceLimits],
) -> AllowanceCheck:
    """Check one payment against the limits of its year, given the volunteer's totals across all organisations.

    Totals are per calendar month and year of ``paid_on``. A year without configured limits is not checked
    against another year's figures (that would be a guess: the limits change yearly and are only known once the
    Belastingdienst publishes them); the answer says that no official limits are configured for it.
    """
    limits = limits_by_year.get(paid_on.year)
    if limits is None:
        known = ", ".join(str(year) for year in sorted(limits_by_year)) or "none"
        return AllowanceCheck(
            limits_year=paid_on.year,
            limits=None,
            month_room_before=None,
            year_room_before=None,
            warnings=[
                AllowanceWarning(
                    "no_limits",
                    f"no official limits are configured for {paid_on.year}, so this payment was not checked "
                    f"against any limit (configured years: {known}); region ops add the Belastingdienst's "
                    f"published figures for {paid_on.year}, with their source, once they are known",
                )
            ],
        )
    warnings: list[AllowanceWarning] = []
    month_after = month_total_before + amount
    if month_after > limits.monthly:
        excess = month_after - limits.monthly
        warnings.append(
            AllowanceWarning(
                "monthly",
                f"this payment brings the volunteer's allowances in {paid_on:%Y-%m}, across all organisations, "
                f"{excess:.2f} above the monthly maximum of {limits.monthly:.2f}; above it the allowance is taxed",
                limits.monthly,
                excess,
            )
        )
    year_after = year_total_before + amount
    if year_after > limits.yearly:
        excess = year_after - limits.yearly
        warnings.append(
            AllowanceWarning(
                "yearly",
                f"this payment brings the volunteer's allowances in {paid_on.year}, across all organisations, "
                f"{excess:.2f} above the yearly maximum of {limits.yearly:.2f}; above it the allowance is taxed",
                limits.yearly,
                excess,
            )
        )
    if hours is not None:
        under_21 = age_band is None or age_band in _UNDER_21_BANDS
        rate_limit = limits.hourly_under_21 if under_21 else limits.hourly_21_plus
        rate = (amount / hours).quantize(Decimal("0.01"))
        if rate > rate_limit:
            who = "under 21 (or of unknown age)" if under_21 else "aged 21 or over"
            warnings.append(
                AllowanceWarning(
                    "hourly",
                    f"{rate:.2f} per hour is above the maximum of {rate_limit:.2f} per hour for volunteers {who}",
                    rate_limit,
                    ((rate - rate_limit) * hours).quantize(Decimal("0.01")),
                )
            )
    return AllowanceCheck(
        limits_year=paid_on.year,
        limits=limits,
        month_room_before=max(limits.monthly - month_total_before, Decimal(0)),
        year_room_before=max(limits.yearly - year_total_before, Decimal(0)),
        warnings=warnings,
    )


def month_bounds(day: date) -> tuple[date, date]:
    """The calendar month of ``day``: its first day and the first day of the next month."""
    first = day.replace(day=1)
    last = calendar.monthrange(day.year, day.month)[1]
    return first, date.fromordinal(first.toordinal() + last)
