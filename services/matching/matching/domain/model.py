"""What matching knows of volunteers and tasks: coarse, pseudonymous facts from the registry's events."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from uuid import UUID
from zoneinfo import ZoneInfo

from contracts.events import WeeklySlot

__all__ = [
    "Coordinates",
    "Task",
    "TaskFacts",
    "TaskProfile",
    "TaskStatus",
    "TeamDayVia",
    "VolunteerDay",
    "VolunteerDayStatus",
    "VolunteerFacts",
    "VolunteerProfile",
    "dutch_date",
]

Coordinates = tuple[float, float]

_DUTCH_TIME = ZoneInfo("Europe/Amsterdam")


def dutch_date(moment: datetime) -> date:
    """The calendar day in the Netherlands at ``moment`` (a team day's date is a Dutch date)."""
    return moment.astimezone(_DUTCH_TIME).date()


@dataclass(frozen=True)
class VolunteerProfile:
    """A volunteer as matching sees them: what they can, may and want; no name or contact data."""

    volunteer_id: UUID
    centrale_id: str
    skills: frozenset[str] = frozenset()
    interests: frozenset[str] = frozenset()
    languages: tuple[str, ...] = ()
    availability_mask: int = 0
    one_off_dates: frozenset[date] = frozenset()
    max_distance_km: int | None = None
    commitment: str = "either"
    needs_support: bool = False
    matching_consent: bool = False
    regional_consent: bool = False
    vog_valid_until: date | None = None
    open_commitments: int = 0
    coordinates: Coordinates | None = None


@dataclass(frozen=True)
class TaskProfile:
    """A published task as matching sees it."""

    task_id: UUID
    organisation_id: UUID
    centrale_id: str
    theme: str
    skills: frozenset[str] = frozenset()
    shift_mask: int = 0
    one_off_start: datetime | None = None
    one_off_end: datetime | None = None
    capacity: int = 1
    vog_required: bool = False
    team_suitable: bool = False
    support_accessible: bool = False
    coordinates: Coordinates | None = None

    @property
    def is_one_off(self) -> bool:
        """Whether the task happens once rather than in weekly shifts."""
        return self.one_off_start is not None

    def day(self, today: date) -> date:
        """The day a VOG must still be valid on: the one-off date, or today for structural tasks."""
        return max(today, self.one_off_start.date()) if self.one_off_start else today


class TaskStatus(StrEnum):
    """Whether a task still takes volunteers (the ``tasks.status`` column)."""

    OPEN = "open"
    FILLED = "filled"
    CLOSED = "closed"

    @classmethod
    def after_closing(cls, reason: str) -> TaskStatus:
        """The status a ``TaskClosed`` reason leaves the task in (filled; closed or expired count as closed)."""
        return cls.FILLED if reason == "filled" else cls.CLOSED


@dataclass(frozen=True)
class Task:
    """A task in matching's read model: what the scoring sees, and how much room is left."""

    profile: TaskProfile
    status: TaskStatus
    team_reserved: int
    posted_at: datetime

    @property
    def task_id(self) -> UUID:
        """The task's id."""
        return self.profile.task_id

    @property
    def centrale_id(self) -> str:
        """The centrale the task belongs to."""
        return self.profile.centrale_id

    def is_full(self, made: int) -> bool:
        """Whether ``made`` matches and the reserved team places fill the task."""
        return made + self.team_reserved >= self.profile.capacity

    def happens_on(self, day: date) -> bool:
        """Whether the task needs people on ``day`` (a Dutch date): its one-off date, or a weekly shift that weekday."""
        if self.profile.one_off_start is not None:
            return dutch_date(self.profile.one_off_start) == day
        return bool(self.profile.shift_mask >> ((day.isoweekday() - 1) * 24) & (2**24 - 1))


@dataclass(frozen=True)
class VolunteerFacts:
    """What the registry tells matching of a volunteer: the columns of the volunteers read model."""

    volunteer_id: UUID
    centrale_id: str
    postcode_area: str | None = None
    skills: Sequence[str] = ()
    interests: Sequence[str] = ()
    languages: Sequence[str] = ()
    availability: Sequence[WeeklySlot] = ()
    one_off_dates: Sequence[date] = ()
    max_distance_km: int | None = None
    commitment: str = "either"
    needs_support: bool = False
    matching_consent: bool = False
    regional_consent: bool = False
    vog_valid_until: date | None = None


@dataclass(frozen=True)
class TaskFacts:
    """What the registry tells matching of a published task: the columns of the tasks read model."""

    task_id: UUID
    organisation_id: UUID
    centrale_id: str
    theme: str
    capacity: int
    vog_required: bool
    skills: Sequence[str] = ()
    postcode_area: str | None = None
    shifts: Sequence[WeeklySlot] = ()
    one_off_start: datetime | None = None
    one_off_end: datetime | None = None
    team_suitable: bool = False
    support_accessible: bool = False
    closing_date: date | None = None


class VolunteerDayStatus(StrEnum):
    """Whether a partner's team day found a task (the ``volunteer_days.status`` column)."""

    OPEN = "open"
    MATCHED = "matched"


class TeamDayVia(StrEnum):
    """How a team day found its task (``VolunteerDayMatched.via``, the ``volunteer_days.matched_via`` column)."""

    MATCHING = "matching"
    STAFF = "staff"


@dataclass(frozen=True)
class VolunteerDay:
    """A business partner's team volunteer day, as matching keeps it."""

    day_id: UUID
    partner_id: UUID
    team_size: int
    on_date: date
    skills: Sequence[str] = ()
    themes: Sequence[str] = ()
    postcode_area: str | None = None
    centrale_id: str | None = None
    status: VolunteerDayStatus = VolunteerDayStatus.OPEN
    task_id: UUID | None = None
    matched_at: datetime | None = None
    posted_at: datetime | None = None
    """When the HR system posted it (None for days kept before it was recorded); open days are tried oldest first."""
    matched_via: TeamDayVia | None = None
