"""In-memory repositories and unit of work for matching's fast tier.

Each fake answers as its PostgreSQL twin does; ``tests/matching/repositories/`` runs one behaviour suite
against both, so a fake that drifts fails there. The candidate search is the real numpy index, refreshed
from the fake volunteers repository, as the service refreshes it from PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

import asyncpg

from common.clock import Clock, ManualClock
from common.uow import FakeUnitOfWork, Origin
from matching.candidates import CandidateIndexCache, IndexedCandidates
from matching.domain import schedule
from matching.domain.geo import Centroid
from matching.domain.mediation import GateOverride, VolunteerAgreement
from matching.domain.model import (
    Coordinates,
    Task,
    TaskFacts,
    TaskProfile,
    TaskStatus,
    TeamDayVia,
    VolunteerDay,
    VolunteerDayStatus,
    VolunteerFacts,
    VolunteerProfile,
)
from matching.domain.policy import MatchingPolicy
from matching.domain.proposals import LIVE, PENDING, Proposal, ProposalStatus
from matching.repositories import VolunteerChanges
from tests.matching.fakes_beursvloer import FakeBeursvloerRepository

__all__ = [
    "FakeMatchingUnitOfWork",
    "FakeMediationRepository",
    "FakePartnerRepository",
    "FakePostcodeAreaRepository",
    "FakeProposalRepository",
    "FakeTaskRepository",
    "FakeVolunteerDayRepository",
    "FakeVolunteerRepository",
]

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


class _DatabaseTime:
    """What PostgreSQL's clock_timestamp() is to the real repositories: the wall clock, never standing still."""

    def __init__(self) -> None:
        self._last = datetime.min.replace(tzinfo=UTC)

    def now(self) -> datetime:
        self._last = max(datetime.now(UTC), self._last + timedelta(microseconds=1))
        return self._last


def _best_first(proposals: Collection[Proposal]) -> list[Proposal]:
    return sorted(proposals, key=lambda p: (-p.score, p.proposed_at, p.match_id))


class FakePostcodeAreaRepository:
    """PC4 centroids in a dict."""

    def __init__(self) -> None:
        self.areas: dict[str, Coordinates] = {}

    async def load(self, centroids: Sequence[Centroid]) -> int:
        for centroid in centroids:
            self.areas[centroid.pc4] = (centroid.lat, centroid.lon)
        return len(centroids)

    async def coordinates(self, pc4: str) -> Coordinates | None:
        return self.areas.get(pc4)


@dataclass
class _VolunteerRow:
    facts: VolunteerFacts
    open_commitments: int
    changed_at: datetime


class FakeVolunteerRepository:
    """Volunteers in a dict; erased ids with when."""

    def __init__(
        self, areas: FakePostcodeAreaRepository, time: _DatabaseTime, proposals: FakeProposalRepository | None = None
    ) -> None:
        self._areas = areas
        self._time = time
        self._proposals = proposals
        self.rows: dict[UUID, _VolunteerRow] = {}
        self.erased: dict[UUID, datetime] = {}

    def _profile(self, row: _VolunteerRow) -> VolunteerProfile:
        facts = row.facts
        return VolunteerProfile(
            volunteer_id=facts.volunteer_id,
            centrale_id=facts.centrale_id,
            skills=frozenset(facts.skills),
            interests=frozenset(facts.interests),
            languages=tuple(facts.languages),
            availability_mask=schedule.slots_mask(facts.availability),
            one_off_dates=frozenset(facts.one_off_dates),
            max_distance_km=facts.max_distance_km,
            commitment=facts.commitment,
            needs_support=facts.needs_support,
            matching_consent=facts.matching_consent,
            regional_consent=facts.regional_consent,
            vog_valid_until=facts.vog_valid_until,
            open_commitments=row.open_commitments,
            coordinates=self._areas.areas.get(facts.postcode_area) if facts.postcode_area else None,
        )

    async def upsert(self, facts: VolunteerFacts) -> None:
        known = self.rows.get(facts.volunteer_id)
        self.rows[facts.volunteer_id] = _VolunteerRow(facts, known.open_commitments if known else 0, self._time.now())

    async def get(self, volunteer_id: UUID) -> VolunteerProfile | None:
        row = self.rows.get(volunteer_id)
        return self._profile(row) if row is not None else None

    async def add_commitments(self, volunteer_id: UUID, delta: int) -> bool:
        row = self.rows.get(volunteer_id)
        if row is None:
            return False
        row.open_commitments = max(row.open_commitments + delta, 0)
        row.changed_at = self._time.now()
        return True

    async def recount_commitments(self, volunteer_id: UUID) -> None:
        row = self.rows.get(volunteer_id)
        if row is not None and self._proposals is not None:
            row.open_commitments = len(await self._proposals.of_volunteer(volunteer_id, LIVE))
            row.changed_at = self._time.now()

    async def erase(self, volunteer_id: UUID) -> None:
        self.rows.pop(volunteer_id, None)
        self.erased.setdefault(volunteer_id, self._time.now())

    async def changed_since(self, since: datetime | None) -> VolunteerChanges:
        as_of = self._time.now()
        return VolunteerChanges(
            as_of=as_of,
            profiles=[self._profile(row) for row in self.rows.values() if since is None or row.changed_at >= since],
            erased=[volunteer_id for volunteer_id, at in self.erased.items() if since is None or at >= since],
        )

    async def centrales(self) -> list[str]:
        return sorted({row.facts.centrale_id for row in self.rows.values()})

    async def touch_in_areas(self, pc4s: Sequence[str]) -> None:
        for row in self.rows.values():
            if row.facts.postcode_area in pc4s:
                row.changed_at = self._time.now()


