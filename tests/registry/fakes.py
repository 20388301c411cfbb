"""In-memory fakes of the registry's repositories and unit of work, for the fast test tier.

They keep the same promises as the PostgreSQL repositories (``tests/registry/repositories/`` runs one
behaviour suite against both): the same filters, orderings and conflicts, numbers rounded as the columns
round them, erasure derived from the same ``PERSONAL_DATA`` declaration. Locks are no-ops (one test, one
task). ``FakeRegistryUnitOfWork.transaction()`` rolls the tables and emitted events back when a block raises,
as the real unit of work's transaction does.
"""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator, Collection, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar
from uuid import UUID

from common.clock import Clock
from common.uow import FakeUnitOfWork, Origin
from contracts import EventEnvelope
from registry.repositories import (
    Access,
    Account,
    AccountLink,
    BeursEvent,
    Booking,
    BusinessPartner,
    CalendarFeed,
    Centrale,
    CentraleContact,
    CheckIn,
    Consent,
    Credential,
    DayHours,
    DayPlace,
    Deal,
    FollowUpSettings,
    HistoricHours,
    Hours,
    HoursChange,
    IdempotencyKey,
    ImportLink,
    Match,
    Membership,
    Message,
    Notice,
    NoticePreference,
    NoticeTemplate,
    Offer,
    Organisation,
    Pair,
    PartnerContact,
    PartnerWebhook,
    PostcodeArea,
    Proposal,
    PublicContact,
    ResponseMessage,
    Shift,
    ShiftPattern,
    Signup,
    Task,
    TaskPart,
    Template,
    Training,
    Volunteer,
    VolunteerDay,
    WebhookAttempt,
    WebhookDelivery,
    Window,
    Wish,
)
from registry.repositories.personal_data import ACCOUNT_DATA, PERSONAL_DATA, PersonalTable
from registry.unit_of_work import RegistryUnitOfWork
from tests.registry.fakes_imports import FakeExportRepository, FakeHistoricHoursRepository, FakeImportRepository
from tests.registry.fakes_programmes import FakeBeursvloerRepository, FakeDealRepository, FakeTrainingRepository
from tests.registry.fakes_shifts import FakeShiftRepository
from tests.registry.fakes_teamdays import FakeWebhookRepository
from tests.registry.fakes_vacaturebank import (
    FakeCalendarFeedRepository,
    FakePostcodeAreaRepository,
    FakePublicContactRepository,
    FakeVacatureRepository,
)

__all__ = ["FakeRegistryUnitOfWork", "FakeTables"]

T = TypeVar("T")
_TWO_PLACES = Decimal("0.01")


def _stored(record: T) -> T:
    """A private copy, so what a caller holds never changes what is stored (and the other way round)."""
    return copy.deepcopy(record)


@dataclass
class FakeTables:
    """The registry's tables, in memory, keyed as their primary keys are."""

    centrales: dict[str, Centrale] = field(default_factory=dict)
    organisations: dict[UUID, Organisation] = field(default_factory=dict)
    volunteers: dict[UUID, Volunteer] = field(default_factory=dict)
    volunteer_consents: list[Consent] = field(default_factory=list)
    tasks: dict[UUID, Task] = field(default_factory=dict)
    matches: dict[UUID, Match] = field(default_factory=dict)
    hours: dict[UUID, Hours] = field(default_factory=dict)
    hours_changes: dict[UUID, HoursChange] = field(default_factory=dict)
    business_partners: dict[UUID, BusinessPartner] = field(default_factory=dict)
    volunteer_days: dict[UUID, VolunteerDay] = field(default_factory=dict)
    volunteer_day_hours: list[DayHours] = field(default_factory=list)
    credentials: dict[UUID, Credential] = field(default_factory=dict)
    appreciation_messages: dict[UUID, Message] = field(default_factory=dict)
    appreciation_templates: dict[tuple[str, str], Template] = field(default_factory=dict)
    idempotency_keys: dict[tuple[str, str], IdempotencyKey] = field(default_factory=dict)
    proposals: dict[UUID, Proposal] = field(default_factory=dict)
    response_messages: dict[UUID, ResponseMessage] = field(default_factory=dict)
    centrale_contacts: dict[str, CentraleContact] = field(default_factory=dict)
    notices: dict[UUID, Notice] = field(default_factory=dict)
    notice_preferences: dict[tuple[str, UUID, str], NoticePreference] = field(default_factory=dict)
    notice_templates: dict[tuple[str, str], NoticeTemplate] = field(default_factory=dict)
    follow_up_settings: dict[str, FollowUpSettings] = field(default_factory=dict)
    check_ins: dict[UUID, CheckIn] = field(default_factory=dict)
    accounts: dict[UUID, Account] = field(default_factory=dict)
    memberships: dict[UUID, Membership] = field(default_factory=dict)
    account_links: dict[str, AccountLink] = field(default_factory=dict)
    personal_data_access: dict[UUID, Access] = field(default_factory=dict)
    rate_limits: dict[str, Window] = field(default_factory=dict)
    postcode_areas: dict[str, PostcodeArea] = field(default_factory=dict)
    centrale_public_contacts: dict[str, PublicContact] = field(default_factory=dict)
    calendar_feeds: dict[UUID, CalendarFeed] = field(default_factory=dict)
    import_links: dict[tuple[str, str, str, bytes], ImportLink] = field(default_factory=dict)
    historic_hours: dict[tuple[str, str, str], HistoricHours] = field(default_factory=dict)
    partner_webhooks: dict[UUID, PartnerWebhook] = field(default_factory=dict)
    webhook_deliveries: dict[UUID, WebhookDelivery] = field(default_factory=dict)
    webhook_attempts: list[WebhookAttempt] = field(default_factory=list)
    beurs_events: dict[UUID, BeursEvent] = field(default_factory=dict)
    beurs_offers: dict[UUID, Offer] = field(default_factory=dict)
    beurs_requests: dict[UUID, Wish] = field(default_factory=dict)
    beurs_pairs: dict[UUID, Pair] = field(default_factory=dict)
    beurs_deals: dict[UUID, Deal] = field(default_factory=dict)
    beurs_partner_contacts: dict[UUID, PartnerContact] = field(default_factory=dict)
    trainings: dict[UUID, Training] = field(default_factory=dict)
    training_bookings: dict[UUID, Booking] = field(default_factory=dict)
    task_parts: dict[UUID, TaskPart] = field(default_factory=dict)
    shift_patterns: dict[UUID, ShiftPattern] = field(default_factory=dict)
    shifts: dict[UUID, Shift] = field(default_factory=dict)
    shift_signups: dict[UUID, Signup] = field(default_factory=dict)

    def table(self, name: str) -> dict[Any, Any] | list[Any]:
        """A table by its SQL name (as ``PERSONAL_DATA`` names it)."""
        store: dict[Any, Any] | list[Any] = getattr(self, name)
        return store


