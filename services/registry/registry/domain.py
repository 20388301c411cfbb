"""Pure registry rules: coarse shareable facts, the NOV task check, VOG validity, hours limits. No I/O."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo

__all__ = [
    "MAX_HOURS_PER_DAY",
    "MAX_HOURS_PER_WEEK",
    "REGION_TENANT",
    "AccessPurpose",
    "ConsentKind",
    "TaskDraft",
    "TaskStatus",
    "age_band",
    "check_hours",
    "check_task_quality",
    "dutch_date",
    "postcode_area",
    "vog_valid_on",
]

_POSTCODE = re.compile(r"^\s*([1-9][0-9]{3})\s?([A-Za-z]{2})?\s*$")
_BANDS = ((12, 17, "12-17"), (18, 20, "18-20"), (21, 29, "21-29"), (30, 49, "30-49"), (50, 66, "50-66"))

# NOV criteria used by the centres: at most 20 hours a week asked of a volunteer.
MAX_HOURS_PER_WEEK = 20
MAX_HOURS_PER_DAY = Decimal(24)
MIN_DESCRIPTION_LENGTH = 40

# Business partners and credentials of region-wide roles are not bound to a centrale: their events carry this.
REGION_TENANT = "region"

# Closing dates and the like are Dutch calendar dates.
_DUTCH_TIME = ZoneInfo("Europe/Amsterdam")


class ConsentKind(StrEnum):
    """What a volunteer can consent to; each consent records the text version they were shown."""

    MATCHING = "matching"
    REGIONAL_MATCHING = "regional_matching"
    CONTACT_BY_ORGANISATIONS = "contact_by_organisations"
    APPRECIATION_MESSAGES = "appreciation_messages"
    TARGET_GROUP_LABELS = "target_group_labels"


class AccessPurpose(StrEnum):
    """Why staff open a volunteer's record; every access is recorded with one (AVG: purpose limitation)."""

    INTAKE = "intake"
    MEDIATION = "mediation"
    FOLLOW_UP = "follow_up"
    PROFILE_UPDATE = "profile_update"
    VOG_CHECK = "vog_check"
    EXPORT_REQUEST = "export_request"
    ERASURE_REQUEST = "erasure_request"
    ACCOUNT_SUPPORT = "account_support"
    APPRECIATION = "appreciation"
    OTHER = "other"


class TaskStatus(StrEnum):
    """Task lifecycle: draft → published → filled / closed / expired."""

    DRAFT = "draft"
    PUBLISHED = "published"
    FILLED = "filled"
    CLOSED = "closed"
    EXPIRED = "expired"


def postcode_area(postcode: str) -> str:
    """The PC4 area of a Dutch postcode ('3511 AB' → '3511'); ValueError when it is not one."""
    match = _POSTCODE.match(postcode)
    if match is None:
        raise ValueError("not a Dutch postcode like '3511 AB'")
    return match.group(1)


def dutch_date(moment: datetime) -> date:
    """The calendar date in the Netherlands at ``moment`` (a timezone-aware instant)."""
    return moment.astimezone(_DUTCH_TIME).date()


def age_band(birth_date: date, today: date) -> str:
    """The age band published instead of a birth date; under-12s cannot register."""
    age = today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))
    if age < 12:
        raise ValueError("volunteers must be at least 12 years old")
    for low, high, band in _BANDS:
        if low <= age <= high:
            return band
    return "67+"


def vog_valid_on(valid_until: date | None, day: date) -> bool:
    """Whether a VOG recorded as valid until ``valid_until`` still counts on ``day``."""
    return valid_until is not None and day <= valid_until


@dataclass(frozen=True)
class TaskDraft:
    """What the quality check needs to know about a task and its organisation."""

    description: str
    hours_per_week: Decimal
    capacity: int
    has_schedule: bool
    one_off_start: datetime | None
    closing_date: date | None
    replaces_paid_work: bool
    for_profit: bool
    organisation_admitted: bool
    organisation_has_contact_person: bool
    organisation_liability_insured: bool


def check_task_quality(task: TaskDraft, today: date) -> list[str]:
    """Reasons a task may not be published under the NOV criteria; empty when it may."""
    reasons = []
    if not task.organisation_admitted:
        reasons.append("the organisation has not been admitted by the centrale")
    if task.hours_per_week > MAX_HOURS_PER_WEEK:
        reasons.append(f"asks {task.hours_per_week} hours a week; the NOV criteria allow at most {MAX_HOURS_PER_WEEK}")
    if task.hours_per_week <= 0:
        reasons.append("hours per week must be more than 0")
    if len(task.description.strip()) < MIN_DESCRIPTION_LENGTH:
        reasons.append(
            f"the description must say clearly what the task is (at least {MIN_DESCRIPTION_LENGTH} characters)"
        )
    if task.replaces_paid_work:
        reasons.append("volunteer work may not replace paid work")
    if task.for_profit:
        reasons.append("no placements for profit")
    if not task.organisation_has_contact_person:
        reasons.append("the organisation has no contact person")
    if not task.organisation_liability_insured:
        reasons.append("the organisation has no liability insurance for volunteers")
    if not task.has_schedule:
        reasons.append("the task needs a schedule: a one-off date or recurring shifts")
    if task.capacity < 1:
        reasons.append("capacity must be at least 1 volunteer")
    if task.closing_date is not None and task.closing_date < today:
        reasons.append("the closing date has passed")
    if task.one_off_start is not None and task.one_off_start.date() < today:
        reasons.append("the one-off date has passed")
    return reasons


def check_hours(worked_on: date, hours: Decimal, already_logged_that_day: Decimal, today: date) -> list[str]:
    """Reasons an hours entry is refused: future dates, non-positive hours, more than 24 h on one day."""
    reasons = []
    if worked_on > today:
        reasons.append("hours cannot be logged for a future date")
    if hours <= 0:
        reasons.append("hours must be more than 0")
    if already_logged_that_day + hours > MAX_HOURS_PER_DAY:
        reasons.append(f"at most 24 hours per day: {already_logged_that_day} already logged on {worked_on.isoformat()}")
    return reasons