class FakeProposalRepository:
    """Proposals in a dict, refusing a second live proposal for one volunteer and task as the unique index does."""

    def __init__(self) -> None:
        self.rows: dict[UUID, Proposal] = {}

    async def add(self, proposal: Proposal) -> None:
        if proposal.status in LIVE and await self.has_live(proposal.task_id, proposal.volunteer_id):
            raise asyncpg.UniqueViolationError("proposals_one_live_per_pair")
        self.rows[proposal.match_id] = proposal

    async def save(self, proposal: Proposal) -> None:
        stored = self.rows[proposal.match_id]
        self.rows[proposal.match_id] = replace(
            stored,
            status=proposal.status,
            reasons=proposal.reasons,
            approved_at=proposal.approved_at,
            accepted_at=proposal.accepted_at,
            agreed_at=proposal.agreed_at,
            decided_at=proposal.decided_at,
            ended_at=proposal.ended_at,
            end_reason=proposal.end_reason,
            ended_by=proposal.ended_by,
        )

    async def get(self, match_id: UUID) -> Proposal | None:
        return self.rows.get(match_id)

    async def lock(self, match_id: UUID) -> Proposal | None:
        return self.rows.get(match_id)

    async def of_task(self, task_id: UUID, statuses: Collection[ProposalStatus] | None = None) -> list[Proposal]:
        return _best_first(
            [p for p in self.rows.values() if p.task_id == task_id and (statuses is None or p.status in statuses)]
        )

    async def of_volunteer(
        self, volunteer_id: UUID, statuses: Collection[ProposalStatus] | None = None
    ) -> list[Proposal]:
        return _best_first(
            [
                p
                for p in self.rows.values()
                if p.volunteer_id == volunteer_id and (statuses is None or p.status in statuses)
            ]
        )

    async def of_centrale_volunteers(
        self,
        volunteer_centrale_id: str,
        statuses: Collection[ProposalStatus],
        *,
        needs_consulent: bool | None = None,
        proposed_before: datetime | None = None,
        limit: int = 100,
    ) -> list[Proposal]:
        found = [
            p
            for p in self.rows.values()
            if p.volunteer_centrale_id == volunteer_centrale_id
            and p.status in statuses
            and (needs_consulent is None or p.needs_consulent == needs_consulent)
            and (proposed_before is None or p.proposed_at < proposed_before)
        ]
        return sorted(found, key=lambda p: (p.proposed_at, str(p.match_id)))[:limit]

    async def volunteers_proposed_for(self, task_id: UUID) -> set[UUID]:
        return {p.volunteer_id for p in self.rows.values() if p.task_id == task_id}

    async def has_live(self, task_id: UUID, volunteer_id: UUID) -> bool:
        return any(
            p.task_id == task_id and p.volunteer_id == volunteer_id and p.status in LIVE for p in self.rows.values()
        )

    async def count(self, task_id: UUID, statuses: Collection[ProposalStatus]) -> int:
        return sum(p.task_id == task_id and p.status in statuses for p in self.rows.values())

    async def unanswered_before(self, moment: datetime) -> list[Proposal]:
        stale = [p for p in self.rows.values() if p.status in PENDING and p.proposed_at < moment]
        return sorted(stale, key=lambda p: (p.proposed_at, p.match_id))

    async def forget_reasons(self, volunteer_id: UUID) -> None:
        for proposal in list(self.rows.values()):
            if proposal.volunteer_id == volunteer_id:
                self.rows[proposal.match_id] = proposal.without_reasons()


