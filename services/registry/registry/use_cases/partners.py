"""Business partners and the team volunteer days their HR systems post: the loop from posting to hours back.

An HR system posts a day under its own reference (a retry names the first day), ahead or up to a year after
it took place. Matching finds it a task (or staff broker one by hand); the registry learns it from
``VolunteerDayMatched``. The organisation logs what the team gave (confirmed at once), or confirms or rejects
what the HR system reported. A day's figure is its latest confirmed entry. The partner reads it back from its
status route, gets it by webhook (``use_cases/webhooks.py``) and in its CSR summary.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from common.errors import Conflict, ContractViolation, NotFound, Rejected
from contracts.events import BusinessPartnerRegistered, VolunteerDayHoursLogged, VolunteerDayPosted
from registry.domain import REGION_TENANT, dutch_date
from registry.repositories import BusinessPartner, DayHours, DayPlace, VolunteerDay
from registry.unit_of_work import RegistryUnitOfWork
from registry.use_cases.webhooks import DeliveryEvent, queue_delivery

__all__ = [
    "DAYS_BACK",
    "ConfirmVolunteerDayHours",
    "GetVolunteerDay",
    "ListOrganisationDays",
    "ListVolunteerDays",
    "LogVolunteerDayHours",
    "PostVolunteerDay",
    "RecordVolunteerDayMatch",
    "RegisterPartner",
    "RejectVolunteerDayHours",
    "ReportVolunteerDayHours",
    "ReportedHours",
    "SummariseVolunteerDays",
    "confirm_volunteer_day_hours",
    "get_volunteer_day",
    "list_organisation_days",
    "list_volunteer_days",
    "log_volunteer_day_hours",
    "post_volunteer_day",
    "record_volunteer_day_match",
    "register_partner",
    "reject_volunteer_day_hours",
    "report_volunteer_day_hours",
    "summarise_volunteer_days",
]

_TWO_PLACES = Decimal("0.01")
# An HR system records a day afterwards (as Benevity- or Deed-style systems do), but not years later: a
# year back covers a CSR year.
DAYS_BACK = 365
# The longest period a CSR summary covers (five years).
_SUMMARY_DAYS = 5 * 366


@dataclass(frozen=True)
class RegisterPartner:
    """Register a business partner for the region."""

    name: str


@dataclass(frozen=True)
class PostVolunteerDay:
    """A team volunteer day posted by a partner's HR system under its own reference (past or future)."""

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
    """Matching matched a day to a task (``VolunteerDayMatched``), by itself or through staff (``via``)."""

    day_id: UUID
    task_id: UUID
    organisation_id: UUID
    centrale_id: str
    via: str = "matching"


@dataclass(frozen=True)
class LogVolunteerDayHours:
    """The organisation a day was matched to logs what the team gave (confirmed as it is logged)."""

    day_id: UUID
    organisation_id: UUID
    centrale_id: str
    participants: int
    hours_total: Decimal


@dataclass(frozen=True)
class ReportVolunteerDayHours:
    """The partner's HR system reports what its team gave; it counts once the organisation confirms it."""

    day_id: UUID
    partner_id: UUID
    participants: int
    hours_total: Decimal


@dataclass(frozen=True)
class ConfirmVolunteerDayHours:
    """The organisation confirms hours the partner reported for a day matched to it."""

    day_id: UUID
    hours_id: UUID
    organisation_id: UUID
    centrale_id: str


@dataclass(frozen=True)
class RejectVolunteerDayHours:
    """The organisation rejects hours the partner reported (they never count)."""

    day_id: UUID
    hours_id: UUID
    organisation_id: UUID
    centrale_id: str


@dataclass(frozen=True)
class ListOrganisationDays:
    """The team days matched to an organisation, with their hours (to log, confirm or reject)."""

    organisation_id: UUID
    centrale_id: str


@dataclass(frozen=True)
class SummariseVolunteerDays:
    """The partner's CSR summary of days from ``first`` to ``last``: confirmed hours by theme, organisation and
    municipality."""

    partner_id: UUID
    first: date | None = None
    """None: the first of January of this year."""
    last: date | None = None
    """None: the last of December of the year ``first`` lies in."""


