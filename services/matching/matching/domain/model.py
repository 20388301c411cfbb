"""What matching knows of volunteers and tasks: coarse, pseudonymous facts from the registry's events."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID

__all__ = ["Coordinates", "TaskProfile", "VolunteerProfile"]

Coordinates = tuple[float, float]


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
    extra: dict[str, object] = field(default_factory=dict, compare=False)

    @property
    def is_one_off(self) -> bool:
        """Whether the task happens once rather than in weekly shifts."""
        return self.one_off_start is not None

    def day(self, today: date) -> date:
        """The day a VOG must still be valid on: the one-off date, or today for structural tasks."""
        return max(today, self.one_off_start.date()) if self.one_off_start else today
