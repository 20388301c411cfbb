"""Matches as matching reports them, and the hours logged for them: logged, confirmed, corrected, rejected.

An organisation's entry counts at once (``HoursLogged``); a volunteer's once the organisation confirms it.
Whoever logged an entry may correct its amount within the correction window (``HoursCorrected``), a
volunteer only while it waits for confirmation (what the organisation confirmed, the organisation takes
back); the organisation may reject any entry for its matches (``HoursRejected``). Both carry a reason
category; a note in the person's own words stays in ``hours_changes``. Hours for a dated task are refused
before it starts (``domain.check_task_started``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID, uuid4

from common.clock import dutch_date
from common.errors import Conflict, ContractViolation, Forbidden, NotFound, Rejected
from contracts.events import HoursCorrected, HoursLogged, HoursRejected
from registry import domain
from registry.domain import HoursCorrectionReason, HoursRejectionReason, TaskSchedule, TaskStatus
from registry.repositories import Hours, HoursChange, Match, Task
from registry.unit_of_work import RegistryUnitOfWork
from registry.use_cases.tasks import mark_closed

__all__ = [
    "ConfirmHours",
    "CorrectHours",
    "ListHours",
    "LogHours",
    "RecordMatch",
    "RejectHours",
    "confirm_hours",
    "correct_hours",
    "hours_view",
    "list_hours",
    "log_hours",
    "record_match",
    "reject_hours",
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
class RejectHours:
    """The organisation rejects an entry for one of its matches: a volunteer's, or one of its own logged in error."""

    hours_id: UUID
    organisation_id: UUID
    centrale_id: str
    reason: HoursRejectionReason
    note: str | None = None


@dataclass(frozen=True)
class CorrectHours:
    """Whoever logged an entry corrects its amount, within ``window`` after logging it.

    ``organisation_id`` / ``volunteer_id``: the caller, whose entry it must be.
    """

    hours_id: UUID
    hours: Decimal
    reason: HoursCorrectionReason
    by: Literal["organisation", "volunteer"]
    window: timedelta
    centrale_id: str | None = None
    organisation_id: UUID | None = None
    volunteer_id: UUID | None = None
    note: str | None = None