@dataclass(frozen=True)
class PostedDay:
    """The day a post names, and whether this post created it (else it is a retry)."""

    day_id: UUID
    created: bool


@dataclass(frozen=True)
class ReportedHours:
    """The entry a report names, and whether this report created it (else it is a retry)."""

    entry: DayHours
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
    today = dutch_date(uow.now())
    if cmd.on_date < today - timedelta(days=DAYS_BACK):
        raise Rejected([f"a volunteer day can be recorded up to {DAYS_BACK} days after it"], field="on_date")
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
    """The day with its status, task, organisation and hours (each entry and the confirmed figure).

    NotFound for another partner's day.
    """
    day = await uow.volunteer_days.get(query.day_id, query.partner_id)
    if day is None:
        raise NotFound(f"volunteer day {query.day_id} not found")
    return await _view(day, uow)


async def list_volunteer_days(query: ListVolunteerDays, uow: RegistryUnitOfWork) -> list[dict[str, Any]]:
    """The partner's days, latest date first: id, reference, date, team size, status and matched task."""
    columns = ("id", "external_ref", "on_date", "team_size", "status", "matched_task_id")
    return [{c: getattr(day, c) for c in columns} for day in await uow.volunteer_days.of_partner(query.partner_id)]


async def record_volunteer_day_match(cmd: RecordVolunteerDayMatch, uow: RegistryUnitOfWork) -> None:
    """Show the partner which task its day was matched to (and tell its webhook); an unknown day is a contract
    error."""
    if not await uow.volunteer_days.record_match(
        cmd.day_id, cmd.task_id, cmd.organisation_id, cmd.centrale_id, uow.now(), cmd.via
    ):
        # Matching only knows days from our own events: retrying cannot help, ops must look.
        raise ContractViolation(f"volunteer day {cmd.day_id} is not known to the registry")
    day = await uow.volunteer_days.get(cmd.day_id)
    assert day is not None, "just recorded"
    await queue_delivery(day.partner_id, day.id, DeliveryEvent.MATCHED, await _view(day, uow), uow)


async def log_volunteer_day_hours(cmd: LogVolunteerDayHours, uow: RegistryUnitOfWork) -> UUID:
    """Record what the team gave, confirmed at once (an earlier figure is superseded); queue
    ``VolunteerDayHoursLogged`` and tell the partner. Rejected with every broken rule."""
    day = await _matched_day(cmd.day_id, cmd.organisation_id, cmd.centrale_id, uow)
    _check_hours(day, cmd.participants, cmd.hours_total, uow)
    entry = DayHours(
        id=uuid4(),
        day_id=day.id,
        participants=cmd.participants,
        hours_total=cmd.hours_total.quantize(_TWO_PLACES),  # as stored: numeric(7, 2)
        logged_at=uow.now(),
        reported_by="organisation",
        status="confirmed",
        decided_at=uow.now(),
    )
    await uow.volunteer_days.supersede_confirmed(day.id, uow.now())
    await uow.volunteer_days.add_hours(entry)
    await _confirmed(day, entry, uow)
    return entry.id


async def report_volunteer_day_hours(cmd: ReportVolunteerDayHours, uow: RegistryUnitOfWork) -> ReportedHours:
    """Keep what the HR system reports, waiting for the organisation; a retry with the same figures names the
    entry waiting already, other figures while one waits are a Conflict."""
    day = await uow.volunteer_days.get(cmd.day_id, cmd.partner_id)
    if day is None:
        raise NotFound(f"volunteer day {cmd.day_id} not found")
    if day.matched_organisation_id is None:
        raise Conflict("the day has no organisation yet: hours can be reported once it is matched")
    _check_hours(day, cmd.participants, cmd.hours_total, uow)
    hours_total = cmd.hours_total.quantize(_TWO_PLACES)
    waiting = [entry for entry in await uow.volunteer_days.hours_of(day.id) if entry.status == "pending"]
    for entry in waiting:
        if (entry.participants, entry.hours_total) == (cmd.participants, hours_total):
            return ReportedHours(entry, created=False)
        raise Conflict("reported hours for this day wait for the organisation's confirmation already")
    entry = DayHours(
        id=uuid4(),
        day_id=day.id,
        participants=cmd.participants,
        hours_total=hours_total,
        logged_at=uow.now(),
        reported_by="partner",
        status="pending",
    )
    await uow.volunteer_days.add_hours(entry)
    return ReportedHours(entry, created=True)