class FakeCentraleRepository:
    """Centrales in memory."""

    def __init__(self, tables: FakeTables) -> None:
        self._rows = tables.centrales

    async def add(self, centrale: Centrale) -> bool:
        if centrale.id in self._rows:
            return False
        self._rows[centrale.id] = _stored(centrale)
        return True

    async def get(self, centrale_id: str) -> Centrale | None:
        return _stored(self._rows.get(centrale_id))

    async def exists(self, centrale_id: str) -> bool:
        return centrale_id in self._rows

    async def all(self) -> list[Centrale]:
        return [_stored(self._rows[key]) for key in sorted(self._rows)]


class FakeOrganisationRepository:
    """Organisations in memory."""

    def __init__(self, tables: FakeTables) -> None:
        self._rows = tables.organisations
        self._tasks = tables.tasks

    async def purge_dormant_contacts(self, before: datetime) -> int:
        def dormant(o: Organisation) -> bool:
            if (o.vetted_at or o.registered_at) >= before:
                return False
            if o.status == "refused":
                return True
            return not any(
                t.organisation_id == o.id and (t.closed_at is None or t.closed_at >= before or t.created_at >= before)
                for t in self._tasks.values()
            )

        due = [
            o
            for o in self._rows.values()
            if (o.contact_name, o.contact_email, o.contact_phone) != (None, None, None) and dormant(o)
        ]
        for organisation in due:
            self._rows[organisation.id] = replace(
                organisation, contact_name=None, contact_email=None, contact_phone=None
            )
        return len(due)

    async def add(self, organisation: Organisation) -> None:
        self._rows[organisation.id] = _stored(organisation)

    async def get(self, organisation_id: UUID, centrale_id: str, *, lock: bool = False) -> Organisation | None:
        found = self._rows.get(organisation_id)
        return _stored(found) if found is not None and found.centrale_id == centrale_id else None

    async def of_centrale(self, centrale_id: str, status: str | None = None) -> list[Organisation]:
        rows = [o for o in self._rows.values() if o.centrale_id == centrale_id and status in (None, o.status)]
        return _stored(sorted(rows, key=lambda o: (o.registered_at, o.id)))

    async def set_status(self, organisation_id: UUID, status: str, reason: str | None, vetted_at: datetime) -> None:
        organisation = self._rows[organisation_id]
        self._rows[organisation_id] = replace(organisation, status=status, status_reason=reason, vetted_at=vetted_at)


class FakeVolunteerRepository:
    """Volunteers and their consents in memory."""

    def __init__(self, tables: FakeTables) -> None:
        self._rows = tables.volunteers
        self._consents = tables.volunteer_consents
        self._tables = tables

    async def add(self, volunteer: Volunteer) -> None:
        self._rows[volunteer.id] = _stored(volunteer)

    async def get(self, volunteer_id: UUID) -> Volunteer | None:
        return _stored(self._rows.get(volunteer_id))

    async def get_active(self, volunteer_id: UUID, centrale_id: str, *, lock: bool = False) -> Volunteer | None:
        found = self._rows.get(volunteer_id)
        if found is None or found.centrale_id != centrale_id or found.erased_at is not None:
            return None
        return _stored(found)

    async def save(self, volunteer: Volunteer) -> None:
        assert volunteer.id in self._rows, "save writes a volunteer already stored"
        self._rows[volunteer.id] = _stored(volunteer)

    async def page(self, centrale_id: str, limit: int, offset: int) -> list[Volunteer]:
        rows = [v for v in self._rows.values() if v.centrale_id == centrale_id and v.erased_at is None]
        return _stored(sorted(rows, key=lambda v: (v.registered_at, v.id))[offset : offset + limit])

    async def mark_erased(self, volunteer_id: UUID, at: datetime) -> None:
        self._rows[volunteer_id] = replace(self._rows[volunteer_id], erased_at=at, updated_at=at)

    async def vog_expiring(self, first: date, last: date) -> list[Volunteer]:
        rows = [
            v
            for v in self._rows.values()
            if v.erased_at is None and v.vog_valid_until is not None and first <= v.vog_valid_until <= last
        ]
        return _stored(sorted(rows, key=lambda v: (v.vog_valid_until, v.id)))

    def _last_active(self, volunteer: Volunteer) -> datetime:
        tables = self._tables
        accounts = {
            m.account_id for m in tables.memberships.values() if m.subject_id == volunteer.id and m.role == "volunteer"
        }
        moments = [
            volunteer.registered_at,
            volunteer.updated_at,
            *(m.made_at for m in tables.matches.values() if m.volunteer_id == volunteer.id),
            *(h.logged_at for h in tables.hours.values() if h.volunteer_id == volunteer.id),
            *(tables.accounts[a].last_login_at for a in accounts if a in tables.accounts),
        ]
        return max(moment for moment in moments if moment is not None)

    async def inactive(self, before: datetime, limit: int) -> list[Volunteer]:
        rows = [
            v
            for v in self._rows.values()
            if v.erased_at is None
            and (last := self._last_active(v)) < before
            and (v.reconfirm_asked_at is None or v.reconfirm_asked_at < last)
        ]
        return _stored(sorted(rows, key=lambda v: (v.registered_at, v.id))[:limit])

    async def reconfirm_overdue(self, now: datetime) -> list[Volunteer]:
        rows = [
            v
            for v in self._rows.values()
            if v.erased_at is None
            and v.reconfirm_deadline is not None
            and v.reconfirm_asked_at is not None
            and v.reconfirm_deadline <= now
            and self._last_active(v) <= v.reconfirm_asked_at
        ]
        return _stored(sorted(rows, key=lambda v: (v.reconfirm_deadline, v.id)))

    async def by_reconfirm_token(self, token_hash: str) -> Volunteer | None:
        for volunteer in self._rows.values():
            if volunteer.reconfirm_token_hash == token_hash and volunteer.erased_at is None:
                return _stored(volunteer)
        return None

    async def by_guardian_token(self, token_hash: str) -> Volunteer | None:
        for volunteer in self._rows.values():
            if volunteer.guardian_token_hash == token_hash and volunteer.erased_at is None:
                return _stored(volunteer)
        return None

    async def add_consent(self, consent: Consent) -> None:
        assert consent.volunteer_id in self._rows, "a consent belongs to a stored volunteer"
        self._consents.append(_stored(consent))

    async def consents(self, volunteer_id: UUID) -> dict[str, Consent]:
        latest = {c.kind: c for c in self._consents if c.volunteer_id == volunteer_id}
        return {kind: _stored(latest[kind]) for kind in sorted(latest)}

    async def consent_history(self, volunteer_id: UUID) -> list[Consent]:
        return [_stored(c) for c in self._consents if c.volunteer_id == volunteer_id]