class FakeMediationRepository:
    """Gate overrides and agreements in lists; the proposals give the volunteer of a match."""

    def __init__(self, proposals: FakeProposalRepository) -> None:
        self._proposals = proposals
        self.overrides: list[GateOverride] = []
        self.agreements: list[VolunteerAgreement] = []

    async def add_override(self, override: GateOverride) -> None:
        if any((o.match_id, o.gate) == (override.match_id, override.gate) for o in self.overrides):
            raise asyncpg.UniqueViolationError("gate_overrides_pkey")
        self.overrides.append(override)

    async def overrides_of(self, match_id: UUID) -> list[GateOverride]:
        return sorted((o for o in self.overrides if o.match_id == match_id), key=lambda o: o.gate.value)

    async def add_agreement(self, agreement: VolunteerAgreement) -> None:
        if not any((a.match_id, a.subject) == (agreement.match_id, agreement.subject) for a in self.agreements):
            self.agreements.append(agreement)

    async def agreements_of(self, match_id: UUID) -> list[VolunteerAgreement]:
        return sorted(
            (a for a in self.agreements if a.match_id == match_id), key=lambda a: (a.recorded_at, a.subject.value)
        )

    async def forget_reasons(self, volunteer_id: UUID) -> None:
        theirs = {p.match_id for p in self._proposals.rows.values() if p.volunteer_id == volunteer_id}
        self.overrides = [replace(o, reason="") if o.match_id in theirs else o for o in self.overrides]


@dataclass
class _TaskRow:
    facts: TaskFacts
    status: TaskStatus
    team_reserved: int
    posted_at: datetime
    overflow_offered_at: datetime | None = None


class FakeTaskRepository:
    """Tasks in a dict; room and proposals counted from the fake proposals."""

    def __init__(self, areas: FakePostcodeAreaRepository, proposals: FakeProposalRepository, clock: Clock) -> None:
        self._areas = areas
        self._proposals = proposals
        self._clock = clock
        self.rows: dict[UUID, _TaskRow] = {}

    def _task(self, row: _TaskRow) -> Task:
        facts = row.facts
        profile = TaskProfile(
            task_id=facts.task_id,
            organisation_id=facts.organisation_id,
            centrale_id=facts.centrale_id,
            theme=facts.theme,
            skills=frozenset(facts.skills),
            shift_mask=schedule.slots_mask(facts.shifts),
            one_off_start=facts.one_off_start,
            one_off_end=facts.one_off_end,
            capacity=facts.capacity,
            vog_required=facts.vog_required,
            team_suitable=facts.team_suitable,
            support_accessible=facts.support_accessible,
            coordinates=self._areas.areas.get(facts.postcode_area) if facts.postcode_area else None,
        )
        return Task(profile=profile, status=row.status, team_reserved=row.team_reserved, posted_at=row.posted_at)

    def _made(self, task_id: UUID) -> int:
        return sum(p.task_id == task_id and p.status is ProposalStatus.MADE for p in self._proposals.rows.values())

    def _sorted(self, rows: list[_TaskRow]) -> list[Task]:
        return [self._task(row) for row in sorted(rows, key=lambda r: (r.posted_at, r.facts.task_id))]

    async def upsert(self, facts: TaskFacts, posted_at: datetime | None) -> None:
        known = self.rows.get(facts.task_id)
        if known is None:
            self.rows[facts.task_id] = _TaskRow(facts, TaskStatus.OPEN, 0, posted_at or self._clock.now())
        else:
            known.facts = replace(
                facts, organisation_id=known.facts.organisation_id, centrale_id=known.facts.centrale_id
            )

    async def get(self, task_id: UUID, *, for_update: bool = False) -> Task | None:
        row = self.rows.get(task_id)
        return self._task(row) if row is not None else None

    async def get_many(self, task_ids: Collection[UUID]) -> dict[UUID, Task]:
        return {task_id: self._task(self.rows[task_id]) for task_id in task_ids if task_id in self.rows}

    async def set_status(self, task_id: UUID, status: TaskStatus) -> bool:
        row = self.rows.get(task_id)
        if row is None:
            return False
        row.status = status
        return True

    async def open_for_volunteer(self, centrale_id: str, volunteer_id: UUID, *, fewer_live_than: int) -> list[Task]:
        proposals = self._proposals.rows.values()
        return self._sorted(
            [
                row
                for task_id, row in self.rows.items()
                if row.status is TaskStatus.OPEN
                and row.facts.centrale_id == centrale_id
                and not any(p.task_id == task_id and p.volunteer_id == volunteer_id for p in proposals)
                and sum(p.task_id == task_id and p.status in LIVE for p in proposals) < fewer_live_than
            ]
        )

    async def due_for_overflow(self, posted_before: datetime) -> list[Task]:
        return self._sorted(
            [
                row
                for task_id, row in self.rows.items()
                if row.status is TaskStatus.OPEN
                and row.overflow_offered_at is None
                and row.posted_at < posted_before
                and self._made(task_id) == 0
            ]
        )

    async def mark_overflow_offered(self, task_id: UUID, at: datetime) -> None:
        self.rows[task_id].overflow_offered_at = at

    async def with_room_for_team(self, team_size: int, themes: Sequence[str], centrale_id: str | None) -> list[Task]:
        return self._sorted(
            [
                row
                for task_id, row in self.rows.items()
                if row.status is TaskStatus.OPEN
                and row.facts.team_suitable
                and row.facts.capacity - row.team_reserved - self._made(task_id) >= team_size
                and (not themes or row.facts.theme in themes)
                and (centrale_id is None or row.facts.centrale_id == centrale_id)
            ]
        )

    async def reserve_for_team(self, task_id: UUID, team_size: int) -> None:
        self.rows[task_id].team_reserved += team_size