@dataclass(frozen=True)
class ListHours:
    """The organisation's hours entries (of one status when given), each with its corrections and rejection."""

    organisation_id: UUID
    centrale_id: str
    status: str | None = None
    limit: int = 200


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

    The match must exist and belong to the caller; no future dates, no day before the match was made, nothing
    before the task (a one-off date, today's shift) started; at most 24 hours per volunteer per day across
    every match.
    """
    match = await uow.matches.find(
        cmd.match_id, cmd.centrale_id, organisation_id=cmd.organisation_id, volunteer_id=cmd.volunteer_id
    )
    if match is None:
        raise NotFound(f"match {cmd.match_id} not found")
    # Serialise entries of one volunteer so two concurrent logs cannot together pass 24 hours.
    await uow.hours.serialise_volunteer(match.volunteer_id)
    already = await uow.hours.total_on(match.volunteer_id, cmd.worked_on)
    now = uow.now()
    reasons = domain.check_hours(cmd.worked_on, cmd.hours, already, uow.today())
    if cmd.worked_on < dutch_date(match.made_at):
        reasons.append("hours cannot be logged for a day before the match was made")
    reasons += domain.check_task_started(cmd.worked_on, now, _schedule(await _task_of(uow, match.task_id)))
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
        logged_at=now,
        confirmed_at=now if confirmed else None,
    )
    await uow.hours.add(hours)
    if confirmed:
        await _emit_hours(uow, hours)
    return hours.id


async def confirm_hours(cmd: ConfirmHours, uow: RegistryUnitOfWork) -> None:
    """Confirm the entry and queue ``HoursLogged``; Conflict when it was confirmed or rejected before."""
    hours = await uow.hours.get(cmd.hours_id, cmd.organisation_id, cmd.centrale_id, lock=True)
    if hours is None:
        raise NotFound(f"hours {cmd.hours_id} not found")
    if hours.status == "confirmed":
        raise Conflict("these hours are already confirmed")
    if hours.status == "rejected":
        raise Conflict("these hours were rejected; the volunteer logs them again to have them counted")
    await uow.hours.confirm(hours.id, uow.now())
    await _emit_hours(uow, hours)


async def reject_hours(cmd: RejectHours, uow: RegistryUnitOfWork) -> None:
    """Reject the entry with a reason and queue ``HoursRejected``; Conflict when it was rejected before.

    A confirmed entry stops counting everywhere (``counted``); a pending one never counted.
    """
    hours = await uow.hours.get(cmd.hours_id, cmd.organisation_id, cmd.centrale_id, lock=True)
    if hours is None:
        raise NotFound(f"hours {cmd.hours_id} not found")
    if hours.status == "rejected":
        raise Conflict("these hours are already rejected")
    now = uow.now()
    await uow.hours.save(replace(hours, status="rejected", rejected_at=now))
    await _record_change(uow, hours, "rejected", None, cmd.reason.value, cmd.note, "organisation")
    task = await _task_of(uow, hours.task_id)
    await uow.emit(
        HoursRejected(
            **_facts(hours, task),
            hours=hours.hours,
            counted=hours.status == "confirmed",
            reason=cmd.reason.value,
            logged_by=hours.logged_by,
            rejected_at=now,
        ),
        tenant=hours.centrale_id,
    )


async def correct_hours(cmd: CorrectHours, uow: RegistryUnitOfWork) -> None:
    """Correct the entry's amount and queue ``HoursCorrected``.

    Only whoever logged it (403 otherwise), within the window after logging (409 after), not a rejected
    entry (409), and a volunteer only while it waits for confirmation (409: the organisation rejects it and
    the volunteer logs it anew). The new amount must differ, be positive and keep the day within 24 hours (422).
    """
    if cmd.by == "organisation":
        assert cmd.organisation_id is not None, "an organisation corrects its own"
        assert cmd.centrale_id is not None, "within its centrale"
        hours = await uow.hours.get(cmd.hours_id, cmd.organisation_id, cmd.centrale_id, lock=True)
    else:
        assert cmd.volunteer_id is not None, "a volunteer corrects their own"
        hours = await uow.hours.get_of_volunteer(cmd.hours_id, cmd.volunteer_id, lock=True)
    if hours is None:
        raise NotFound(f"hours {cmd.hours_id} not found")
    if hours.logged_by != cmd.by:
        raise Forbidden(
            "the volunteer logged these hours: the organisation confirms or rejects them, only the volunteer corrects"
            if hours.logged_by == "volunteer"
            else "the organisation logged these hours: only it corrects them"
        )
    if hours.status == "rejected":
        raise Conflict("these hours were rejected; log them again instead")
    if cmd.by == "volunteer" and hours.status == "confirmed":
        raise Conflict("the organisation confirmed these hours: ask it to reject them, then log the right amount again")
    now = uow.now()
    if now > hours.logged_at + cmd.window:
        raise Conflict(
            f"hours can be corrected up to {cmd.window.days} days after they were logged;"
            f" these were logged on {domain.dutch_date(hours.logged_at).isoformat()}"
        )
    await uow.hours.serialise_volunteer(hours.volunteer_id)
    others = await uow.hours.total_on(hours.volunteer_id, hours.worked_on, excluding=hours.id)
    corrected = cmd.hours.quantize(_TWO_PLACES)
    if reasons := domain.check_hours_correction(corrected, hours.hours, others, hours.worked_on):
        raise Rejected(reasons, field="hours")
    await uow.hours.save(replace(hours, hours=corrected, corrected_at=now))
    await _record_change(uow, hours, "corrected", corrected, cmd.reason.value, cmd.note, cmd.by)
    task = await _task_of(uow, hours.task_id)
    await uow.emit(
        HoursCorrected(
            **_facts(hours, task),
            previous_hours=hours.hours,
            hours=corrected,
            counted=hours.status == "confirmed",
            reason=cmd.reason.value,
            corrected_by=cmd.by,
            corrected_at=now,
        ),
        tenant=hours.centrale_id,
    )


async def list_hours(query: ListHours, uow: RegistryUnitOfWork) -> list[dict[str, Any]]:
    """The organisation's entries, waiting ones first then newest day, each with its corrections and rejection."""
    if await uow.organisations.get(query.organisation_id, query.centrale_id) is None:
        raise NotFound("no such organisation in this centrale")  # not 200 []: the tenant matrix's rule
    entries = await uow.hours.of_organisation(query.organisation_id, query.centrale_id, query.status, query.limit)
    return await hours_view(entries, uow)


async def hours_view(entries: list[Hours], uow: RegistryUnitOfWork) -> list[dict[str, Any]]:
    """Entries as their organisation and volunteer read them: amount, status, and what changed them and why."""
    changes: dict[UUID, list[dict[str, Any]]] = defaultdict(list)
    for change in await uow.hours.changes_of([entry.id for entry in entries]):
        changes[change.hours_id].append(
            {
                k: getattr(change, k)
                for k in ("change", "previous_hours", "hours", "reason", "note", "changed_by", "changed_at")
            }
        )
    return [
        {
            **{
                k: getattr(entry, k)
                for k in (
                    "id",
                    "match_id",
                    "volunteer_id",
                    "task_id",
                    "worked_on",
                    "hours",
                    "status",
                    "logged_by",
                    "logged_at",
                    "confirmed_at",
                    "rejected_at",
                    "corrected_at",
                )
            },
            "changes": changes[entry.id],
        }
        for entry in entries
    ]


async def _task_of(uow: RegistryUnitOfWork, task_id: UUID) -> Task:
    task = await uow.tasks.get_by_id(task_id)
    assert task is not None, "a match's task stays"
    return task


def _schedule(task: Task) -> TaskSchedule:
    """When the task takes place, as the pure rule reads it (shifts are stored as JSON)."""
    starts = tuple((int(shift["weekday"]), time.fromisoformat(str(shift["start"]))) for shift in task.shifts)
    return TaskSchedule(task.one_off_start, starts)


def _facts(hours: Hours, task: Task) -> dict[str, Any]:
    """The fields every hours event carries about its entry."""
    return {
        "hours_id": hours.id,
        "match_id": hours.match_id,
        "volunteer_id": hours.volunteer_id,
        "task_id": hours.task_id,
        "organisation_id": hours.organisation_id,
        "centrale_id": hours.centrale_id,
        "theme": task.theme,
        "worked_on": hours.worked_on,
    }


async def _record_change(
    uow: RegistryUnitOfWork,
    hours: Hours,
    change: Literal["rejected", "corrected"],
    corrected: Decimal | None,
    reason: str,
    note: str | None,
    by: str,
) -> None:
    await uow.hours.add_change(
        HoursChange(
            id=uuid4(),
            hours_id=hours.id,
            volunteer_id=hours.volunteer_id,
            change=change,
            previous_hours=hours.hours,
            hours=corrected,
            reason=reason,
            note=note,
            changed_by=by,
            actor=uow.origin.actor or "unknown",
            changed_at=uow.now(),
        )
    )


async def _emit_hours(uow: RegistryUnitOfWork, hours: Hours) -> None:
    task = await _task_of(uow, hours.task_id)
    await uow.emit(
        HoursLogged(**_facts(hours, task), hours=hours.hours, logged_by=hours.logged_by, logged_at=uow.now()),
        tenant=hours.centrale_id,
    )
