"""The registry's unit of work: the shared one (origin, now, emit, the transaction) plus its repositories."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from common.clock import Clock
from common.db import Connection
from common.sealing import region_key_from_environment
from common.uow import Encoded, Origin, Outgoing, PostgresUnitOfWork, UnitOfWork
from contracts import Event, EventEnvelope
from contracts.events import VolunteerErased, VolunteerKeyIssued
from registry.data_keys import seal_outgoing
from registry.repositories import (
    AccessLogRepository,
    AccountLinkRepository,
    AccountRepository,
    BeursvloerRepository,
    CalendarFeedRepository,
    CentraleContactRepository,
    CentraleRepository,
    CredentialRepository,
    DealRepository,
    ExportRepository,
    FollowUpRepository,
    HistoricHoursRepository,
    HoursRepository,
    IdempotencyKeyRepository,
    ImportRepository,
    MatchRepository,
    MembershipRepository,
    MessageRepository,
    NoticePreferenceRepository,
    NoticeRepository,
    NoticeTemplateRepository,
    OrganisationRepository,
    PartnerRepository,
    PersonalDataRepository,
    PostcodeAreaRepository,
    PostgresAccessLogRepository,
    PostgresAccountLinkRepository,
    PostgresAccountRepository,
    PostgresBeursvloerRepository,
    PostgresCalendarFeedRepository,
    PostgresCentraleContactRepository,
    PostgresCentraleRepository,
    PostgresCredentialRepository,
    PostgresDealRepository,
    PostgresExportRepository,
    PostgresFollowUpRepository,
    PostgresHistoricHoursRepository,
    PostgresHoursRepository,
    PostgresIdempotencyKeyRepository,
    PostgresImportRepository,
    PostgresMatchRepository,
    PostgresMembershipRepository,
    PostgresMessageRepository,
    PostgresNoticePreferenceRepository,
    PostgresNoticeRepository,
    PostgresNoticeTemplateRepository,
    PostgresOrganisationRepository,
    PostgresPartnerRepository,
    PostgresPersonalDataRepository,
    PostgresPostcodeAreaRepository,
    PostgresProposalRepository,
    PostgresPublicContactRepository,
    PostgresRateLimitRepository,
    PostgresResponseMessageRepository,
    PostgresShiftRepository,
    PostgresTaskRepository,
    PostgresTemplateRepository,
    PostgresTrainingRepository,
    PostgresVacatureRepository,
    PostgresVolunteerDayRepository,
    PostgresVolunteerRepository,
    ProposalRepository,
    PublicContactRepository,
    RateLimitRepository,
    ResponseMessageRepository,
    ShiftRepository,
    TaskRepository,
    TemplateRepository,
    TrainingRepository,
    VacatureRepository,
    VolunteerDayRepository,
    VolunteerRepository,
)
from registry.repositories.webhooks import PostgresWebhookRepository, WebhookRepository

__all__ = ["PostgresRegistryUnitOfWork", "RegistryUnitOfWork"]


class RegistryUnitOfWork(UnitOfWork, Protocol):
    """What every registry use case gets: the shared unit of work and the registry's repositories.

    Read-only properties, so an implementation may hold a more specific repository (a fake, in tests).
    """

    @property
    def centrales(self) -> CentraleRepository:
        """The region's centrales."""
        ...

    @property
    def organisations(self) -> OrganisationRepository:
        """Organisations and their vetting."""
        ...

    @property
    def volunteers(self) -> VolunteerRepository:
        """Volunteers and their consents."""
        ...

    @property
    def tasks(self) -> TaskRepository:
        """Tasks."""
        ...

    @property
    def matches(self) -> MatchRepository:
        """Matches matching reported."""
        ...

    @property
    def hours(self) -> HoursRepository:
        """Hours logged for matches."""
        ...

    @property
    def partners(self) -> PartnerRepository:
        """Business partners."""
        ...

    @property
    def volunteer_days(self) -> VolunteerDayRepository:
        """Partners' volunteer days and their hours."""
        ...

    @property
    def credentials(self) -> CredentialRepository:
        """Issued credentials."""
        ...

    @property
    def messages(self) -> MessageRepository:
        """Thank-you messages."""
        ...

    @property
    def templates(self) -> TemplateRepository:
        """The centrales' thank-you templates."""
        ...

    @property
    def proposals(self) -> ProposalRepository:
        """Proposals and matches as matching reported them."""
        ...

    @property
    def response_messages(self) -> ResponseMessageRepository:
        """Volunteers' messages with their responses."""
        ...

    @property
    def centrale_contacts(self) -> CentraleContactRepository:
        """How to reach each centrale."""
        ...

    @property
    def notices(self) -> NoticeRepository:
        """Notices about the match conversation and follow-up."""
        ...

    @property
    def notice_preferences(self) -> NoticePreferenceRepository:
        """People's notice preferences."""
        ...

    @property
    def notice_templates(self) -> NoticeTemplateRepository:
        """The centrales' own notice templates."""
        ...

    @property
    def follow_up(self) -> FollowUpRepository:
        """Follow-up settings and check-ins."""
        ...

    @property
    def idempotency_keys(self) -> IdempotencyKeyRepository:
        """Idempotency keys of creating requests."""
        ...

    @property
    def personal_data(self) -> PersonalDataRepository:
        """Erasure, derived from the declaration of personal data."""
        ...

    @property
    def accounts(self) -> AccountRepository:
        """Personal accounts."""
        ...

    @property
    def memberships(self) -> MembershipRepository:
        """What accounts may act as."""
        ...

    @property
    def account_links(self) -> AccountLinkRepository:
        """Single-use tokens of e-mailed links and login steps."""
        ...

    @property
    def access_log(self) -> AccessLogRepository:
        """The audit trail of personal data access."""
        ...

    @property
    def rate_limits(self) -> RateLimitRepository:
        """Attempt counters of login and password reset."""
        ...

    @property
    def vacatures(self) -> VacatureRepository:
        """Published tasks as the public sees them (the vacaturebank)."""
        ...

    @property
    def postcode_areas(self) -> PostcodeAreaRepository:
        """PC4 centroids and names, for distances and places."""
        ...

    @property
    def public_contacts(self) -> PublicContactRepository:
        """The centrales' public contact details."""
        ...

    @property
    def calendar_feeds(self) -> CalendarFeedRepository:
        """Private calendar feeds and the commitments they show."""
        ...

    @property
    def imports(self) -> ImportRepository:
        """Which record each row of an import became; an import's bulk writes."""
        ...

    @property
    def historic_hours(self) -> HistoricHoursRepository:
        """Hours worked before the platform, brought in by imports."""
        ...

    @property
    def exports(self) -> ExportRepository:
        """Bulk reads of a centrale's records for exports."""
        ...

    @property
    def webhooks(self) -> WebhookRepository:
        """Partners' webhooks and their delivery log."""
        ...

    @property
    def beursvloer(self) -> BeursvloerRepository:
        """The Beursvloer's floor: evenings, offers, requests, proposed pairs, companies' contacts."""
        ...

    @property
    def deals(self) -> DealRepository:
        """Beursvloer deals and their follow-up."""
        ...

    @property
    def trainings(self) -> TrainingRepository:
        """Trainings and advice sessions, and their bookings."""
        ...

    @property
    def shifts(self) -> ShiftRepository:
        """Tasks' parts, shift patterns, dated shifts and sign-ups."""
        ...


