"""Rules as data: rule kinds and their parameters, the defaults every centrale starts with, and when a rule awards."""

from __future__ import annotations

import calendar
import functools
import hashlib
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from common.bounds import PlatformDate

__all__ = [
    "DEFAULT_RULES",
    "MDT_AGE_BANDS",
    "VOLUNTEER_KINDS",
    "AnniversaryParams",
    "Award",
    "AwardTrigger",
    "FirstMatchParams",
    "HoursMilestoneParams",
    "MdtParams",
    "NLdoetParams",
    "PartnerTeamDayParams",
    "Rule",
    "RuleKind",
    "RuleParams",
    "VolunteerFacts",
    "add_months",
    "award",
    "award_id_for",
    "awards_due",
    "default_rules",
    "occurrence_title",
    "occurrences",
    "parse_params",
    "partner_day_qualifies",
]

# Namespace of award ids: uuid5(namespace, "<centrale>/<rule>/<recipient>/<occurrence>"). Fixed forever:
# changing it would give every award a new id and make replays award everything again.
_AWARD_NAMESPACE = uuid.UUID("6f1c1f57-7d3e-4b8a-9a53-0c2e8f4d5a11")
# uuid5 hashes the namespace, then the name: the namespace's part is hashed once and copied per award.
_AWARD_HASH = hashlib.sha1(_AWARD_NAMESPACE.bytes, usedforsecurity=False)

# A uuid5 is the hash's first 16 bytes with the version (5) and the RFC 4122 variant (0b10) set over their bits.
_UUID5_KEEP = ~(0xF000 << 64) & ~(0xC000 << 48)
_UUID5_SET = 5 << 76 | 0x8000 << 48

# MDT (maatschappelijke diensttijd) is for ages 12-30; the age bands the registry publishes that lie inside.
MDT_AGE_BANDS = ("12-17", "18-20", "21-29")


class RuleKind(StrEnum):
    """What a rule reacts to."""

    FIRST_MATCH = "first_match"
    HOURS_MILESTONE = "hours_milestone"
    ANNIVERSARY = "anniversary"
    NLDOET = "nldoet"
    MDT = "mdt"
    PARTNER_TEAM_DAY = "partner_team_day"


