"""Business partners and the team volunteer days their HR systems post."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from common.errors import Conflict, ContractViolation, NotFound, Rejected
from contracts.events import BusinessPartnerRegistered, VolunteerDayHoursLogged, VolunteerDayPosted
from registry.domain import REGION_TENANT
from registry.repositories import BusinessPartner, DayHours, VolunteerDay
from registry.unit_of_work import RegistryUnitOfWork

__all__ = [
    "GetVolunteerDay",
    "ListVolunteerDays",
    "LogVolunteerDayHours",
    "PostVolunteerDay",
    "RecordVolunteerDayMatch",
    "RegisterPartner",
    "get_volunteer_day",
    "list_volunteer_days",
    "log_volunteer_day_hours",
    "post_volunteer_day",
    "record_volunteer_day_match",
    "register_partner",
]

_TWO_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class RegisterPartner:
    """Register a business partner for the region."""

    name: str


@dataclass(frozen=True)
class PostVolunteerDay:
    """A team volunteer day posted by a partner's HR system under its own reference."""

    partner_id: UUID
    external_ref: str
    team_size: int
    on_date: date
    skills: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    postcode_area: str | None = None
    centrale_id: str | None = None


@dataclass(frozen=True)
class GetVolunteerDay:
    """A day with its status (the partner's own, when ``partner_id`` is given)."""

    day_id: UUID
    partner_id: UUID | None


@dataclass(frozen=True)
class ListVolunteerDays:
    """The partner's volunteer days."""

    partner_id: UUID


@dataclass(frozen=True)
class RecordVolunteerDayMatch:
    """Matching matched a day to a task (``VolunteerDayMatched``)."""

    day_id: UUID
    task_id: UUID
    organisation_id: UUID
    centrale_id: str


@dataclass(frozen=True)
class LogVolunteerDayHours:
    """The organisation a day was matched to logs what the team gave."""

    day_id: UUID
    organisation_id: UUID
    centrale_id: str
    participants: int
    hours_total: Decimal


@dataclass(frozen=True)
class PostedDay:
    """The day a post names, and whether this post created it (else it is a retry)."""

    day_id: UUID
    created: bool


async def register_partner(cmd: RegisterPartner, uow: RegistryUnitOfWork) -> UUID:
    """Store the partner and queue ``BusinessPartnerRegistered``."""
    partner = BusinessPartner(id=uuid4(), name=cmd.name, registered_at=uow.now())
    await uow.partners.add(partner)
    await uow.emit(
        BusinessPartnerRegistered(
            partner_id=partner.id, partner_name=partner.name, registered_at=partner.registered_at
        ),
        tenant=REGION_TENANT,
    )
    return partner.id


async def post_volunteer_day(cmd: PostVolunteerDay, uow: RegistryUnitOfWork) -> PostedDay:
    """Store the day and queue ``VolunteerDayPosted``; a retry with the same reference names the first day.

    Conflict when the reference was used for a different day (another size or date).
    """
    if cmd.on_date <= uow.now().date():
        raise Rejected(["a volunteer day must lie in the future"], field="on_date")
    if cmd.centrale_id is not None and not await uow.centrales.exists(cmd.centrale_id):
        raise Rejected(["no such centrale in this region"], field="centrale_id")
    day = VolunteerDay(
        id=uuid4(),
        partner_id=cmd.partner_id,
        external_ref=cmd.external_ref,
        team_size=cmd.team_size,
        on_date=cmd.on_date,
        posted_at=uow.now(),
        skills=cmd.skills,
        themes=cmd.themes,
        postcode_area=cmd.postcode_area,
        centrale_id=cmd.centrale_id,
    )
    if not await uow.volunteer_days.add_new(day):
        existing = await uow.volunteer_days.by_reference(cmd.partner_id, cmd.external_ref)
        assert existing is not None, "the reference was taken, so its day exists"
        if (existing.team_size, existing.on_date) != (cmd.team_size, cmd.on_date):
            raise Conflict(f"reference {cmd.external_ref!r} was already used for a different volunteer day")
        return PostedDay(existing.id, created=False)
    await uow.emit(
        VolunteerDayPosted(
            day_id=day.id,
            partner_id=day.partner_id,
            team_size=day.team_size,
            on_date=day.on_date,
            skills=day.skills,
            themes=day.themes,
            postcode_area=day.postcode_area,
            centrale_id=day.centrale_id,
            posted_at=day.posted_at,
        ),
        tenant=REGION_TENANT,
    )
    return PostedDay(day.id, created=True)


async def get_volunteer_day(query: GetVolunteerDay, uow: RegistryUnitOfWork) -> dict[str, Any]:
    """The day with its status, matched task and the hours logged; NotFound for another partner's day."""
    day = await uow.volunteer_days.get(query.day_id, query.partner_id)
    if day is None:
        raise NotFound(f"volunteer day {query.day_id} not found")
    logged = await uow.volunteer_days.hours_of(day.id)
    return {
        **asdict(day),
        "hours_logged": sum((entry.hours_total for entry in logged), Decimal(0)),
        "participants": max((entry.participants for entry in logged), default=0),
    }


async def list_volunteer_days(query: ListVolunteerDays, uow: RegistryUnitOfWork) -> list[dict[str, Any]]:
    """The partner's days, latest date first: id, reference, date, team size, status and matched task."""
    columns = ("id", "external_ref", "on_date", "team_size", "status", "matched_task_id")
    return [{c: getattr(day, c) for c in columns} for day in await uow.volunteer_days.of_partner(query.partner_id)]


async def record_volunteer_day_match(cmd: RecordVolunteerDayMatch, uow: RegistryUnitOfWork) -> None:
    """Show the partner which task its day was matched to; a day the registry does not know is a contract error."""
    if not await uow.volunteer_days.record_match(
        cmd.day_id, cmd.task_id, cmd.organisation_id, cmd.centrale_id, uow.now()
    ):
        # Matching only knows days from our own events: retrying cannot help, ops must look.
        raise ContractViolation(f"volunteer day {cmd.day_id} is not known to the registry")


async def log_volunteer_day_hours(cmd: LogVolunteerDayHours, uow: RegistryUnitOfWork) -> UUID:
    """Record what the team gave and queue ``VolunteerDayHoursLogged``; Rejected with every broken rule."""
    day = await uow.volunteer_days.matched_to(cmd.day_id, cmd.organisation_id, cmd.centrale_id)
    if day is None:
        raise NotFound(f"volunteer day {cmd.day_id} not found for this organisation")
    reasons = []
    if day.on_date > uow.now().date():
        reasons.append("hours cannot be logged before the day took place")
    if cmd.participants > day.team_size:
        reasons.append(f"the team was announced with {day.team_size} people")
    if cmd.hours_total > cmd.participants * 24:
        reasons.append("at most 24 hours per participant")
    if reasons:
        raise Rejected(reasons)
    entry = DayHours(
        id=uuid4(),
        day_id=day.id,
        participants=cmd.participants,
        hours_total=cmd.hours_total.quantize(_TWO_PLACES),  # as stored: numeric(7, 2)
        logged_at=uow.now(),
    )
    await uow.volunteer_days.add_hours(entry)
    await uow.emit(
        VolunteerDayHoursLogged(
            day_id=day.id,
            partner_id=day.partner_id,
            task_id=day.matched_task_id,
            organisation_id=cmd.organisation_id,
            centrale_id=cmd.centrale_id,
            participants=entry.participants,
            hours_total=entry.hours_total,
            logged_at=entry.logged_at,
        ),
        tenant=cmd.centrale_id,
    )
    return entry.id