class PostgresRegistryUnitOfWork(PostgresUnitOfWork):
    """The registry's unit of work on an open PostgreSQL transaction (``ServiceSpec.unit_of_work``)."""

    def __init__(self, conn: Connection, origin: Origin, clock: Clock, envelope: EventEnvelope | None = None) -> None:
        super().__init__(conn, origin, clock, envelope)
        self.centrales: CentraleRepository = PostgresCentraleRepository(conn)
        self.organisations: OrganisationRepository = PostgresOrganisationRepository(conn)
        self.volunteers: VolunteerRepository = PostgresVolunteerRepository(conn)
        self.tasks: TaskRepository = PostgresTaskRepository(conn)
        self.matches: MatchRepository = PostgresMatchRepository(conn)
        self.hours: HoursRepository = PostgresHoursRepository(conn)
        self.partners: PartnerRepository = PostgresPartnerRepository(conn)
        self.volunteer_days: VolunteerDayRepository = PostgresVolunteerDayRepository(conn)
        self.credentials: CredentialRepository = PostgresCredentialRepository(conn)
        self.messages: MessageRepository = PostgresMessageRepository(conn)
        self.templates: TemplateRepository = PostgresTemplateRepository(conn)
        self.proposals: ProposalRepository = PostgresProposalRepository(conn)
        self.response_messages: ResponseMessageRepository = PostgresResponseMessageRepository(conn)
        self.centrale_contacts: CentraleContactRepository = PostgresCentraleContactRepository(conn)
        self.notices: NoticeRepository = PostgresNoticeRepository(conn)
        self.notice_preferences: NoticePreferenceRepository = PostgresNoticePreferenceRepository(conn)
        self.notice_templates: NoticeTemplateRepository = PostgresNoticeTemplateRepository(conn)
        self.follow_up: FollowUpRepository = PostgresFollowUpRepository(conn)
        self.idempotency_keys: IdempotencyKeyRepository = PostgresIdempotencyKeyRepository(conn)
        self.personal_data: PersonalDataRepository = PostgresPersonalDataRepository(conn)
        self.accounts: AccountRepository = PostgresAccountRepository(conn)
        self.memberships: MembershipRepository = PostgresMembershipRepository(conn)
        self.account_links: AccountLinkRepository = PostgresAccountLinkRepository(conn)
        self.access_log: AccessLogRepository = PostgresAccessLogRepository(conn)
        self.rate_limits: RateLimitRepository = PostgresRateLimitRepository(conn)
        self.vacatures: VacatureRepository = PostgresVacatureRepository(conn)
        self.postcode_areas: PostcodeAreaRepository = PostgresPostcodeAreaRepository(conn)
        self.public_contacts: PublicContactRepository = PostgresPublicContactRepository(conn)
        self.calendar_feeds: CalendarFeedRepository = PostgresCalendarFeedRepository(conn)
        self.imports: ImportRepository = PostgresImportRepository(conn)
        self.historic_hours: HistoricHoursRepository = PostgresHistoricHoursRepository(conn)
        self.exports: ExportRepository = PostgresExportRepository(conn)
        self.webhooks: WebhookRepository = PostgresWebhookRepository(conn)
        self.beursvloer: BeursvloerRepository = PostgresBeursvloerRepository(conn)
        self.deals: DealRepository = PostgresDealRepository(conn)
        self.trainings: TrainingRepository = PostgresTrainingRepository(conn)
        self.shifts: ShiftRepository = PostgresShiftRepository(conn)

    async def emit_all(self, events: Sequence[Outgoing]) -> None:
        """Queue the events as the registry may publish them: profiles sealed, erased keys shredded."""
        if any(type(o.event).sealed_fields or isinstance(o.event, VolunteerErased) for o in events):
            events = await seal_outgoing(self.conn, events, region_key_from_environment(), self.now())
        await super().emit_all(events)

    async def emit_encoded(
        self, event_type: type[Event], events: Sequence[Encoded], *, tenant: str | None = None
    ) -> None:
        """The bulk path through the same door: profiles (an import's registrations) sealed, their keys first."""
        if not event_type.sealed_fields or not events:
            await super().emit_encoded(event_type, events, tenant=tenant)
            return
        parsed = [Outgoing(event_type.model_validate_json(encoded.payload), tenant) for encoded in events]
        sealed = await seal_outgoing(self.conn, parsed, region_key_from_environment(), self.now())
        await super().emit_all([o for o in sealed if isinstance(o.event, VolunteerKeyIssued)])
        profiles = [o.event for o in sealed if not isinstance(o.event, VolunteerKeyIssued)]
        await super().emit_encoded(
            event_type,
            [Encoded(event.subject(), event.model_dump_json().encode()) for event in profiles],
            tenant=tenant,
        )