class FakeTaskRepository:
    """Tasks in memory (hours per week rounded to two decimals, as the column does)."""

    def __init__(self, tables: FakeTables) -> None:
        self._rows = tables.tasks

    async def purge_closed_texts(self, closed_before: datetime, at: datetime) -> int:
        due = [
            t
            for t in self._rows.values()
            if t.status in ("closed", "filled", "expired")
            and t.closed_at is not None
            and t.closed_at < closed_before
            and (t.description != "" or t.offer is not None)
        ]
        for task in due:
            self._rows[task.id] = replace(task, description="", offer=None, updated_at=at)
        return len(due)

    async def add(self, task: Task) -> None:
        self._rows[task.id] = self._rounded(task)

    async def get(
        self, task_id: UUID, centrale_id: str, organisation_id: UUID | None = None, *, lock: bool = False
    ) -> Task | None:
        found = self._rows.get(task_id)
        if found is None or found.centrale_id != centrale_id or organisation_id not in (None, found.organisation_id):
            return None
        return _stored(found)

    async def get_by_id(self, task_id: UUID, *, lock: bool = False) -> Task | None:
        return _stored(self._rows.get(task_id))

    async def save(self, task: Task) -> None:
        assert task.id in self._rows, "save writes a task already stored"
        self._rows[task.id] = self._rounded(task)

    async def of_centrale(
        self, centrale_id: str, organisation_id: UUID | None = None, status: str | None = None
    ) -> list[Task]:
        rows = [
            t
            for t in self._rows.values()
            if t.centrale_id == centrale_id
            and organisation_id in (None, t.organisation_id)
            and status in (None, t.status)
        ]
        return _stored(sorted(rows, key=lambda t: (t.created_at, t.id)))

    async def published_closing_before(self, day: date, *, lock: bool = False) -> list[Task]:
        rows = [t for t in self._rows.values() if t.status == "published" and t.closing_date and t.closing_date < day]
        return _stored(sorted(rows, key=lambda t: t.id))

    @staticmethod
    def _rounded(task: Task) -> Task:
        return _stored(replace(task, hours_per_week=task.hours_per_week.quantize(_TWO_PLACES)))


class FakeMatchRepository:
    """Matches in memory."""

    def __init__(self, tables: FakeTables) -> None:
        self._rows = tables.matches
        self._tasks = tables.tasks

    async def add(self, match: Match) -> bool:
        if match.id in self._rows:
            return False
        self._rows[match.id] = _stored(match)
        return True

    async def count_for_task(self, task_id: UUID) -> int:
        return sum(m.task_id == task_id for m in self._rows.values())

    async def find(
        self,
        match_id: UUID,
        centrale_id: str,
        *,
        organisation_id: UUID | None = None,
        volunteer_id: UUID | None = None,
    ) -> Match | None:
        m = self._rows.get(match_id)
        if (
            m is None
            or centrale_id not in (m.centrale_id, m.volunteer_centrale_id)
            or organisation_id not in (None, m.organisation_id)
            or volunteer_id not in (None, m.volunteer_id)
        ):
            return None
        return _stored(m)

    async def of_volunteer(self, volunteer_id: UUID) -> list[Match]:
        rows = [m for m in self._rows.values() if m.volunteer_id == volunteer_id]
        return _stored(sorted(rows, key=lambda m: (m.made_at, m.id)))

    async def one_off_ended_between(self, since: datetime, until: datetime) -> list[Match]:
        def ended(m: Match) -> datetime | None:
            task = self._tasks.get(m.task_id)
            return None if task is None or task.one_off_start is None else task.one_off_end or task.one_off_start

        rows = [m for m in self._rows.values() if (end := ended(m)) is not None and since <= end < until]
        return _stored(sorted(rows, key=lambda m: m.id))

    async def end(self, match_id: UUID, at: datetime) -> bool:
        match = self._rows.get(match_id)
        if match is None or match.ended_at is not None:
            return False
        self._rows[match_id] = replace(match, ended_at=at)
        return True


class FakeHoursRepository:
    """Hours in memory (rounded to two decimals, as the column does)."""

    def __init__(self, tables: FakeTables) -> None:
        self._rows = tables.hours
        self._changes = tables.hours_changes
        self._matches = tables.matches
        self.serialised: list[UUID] = []

    async def add(self, hours: Hours) -> None:
        assert hours.match_id in self._matches, "hours belong to a stored match"
        self._rows[hours.id] = _stored(replace(hours, hours=hours.hours.quantize(_TWO_PLACES)))

    async def get(self, hours_id: UUID, organisation_id: UUID, centrale_id: str, *, lock: bool = False) -> Hours | None:
        h = self._rows.get(hours_id)
        if h is None or (h.organisation_id, h.centrale_id) != (organisation_id, centrale_id):
            return None
        return _stored(h)

    async def get_of_volunteer(self, hours_id: UUID, volunteer_id: UUID, *, lock: bool = False) -> Hours | None:
        h = self._rows.get(hours_id)
        return _stored(h) if h is not None and h.volunteer_id == volunteer_id else None

    async def confirm(self, hours_id: UUID, at: datetime) -> None:
        self._rows[hours_id] = replace(self._rows[hours_id], status="confirmed", confirmed_at=at)

    async def save(self, hours: Hours) -> None:
        stored = self._rows[hours.id]
        self._rows[hours.id] = replace(
            stored,
            hours=hours.hours.quantize(_TWO_PLACES),
            status=hours.status,
            confirmed_at=hours.confirmed_at,
            rejected_at=hours.rejected_at,
            corrected_at=hours.corrected_at,
        )

    async def serialise_volunteer(self, volunteer_id: UUID) -> None:
        self.serialised.append(volunteer_id)  # one task in a test: nothing to wait for; remembered for tests

    async def total_on(self, volunteer_id: UUID, day: date, *, excluding: UUID | None = None) -> Decimal:
        return sum(
            (
                h.hours
                for h in self._rows.values()
                if (h.volunteer_id, h.worked_on) == (volunteer_id, day) and h.status != "rejected" and h.id != excluding
            ),
            Decimal(0),
        )

    async def of_volunteer(self, volunteer_id: UUID) -> list[Hours]:
        rows = [h for h in self._rows.values() if h.volunteer_id == volunteer_id]
        return _stored(sorted(rows, key=lambda h: (h.worked_on, h.logged_at)))

    async def of_organisation(
        self, organisation_id: UUID, centrale_id: str, status: str | None = None, limit: int = 200
    ) -> list[Hours]:
        rows = [
            h
            for h in self._rows.values()
            if (h.organisation_id, h.centrale_id) == (organisation_id, centrale_id) and status in (None, h.status)
        ]
        rows.sort(key=lambda h: h.id)
        rows.sort(key=lambda h: (h.worked_on, h.logged_at), reverse=True)  # newest first, ties by id
        rows.sort(key=lambda h: h.status != "pending")  # waiting first (a stable sort keeps newest first within)
        return _stored(rows[:limit])

    async def add_change(self, change: HoursChange) -> None:
        assert change.hours_id in self._rows, "a change belongs to a stored entry"
        self._changes[change.id] = _stored(change)

    async def changes_of(self, hours_ids: Collection[UUID]) -> list[HoursChange]:
        wanted = set(hours_ids)
        rows = [c for c in self._changes.values() if c.hours_id in wanted]
        return _stored(sorted(rows, key=lambda c: (c.changed_at, c.id)))


