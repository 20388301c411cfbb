"""Matches as matching reports them, and the hours logged for them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID, uuid4

from common.errors import Conflict, ContractViolation, NotFound, Rejected
from contracts.events import HoursLogged
from registry import domain
from registry.domain import TaskStatus
from registry.repositories import Hours, Match
from registry.unit_of_work import RegistryUnitOfWork
from registry.use_cases.tasks import mark_closed

__all__ = [
    "ConfirmHours",
    "ListOrganisationHours",
    "LogHours",
    "RecordMatch",
    "confirm_hours",
    "list_organisation_hours",
    "log_hours",
    "record_match",
]

_TWO_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class RecordMatch:
    """Matching made a match (``MatchMade``): remember it, so hours can be logged for it."""

    match_id: UUID
    task_id: UUID
    volunteer_id: UUID
    organisation_id: UUID
    centrale_id: str
    volunteer_centrale_id: str
    made_at: datetime


@dataclass(frozen=True)
class LogHours:
    """Hours given on one day for one match, logged by its organisation or by the volunteer.

    ``organisation_id`` / ``volunteer_id``: the caller, whose match it must be.
    """

    match_id: UUID
    worked_on: date
    hours: Decimal
    by: Literal["organisation", "volunteer"]
    centrale_id: str
    organisation_id: UUID | None = None
    volunteer_id: UUID | None = None


@dataclass(frozen=True)
class ConfirmHours:
    """The organisation confirms hours its volunteer logged."""

    hours_id: UUID
    organisation_id: UUID
    centrale_id: str


@dataclass(frozen=True)
class ListOrganisationHours:
    """The hours logged for an organisation's matches: those to confirm first."""

    organisation_id: UUID
    centrale_id: str
    limit: int = 200


async def list_organisation_hours(query: ListOrganisationHours, uow: RegistryUnitOfWork) -> list[dict[str, Any]]:
    """The organisation's entries (no personal data: ids, day, hours, status); waiting ones first, newest day next."""
    columns = ("id", "match_id", "volunteer_id", "task_id", "worked_on", "hours", "status", "logged_by", "logged_at")
    entries = await uow.hours.of_organisation(query.organisation_id, query.centrale_id, query.limit)
    return [{column: getattr(entry, column) for column in columns} for entry in entries]


async def record_match(cmd: RecordMatch, uow: RegistryUnitOfWork) -> None:
    """Remember the match; when the task's matches reach its capacity, close it as filled."""
    task = await uow.tasks.get_by_id(cmd.task_id, lock=True)
    if task is None:
        # Matching only knows tasks from our own events: retrying cannot help, ops must look.
        raise ContractViolation(f"match {cmd.match_id} names task {cmd.task_id}, which the registry does not know")
    match = Match(
        id=cmd.match_id,
        task_id=cmd.task_id,
        volunteer_id=cmd.volunteer_id,
        organisation_id=cmd.organisation_id,
        centrale_id=cmd.centrale_id,
        volunteer_centrale_id=cmd.volunteer_centrale_id,
        made_at=cmd.made_at,
    )
    await uow.matches.add(match)
    if task.status == TaskStatus.PUBLISHED and await uow.matches.count_for_task(task.id) >= task.capacity:
        await mark_closed(uow, task, TaskStatus.FILLED)


async def log_hours(cmd: LogHours, uow: RegistryUnitOfWork) -> UUID:
    """Log hours for a match; an organisation's entry counts at once, a volunteer's waits for confirmation.

    The match must exist and belong to the caller; no future dates; at most 24 hours per volunteer per day
    across every match.
    """
    match = await uow.matches.find(
        cmd.match_id, cmd.centrale_id, organisation_id=cmd.organisation_id, volunteer_id=cmd.volunteer_id
    )
    if match is None:
        raise NotFound(f"match {cmd.match_id} not found")
    # Serialise entries of one volunteer so two concurrent logs cannot together pass 24 hours.
    await uow.hours.serialise_volunteer(match.volunteer_id)
    already = await uow.hours.total_on(match.volunteer_id, cmd.worked_on)
    reasons = domain.check_hours(cmd.worked_on, cmd.hours, already, uow.now().date())
    if cmd.worked_on < match.made_at.date():
        reasons.append("hours cannot be logged for a day before the match was made")
    if reasons:
        raise Rejected(reasons)
    confirmed = cmd.by == "organisation"
    hours = Hours(
        id=uuid4(),
        match_id=match.id,
        volunteer_id=match.volunteer_id,
        task_id=match.task_id,
        organisation_id=match.organisation_id,
        centrale_id=match.centrale_id,
        worked_on=cmd.worked_on,
        hours=cmd.hours.quantize(_TWO_PLACES),  # as stored: numeric(4, 2)
        logged_by=cmd.by,
        status="confirmed" if confirmed else "pending",
        logged_at=uow.now(),
        confirmed_at=uow.now() if confirmed else None,
    )
    await uow.hours.add(hours)
    if confirmed:
        await _emit_hours(uow, hours)
    return hours.id


async def confirm_hours(cmd: ConfirmHours, uow: RegistryUnitOfWork) -> None:
    """Confirm the entry and queue ``HoursLogged``; Conflict when it was confirmed before."""
    hours = await uow.hours.get(cmd.hours_id, cmd.organisation_id, cmd.centrale_id, lock=True)
    if hours is None:
        raise NotFound(f"hours {cmd.hours_id} not found")
    if hours.status == "confirmed":
        raise Conflict("these hours are already confirmed")
    await uow.hours.confirm(hours.id, uow.now())
    await _emit_hours(uow, hours)


async def _emit_hours(uow: RegistryUnitOfWork, hours: Hours) -> None:
    task = await uow.tasks.get_by_id(hours.task_id)
    assert task is not None, "a match's task stays"
    await uow.emit(
        HoursLogged(
            hours_id=hours.id,
            match_id=hours.match_id,
            volunteer_id=hours.volunteer_id,
            task_id=hours.task_id,
            organisation_id=hours.organisation_id,
            centrale_id=hours.centrale_id,
            theme=task.theme,
            worked_on=hours.worked_on,
            hours=hours.hours,
            logged_by=hours.logged_by,
            logged_at=uow.now(),
        ),
        tenant=hours.centrale_id,
    )