async def confirm_volunteer_day_hours(cmd: ConfirmVolunteerDayHours, uow: RegistryUnitOfWork) -> None:
    """The partner's reported hours count from now (an earlier figure is superseded): ``VolunteerDayHoursLogged``
    and a webhook delivery; Conflict unless the entry waits."""
    day = await _matched_day(cmd.day_id, cmd.organisation_id, cmd.centrale_id, uow)
    entry = await _waiting_entry(day, cmd.hours_id, uow)
    await uow.volunteer_days.supersede_confirmed(day.id, uow.now())
    await uow.volunteer_days.decide_hours(entry.id, "confirmed", uow.now())
    await _confirmed(day, DayHours(**{**asdict(entry), "status": "confirmed", "decided_at": uow.now()}), uow)


async def reject_volunteer_day_hours(cmd: RejectVolunteerDayHours, uow: RegistryUnitOfWork) -> None:
    """The partner's reported hours never count; the partner hears it by webhook. Conflict unless the entry waits."""
    day = await _matched_day(cmd.day_id, cmd.organisation_id, cmd.centrale_id, uow)
    entry = await _waiting_entry(day, cmd.hours_id, uow)
    await uow.volunteer_days.decide_hours(entry.id, "rejected", uow.now())
    await queue_delivery(day.partner_id, day.id, DeliveryEvent.HOURS_REJECTED, await _view(day, uow), uow)


async def list_organisation_days(query: ListOrganisationDays, uow: RegistryUnitOfWork) -> list[dict[str, Any]]:
    """The days matched to the organisation, latest date first, each as its partner sees it."""
    days = await uow.volunteer_days.of_organisation(query.organisation_id, query.centrale_id)
    return [await _view(day, uow) for day in days]


async def summarise_volunteer_days(query: SummariseVolunteerDays, uow: RegistryUnitOfWork) -> dict[str, Any]:
    """The company's days from ``first`` to ``last`` with confirmed hours: totals, and by theme, organisation and
    municipality (each biggest first). Only confirmed figures count."""
    first = query.first or date(dutch_date(uow.now()).year, 1, 1)
    last = query.last or date(first.year, 12, 31)
    if last < first:
        raise Rejected(["must not lie before from"], field="to", location="query")
    if (last - first).days > _SUMMARY_DAYS:
        raise Rejected(["a summary covers at most five years"], field="to", location="query")
    partner = await uow.partners.get(query.partner_id)
    if partner is None:
        raise NotFound(f"business partner {query.partner_id} not found")
    counted = await uow.volunteer_days.confirmed_between(query.partner_id, first, last)
    places = await uow.volunteer_days.places_of([day.id for day, _ in counted])
    rows = [(places[day.id], hours) for day, hours in counted if day.id in places]
    return {
        "partner": {"id": partner.id, "name": partner.name},
        "from": first,
        "to": last,
        **_figures([hours for _, hours in rows]),
        "by_theme": _grouped(rows, lambda place: (place.theme, {"theme": place.theme})),
        "by_organisation": _grouped(
            rows,
            lambda place: (
                str(place.organisation_id),
                {
                    "organisation_id": place.organisation_id,
                    "name": place.organisation_name,
                    "centrale_id": place.centrale_id,
                },
            ),
        ),
        "by_municipality": _grouped(
            rows, lambda place: (place.municipality_code, {"municipality_code": place.municipality_code})
        ),
    }


