"""Appreciation's unit of work: common's (origin, now, emit on the command's transaction) plus its repositories."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from appreciation.announcements import outbox_rows
from appreciation.domain import Award
from appreciation.repositories import (
    AllowanceRepository,
    AwardRepository,
    CentraleRepository,
    CertificateRepository,
    HoursRepository,
    MatchRepository,
    OrganisationRepository,
    PostgresAllowanceRepository,
    PostgresAwardRepository,
    PostgresCentraleRepository,
    PostgresCertificateRepository,
    PostgresHoursRepository,
    PostgresMatchRepository,
    PostgresOrganisationRepository,
    PostgresRuleRepository,
    PostgresTrainingRepository,
    PostgresVolunteerRepository,
    RuleRepository,
    TrainingRepository,
    VolunteerRepository,
)
from common.clock import Clock
from common.db import Connection
from common.outbox import copy_to_outbox
from common.uow import Origin, PostgresUnitOfWork, UnitOfWork
from contracts import EventEnvelope

__all__ = ["AppreciationUnitOfWork", "PostgresAppreciationUnitOfWork"]


class AppreciationUnitOfWork(UnitOfWork, Protocol):
    """What appreciation's use cases may use: origin, now, emit, and one repository per aggregate."""

    @property
    def centrales(self) -> CentraleRepository:
        """Centrales seen, and their display names."""
        ...

    @property
    def rules(self) -> RuleRepository:
        """Each centrale's rules."""
        ...

    @property
    def volunteers(self) -> VolunteerRepository:
        """Volunteers (pseudonymous) and tombstones of erased ones."""
        ...

    @property
    def hours(self) -> HoursRepository:
        """Hours entries."""
        ...

    @property
    def matches(self) -> MatchRepository:
        """Matches made."""
        ...

    @property
    def organisations(self) -> OrganisationRepository:
        """Organisations and their tasks."""
        ...

    @property
    def awards(self) -> AwardRepository:
        """Awards given."""
        ...

    @property
    def certificates(self) -> CertificateRepository:
        """Certificates issued."""
        ...

    @property
    def allowances(self) -> AllowanceRepository:
        """Allowances paid."""
        ...

    @property
    def trainings(self) -> TrainingRepository:
        """Trainings and volunteers' attendance."""
        ...

    async def announce(self, awards: Sequence[tuple[Award, Origin | None]]) -> None:
        """Publish each award's ``AppreciationAwarded`` on commit, in order, as ``emit_all`` would.

        The event's id is the award's, its tenant the award's centrale; ``Origin``: the trigger's, when it
        is not the unit of work's (a run of events applied in one unit of work).
        """
        ...


class PostgresAppreciationUnitOfWork(PostgresUnitOfWork):
    """Appreciation's unit of work on an open PostgreSQL transaction (``ServiceSpec.unit_of_work``)."""

    def __init__(self, conn: Connection, origin: Origin, clock: Clock, envelope: EventEnvelope | None = None) -> None:
        super().__init__(conn, origin, clock, envelope)
        self.centrales = PostgresCentraleRepository(conn)
        self.rules = PostgresRuleRepository(conn)
        self.volunteers = PostgresVolunteerRepository(conn)
        self.hours = PostgresHoursRepository(conn)
        self.matches = PostgresMatchRepository(conn)
        self.organisations = PostgresOrganisationRepository(conn)
        self.awards = PostgresAwardRepository(conn)
        self.certificates = PostgresCertificateRepository(conn)
        self.allowances = PostgresAllowanceRepository(conn)
        self.trainings = PostgresTrainingRepository(conn)

    async def announce(self, awards: Sequence[tuple[Award, Origin | None]]) -> None:
        """Queue the awards' announcements rendered straight as outbox rows, with one COPY."""
        await copy_to_outbox(self.conn, outbox_rows([(award, origin or self.origin) for award, origin in awards]))
