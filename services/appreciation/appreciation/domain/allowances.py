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


@dataclass(frozen=True)
class AllowanceWarning:
    """One limit a payment would break."""

    limit: Literal["monthly", "yearly", "hourly", "limits_year"]
    message: str
    limit_amount: Decimal | None = None
    excess: Decimal | None = None


@dataclass(frozen=True)
class AllowanceCheck:
    """What recording a payment means for the volunteer's totals, and which limits it would break."""

    limits_year: int
    limits: AllowanceLimits
    month_room_before: Decimal
    year_room_before: Decimal
    warnings: list[AllowanceWarning]

    @property
    def within_limits(self) -> bool:
        """True when no limit is broken (a note about the limits' year alone does not count)."""
        return not any(w.limit != "limits_year" for w in self.warnings)


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

    Totals are per calendar month and year of ``paid_on``. A year without configured limits uses the
    latest earlier year's (and says so), since the real figures are only known once published.
    """
    warnings: list[AllowanceWarning] = []
    known = sorted(year for year in limits_by_year if year <= paid_on.year) or sorted(limits_by_year)
    limits_year = known[-1]
    limits = limits_by_year[limits_year]
    if limits_year != paid_on.year:
        warnings.append(
            AllowanceWarning(
                "limits_year",
                f"no limits configured for {paid_on.year}; checked against those of {limits_year}",
            )
        )
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
        limits_year=limits_year,
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