async def _view(day: VolunteerDay, uow: RegistryUnitOfWork) -> dict[str, Any]:
    """The day as its partner sees it (the status route and every webhook delivery): the day, where it took
    place, every hours entry and the confirmed figure (``hours_logged``/``participants``: 0 until one)."""
    entries = await uow.volunteer_days.hours_of(day.id)
    confirmed = next((entry for entry in entries if entry.status == "confirmed"), None)
    place = (await uow.volunteer_days.places_of([day.id])).get(day.id) if day.matched_task_id else None
    return {
        **asdict(day),
        "task": {"id": day.matched_task_id, "title": place.task_title, "theme": place.theme} if place else None,
        "organisation": {"id": place.organisation_id, "name": place.organisation_name} if place else None,
        "municipality_code": place.municipality_code if place else None,
        "hours_logged": confirmed.hours_total if confirmed else Decimal(0),
        "participants": confirmed.participants if confirmed else 0,
        "hours_confirmed": _entry(confirmed) if confirmed else None,
        "hours": [_entry(entry) for entry in entries],
    }


def _entry(entry: DayHours) -> dict[str, Any]:
    return {
        "id": entry.id,
        "participants": entry.participants,
        "hours_total": entry.hours_total,
        "reported_by": entry.reported_by,
        "status": entry.status,
        "logged_at": entry.logged_at,
        "decided_at": entry.decided_at,
    }


def _figures(entries: list[DayHours]) -> dict[str, Any]:
    return {
        "days": len(entries),
        "participants": sum(entry.participants for entry in entries),
        "hours": sum((entry.hours_total for entry in entries), Decimal("0.00")),
    }


def _grouped(
    rows: list[tuple[DayPlace, DayHours]], key: Callable[[DayPlace], tuple[str, dict[str, Any]]]
) -> list[dict[str, Any]]:
    """Figures per group (its describing fields first), most hours first, then by key."""
    groups: dict[str, list[DayHours]] = defaultdict(list)
    described: dict[str, dict[str, Any]] = {}
    for place, hours in rows:
        name, description = key(place)
        groups[name].append(hours)
        described[name] = description
    figures = {name: _figures(entries) for name, entries in groups.items()}
    order = sorted(figures, key=lambda name: (-figures[name]["hours"], name))
    return [{**described[name], **figures[name]} for name in order]


async def _matched_day(day_id: UUID, organisation_id: UUID, centrale_id: str, uow: RegistryUnitOfWork) -> VolunteerDay:
    day = await uow.volunteer_days.matched_to(day_id, organisation_id, centrale_id)
    if day is None:
        raise NotFound(f"volunteer day {day_id} not found for this organisation")
    return day


async def _waiting_entry(day: VolunteerDay, hours_id: UUID, uow: RegistryUnitOfWork) -> DayHours:
    entry = next((entry for entry in await uow.volunteer_days.hours_of(day.id) if entry.id == hours_id), None)
    if entry is None:
        raise NotFound(f"hours {hours_id} not found for this day")
    if entry.status != "pending":
        raise Conflict(f"these hours are {entry.status}: only hours waiting for confirmation can be decided")
    return entry


def _check_hours(day: VolunteerDay, participants: int, hours_total: Decimal, uow: RegistryUnitOfWork) -> None:
    reasons = []
    if day.on_date > dutch_date(uow.now()):
        reasons.append("hours cannot be logged before the day took place")
    if participants > day.team_size:
        reasons.append(f"the team was announced with {day.team_size} people")
    if hours_total > participants * 24:
        reasons.append("at most 24 hours per participant")
    if reasons:
        raise Rejected(reasons)


async def _confirmed(day: VolunteerDay, entry: DayHours, uow: RegistryUnitOfWork) -> None:
    """The entry is the day's figure now: reporting and appreciation hear it, and so does the partner."""
    assert day.matched_task_id is not None, "a matched day"
    assert day.matched_organisation_id is not None, "a matched day"
    assert day.matched_centrale_id is not None, "a matched day"
    await uow.emit(
        VolunteerDayHoursLogged(
            day_id=day.id,
            partner_id=day.partner_id,
            task_id=day.matched_task_id,
            organisation_id=day.matched_organisation_id,
            centrale_id=day.matched_centrale_id,
            participants=entry.participants,
            hours_total=entry.hours_total,
            # When it was confirmed: of two figures for a day, the one confirmed last counts (as in reporting).
            logged_at=uow.now(),
        ),
        tenant=day.matched_centrale_id,
    )
    await queue_delivery(day.partner_id, day.id, DeliveryEvent.HOURS_CONFIRMED, await _view(day, uow), uow)
