"""The registry's repositories: per aggregate a Protocol and its PostgreSQL implementation, each knowing its
columns once (a record dataclass whose fields are the table's columns)."""

from registry.repositories.centrales import Centrale, CentraleRepository, PostgresCentraleRepository
from registry.repositories.conversation import (
    CentraleContact,
    CentraleContactRepository,
    PostgresCentraleContactRepository,
    PostgresProposalRepository,
    PostgresResponseMessageRepository,
    Proposal,
    ProposalRepository,
    ResponseMessage,
    ResponseMessageRepository,
)
from registry.repositories.credentials import Credential, CredentialRepository, PostgresCredentialRepository
from registry.repositories.follow_up import (
    CheckIn,
    FollowUpRepository,
    FollowUpSettings,
    PostgresFollowUpRepository,
)
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
from registry.repositories.notices import (
    Notice,
    NoticePreference,
    NoticePreferenceRepository,
    NoticeRepository,
    NoticeTemplate,
    NoticeTemplateRepository,
    PostgresNoticePreferenceRepository,
    PostgresNoticeRepository,
    PostgresNoticeTemplateRepository,
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
from registry.repositories.tasks import PostgresTaskRepository, Task, TaskRepository
from registry.repositories.volunteers import Consent, PostgresVolunteerRepository, Volunteer, VolunteerRepository

__all__ = [
    "BusinessPartner",
    "Centrale",
    "CentraleContact",
    "CentraleContactRepository",
    "CentraleRepository",
    "CheckIn",
    "Consent",
    "Credential",
    "CredentialRepository",
    "DayHours",
    "FollowUpRepository",
    "FollowUpSettings",
    "Hours",
    "HoursRepository",
    "IdempotencyKey",
    "IdempotencyKeyRepository",
    "Match",
    "MatchRepository",
    "Message",
    "MessageRepository",
    "Notice",
    "NoticePreference",
    "NoticePreferenceRepository",
    "NoticeRepository",
    "NoticeTemplate",
    "NoticeTemplateRepository",
    "Organisation",
    "OrganisationRepository",
    "PartnerRepository",
    "PersonalDataRepository",
    "PostgresCentraleContactRepository",
    "PostgresCentraleRepository",
    "PostgresCredentialRepository",
    "PostgresFollowUpRepository",
    "PostgresHoursRepository",
    "PostgresIdempotencyKeyRepository",
    "PostgresMatchRepository",
    "PostgresMessageRepository",
    "PostgresNoticePreferenceRepository",
    "PostgresNoticeRepository",
    "PostgresNoticeTemplateRepository",
    "PostgresOrganisationRepository",
    "PostgresPartnerRepository",
    "PostgresPersonalDataRepository",
    "PostgresProposalRepository",
    "PostgresResponseMessageRepository",
    "PostgresTaskRepository",
    "PostgresTemplateRepository",
    "PostgresVolunteerDayRepository",
    "PostgresVolunteerRepository",
    "Proposal",
    "ProposalRepository",
    "ResponseMessage",
    "ResponseMessageRepository",
    "Task",
    "TaskRepository",
    "Template",
    "TemplateRepository",
    "Volunteer",
    "VolunteerDay",
    "VolunteerDayRepository",
    "VolunteerRepository",
]