class FakePartnerRepository:
    """Business partners in memory."""

    def __init__(self, tables: FakeTables) -> None:
        self._rows = tables.business_partners

    async def add(self, partner: BusinessPartner) -> None:
        self._rows[partner.id] = _stored(partner)

    async def exists(self, partner_id: UUID) -> bool:
        return partner_id in self._rows

    async def get(self, partner_id: UUID) -> BusinessPartner | None:
        return _stored(self._rows.get(partner_id))


class FakeVolunteerDayRepository:
    """Volunteer days and their hours in memory."""

    def __init__(self, tables: FakeTables) -> None:
        self._rows = tables.volunteer_days
        self._hours = tables.volunteer_day_hours
        self._partners = tables.business_partners
        self._tables = tables

    async def add_new(self, day: VolunteerDay) -> bool:
        assert day.partner_id in self._partners, "a day belongs to a stored partner"
        if any((d.partner_id, d.external_ref) == (day.partner_id, day.external_ref) for d in self._rows.values()):
            return False
        self._rows[day.id] = _stored(day)
        return True

    async def by_reference(self, partner_id: UUID, external_ref: str) -> VolunteerDay | None:
        for day in self._rows.values():
            if (day.partner_id, day.external_ref) == (partner_id, external_ref):
                return _stored(day)
        return None

    async def get(self, day_id: UUID, partner_id: UUID | None = None) -> VolunteerDay | None:
        day = self._rows.get(day_id)
        return _stored(day) if day is not None and partner_id in (None, day.partner_id) else None

    async def of_partner(self, partner_id: UUID) -> list[VolunteerDay]:
        rows = sorted((d for d in self._rows.values() if d.partner_id == partner_id), key=lambda d: d.id)
        return _stored(sorted(rows, key=lambda d: d.on_date, reverse=True))  # stable: id ascending within a date

    async def record_match(
        self, day_id: UUID, task_id: UUID, organisation_id: UUID, centrale_id: str, at: datetime, via: str
    ) -> bool:
        if day_id not in self._rows:
            return False
        self._rows[day_id] = replace(
            self._rows[day_id],
            status="matched",
            matched_task_id=task_id,
            matched_organisation_id=organisation_id,
            matched_centrale_id=centrale_id,
            matched_at=at,
            matched_via=via,
        )
        return True

    async def matched_to(self, day_id: UUID, organisation_id: UUID, centrale_id: str) -> VolunteerDay | None:
        day = self._rows.get(day_id)
        if day is None or (day.matched_organisation_id, day.matched_centrale_id) != (organisation_id, centrale_id):
            return None
        return _stored(day)

    async def of_organisation(self, organisation_id: UUID, centrale_id: str) -> list[VolunteerDay]:
        rows = sorted(
            (
                d
                for d in self._rows.values()
                if (d.matched_organisation_id, d.matched_centrale_id) == (organisation_id, centrale_id)
            ),
            key=lambda d: d.id,
        )
        return _stored(sorted(rows, key=lambda d: d.on_date, reverse=True))

    async def add_hours(self, hours: DayHours) -> None:
        assert hours.day_id in self._rows, "hours belong to a stored day"
        assert hours.status != "confirmed" or not any(
            h.day_id == hours.day_id and h.status == "confirmed" for h in self._hours
        ), "one confirmed entry per day (a unique index)"
        self._hours.append(_stored(replace(hours, hours_total=hours.hours_total.quantize(_TWO_PLACES))))

    async def hours_of(self, day_id: UUID) -> list[DayHours]:
        return _stored(sorted((h for h in self._hours if h.day_id == day_id), key=lambda h: (h.logged_at, h.id)))

    async def decide_hours(self, hours_id: UUID, status: str, at: datetime) -> None:
        for index, entry in enumerate(self._hours):
            if entry.id == hours_id:
                self._hours[index] = replace(entry, status=status, decided_at=at)

    async def supersede_confirmed(self, day_id: UUID, at: datetime) -> None:
        for index, entry in enumerate(self._hours):
            if entry.day_id == day_id and entry.status == "confirmed":
                self._hours[index] = replace(entry, status="superseded")

    async def places_of(self, day_ids: Collection[UUID]) -> dict[UUID, DayPlace]:
        places = {}
        for day_id in day_ids:
            day = self._rows.get(day_id)
            if day is None or day.matched_task_id is None or day.matched_organisation_id is None:
                continue
            task = self._tables.tasks.get(day.matched_task_id)
            organisation = self._tables.organisations.get(day.matched_organisation_id)
            centrale = self._tables.centrales.get(day.matched_centrale_id or "")
            if task is None or organisation is None or centrale is None:
                continue
            places[day_id] = DayPlace(
                day_id=day_id,
                task_title=task.title,
                theme=task.theme,
                organisation_id=organisation.id,
                organisation_name=organisation.name,
                centrale_id=centrale.id,
                centrale_name=centrale.name,
                municipality_code=centrale.municipality_code,
            )
        return places

    async def confirmed_between(self, partner_id: UUID, first: date, last: date) -> list[tuple[VolunteerDay, DayHours]]:
        days = sorted(
            (d for d in self._rows.values() if d.partner_id == partner_id and first <= d.on_date <= last),
            key=lambda d: (d.on_date, d.id),
        )
        found = []
        for day in days:
            confirmed = [h for h in self._hours if h.day_id == day.id and h.status == "confirmed"]
            found += [(day, entry) for entry in confirmed]
        return _stored(found)


