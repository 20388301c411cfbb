"""The registry's unit of work: the shared one (origin, now, emit, the transaction) plus its repositories."""

from __future__ import annotations

from typing import Protocol

from common.clock import Clock
from common.db import Connection
from common.uow import Origin, PostgresUnitOfWork, UnitOfWork
from contracts import EventEnvelope
from registry.repositories import (
    CentraleRepository,
    CredentialRepository,
    HoursRepository,
    IdempotencyKeyRepository,
    MatchRepository,
    MessageRepository,
    OrganisationRepository,
    PartnerRepository,
    PersonalDataRepository,
    PostgresCentraleRepository,
    PostgresCredentialRepository,
    PostgresHoursRepository,
    PostgresIdempotencyKeyRepository,
    PostgresMatchRepository,
    PostgresMessageRepository,
    PostgresOrganisationRepository,
    PostgresPartnerRepository,
    PostgresPersonalDataRepository,
    PostgresTaskRepository,
    PostgresTemplateRepository,
    PostgresVolunteerDayRepository,
    PostgresVolunteerRepository,
    TaskRepository,
    TemplateRepository,
    VolunteerDayRepository,
    VolunteerRepository,
)

__all__ = ["PostgresRegistryUnitOfWork", "RegistryUnitOfWork"]


class RegistryUnitOfWork(UnitOfWork, Protocol):
    """What every registry use case gets: the shared unit of work and the registry's repositories."""

    centrales: CentraleRepository
    organisations: OrganisationRepository
    volunteers: VolunteerRepository
    tasks: TaskRepository
    matches: MatchRepository
    hours: HoursRepository
    partners: PartnerRepository
    volunteer_days: VolunteerDayRepository
    credentials: CredentialRepository
    messages: MessageRepository
    templates: TemplateRepository
    idempotency_keys: IdempotencyKeyRepository
    personal_data: PersonalDataRepository


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
