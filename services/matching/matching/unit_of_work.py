"""Matching's unit of work: the shared one (origin, now, emit) plus matching's repositories, index and policy."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from common.clock import Clock
from common.db import Connection
from common.locks import KeyedLock, keyed_xact_lock
from common.uow import Origin, PostgresUnitOfWork, UnitOfWork, UnitOfWorkFactory
from contracts import EventEnvelope
from matching.candidates import CandidateIndexCache, Candidates, IndexedCandidates
from matching.domain.policy import MatchingPolicy
from matching.repositories import (
    BeursvloerRepository,
    MediationRepository,
    PartnerRepository,
    PostcodeAreaRepository,
    PostgresBeursvloerRepository,
    PostgresMediationRepository,
    PostgresPartnerRepository,
    PostgresPostcodeAreaRepository,
    PostgresProposalRepository,
    PostgresTaskRepository,
    PostgresVolunteerDayRepository,
    PostgresVolunteerRepository,
    ProposalRepository,
    TaskRepository,
    VolunteerDayRepository,
    VolunteerRepository,
)

__all__ = ["MatchingUnitOfWork", "PostgresMatchingUnitOfWork", "matching_unit_of_work"]


class MatchingUnitOfWork(UnitOfWork, Protocol):
    """What matching's use cases may use besides their command."""

    @property
    def proposals(self) -> ProposalRepository:
        """Proposals and matches."""
        ...

    @property
    def mediation(self) -> MediationRepository:
        """What consulenten recorded: gates set aside, volunteers' agreements."""
        ...

    @property
    def volunteers(self) -> VolunteerRepository:
        """The volunteers read model."""
        ...

    @property
    def tasks(self) -> TaskRepository:
        """The tasks read model."""
        ...

    @property
    def volunteer_days(self) -> VolunteerDayRepository:
        """Business partners' team days."""
        ...

    @property
    def partners(self) -> PartnerRepository:
        """Business partners' names."""
        ...

    @property
    def beursvloer(self) -> BeursvloerRepository:
        """The Beursvloer's offers and requests, and the pairs proposed."""
        ...

    @property
    def postcode_areas(self) -> PostcodeAreaRepository:
        """PC4 centroids."""
        ...

    @property
    def candidates(self) -> Candidates:
        """The candidate search over every volunteer (this instance's index, refreshed before use)."""
        ...

    @property
    def policy(self) -> MatchingPolicy:
        """The numbers this instance matches by."""
        ...

    async def lock_centrale(self, centrale_id: str) -> None:
        """Take the centrale's matching turn until the unit of work ends.

        Proposing reads what another transaction may be changing: a task's candidate search reads the
        volunteers, a volunteer's re-evaluation reads the open tasks. Each takes its centrale's turn before
        it writes and reads, so of two that meet, the second sees what the first committed.
        """
        ...

    async def replaying(self) -> bool:
        """Whether the event being applied was produced before the last replay began (history: decide nothing)."""
        ...

    async def lock_team_days(self) -> None:
        """Take the region's team-day turn until the unit of work ends.

        A posted day looks for tasks, a team task (posted or changed) looks for open days, staff assign one
        to the other: each takes this turn before it writes and reads, so a day and a task that arrive at the
        same moment cannot each miss the other, and no two reserve the same places.
        """
        ...


class PostgresMatchingUnitOfWork(PostgresUnitOfWork):
    """Matching's unit of work on an open PostgreSQL transaction."""

    def __init__(
        self,
        conn: Connection,
        origin: Origin,
        clock: Clock,
        envelope: EventEnvelope | None = None,
        *,
        index: CandidateIndexCache,
        policy: MatchingPolicy,
        horizon: ReplayHorizon | None = None,
    ) -> None:
        super().__init__(conn, origin, clock, envelope)
        self._horizon = horizon or ReplayHorizon()
        self.proposals = PostgresProposalRepository(conn)
        self.mediation = PostgresMediationRepository(conn)
        self.volunteers = PostgresVolunteerRepository(conn)
        self.tasks = PostgresTaskRepository(conn)
        self.volunteer_days = PostgresVolunteerDayRepository(conn)
        self.partners = PostgresPartnerRepository(conn)
        self.beursvloer = PostgresBeursvloerRepository(conn)
        self.postcode_areas = PostgresPostcodeAreaRepository(conn)
        self.candidates = IndexedCandidates(index, self.volunteers)
        self.policy = policy

    async def lock_centrale(self, centrale_id: str) -> None:
        """Take the centrale's matching turn until the transaction ends (a transaction-scoped advisory lock)."""
        await keyed_xact_lock(self.conn, KeyedLock.MATCHING_CENTRALE, centrale_id)

    async def lock_team_days(self) -> None:
        """Take the region's team-day turn until the transaction ends (a transaction-scoped advisory lock)."""
        await keyed_xact_lock(self.conn, KeyedLock.MATCHING_TEAM_DAYS, "region")

    async def replaying(self) -> bool:
        """Whether the event being applied was produced before the last replay began (history: decide nothing)."""
        until = await self._horizon.until(self.conn)
        return until is not None and self.envelope.time <= until


class ReplayHorizon:
    """The moment of matching's last replay, read once per process instead of once per event.

    The replay tool refuses while any instance runs, so the moment cannot change under a running one.
    """

    def __init__(self) -> None:
        self._until: datetime | None = None
        self._read = False

    async def until(self, conn: Connection) -> datetime | None:
        """The last replay's moment (None: never replayed)."""
        if not self._read:
            self._until = await conn.fetchval("SELECT until FROM replay_horizon")
            self._read = True
        return self._until


def matching_unit_of_work(index: CandidateIndexCache, policy: MatchingPolicy) -> UnitOfWorkFactory:
    """The factory the runtime builds each command's unit of work with, sharing one instance's index and horizon."""
    horizon = ReplayHorizon()

    def build(
        conn: Connection, origin: Origin, clock: Clock, envelope: EventEnvelope | None
    ) -> PostgresMatchingUnitOfWork:
        return PostgresMatchingUnitOfWork(conn, origin, clock, envelope, index=index, policy=policy, horizon=horizon)

    return build