class FakeCredentialRepository:
    """Credentials in memory."""

    def __init__(self, tables: FakeTables) -> None:
        self._rows = tables.credentials

    async def add(self, credential: Credential) -> None:
        self._rows[credential.id] = _stored(credential)

    async def get(self, credential_id: UUID, *, lock: bool = False) -> Credential | None:
        return _stored(self._rows.get(credential_id))

    async def revoke(self, credential_id: UUID, at: datetime) -> bool:
        credential = self._rows.get(credential_id)
        if credential is None or credential.revoked_at is not None:
            return False
        self._rows[credential_id] = replace(credential, revoked_at=at)
        return True

    async def revoke_all_of(self, subject_id: UUID, at: datetime) -> list[Credential]:
        return self._revoke([c for c in self._rows.values() if c.subject_id == subject_id and c.revoked_at is None], at)

    async def revoke_sessions(
        self,
        *,
        account_id: UUID | None = None,
        membership_id: UUID | None = None,
        at: datetime,
        keep: UUID | None = None,
    ) -> list[Credential]:
        assert (account_id is None) != (membership_id is None), "an account's sessions or a membership's"
        return self._revoke(
            [
                c
                for c in self._rows.values()
                if c.kind == "session"
                and c.revoked_at is None
                and c.id != keep
                and (c.account_id == account_id if account_id is not None else c.membership_id == membership_id)
            ],
            at,
        )

    async def sessions_of(self, account_id: UUID) -> list[Credential]:
        rows = [
            c for c in self._rows.values() if c.account_id == account_id and c.kind == "session" and not c.revoked_at
        ]
        # Newest first, ties by id (PostgreSQL orders uuids by their bytes, as Python does).
        return _stored(sorted(sorted(rows, key=lambda c: c.id), key=lambda c: c.created_at, reverse=True))

    async def api_credentials(
        self, *, centrale_id: str | None = None, subject_id: UUID | None = None
    ) -> list[Credential]:
        assert (centrale_id is None) != (subject_id is None), "a centrale's credentials or a subject's"
        rows = [
            c
            for c in self._rows.values()
            if c.kind == "api"
            and (c.centrale_id == centrale_id if centrale_id is not None else c.subject_id == subject_id)
        ]
        return _stored(sorted(rows, key=lambda c: (c.created_at, c.id)))

    async def touch(self, credential_id: UUID, at: datetime, *, unless_after: datetime) -> None:
        credential = self._rows.get(credential_id)
        if credential is None or credential.revoked_at is not None:
            return
        if credential.last_used_at is None or credential.last_used_at <= unless_after:
            self._rows[credential_id] = replace(credential, last_used_at=at)

    async def due_for_revocation(self, now: datetime, idle_since: datetime, limit: int) -> list[Credential]:
        due = [
            c
            for c in self._rows.values()
            if c.revoked_at is None
            and (
                (c.expires_at is not None and c.expires_at <= now)
                or (c.kind == "session" and c.last_used_at is not None and c.last_used_at <= idle_since)
            )
        ]
        return _stored(sorted(due, key=lambda c: (c.created_at, c.id))[:limit])

    def _revoke(self, revoking: list[Credential], at: datetime) -> list[Credential]:
        revoking = sorted(revoking, key=lambda c: (c.created_at, c.id))
        for credential in revoking:
            self._rows[credential.id] = replace(credential, revoked_at=at)
        return _stored(revoking)

    def active(self) -> list[Credential]:
        """Credentials not revoked (for tests)."""
        return [c for c in self._rows.values() if c.revoked_at is None]


class FakeAccountRepository:
    """Accounts in memory (the e-mail address unique whatever its case, as the index makes it)."""

    def __init__(self, tables: FakeTables) -> None:
        self._rows = tables.accounts

    async def add(self, account: Account) -> bool:
        if account.email is not None and await self.by_email(account.email) is not None:
            return False
        self._rows[account.id] = _stored(account)
        return True

    async def get(self, account_id: UUID, *, lock: bool = False) -> Account | None:
        return _stored(self._rows.get(account_id))

    async def get_many(self, account_ids: Collection[UUID]) -> dict[UUID, Account]:
        return {i: _stored(self._rows[i]) for i in account_ids if i in self._rows}

    async def by_email(self, email: str, *, lock: bool = False) -> Account | None:
        found = [a for a in self._rows.values() if a.email is not None and a.email.lower() == email.lower()]
        return _stored(found[0]) if found else None

    async def save(self, account: Account) -> None:
        stored = self._rows[account.id]
        self._rows[account.id] = _stored(replace(account, created_at=stored.created_at, created_by=stored.created_by))


class FakeMembershipRepository:
    """Memberships in memory."""

    def __init__(self, tables: FakeTables) -> None:
        self._rows = tables.memberships
        self._accounts = tables.accounts

    async def add(self, membership: Membership) -> None:
        assert membership.account_id in self._accounts, "a membership belongs to a stored account"
        self._rows[membership.id] = _stored(membership)

    async def get(self, membership_id: UUID, *, lock: bool = False) -> Membership | None:
        return _stored(self._rows.get(membership_id))

    async def active_of(self, account_id: UUID) -> list[Membership]:
        return self._sorted([m for m in self._rows.values() if m.account_id == account_id and m.ended_at is None])

    async def find_active(
        self, account_id: UUID, role: str, centrale_id: str | None, subject_id: UUID | None
    ) -> Membership | None:
        for m in await self.active_of(account_id):
            if (m.role, m.centrale_id, m.subject_id) == (role, centrale_id, subject_id):
                return m
        return None

    async def active_listing(
        self, *, centrale_id: str | None = None, roles: Sequence[str] = (), subject_id: UUID | None = None
    ) -> list[Membership]:
        return self._sorted(
            [
                m
                for m in self._rows.values()
                if m.ended_at is None
                and (centrale_id is None or m.centrale_id == centrale_id)
                and (not roles or m.role in roles)
                and (subject_id is None or m.subject_id == subject_id)
            ]
        )

    async def end(self, membership_id: UUID, at: datetime, by: str) -> None:
        membership = self._rows[membership_id]
        if membership.ended_at is None:
            self._rows[membership_id] = replace(membership, ended_at=at, ended_by=by)

    @staticmethod
    def _sorted(rows: list[Membership]) -> list[Membership]:
        return _stored(sorted(rows, key=lambda m: (m.created_at, m.id)))


class FakeAccountLinkRepository:
    """Link tokens in memory."""

    def __init__(self, tables: FakeTables) -> None:
        self._rows = tables.account_links

    async def add(self, link: AccountLink) -> None:
        assert link.token_hash not in self._rows, "token hashes are unique"
        self._rows[link.token_hash] = _stored(link)

    async def redeem(self, token_hash: str, purposes: Collection[str], at: datetime) -> AccountLink | None:
        link = self._rows.get(token_hash)
        if link is None or link.purpose not in purposes or link.used_at is not None or link.expires_at <= at:
            return None
        self._rows[token_hash] = replace(link, used_at=at)
        return _stored(self._rows[token_hash])

    async def discard(self, account_id: UUID, purposes: Collection[str], at: datetime) -> int:
        outstanding = [
            link
            for link in self._rows.values()
            if link.account_id == account_id and link.purpose in purposes and link.used_at is None
        ]
        for link in outstanding:
            self._rows[link.token_hash] = replace(link, used_at=at)
        return len(outstanding)


class FakeAccessLogRepository:
    """The audit trail in memory."""

    def __init__(self, tables: FakeTables) -> None:
        self._rows = tables.personal_data_access

    async def add(self, access: Access) -> None:
        self._rows[access.id] = _stored(access)

    async def of_volunteer(self, volunteer_id: UUID, limit: int) -> list[Access]:
        return self._newest([a for a in self._rows.values() if a.volunteer_id == volunteer_id])[:limit]

    async def of_centrale(
        self, centrale_id: str, since: datetime, until: datetime, account_id: UUID | None, limit: int, offset: int
    ) -> list[Access]:
        rows = [
            a
            for a in self._rows.values()
            if a.centrale_id == centrale_id and since <= a.at < until and account_id in (None, a.account_id)
        ]
        return self._newest(rows)[offset : offset + limit]

    async def purge(self, before: datetime, limit: int) -> int:
        old = sorted((a for a in self._rows.values() if a.at < before), key=lambda a: a.at)[:limit]
        for access in old:
            del self._rows[access.id]
        return len(old)

    @staticmethod
    def _newest(rows: list[Access]) -> list[Access]:
        return _stored(sorted(sorted(rows, key=lambda a: a.id), key=lambda a: a.at, reverse=True))


