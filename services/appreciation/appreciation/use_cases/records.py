"""Read side: a volunteer's appreciation record, and a centrale's awards in a period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from appreciation.domain import Award, Certificate, VolunteerRecord, summarise_record
from appreciation.domain.trainings import TrainingFollowed, trainings_followed
from appreciation.unit_of_work import AppreciationUnitOfWork
from common.clock import DUTCH_TIME
from common.errors import NotFound

__all__ = [
    "FullRecord",
    "ListCentraleAwards",
    "ShowVolunteerRecord",
    "centrale_awards",
    "full_record",
    "volunteer_record",
]


@dataclass(frozen=True)
class ShowVolunteerRecord:
    """One volunteer's record, for staff of ``centrale_id`` or the volunteer (``must_exist=False``)."""

    volunteer_id: UUID
    centrale_id: str
    must_exist: bool = True


@dataclass(frozen=True)
class ListCentraleAwards:
    """A centrale's awards from ``start`` to ``end``, inclusive, by UTC day."""

    centrale_id: str
    start: date
    end: date


@dataclass(frozen=True)
class FullRecord:
    """A volunteer's record with the trainings they followed, their awards and certificates."""

    summary: VolunteerRecord
    awards: list[Award]
    certificates: list[Certificate]
    trainings: list[TrainingFollowed]


async def full_record(query: ShowVolunteerRecord, uow: AppreciationUnitOfWork) -> FullRecord:
    """Organisations, tasks, hours, trainings, awards and certificates of one volunteer of the centrale.

    NotFound when appreciation knows the volunteer under another centrale (or, with ``must_exist``, not at
    all): staff of one centrale never see another's volunteers.
    """
    volunteer = await uow.volunteers.get(query.volunteer_id)
    if (volunteer is None and query.must_exist) or (
        volunteer is not None and volunteer.centrale_id != query.centrale_id
    ):
        raise NotFound(f"volunteer {query.volunteer_id} not found")
    matches = await uow.matches.of_volunteer(query.volunteer_id)
    hours = await uow.hours.of_volunteers([query.volunteer_id])
    organisations = await uow.organisations.of_ids(
        {m.organisation_id for m in matches} | {h.organisation_id for h in hours}
    )
    tasks = await uow.organisations.tasks({m.task_id for m in matches} | {h.task_id for h in hours if h.task_id})
    attendance = await uow.trainings.attendance_of(query.volunteer_id)
    trainings = await uow.trainings.of_ids({a.training_id for a in attendance})
    return FullRecord(
        summary=summarise_record(matches, hours, organisations, tasks),
        awards=await uow.awards.of_volunteer(query.volunteer_id),
        certificates=await uow.certificates.of_volunteer(query.volunteer_id),
        trainings=trainings_followed(attendance, trainings),
    )


async def volunteer_record(query: ShowVolunteerRecord, uow: AppreciationUnitOfWork) -> dict[str, Any]:
    """The volunteer's record as the API shows it."""
    record = await full_record(query, uow)
    summary = record.summary
    return {
        "volunteer_id": query.volunteer_id,
        "centrale_id": query.centrale_id,
        "total_hours": summary.total_hours,
        "first_day": summary.first_day,
        "last_day": summary.last_day,
        "organisations": [
            {
                "organisation_id": o.organisation_id,
                "name": o.name,
                "hours": o.hours,
                "first_day": o.first_day,
                "last_day": o.last_day,
            }
            for o in summary.organisations
        ],
        "tasks": [
            {
                "task_id": t.task_id,
                "organisation_id": t.organisation_id,
                "organisation_name": t.organisation_name,
                "theme": t.theme,
                "skills": list(t.skills),
                "hours": t.hours,
            }
            for t in summary.tasks
        ],
        "skills_used": summary.skills_used,
        "awards": [
            {
                "award_id": a.award_id,
                "rule_id": a.rule_id,
                "rule_kind": a.rule_kind.value,
                "title": a.title,
                "awarded_at": a.awarded_at,
            }
            for a in record.awards
        ],
        "certificates": [
            {"certificate_id": c.id, "issued_at": c.issued_at, "total_hours": c.total_hours}
            for c in record.certificates
        ],
        "trainings": [
            {"training_id": t.training_id, "title": t.title, "kind": t.kind, "on": t.on} for t in record.trainings
        ],
    }


async def centrale_awards(query: ListCentraleAwards, uow: AppreciationUnitOfWork) -> dict[str, Any]:
    """The centrale's awards in the period, with counts per rule."""
    awards = await uow.awards.of_centrale(
        query.centrale_id,
        datetime.combine(query.start, time(), DUTCH_TIME),  # the days are Dutch days
        datetime.combine(query.end + timedelta(days=1), time(), DUTCH_TIME),
    )
    counts: dict[str, int] = {}
    for award in awards:
        counts[award.rule_id] = counts.get(award.rule_id, 0) + 1
    return {
        "centrale_id": query.centrale_id,
        "from": query.start,
        "to": query.end,
        "total": len(awards),
        "per_rule": [{"rule_id": rule_id, "count": count} for rule_id, count in sorted(counts.items())],
        "awards": [
            {
                "award_id": a.award_id,
                "rule_id": a.rule_id,
                "rule_kind": a.rule_kind.value,
                "title": a.title,
                "recipient_id": a.recipient_id,
                "recipient_kind": a.recipient_kind,
                "trigger_event_type": a.trigger_event_type,
                "awarded_at": a.awarded_at,
            }
            for a in awards
        ],
    }
