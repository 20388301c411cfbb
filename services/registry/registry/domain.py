"""Pure registry rules: coarse shareable facts, the NOV task check, VOG validity, hours limits. No I/O."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo

__all__ = [
    "MAX_HOURS_PER_DAY",
    "MAX_HOURS_PER_WEEK",
    "PARENTAL_CONSENT_BELOW_AGE",
    "REGION_TENANT",
    "AccessPurpose",
    "ConsentKind",
    "HoursCorrectionReason",
    "HoursRejectionReason",
    "TaskDraft",
    "TaskProblem",
    "TaskSchedule",
    "TaskStatus",
    "age",
    "age_band",
    "check_hours",
    "check_hours_correction",
    "check_task_quality",
    "check_task_started",
    "dutch_date",
    "needs_parental_consent",
    "no_access_reason",
    "postcode_area",
    "task_quality_problems",
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
    PARENTAL_CONSENT = "parental_consent"
    """A parent or guardian agreed to the registration: needed under 16 (UAVG art. 5)."""


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


def no_access_reason(organisation_status: str) -> str | None:
    """Why an organisation's people get no credentials, accounts or sessions (None: admitted, they may).

    Only an admitted organisation acts on the platform; one still being vetted waits, a refused one stays out.
    """
    if organisation_status == "pending":
        return "the organisation is still being vetted: admit it first, then give it credentials or accounts"
    if organisation_status == "refused":
        return "the organisation was refused: it gets no credentials or accounts"
    return None


# Under this age processing on the basis of consent needs a parent's or guardian's consent too (UAVG art. 5).
PARENTAL_CONSENT_BELOW_AGE = 16


def age(birth_date: date, today: date) -> int:
    """Full years of age on ``today``."""
    return today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))


def needs_parental_consent(birth_date: date | None, today: date) -> bool:
    """Whether registering someone born on ``birth_date`` needs their parent's or guardian's consent."""
    return birth_date is not None and age(birth_date, today) < PARENTAL_CONSENT_BELOW_AGE


def age_band(birth_date: date, today: date) -> str:
    """The age band published instead of a birth date; under-12s cannot register."""
    years = age(birth_date, today)
    if years < 12:
        raise ValueError("volunteers must be at least 12 years old")
    for low, high, band in _BANDS:
        if low <= years <= high:
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


@dataclass(frozen=True)
class TaskProblem:
    """One NOV criterion a task fails: the reason, and the task field it is about (None: the organisation's)."""

    field: str | None
    reason: str


def task_quality_problems(task: TaskDraft, today: date) -> list[TaskProblem]:
    """Every NOV criterion the task fails, each at the field to change; empty when it may be published."""
    problems = []
    if not task.organisation_admitted:
        problems.append(TaskProblem(None, "the organisation has not been admitted by the centrale"))
    if task.hours_per_week > MAX_HOURS_PER_WEEK:
        problems.append(
            TaskProblem(
                "hours_per_week",
                f"asks {task.hours_per_week} hours a week; the NOV criteria allow at most {MAX_HOURS_PER_WEEK}",
            )
        )
    if task.hours_per_week <= 0:
        problems.append(TaskProblem("hours_per_week", "hours per week must be more than 0"))
    if len(task.description.strip()) < MIN_DESCRIPTION_LENGTH:
        problems.append(
            TaskProblem(
                "description",
                f"the description must say clearly what the task is (at least {MIN_DESCRIPTION_LENGTH} characters)",
            )
        )
    if task.replaces_paid_work:
        problems.append(TaskProblem("replaces_paid_work", "volunteer work may not replace paid work"))
    if task.for_profit:
        problems.append(TaskProblem(None, "no placements for profit"))
    if not task.organisation_has_contact_person:
        problems.append(TaskProblem(None, "the organisation has no contact person"))
    if not task.organisation_liability_insured:
        problems.append(TaskProblem(None, "the organisation has no liability insurance for volunteers"))
    if not task.has_schedule:
        problems.append(TaskProblem("shifts", "the task needs a schedule: a one-off date or recurring shifts"))
    if task.capacity < 1:
        problems.append(TaskProblem("capacity", "capacity must be at least 1 volunteer"))
    if task.closing_date is not None and task.closing_date < today:
        problems.append(TaskProblem("closing_date", "the closing date has passed"))
    if task.one_off_start is not None and task.one_off_start.date() < today:
        problems.append(TaskProblem("one_off_start", "the one-off date has passed"))
    return problems


def check_task_quality(task: TaskDraft, today: date) -> list[str]:
    """Reasons a task may not be published under the NOV criteria; empty when it may."""
    return [problem.reason for problem in task_quality_problems(task, today)]


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


class HoursRejectionReason(StrEnum):
    """Why an organisation rejects an hours entry: a category (it travels in ``HoursRejected``); a note may add why."""

    NOT_WORKED = "not_worked"
    WRONG_DAY = "wrong_day"
    WRONG_AMOUNT = "wrong_amount"
    DUPLICATE = "duplicate"
    OTHER = "other"


class HoursCorrectionReason(StrEnum):
    """Why whoever logged hours corrects the amount: a category (it travels in ``HoursCorrected``)."""

    MISCOUNTED = "miscounted"
    TYPING_ERROR = "typing_error"
    SHIFT_CHANGED = "shift_changed"
    OTHER = "other"


@dataclass(frozen=True)
class TaskSchedule:
    """When a task takes place: a one-off start (an instant), and weekly shifts as (ISO weekday, local start)."""

    one_off_start: datetime | None
    shift_starts: tuple[tuple[int, time], ...] = ()


def check_task_started(worked_on: date, now: datetime, schedule: TaskSchedule) -> list[str]:
    """Reasons hours for ``worked_on`` are refused at ``now`` because the task had not started yet.

    A one-off task: not for a day before its date, nor on its date before its start time. A weekly shift: not
    for today before today's first shift has started (hours for a day without a shift are not this rule's
    business: volunteers do work outside the schedule). Times are Dutch.
    """
    reasons = []
    local_now = now.astimezone(_DUTCH_TIME)
    if schedule.one_off_start is not None:
        start = schedule.one_off_start.astimezone(_DUTCH_TIME)
        if worked_on < start.date() or (worked_on == start.date() and local_now < start):
            reasons.append(
                f"the task starts on {start:%Y-%m-%d} at {start:%H:%M}; hours cannot be logged for it before then"
            )
    if worked_on == local_now.date():
        today = sorted(begins for weekday, begins in schedule.shift_starts if weekday == worked_on.isoweekday())
        if today and local_now.time() < today[0]:
            reasons.append(f"today's shift starts at {today[0]:%H:%M}; hours cannot be logged for it before then")
    return reasons


def check_hours_correction(hours: Decimal, previous: Decimal, others_that_day: Decimal, worked_on: date) -> list[str]:
    """Reasons a corrected amount is refused: the same as before, not positive, or more than 24 h that day."""
    reasons = []
    if hours == previous:
        reasons.append(f"the entry already has {previous} hours")
    if hours <= 0:
        reasons.append("hours must be more than 0")
    if others_that_day + hours > MAX_HOURS_PER_DAY:
        reasons.append(f"at most 24 hours per day: {others_that_day} already logged on {worked_on.isoformat()}")
    return reasons