# The kinds of rules that celebrate a volunteer (every event about a volunteer evaluates them all).
VOLUNTEER_KINDS = (
    RuleKind.FIRST_MATCH,
    RuleKind.HOURS_MILESTONE,
    RuleKind.ANNIVERSARY,
    RuleKind.NLDOET,
    RuleKind.MDT,
)


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
    dates: list[PlatformDate] = Field(
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
    total_hours: Decimal = field(init=False, repr=False, compare=False)
    """Hours across every organisation (summed once: every hours rule asks)."""
    last_worked_on: date | None = field(init=False, repr=False, compare=False)
    """The latest day with hours, None without hours: the latest day the facts show the volunteer active."""

    def __post_init__(self) -> None:
        # Summed here rather than in a cached_property, whose first read takes a lock on Python 3.11.
        object.__setattr__(self, "total_hours", sum((h for _, h in self.hours), Decimal(0)))
        # The greatest (day, hours) pair: compared in C, day first, cheaper than a generator over the days.
        object.__setattr__(self, "last_worked_on", max(self.hours)[0] if self.hours else None)


@functools.lru_cache(maxsize=8192)
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


def _first_match(params: FirstMatchParams, facts: VolunteerFacts, as_of: date) -> list[str]:
    return [""] if facts.matches > 0 else []


def _hours_milestone(params: HoursMilestoneParams, facts: VolunteerFacts, as_of: date) -> list[str]:
    return [""] if facts.total_hours >= params.hours else []


def _anniversary(params: AnniversaryParams, facts: VolunteerFacts, as_of: date) -> list[str]:
    if facts.registered_on is None or facts.last_worked_on is None:
        return []
    # Not before the last day worked: a registration arriving after the hours (another topic) is dated years
    # too early to award what it awards when it comes first; the facts decide, not the order of arrival.
    day = max(as_of, facts.last_worked_on)
    return [""] if day >= add_months(facts.registered_on, 12 * params.years) else []


def _nldoet(params: NLdoetParams, facts: VolunteerFacts, as_of: date) -> list[str]:
    days = params.dates  # a handful of days: looked up in place, cheaper than a set built per evaluation
    return sorted({str(day.year) for day, _ in facts.hours if day in days})


def _mdt(params: MdtParams, facts: VolunteerFacts, as_of: date) -> list[str]:
    if facts.age_band not in params.age_bands:
        return []
    reached = (
        facts.total_hours if params.within_months is None else _max_window_hours(facts.hours, params.within_months)
    )
    return [""] if reached >= params.min_hours else []


def _never(params: Any, facts: VolunteerFacts, as_of: date) -> list[str]:
    return []  # partner rules never award a volunteer


# By the parameters' exact class: every evaluation of every rule dispatches, and a chain of isinstance
# checks on pydantic models (each through ABCMeta) cost more than most rules' own test.
_OCCURRENCES: dict[type, Callable[[Any, VolunteerFacts, date], list[str]]] = {
    FirstMatchParams: _first_match,
    HoursMilestoneParams: _hours_milestone,
    AnniversaryParams: _anniversary,
    NLdoetParams: _nldoet,
    MdtParams: _mdt,
    PartnerTeamDayParams: _never,
}


def occurrences(rule: Rule, facts: VolunteerFacts, as_of: date) -> list[str]:
    """The occurrences of ``rule`` that ``facts`` satisfy on ``as_of``: "" for once-only rules, a year for NLdoet.

    Level, not edge: a rule that holds awards whether or not this very event crossed the threshold, so
    events arriving out of order across topics, or a rule switched on later, still award (once). Only the
    anniversary reads ``as_of``, taken no earlier than the last day worked: the facts decide, not which
    topic's event came last.
    """
    if not rule.active:
        return []
    return _OCCURRENCES.get(type(rule.params), _never)(rule.params, facts, as_of)


def awards_due(rules: Iterable[Rule], facts: VolunteerFacts, as_of: date) -> list[tuple[Rule, str]]:
    """Every (rule, occurrence) the volunteer's ``facts`` satisfy on ``as_of``, in the order of ``rules``."""
    # ``occurrences`` written out: this runs for every rule of every entry of a burst of hours.
    return [
        (rule, occurrence)
        for rule in rules
        if rule.active
        for occurrence in _OCCURRENCES.get(type(rule.params), _never)(rule.params, facts, as_of)
    ]


def partner_day_qualifies(rule: Rule, participants: int) -> bool:
    """Whether a partner's team day with ``participants`` earns the partner thanks under ``rule``."""
    params = rule.params
    return rule.active and isinstance(params, PartnerTeamDayParams) and participants >= params.min_participants


def award_id_for(centrale_id: str, rule_id: str, recipient_id: uuid.UUID, occurrence: str) -> uuid.UUID:
    """The id of an award: the same rule, recipient and occurrence always give the same id."""
    digest = _AWARD_HASH.copy()
    digest.update(f"{centrale_id}/{rule_id}/{recipient_id}/{occurrence}".encode())
    # uuid5's bits, set on the integer: UUID(bytes=…, version=5) converts the bytes and checks more on the way.
    return uuid.UUID(int=int.from_bytes(digest.digest()[:16]) & _UUID5_KEEP | _UUID5_SET)


def occurrence_title(rule: Rule, occurrence: str) -> str:
    """What the award says: the rule's title, with the year for NLdoet (awarded once per year)."""
    return f"{rule.title} {occurrence}" if rule.kind is RuleKind.NLDOET else rule.title


@dataclass(frozen=True)
class AwardTrigger:
    """The event that made appreciation look at a recipient again, and the day its fact happened."""

    event_id: uuid.UUID
    event_type: str
    on: date
    historic: bool = False
    """The event brought history in (an import): what it makes hold is recorded, not celebrated anew."""


@dataclass(frozen=True)
class Award:
    """One award: a rule's occurrence for one recipient, and the event that made it hold first."""

    award_id: uuid.UUID
    centrale_id: str
    rule_id: str
    rule_kind: RuleKind
    title: str
    recipient_id: uuid.UUID | None
    recipient_kind: Literal["volunteer", "business_partner"]
    occurrence: str
    trigger_event_id: uuid.UUID
    trigger_event_type: str
    awarded_at: datetime
    historic: bool = False
    """Earned by imported history: published as such, and the registry sends no thank-you for it."""


def award(
    rule: Rule,
    recipient_id: uuid.UUID,
    recipient_kind: Literal["volunteer", "business_partner"],
    occurrence: str,
    trigger: AwardTrigger,
    awarded_at: datetime,
) -> Award:
    """The award ``rule`` gives ``recipient_id`` for ``occurrence``, under its deterministic id."""
    # Positional, in the order of Award's fields: a burst of hours builds tens of thousands, and a call
    # by keyword costs a third more than the frozen dataclass's own work.
    return Award(
        award_id_for(rule.centrale_id, rule.rule_id, recipient_id, occurrence),
        rule.centrale_id,
        rule.rule_id,
        rule.kind,
        occurrence_title(rule, occurrence),
        recipient_id,
        recipient_kind,
        occurrence,
        trigger.event_id,
        trigger.event_type,
        awarded_at,
        trigger.historic,
    )


def _nldoet_days() -> list[date]:
    # NLdoet is every March on a Friday and Saturday (2026: 13-14 March, see DOMAIN.md); staff add later years.
    fridays = (date(2024, 3, 15), date(2025, 3, 14), date(2026, 3, 13))
    return [day for friday in fridays for day in (friday, date(friday.year, 3, friday.day + 1))]


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


def default_rules(centrale_id: str) -> list[Rule]:
    """The defaults as the rules of ``centrale_id`` (its own to change from the moment it is first seen)."""
    return [Rule(centrale_id, rule_id, kind, title, params) for rule_id, kind, title, params in DEFAULT_RULES]
