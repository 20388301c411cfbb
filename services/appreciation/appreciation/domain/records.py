"""What appreciation knows of volunteers, organisations and tasks, and a volunteer's record summed from it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

__all__ = [
    "Allowance",
    "Certificate",
    "HoursEntry",
    "Match",
    "Organisation",
    "OrganisationServed",
    "Task",
    "TaskServed",
    "Volunteer",
    "VolunteerRecord",
    "summarise_record",
]


@dataclass(frozen=True)
class Volunteer:
    """A volunteer as appreciation knows them: a pseudonymous id, the centrale, age band and registration."""

    id: UUID
    centrale_id: str
    # Whether centrale_id came from a volunteer event or match (True) or was guessed from hours (False).
    centrale_confirmed: bool = False
    age_band: str | None = None
    registered_on: date | None = None
    registration_event_id: UUID | None = None


@dataclass(frozen=True)
class HoursEntry:
    """One hours entry, keyed by the registry's id so a re-published entry counts once."""

    id: UUID
    volunteer_id: UUID
    match_id: UUID | None
    """None for hours an import brought in from before the platform (no match)."""
    task_id: UUID | None
    """None for imported hours the other system knew no task of."""
    organisation_id: UUID
    centrale_id: str
    theme: str
    worked_on: date
    hours: Decimal
    event_id: UUID


@dataclass(frozen=True)
class Match:
    """A match made: which task and organisation a volunteer serves (and of which centrales)."""

    id: UUID
    volunteer_id: UUID
    task_id: UUID
    organisation_id: UUID
    centrale_id: str
    volunteer_centrale_id: str
    made_at: datetime


@dataclass(frozen=True)
class Organisation:
    """An organisation's name, for certificates."""

    id: UUID
    centrale_id: str
    name: str


@dataclass(frozen=True)
class Task:
    """A task's theme and skills, for certificates."""

    id: UUID
    organisation_id: UUID
    centrale_id: str
    theme: str
    skills: tuple[str, ...] = ()


@dataclass(frozen=True)
class Certificate:
    """A certificate issued: what a third party may check, never the name printed on it."""

    id: UUID
    volunteer_id: UUID | None
    centrale_id: str
    sha256: str
    total_hours: Decimal
    organisations: int
    first_day: date | None
    last_day: date | None
    issued_at: datetime


@dataclass(frozen=True)
class Allowance:
    """A volunteer allowance an organisation paid, under its own reference."""

    id: UUID
    organisation_id: UUID
    centrale_id: str
    volunteer_id: UUID | None
    reference: str
    paid_on: date
    amount: Decimal
    hours: Decimal | None
    recorded_by: str
    recorded_at: datetime


@dataclass(frozen=True)
class OrganisationServed:
    """One organisation on a volunteer's record: hours given there and the first and last day."""

    organisation_id: UUID
    name: str | None
    hours: Decimal
    first_day: date | None
    last_day: date | None


@dataclass(frozen=True)
class TaskServed:
    """One task on a volunteer's record: where, its theme and skills, and the hours given to it."""

    task_id: UUID
    organisation_id: UUID
    organisation_name: str | None
    theme: str | None
    skills: tuple[str, ...]
    hours: Decimal


@dataclass(frozen=True)
class VolunteerRecord:
    """Where and how much a volunteer served, summed over their matches and hours."""

    total_hours: Decimal
    first_day: date | None
    last_day: date | None
    organisations: list[OrganisationServed]
    tasks: list[TaskServed]
    skills_used: list[str]


def summarise_record(
    matches: Iterable[Match],
    hours: Iterable[HoursEntry],
    organisations: Mapping[UUID, Organisation],
    tasks: Mapping[UUID, Task],
) -> VolunteerRecord:
    """Every organisation and task a volunteer served (matched, or with hours), most hours first.

    Organisations and tasks not seen yet (their events not consumed) still appear, without a name or
    with the theme their hours named.
    """
    matched = list(matches)
    logged = list(hours)
    by_organisation: dict[UUID, list[HoursEntry]] = {m.organisation_id: [] for m in matched}
    by_task: dict[tuple[UUID, UUID], list[HoursEntry]] = {(m.task_id, m.organisation_id): [] for m in matched}
    for entry in logged:
        by_organisation.setdefault(entry.organisation_id, []).append(entry)
        if entry.task_id is not None:  # imported history may name the organisation only
            by_task.setdefault((entry.task_id, entry.organisation_id), []).append(entry)

    served = []
    for organisation_id, entries in by_organisation.items():
        known = organisations.get(organisation_id)
        days = [entry.worked_on for entry in entries]
        served.append(
            OrganisationServed(
                organisation_id=organisation_id,
                name=known.name if known else None,
                hours=_sum(entries),
                first_day=min(days, default=None),
                last_day=max(days, default=None),
            )
        )
    # Most hours first, then by name (unnamed last), as a person reads a list.
    served.sort(key=lambda o: (-o.hours, o.name is None, o.name or "", o.organisation_id))

    task_lines = []
    for (task_id, organisation_id), entries in by_task.items():
        task = tasks.get(task_id)
        known = organisations.get(organisation_id)
        task_lines.append(
            TaskServed(
                task_id=task_id,
                organisation_id=organisation_id,
                organisation_name=known.name if known else None,
                theme=task.theme if task else max((entry.theme for entry in entries), default=None),
                skills=task.skills if task else (),
                hours=_sum(entries),
            )
        )
    task_lines.sort(key=lambda t: (-t.hours, t.task_id))

    with_days = [o for o in served if o.first_day is not None]
    return VolunteerRecord(
        total_hours=sum((o.hours for o in served), Decimal(0)),
        first_day=min((o.first_day for o in with_days if o.first_day), default=None),
        last_day=max((o.last_day for o in with_days if o.last_day), default=None),
        organisations=served,
        tasks=task_lines,
        skills_used=sorted({skill for t in task_lines if t.hours > 0 for skill in t.skills}),
    )


def _sum(entries: Sequence[HoursEntry]) -> Decimal:
    return sum((entry.hours for entry in entries), Decimal(0))