class FakeRateLimitRepository:
    """Attempt counters in memory, windows as the PostgreSQL statement opens them."""

    def __init__(self, tables: FakeTables) -> None:
        self._rows = tables.rate_limits

    async def hit(self, key: str, at: datetime, window: timedelta) -> Window:
        current = self._rows.get(key)
        if current is None or current.start <= at - window:
            self._rows[key] = Window(at, 1)
        else:
            self._rows[key] = Window(current.start, current.hits + 1)
        return self._rows[key]

    async def clear(self, key: str) -> None:
        self._rows.pop(key, None)

    async def purge(self, before: datetime) -> int:
        old = [key for key, window in self._rows.items() if window.start < before]
        for key in old:
            del self._rows[key]
        return len(old)


class FakeMessageRepository:
    """Thank-you messages in memory."""

    def __init__(self, tables: FakeTables) -> None:
        self._rows = tables.appreciation_messages

    async def add_once(self, message: Message) -> bool:
        if message.award_id in self._rows:
            return False
        self._rows[message.award_id] = _stored(message)
        return True

    async def get(self, award_id: UUID) -> Message | None:
        return _stored(self._rows.get(award_id))

    async def claim_due(self, now: datetime, limit: int) -> list[Message]:
        due = [m for m in self._rows.values() if m.status == "pending" and m.next_attempt_at <= now]
        return _stored(sorted(due, key=lambda m: (m.next_attempt_at, m.award_id))[:limit])

    async def settle(self, award_id: UUID, status: str, reason: str | None, error: str | None) -> None:
        message = self._rows[award_id]
        self._rows[award_id] = replace(
            message, status=status, reason=reason, last_error=error, attempts=message.attempts + 1
        )

    async def mark_sent(self, award_id: UUID, at: datetime) -> None:
        message = self._rows[award_id]
        self._rows[award_id] = replace(
            message, status="sent", attempts=message.attempts + 1, sent_at=at, last_error=None
        )

    async def retry_later(self, award_id: UUID, error: str, at: datetime) -> None:
        message = self._rows[award_id]
        self._rows[award_id] = replace(message, attempts=message.attempts + 1, last_error=error, next_attempt_at=at)

    async def of_centrale(self, centrale_id: str, status: str | None, limit: int) -> list[Message]:
        rows = [m for m in self._rows.values() if m.centrale_id == centrale_id and status in (None, m.status)]
        return _stored(sorted(rows, key=lambda m: m.recorded_at, reverse=True)[:limit])


class FakeTemplateRepository:
    """Thank-you templates in memory."""

    def __init__(self, tables: FakeTables) -> None:
        self._rows = tables.appreciation_templates
        self._centrales = tables.centrales

    async def of_centrale(self, centrale_id: str, kinds: Sequence[str] | None = None) -> dict[str, Template]:
        return {
            kind: _stored(template)
            for (centrale, kind), template in self._rows.items()
            if centrale == centrale_id and (kinds is None or kind in kinds)
        }

    async def put(self, template: Template) -> None:
        assert template.centrale_id in self._centrales, "a template belongs to a stored centrale"
        self._rows[(template.centrale_id, template.kind)] = _stored(template)

    async def delete(self, centrale_id: str, kind: str) -> None:
        self._rows.pop((centrale_id, kind), None)


_PENDING = ("proposed", "approved", "accepted", "agreed")
_EARLIEST = datetime.min.replace(tzinfo=UTC)


def _newest_first(proposals: list[Proposal]) -> list[Proposal]:
    # As ORDER BY proposed_at DESC NULLS LAST, match_id: newest first, unknown moments last.
    ordered = sorted(proposals, key=lambda p: p.match_id)
    ordered.sort(key=lambda p: p.proposed_at or _EARLIEST, reverse=True)
    return sorted(ordered, key=lambda p: p.proposed_at is None)


class FakeProposalRepository:
    """Proposals (as matching reported them) in memory."""

    def __init__(self, tables: FakeTables) -> None:
        self._rows = tables.proposals

    async def get(self, match_id: UUID, *, lock: bool = False) -> Proposal | None:
        return _stored(self._rows.get(match_id))

    async def put(self, proposal: Proposal) -> None:
        self._rows[proposal.match_id] = _stored(proposal)

    async def of_volunteer(self, volunteer_id: UUID, statuses: Collection[str] | None = None) -> list[Proposal]:
        rows = [
            p
            for p in self._rows.values()
            if p.volunteer_id == volunteer_id and (statuses is None or p.status in statuses)
        ]
        return _stored(_newest_first(rows))

    async def of_organisation(
        self, organisation_id: UUID, centrale_id: str, statuses: Collection[str] | None = None
    ) -> list[Proposal]:
        rows = [
            p
            for p in self._rows.values()
            if p.organisation_id == organisation_id
            and p.centrale_id == centrale_id
            and (statuses is None or p.status in statuses)
        ]
        return _stored(_newest_first(rows))

    async def made(self, made_before: datetime) -> list[Proposal]:
        rows = [
            p for p in self._rows.values() if p.status == "made" and p.made_at is not None and p.made_at < made_before
        ]
        return _stored(sorted(rows, key=lambda p: (p.made_at, p.match_id)))

    async def pending(self, proposed_before: datetime) -> list[Proposal]:
        rows = [
            p
            for p in self._rows.values()
            if p.status in _PENDING and p.proposed_at is not None and p.proposed_at < proposed_before
        ]
        return _stored(sorted(rows, key=lambda p: (p.proposed_at, p.match_id)))


class FakeResponseMessageRepository:
    """Response messages in memory."""

    def __init__(self, tables: FakeTables) -> None:
        self._rows = tables.response_messages

    async def put(self, message: ResponseMessage) -> bool:
        stored = self._rows.get(message.match_id)
        if stored is not None and stored.volunteer_id != message.volunteer_id:
            return False
        self._rows[message.match_id] = _stored(message)
        return True

    async def of_matches(self, match_ids: Collection[UUID]) -> dict[UUID, ResponseMessage]:
        return {match_id: _stored(self._rows[match_id]) for match_id in match_ids if match_id in self._rows}

    async def of_volunteer(self, volunteer_id: UUID) -> list[ResponseMessage]:
        rows = [m for m in self._rows.values() if m.volunteer_id == volunteer_id]
        return _stored(sorted(rows, key=lambda m: (m.written_at, m.match_id)))


class FakeCentraleContactRepository:
    """Centrale contacts in memory."""

    def __init__(self, tables: FakeTables) -> None:
        self._rows = tables.centrale_contacts
        self._centrales = tables.centrales

    async def get(self, centrale_id: str) -> CentraleContact | None:
        return _stored(self._rows.get(centrale_id))

    async def put(self, contact: CentraleContact) -> None:
        assert contact.centrale_id in self._centrales, "a contact belongs to a stored centrale"
        self._rows[contact.centrale_id] = _stored(contact)


