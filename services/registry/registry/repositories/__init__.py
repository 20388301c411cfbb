"""The registry's repositories: per aggregate a Protocol and its PostgreSQL implementation, each knowing its
columns once (a record dataclass whose fields are the table's columns)."""

from registry.repositories.access_log import Access, AccessLogRepository, PostgresAccessLogRepository
from registry.repositories.accounts import (
    Account,
    AccountLink,
    AccountLinkRepository,
    AccountRepository,
    Membership,
    MembershipRepository,
    PostgresAccountLinkRepository,
    PostgresAccountRepository,
    PostgresMembershipRepository,
)
from registry.repositories.calendar import (
    CalendarFeed,
    CalendarFeedRepository,
    Commitment,
    PostgresCalendarFeedRepository,
)
from registry.repositories.centrales import Centrale, CentraleRepository, PostgresCentraleRepository
from registry.repositories.credentials import Credential, CredentialRepository, PostgresCredentialRepository
from registry.repositories.idempotency import (
    IdempotencyKey,
    IdempotencyKeyRepository,
    PostgresIdempotencyKeyRepository,
)
from registry.repositories.matches import (
    Hours,
    HoursRepository,
    Match,
    MatchRepository,
    PostgresHoursRepository,
    PostgresMatchRepository,
)
from registry.repositories.messages import (
    Message,
    MessageRepository,
    PostgresMessageRepository,
    PostgresTemplateRepository,
    Template,
    TemplateRepository,
)
from registry.repositories.organisations import Organisation, OrganisationRepository, PostgresOrganisationRepository
from registry.repositories.partners import (
    BusinessPartner,
    DayHours,
    PartnerRepository,
    PostgresPartnerRepository,
    PostgresVolunteerDayRepository,
    VolunteerDay,
    VolunteerDayRepository,
)
from registry.repositories.personal_data import PersonalDataRepository, PostgresPersonalDataRepository
from registry.repositories.postcode_areas import PostcodeArea, PostcodeAreaRepository, PostgresPostcodeAreaRepository
from registry.repositories.rate_limits import PostgresRateLimitRepository, RateLimitRepository, Window
from registry.repositories.tasks import PostgresTaskRepository, Task, TaskRepository
from registry.repositories.vacatures import (
    Facets,
    PostgresPublicContactRepository,
    PostgresVacatureRepository,
    PublicContact,
    PublicContactRepository,
    Vacature,
    VacaturePage,
    VacatureRepository,
)
from registry.repositories.volunteers import Consent, PostgresVolunteerRepository, Volunteer, VolunteerRepository

__all__ = [
    "Access",
    "AccessLogRepository",
    "Account",
    "AccountLink",
    "AccountLinkRepository",
    "AccountRepository",
    "BusinessPartner",
    "CalendarFeed",
    "CalendarFeedRepository",
    "Centrale",
    "CentraleRepository",
    "Commitment",
    "Consent",
    "Credential",
    "CredentialRepository",
    "DayHours",
    "Facets",
    "Hours",
    "HoursRepository",
    "IdempotencyKey",
    "IdempotencyKeyRepository",
    "Match",
    "MatchRepository",
    "Membership",
    "MembershipRepository",
    "Message",
    "MessageRepository",
    "Organisation",
    "OrganisationRepository",
    "PartnerRepository",
    "PersonalDataRepository",
    "PostcodeArea",
    "PostcodeAreaRepository",
    "PostgresAccessLogRepository",
    "PostgresAccountLinkRepository",
    "PostgresAccountRepository",
    "PostgresCalendarFeedRepository",
    "PostgresCentraleRepository",
    "PostgresCredentialRepository",
    "PostgresHoursRepository",
    "PostgresIdempotencyKeyRepository",
    "PostgresMatchRepository",
    "PostgresMembershipRepository",
    "PostgresMessageRepository",
    "PostgresOrganisationRepository",
    "PostgresPartnerRepository",
    "PostgresPersonalDataRepository",
    "PostgresPostcodeAreaRepository",
    "PostgresPublicContactRepository",
    "PostgresRateLimitRepository",
    "PostgresTaskRepository",
    "PostgresTemplateRepository",
    "PostgresVacatureRepository",
    "PostgresVolunteerDayRepository",
    "PostgresVolunteerRepository",
    "PublicContact",
    "PublicContactRepository",
    "RateLimitRepository",
    "Task",
    "TaskRepository",
    "Template",
    "TemplateRepository",
    "Vacature",
    "VacaturePage",
    "VacatureRepository",
    "Volunteer",
    "VolunteerDay",
    "VolunteerDayRepository",
    "VolunteerRepository",
    "Window",
]
