"""Pure appreciation rules: rule kinds and their parameters, when a rule awards, the allowance guardrail. No I/O."""

from __future__ import annotations

import calendar
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

__all__ = [
    "DEFAULT_RULES",
    "MDT_AGE_BANDS",
    "AllowanceCheck",
    "AllowanceLimits",
    "AllowanceWarning",
    "Rule",
    "RuleKind",
    "RuleParams",
    "VolunteerFacts",
    "add_months",
    "award_id_for",
    "check_allowance",
    "dutch_amount",
    "occurrence_title",
    "occurrences",
    "parse_params",
    "partner_day_qualifies",
]

# Namespace of award ids: uuid5(namespace, "<centrale>/<rule>/<recipient>/<occurrence>"). Fixed forever:
# changing it would give every award a new id and make replays award everything again.
_AWARD_NAMESPACE = uuid.UUID("6f1c1f57-7d3e-4b8a-9a53-0c2e8f4d5a11")

# MDT (maatschappelijke diensttijd) is for ages 12-30; the age bands the registry publishes that lie inside.
MDT_AGE_BANDS = ("12-17", "18-20", "21-29")
# Age bands of volunteers under 21, who have the lower hourly allowance maximum.
_UNDER_21_BANDS = frozenset({"12-17", "18-20"})


class RuleKind(StrEnum):
    """What a rule reacts to."""

    FIRST_MATCH = "first_match"
    HOURS_MILESTONE = "hours_milestone"
    ANNIVERSARY = "anniversary"
    NLDOET = "nldoet"
    MDT = "mdt"
    PARTNER_TEAM_DAY = "partner_team_day"


