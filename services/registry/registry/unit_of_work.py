"""The registry's unit of work: the shared one (origin, now, emit, the transaction) plus its repositories."""

from __future__ import annotations

from typing import Protocol

from common.clock import Clock
from common.db import Connection
from common.uow import Origin, PostgresUnitOfWork, UnitOfWork
from contracts import EventEnvelope
from registry.repositories import (
    AccessLogRepository,
    AccountLinkRepository,
    AccountRepository,
    CalendarFeedRepository,
    CentraleRepository,
    CredentialRepository,
    HoursRepository,
    IdempotencyKeyRepository,
    MatchRepository,
    MembershipRepository,
    MessageRepository,
    OrganisationRepository,
    PartnerRepository,
    PersonalDataRepository,
    PostcodeAreaRepository,
    PostgresAccessLogRepository,
    PostgresAccountLinkRepository,
    PostgresAccountRepository,
    PostgresCalendarFeedRepository,
    PostgresCentraleRepository,
    PostgresCredentialRepository,
    PostgresHoursRepository,
    PostgresIdempotencyKeyRepository,
    PostgresMatchRepository,
    PostgresMembershipRepository,
    PostgresMessageRepository,
    PostgresOrganisationRepository,
    PostgresPartnerRepository,
    PostgresPersonalDataRepository,
    PostgresPostcodeAreaRepository,
    PostgresPublicContactRepository,
    PostgresRateLimitRepository,
    PostgresTaskRepository,
    PostgresTemplateRepository,
    PostgresVacatureRepository,
    PostgresVolunteerDayRepository,
    PostgresVolunteerRepository,
    PublicContactRepository,
    RateLimitRepository,
    TaskRepository,
    TemplateRepository,
    VacatureRepository,
    VolunteerDayRepository,
    VolunteerRepository,
)

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