class FakeNoticeRepository:
    """Notices in memory."""

    def __init__(self, tables: FakeTables) -> None:
        self._rows = tables.notices

    async def add_once(self, notice: Notice) -> bool:
        if notice.id in self._rows:
            return False
        self._rows[notice.id] = _stored(notice)
        return True

    async def get(self, notice_id: UUID, centrale_id: str | None = None) -> Notice | None:
        notice = self._rows.get(notice_id)
        return _stored(notice) if notice is not None and centrale_id in (None, notice.centrale_id) else None

    @staticmethod
    def _sendable(n: Notice, now: datetime, immediate_before: datetime, digest_before: datetime) -> bool:
        before = immediate_before if n.delivery == "immediate" else digest_before
        return n.status == "pending" and n.due_at <= now and n.recorded_at <= before

    async def recipients_due(
        self, now: datetime, *, immediate_before: datetime, digest_before: datetime, limit: int
    ) -> list[tuple[str, UUID]]:
        waiting: dict[tuple[str, UUID], datetime] = {}
        for n in self._rows.values():
            if self._sendable(n, now, immediate_before, digest_before):
                key = (n.recipient_kind, n.recipient_id)
                waiting[key] = min(waiting.get(key, n.recorded_at), n.recorded_at)
        return sorted(waiting, key=lambda key: (waiting[key], key[1]))[:limit]

    async def claim_for(
        self, recipient_kind: str, recipient_id: UUID, now: datetime, *, immediate_before: datetime,
        digest_before: datetime,
    ) -> list[Notice]:  # fmt: skip
        theirs = [
            n
            for n in self._rows.values()
            if (n.recipient_kind, n.recipient_id, n.status) == (recipient_kind, recipient_id, "pending")
            and n.due_at <= now
            and (n.delivery == "immediate" or n.recorded_at <= digest_before)
        ]
        if not any(self._sendable(n, now, immediate_before, digest_before) for n in theirs):
            return []
        return _stored(sorted(theirs, key=lambda n: (n.recorded_at, n.id)))

    def _update(self, notice_ids: Collection[UUID], **changes: Any) -> None:
        for notice_id in notice_ids:
            notice = self._rows[notice_id]
            self._rows[notice_id] = replace(notice, attempts=notice.attempts + 1, **changes)

    async def settle(self, notice_ids: Collection[UUID], status: str, reason: str | None, error: str | None) -> None:
        self._update(notice_ids, status=status, reason=reason, last_error=error)

    async def mark_sent(self, notice_ids: Collection[UUID], mail_id: UUID, at: datetime) -> None:
        self._update(notice_ids, status="sent", sent_at=at, mail_id=mail_id, last_error=None)

    async def retry_later(self, notice_ids: Collection[UUID], error: str, at: datetime) -> None:
        self._update(notice_ids, last_error=error, due_at=at)

    async def mark_called(self, notice_id: UUID, by: str) -> None:
        self._rows[notice_id] = replace(self._rows[notice_id], status="called", called_by=by)

    async def of_centrale(
        self, centrale_id: str, statuses: Collection[str] | None, kind: str | None, limit: int
    ) -> list[Notice]:
        rows = [
            n
            for n in self._rows.values()
            if n.centrale_id == centrale_id and (statuses is None or n.status in statuses) and kind in (None, n.kind)
        ]
        ordered = sorted(rows, key=lambda n: n.id)
        ordered.sort(key=lambda n: n.recorded_at, reverse=True)
        return _stored(ordered[:limit])


class FakeNoticePreferenceRepository:
    """Notice preferences in memory."""

    def __init__(self, tables: FakeTables) -> None:
        self._rows = tables.notice_preferences

    async def of_recipient(self, recipient_kind: str, recipient_id: UUID) -> dict[str, str]:
        return {
            kind: preference.delivery
            for (who_kind, who, kind), preference in self._rows.items()
            if (who_kind, who) == (recipient_kind, recipient_id)
        }

    async def put(self, preferences: Sequence[NoticePreference]) -> None:
        for preference in preferences:
            key = (preference.recipient_kind, preference.recipient_id, preference.kind)
            self._rows[key] = _stored(preference)


class FakeNoticeTemplateRepository:
    """Notice templates in memory."""

    def __init__(self, tables: FakeTables) -> None:
        self._rows = tables.notice_templates
        self._centrales = tables.centrales

    async def of_centrale(self, centrale_id: str, kinds: Sequence[str] | None = None) -> dict[str, NoticeTemplate]:
        return {
            kind: _stored(template)
            for (centrale, kind), template in self._rows.items()
            if centrale == centrale_id and (kinds is None or kind in kinds)
        }

    async def put(self, template: NoticeTemplate) -> None:
        assert template.centrale_id in self._centrales, "a template belongs to a stored centrale"
        self._rows[(template.centrale_id, template.kind)] = _stored(template)

    async def delete(self, centrale_id: str, kind: str) -> None:
        self._rows.pop((centrale_id, kind), None)


class FakeFollowUpRepository:
    """Follow-up settings and check-ins in memory; early warnings read the fake proposals, as the SQL joins them."""

    def __init__(self, tables: FakeTables) -> None:
        self._settings = tables.follow_up_settings
        self._rows = tables.check_ins
        self._proposals = tables.proposals
        self._centrales = tables.centrales

    async def settings(self, centrale_id: str) -> FollowUpSettings | None:
        return _stored(self._settings.get(centrale_id))

    async def put_settings(self, settings: FollowUpSettings) -> None:
        assert settings.centrale_id in self._centrales, "settings belong to a stored centrale"
        self._settings[settings.centrale_id] = _stored(settings)

    async def steps_asked(self, match_ids: Collection[UUID]) -> dict[UUID, set[str]]:
        steps: dict[UUID, set[str]] = {}
        for check_in in self._rows.values():
            if check_in.match_id in match_ids:
                steps.setdefault(check_in.match_id, set()).add(check_in.step)
        return steps

    async def add(self, check_in: CheckIn) -> bool:
        if any(
            (c.match_id, c.step, c.side) == (check_in.match_id, check_in.step, check_in.side)
            for c in self._rows.values()
        ):
            return False
        self._rows[check_in.id] = _stored(check_in)
        return True

    async def get(self, check_in_id: UUID, *, lock: bool = False) -> CheckIn | None:
        return _stored(self._rows.get(check_in_id))

    async def save(self, check_in: CheckIn) -> None:
        stored = self._rows[check_in.id]
        self._rows[check_in.id] = replace(
            stored,
            status=check_in.status,
            answer=check_in.answer,
            note=check_in.note,
            answered_at=check_in.answered_at,
            answered_by=check_in.answered_by,
            handled_at=check_in.handled_at,
            handled_by=check_in.handled_by,
        )

    async def open_for(self, side: str, party_id: UUID) -> list[CheckIn]:
        rows = [
            c
            for c in self._rows.values()
            if c.side == side
            and c.status == "asked"
            and (c.volunteer_id if side == "volunteer" else c.organisation_id) == party_id
        ]
        return _stored(sorted(rows, key=lambda c: (c.asked_at or _EARLIEST, c.id)))

    async def of_volunteer(self, volunteer_id: UUID) -> list[CheckIn]:
        rows = [c for c in self._rows.values() if c.volunteer_id == volunteer_id]
        return _stored(sorted(rows, key=lambda c: (c.due_at, c.side, c.id)))

    async def needing_attention(self, centrale_id: str, unanswered_since: datetime) -> list[CheckIn]:
        rows = [
            c
            for c in self._rows.values()
            if c.handled_at is None
            and centrale_id in (c.volunteer_centrale_id, c.centrale_id)
            and (
                c.answer in ("doubts", "stopping")
                or (c.status == "asked" and c.asked_at is not None and c.asked_at < unanswered_since)
            )
            and getattr(self._proposals.get(c.match_id), "status", None) == "made"
        ]
        return _stored(sorted(rows, key=lambda c: (c.answered_at or c.asked_at or _EARLIEST, c.id)))