class _Params(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class FirstMatchParams(_Params):
    """The volunteer's first match made; no parameters."""

    kind: Literal["first_match"] = "first_match"


class HoursMilestoneParams(_Params):
    """Total hours across every organisation the volunteer serves reach ``hours``."""

    kind: Literal["hours_milestone"] = "hours_milestone"
    hours: Decimal = Field(gt=0, le=100_000, decimal_places=2, description="Threshold in hours.", examples=[100])


class AnniversaryParams(_Params):
    """``years`` since registration at the centrale, for a volunteer who has logged hours."""

    kind: Literal["anniversary"] = "anniversary"
    years: int = Field(ge=1, le=75, description="Years since registration.", examples=[5])


class NLdoetParams(_Params):
    """Hours worked on one of the NLdoet days; awarded once per year of participation."""

    kind: Literal["nldoet"] = "nldoet"
    dates: list[date] = Field(
        min_length=1, max_length=100, description="The NLdoet days.", examples=[["2026-03-13", "2026-03-14"]]
    )


class MdtParams(_Params):
    """MDT threshold: ``min_hours`` (within ``within_months`` when set) by a volunteer of MDT age."""

    kind: Literal["mdt"] = "mdt"
    min_hours: Decimal = Field(gt=0, le=10_000, decimal_places=2, examples=[80])
    within_months: int | None = Field(None, ge=1, le=60, description="Window; None counts all hours.", examples=[6])
    age_bands: list[str] = Field(
        default_factory=lambda: list(MDT_AGE_BANDS), min_length=1, description="Age bands that count as MDT age."
    )


class PartnerTeamDayParams(_Params):
    """Thanks to a business partner whose team's hours were logged on a volunteer day."""

    kind: Literal["partner_team_day"] = "partner_team_day"
    min_participants: int = Field(1, ge=1, le=500, description="Smallest team that is thanked.")


RuleParams = Annotated[
    FirstMatchParams | HoursMilestoneParams | AnniversaryParams | NLdoetParams | MdtParams | PartnerTeamDayParams,
    Field(discriminator="kind"),
]
_PARAMS: TypeAdapter[RuleParams] = TypeAdapter(RuleParams)


def parse_params(kind: RuleKind | str, params: dict[str, Any]) -> RuleParams:
    """The typed parameters of a rule of ``kind``; pydantic.ValidationError when they do not fit."""
    return _PARAMS.validate_python({**params, "kind": str(kind)})


@dataclass(frozen=True)
class Rule:
    """One centrale's rule: what it reacts to, its title (Dutch) and its parameters."""

    centrale_id: str
    rule_id: str
    kind: RuleKind
    title: str
    params: RuleParams
    active: bool = True


@dataclass(frozen=True)
class VolunteerFacts:
    """What appreciation knows of one volunteer, pseudonymously: enough to decide every volunteer rule."""

    volunteer_id: uuid.UUID
    centrale_id: str
    age_band: str | None = None
    registered_on: date | None = None
    matches: int = 0
    hours: Sequence[tuple[date, Decimal]] = field(default_factory=tuple)

    @property
    def total_hours(self) -> Decimal:
        """Hours across every organisation."""
        return sum((h for _, h in self.hours), Decimal(0))


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months, clamped to the month's last day (31 Jan + 1 → 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _max_window_hours(hours: Sequence[tuple[date, Decimal]], months: int) -> Decimal:
    """Most hours in any window [d, d + months) starting on a day with hours (two pointers over the days)."""
    ordered = sorted(hours)
    best = total = Decimal(0)
    end = 0
    for start_day, start_hours in ordered:
        limit = add_months(start_day, months)
        while end < len(ordered) and ordered[end][0] < limit:
            total += ordered[end][1]
            end += 1
        best = max(best, total)
        total -= start_hours
    return best


def occurrences(rule: Rule, facts: VolunteerFacts, as_of: date) -> list[str]:
    """The occurrences of ``rule`` that ``facts`` satisfy on ``as_of``: "" for once-only rules, a year for NLdoet.

    Level, not edge: a rule that holds awards whether or not this very event crossed the threshold, so
    events arriving out of order across topics, or a rule switched on later, still award (once).
    """
    params = rule.params
    if not rule.active:
        return []
    if isinstance(params, FirstMatchParams):
        return [""] if facts.matches > 0 else []
    if isinstance(params, HoursMilestoneParams):
        return [""] if facts.total_hours >= params.hours else []
    if isinstance(params, AnniversaryParams):
        if facts.registered_on is None or not facts.hours:
            return []
        return [""] if as_of >= add_months(facts.registered_on, 12 * params.years) else []
    if isinstance(params, NLdoetParams):
        days = set(params.dates)
        return sorted({str(day.year) for day, _ in facts.hours if day in days})
    if isinstance(params, MdtParams):
        if facts.age_band not in params.age_bands:
            return []
        reached = (
            facts.total_hours if params.within_months is None else _max_window_hours(facts.hours, params.within_months)
        )
        return [""] if reached >= params.min_hours else []
    return []  # partner rules never award a volunteer


def partner_day_qualifies(rule: Rule, participants: int) -> bool:
    """Whether a partner's team day with ``participants`` earns the partner thanks under ``rule``."""
    params = rule.params
    return rule.active and isinstance(params, PartnerTeamDayParams) and participants >= params.min_participants


def award_id_for(centrale_id: str, rule_id: str, recipient_id: uuid.UUID, occurrence: str) -> uuid.UUID:
    """The id of an award: the same rule, recipient and occurrence always give the same id."""
    return uuid.uuid5(_AWARD_NAMESPACE, f"{centrale_id}/{rule_id}/{recipient_id}/{occurrence}")


def occurrence_title(rule: Rule, occurrence: str) -> str:
    """What the award says: the rule's title, with the year for NLdoet (awarded once per year)."""
    return f"{rule.title} {occurrence}" if rule.kind is RuleKind.NLDOET else rule.title


def _nldoet_days() -> list[date]:
    # NLdoet is every March on a Friday and Saturday (2026: 13-14 March, see DOMAIN.md); staff add later years.
    return [date(2024, 3, 15), date(2024, 3, 16), date(2025, 3, 14), date(2025, 3, 15), date(2026, 3, 13),
            date(2026, 3, 14)]  # fmt: skip


def _default_rules() -> list[tuple[str, RuleKind, str, dict[str, Any]]]:
    rules: list[tuple[str, RuleKind, str, dict[str, Any]]] = [
        ("first-match", RuleKind.FIRST_MATCH, "Je eerste klus als vrijwilliger", {}),
    ]
    for hours in (10, 25, 50, 100, 250, 500, 1000):
        rules.append((f"hours-{hours}", RuleKind.HOURS_MILESTONE, f"{hours} uur vrijwillige inzet", {"hours": hours}))
    for years in (1, 5, 10):
        title = "1 jaar vrijwilliger" if years == 1 else f"{years} jaar vrijwilliger"
        rules.append((f"anniversary-{years}", RuleKind.ANNIVERSARY, title, {"years": years}))
    rules += [
        ("nldoet", RuleKind.NLDOET, "Meegedaan aan NLdoet", {"dates": _nldoet_days()}),
        ("mdt-basis", RuleKind.MDT, "MDT: 80 uur binnen een half jaar", {"min_hours": 80, "within_months": 6}),
        ("mdt-plus", RuleKind.MDT, "MDT: 200 uur", {"min_hours": 200}),
        ("partner-team-day", RuleKind.PARTNER_TEAM_DAY, "Bedankt voor jullie teamdag", {"min_participants": 1}),
    ]
    return rules


# The rules every centrale starts with (copied into its own rules the first time it is seen; staff change
# or switch them off there). Ids are stable: an award's id derives from its rule id.
DEFAULT_RULES: tuple[tuple[str, RuleKind, str, RuleParams], ...] = tuple(
    (rule_id, kind, title, parse_params(kind, params)) for rule_id, kind, title, params in _default_rules()
)


# --- Allowance guardrail -------------------------------------------------------------------------------


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