class FakeVolunteerDayRepository:
    """Team days in a dict."""

    def __init__(self) -> None:
        self.rows: dict[UUID, VolunteerDay] = {}

    async def add(self, day: VolunteerDay) -> None:
        self.rows.setdefault(day.day_id, day)

    async def get(self, day_id: UUID, *, for_update: bool = False) -> VolunteerDay | None:
        return self.rows.get(day_id)

    async def mark_matched(self, day_id: UUID, task_id: UUID, at: datetime, via: TeamDayVia) -> None:
        self.rows[day_id] = replace(
            self.rows[day_id], status=VolunteerDayStatus.MATCHED, task_id=task_id, matched_at=at, matched_via=via
        )

    async def open_for_task(
        self, *, theme: str, centrale_id: str, largest_team: int, not_before: date
    ) -> list[VolunteerDay]:
        days = [
            day
            for day in self.rows.values()
            if day.status is VolunteerDayStatus.OPEN
            and day.team_size <= largest_team
            and day.on_date >= not_before
            and (not day.themes or theme in day.themes)
            and day.centrale_id in (None, centrale_id)
        ]
        # PostgreSQL: ORDER BY posted_at NULLS FIRST, day_id.
        return sorted(days, key=lambda d: (d.posted_at is not None, d.posted_at or START, d.day_id))

    async def open_for_centrale(self, centrale_id: str) -> list[VolunteerDay]:
        days = [
            day
            for day in self.rows.values()
            if day.status is VolunteerDayStatus.OPEN and day.centrale_id in (None, centrale_id)
        ]
        return sorted(days, key=lambda d: (d.on_date, d.posted_at is not None, d.posted_at or START, d.day_id))


class FakePartnerRepository:
    """Partners' names in a dict."""

    def __init__(self) -> None:
        self.rows: dict[UUID, str] = {}

    async def record(self, partner_id: UUID, name: str) -> None:
        self.rows[partner_id] = name

    async def names(self, partner_ids: Collection[UUID]) -> dict[UUID, str]:
        return {partner_id: self.rows[partner_id] for partner_id in partner_ids if partner_id in self.rows}


class FakeMatchingUnitOfWork(FakeUnitOfWork):
    """Matching's unit of work on the fakes: events in ``emitted``, centrales whose turn was taken in ``locked``.

    ``team_day_turns`` counts the team-day turns taken.
    """

    def __init__(
        self, clock: ManualClock | None = None, policy: MatchingPolicy | None = None, origin: Origin | None = None
    ) -> None:
        self.clock = clock or ManualClock(START)
        super().__init__(origin, self.clock)
        self.policy = policy or MatchingPolicy()
        self.postcode_areas = FakePostcodeAreaRepository()
        self.proposals = FakeProposalRepository()
        self.mediation = FakeMediationRepository(self.proposals)
        time = _DatabaseTime()
        self.volunteers = FakeVolunteerRepository(self.postcode_areas, time, self.proposals)
        self.tasks = FakeTaskRepository(self.postcode_areas, self.proposals, self.clock)
        self.volunteer_days = FakeVolunteerDayRepository()
        self.partners = FakePartnerRepository()
        self.beursvloer = FakeBeursvloerRepository(self.postcode_areas)
        self.index = CandidateIndexCache()
        self.candidates = IndexedCandidates(self.index, self.volunteers)
        self.locked: list[str] = []
        self.team_day_turns = 0
        self.replayed = False  # tests set it: the event being applied was produced before a replay

    async def lock_centrale(self, centrale_id: str) -> None:
        self.locked.append(centrale_id)

    async def lock_team_days(self) -> None:
        self.team_day_turns += 1

    async def replaying(self) -> bool:
        return self.replayed