class FakeIdempotencyKeyRepository:
    """Idempotency keys in memory."""

    def __init__(self, tables: FakeTables) -> None:
        self._rows = tables.idempotency_keys

    async def claim(self, caller: str, key: str, request_hash: str, at: datetime) -> bool:
        if (caller, key) in self._rows:
            return False
        self._rows[(caller, key)] = IdempotencyKey(caller, key, request_hash, 0, None, at)
        return True

    async def get(self, caller: str, key: str) -> IdempotencyKey | None:
        return _stored(self._rows.get((caller, key)))

    async def remember(self, caller: str, key: str, status_code: int, response: Any) -> None:
        if (caller, key) in self._rows:
            self._rows[(caller, key)] = replace(self._rows[(caller, key)], status_code=status_code, response=response)


class FakePersonalDataRepository:
    """Erasure in memory, derived from the same ``PERSONAL_DATA`` declaration as the PostgreSQL statements."""

    def __init__(self, tables: FakeTables) -> None:
        self._tables = tables

    async def erase(self, volunteer_id: UUID) -> None:
        self._erase(PERSONAL_DATA, volunteer_id)

    async def erase_account(self, account_id: UUID) -> None:
        self._erase(ACCOUNT_DATA, account_id)

    def _erase(self, declaration: tuple[PersonalTable, ...], person_id: UUID) -> None:
        for declared in declaration:
            if declared.person is None:
                continue
            store = self._tables.table(declared.table)
            rows = list(store) if isinstance(store, list) else list(store.values())
            for row in rows:
                if getattr(row, declared.person) != person_id:
                    continue
                if declared.rows_deleted:
                    _remove(store, row)
                    continue
                blanked = replace(row, **{column: blank.value() for column, blank in declared.blanks.items()})
                _put(store, row, blanked)


def _remove(store: dict[Any, Any] | list[Any], row: Any) -> None:
    if isinstance(store, list):
        store.remove(row)
    else:
        for key, value in list(store.items()):
            if value is row:
                del store[key]


def _put(store: dict[Any, Any] | list[Any], old: Any, new: Any) -> None:
    if isinstance(store, list):
        store[store.index(old)] = new
    else:
        for key, value in list(store.items()):
            if value is old:
                store[key] = new


class FakeRegistryUnitOfWork(FakeUnitOfWork):
    """The registry's unit of work on in-memory tables: events in ``emitted``, nothing written anywhere."""

    def __init__(
        self, origin: Origin | None = None, clock: Clock | None = None, tables: FakeTables | None = None
    ) -> None:
        super().__init__(origin, clock)
        # The event a handler applies (consumers only): tests set it as the consumer would.
        self.envelope: EventEnvelope | None = None
        self.tables = tables or FakeTables()
        self.centrales = FakeCentraleRepository(self.tables)
        self.organisations = FakeOrganisationRepository(self.tables)
        self.volunteers = FakeVolunteerRepository(self.tables)
        self.tasks = FakeTaskRepository(self.tables)
        self.matches = FakeMatchRepository(self.tables)
        self.hours = FakeHoursRepository(self.tables)
        self.partners = FakePartnerRepository(self.tables)
        self.volunteer_days = FakeVolunteerDayRepository(self.tables)
        self.credentials = FakeCredentialRepository(self.tables)
        self.messages = FakeMessageRepository(self.tables)
        self.templates = FakeTemplateRepository(self.tables)
        self.idempotency_keys = FakeIdempotencyKeyRepository(self.tables)
        self.proposals = FakeProposalRepository(self.tables)
        self.response_messages = FakeResponseMessageRepository(self.tables)
        self.centrale_contacts = FakeCentraleContactRepository(self.tables)
        self.notices = FakeNoticeRepository(self.tables)
        self.notice_preferences = FakeNoticePreferenceRepository(self.tables)
        self.notice_templates = FakeNoticeTemplateRepository(self.tables)
        self.follow_up = FakeFollowUpRepository(self.tables)
        self.personal_data = FakePersonalDataRepository(self.tables)
        self.accounts = FakeAccountRepository(self.tables)
        self.memberships = FakeMembershipRepository(self.tables)
        self.account_links = FakeAccountLinkRepository(self.tables)
        self.access_log = FakeAccessLogRepository(self.tables)
        self.rate_limits = FakeRateLimitRepository(self.tables)
        self.vacatures = FakeVacatureRepository(self.tables)
        self.postcode_areas = FakePostcodeAreaRepository(self.tables)
        self.public_contacts = FakePublicContactRepository(self.tables)
        self.calendar_feeds = FakeCalendarFeedRepository(self.tables)
        self.imports = FakeImportRepository(self.tables)
        self.historic_hours = FakeHistoricHoursRepository(self.tables)
        self.exports = FakeExportRepository(self.tables)
        self.webhooks = FakeWebhookRepository(self.tables)
        self.beursvloer = FakeBeursvloerRepository(self.tables)
        self.deals = FakeDealRepository(self.tables)
        self.trainings = FakeTrainingRepository(self.tables)
        self.shifts = FakeShiftRepository(self.tables)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        """A block whose writes and events are undone when it raises, as a rolled-back transaction's are."""
        saved = {f.name: copy.deepcopy(getattr(self.tables, f.name)) for f in fields(self.tables)}
        emitted = list(self.emitted)
        try:
            yield
        except BaseException:
            for name, rows in saved.items():
                store = getattr(self.tables, name)
                store.clear()
                if isinstance(store, dict):
                    store.update(rows)
                else:
                    store.extend(rows)
            self.emitted[:] = emitted
            raise


def _conforms(uow: FakeRegistryUnitOfWork) -> RegistryUnitOfWork:
    """Never called: ``mypy tests/registry`` checks here that the fake keeps the Protocol's shape."""
    return uow
