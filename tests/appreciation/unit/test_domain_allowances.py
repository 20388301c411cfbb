"""The allowance guardrail: totals across organisations against the year's limits, at the edges."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from appreciation import domain
from appreciation.config import Settings
from appreciation.domain import AllowanceLimits

LIMITS_2025 = AllowanceLimits(
    hourly_21_plus=Decimal("5.60"), hourly_under_21=Decimal("3.30"), monthly=Decimal("210"), yearly=Decimal("2100")
)
LIMITS_2026 = AllowanceLimits(
    hourly_21_plus=Decimal("5.80"), hourly_under_21=Decimal("3.40"), monthly=Decimal("220"), yearly=Decimal("2200")
)
BY_YEAR = {2025: LIMITS_2025, 2026: LIMITS_2026}


def _check(
    amount: str,
    *,
    month: str = "0",
    year: str = "0",
    hours: str | None = None,
    age_band: str | None = "30-49",
    paid_on: date = date(2025, 3, 20),
) -> domain.AllowanceCheck:
    return domain.check_allowance(
        amount=Decimal(amount),
        hours=Decimal(hours) if hours is not None else None,
        paid_on=paid_on,
        age_band=age_band,
        month_total_before=Decimal(month),
        year_total_before=Decimal(year),
        limits_by_year=BY_YEAR,
    )


def test_reaching_the_monthly_maximum_exactly_is_within_it_and_a_cent_more_is_not() -> None:
    exactly = _check("60.00", month="150.00", year="150.00")
    over = _check("60.01", month="150.00", year="150.00")

    assert exactly.within_limits
    assert exactly.warnings == []
    assert exactly.month_room_before == Decimal("60.00")
    [warning] = over.warnings
    assert (warning.limit, warning.limit_amount, warning.excess) == ("monthly", Decimal("210"), Decimal("0.01"))
    assert "2025-03" in warning.message
    assert "across all organisations" in warning.message
    assert not over.within_limits


def test_the_yearly_maximum_is_warned_with_its_excess_and_the_room_never_goes_below_zero() -> None:
    check = _check("100", month="0", year="2050")
    spent = _check("10", month="0", year="2200")

    [warning] = check.warnings
    assert (warning.limit, warning.excess) == ("yearly", Decimal("50"))
    assert check.year_room_before == Decimal("50")
    assert spent.year_room_before == Decimal(0)


def test_both_limits_broken_at_once_give_two_warnings() -> None:
    check = _check("300", month="0", year="2000")
    assert [w.limit for w in check.warnings] == ["monthly", "yearly"]


@pytest.mark.parametrize(
    ("age_band", "amount", "hours", "warned"),
    [
        ("30-49", "56.00", "10", False),  # 5.60 an hour: the maximum from 21
        ("30-49", "56.10", "10", True),
        ("21-29", "56.00", "10", False),
        ("18-20", "33.00", "10", False),  # 3.30 an hour: the maximum under 21
        ("18-20", "33.10", "10", True),
        ("12-17", "40.00", "10", True),
        (None, "40.00", "10", True),  # unknown age: the lower maximum
    ],
)
def test_the_hourly_maximum_depends_on_age(age_band: str | None, amount: str, hours: str, warned: bool) -> None:
    check = _check(amount, hours=hours, age_band=age_band)
    assert [w.limit for w in check.warnings] == (["hourly"] if warned else [])


def test_an_hourly_warning_names_the_rate_and_the_excess_over_the_hours() -> None:
    [warning] = _check("40.00", hours="8", age_band="18-20").warnings
    # 5.00 an hour against 3.30: 1.70 too much for each of 8 hours.
    assert (warning.limit_amount, warning.excess) == (Decimal("3.30"), Decimal("13.60"))
    assert "5.00 per hour" in warning.message
    assert "under 21 (or of unknown age)" in warning.message


def test_a_year_without_configured_limits_is_not_checked_against_another_years_figures_and_says_so() -> None:
    later = _check("10000", paid_on=date(2028, 5, 1))
    own = _check("10", paid_on=date(2026, 5, 1))
    before_any = _check("10", paid_on=date(2020, 5, 1))

    # Not 2026's figures (a guess): nothing is checked, and the answer says why.
    assert (later.limits_year, later.limits, later.within_limits) == (2028, None, None)
    assert (later.month_room_before, later.year_room_before) == (None, None)
    [note] = later.warnings
    assert note.limit == "no_limits"
    assert "no official limits are configured for 2028" in note.message
    assert "configured years: 2025, 2026" in note.message
    assert (own.limits_year, own.limits, own.warnings) == (2026, LIMITS_2026, [])
    assert (before_any.limits, [w.limit for w in before_any.warnings]) == (None, ["no_limits"])


def test_the_shipped_limits_are_the_official_2025_figures_with_their_source_and_2026_is_not_configured() -> None:
    shipped = Settings.model_fields["allowance_limits"].default

    assert sorted(shipped) == [2025]  # no official 2026 publication was found: not guessed (issue 18)
    limits = shipped[2025]
    assert (limits.hourly_21_plus, limits.hourly_under_21, limits.monthly, limits.yearly) == (
        Decimal("5.60"), Decimal("3.30"), Decimal("210"), Decimal("2100"),
    )  # fmt: skip
    assert limits.source is not None
    assert limits.source.startswith("https://www.belastingdienst.nl/")
    check = domain.check_allowance(
        amount=Decimal("10"), hours=None, paid_on=date(2026, 3, 14), age_band="30-49",
        month_total_before=Decimal(0), year_total_before=Decimal(0), limits_by_year=shipped,
    )  # fmt: skip
    assert check.within_limits is None
    assert "no official limits are configured for 2026" in check.warnings[0].message


@pytest.mark.parametrize(
    ("amount", "text"),
    [("1234.5", "€ 1.234,50"), ("0.05", "€ 0,05"), ("1000000", "€ 1.000.000,00"), ("5.6", "€ 5,60")],
)
def test_amounts_are_written_the_dutch_way(amount: str, text: str) -> None:
    assert domain.dutch_amount(Decimal(amount)) == text


@pytest.mark.parametrize(
    ("day", "bounds"),
    [
        (date(2025, 3, 20), (date(2025, 3, 1), date(2025, 4, 1))),
        (date(2025, 12, 31), (date(2025, 12, 1), date(2026, 1, 1))),
        (date(2024, 2, 29), (date(2024, 2, 1), date(2024, 3, 1))),
    ],
)
def test_a_payment_counts_in_its_calendar_month(day: date, bounds: tuple[date, date]) -> None:
    assert domain.month_bounds(day) == bounds
