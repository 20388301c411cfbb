"""The candidate index of one service instance, kept in step with the volunteers read model.

Every instance holds every volunteer in a numpy index (``domain/index.py``) and brings it up to date from
the volunteers repository before each search, so a change is seen whichever instance consumed it. Use
cases reach it through their unit of work (``uow.candidates``), bound to that unit of work's repository.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import NamedTuple, Protocol
from uuid import UUID

from matching.domain.index import CandidateIndex
from matching.domain.model import TaskProfile, VolunteerProfile
from matching.repositories.volunteers import VolunteerRepository

__all__ = ["Candidate", "CandidateIndexCache", "Candidates", "IndexedCandidates"]

# Rows changed this long before the last refresh are read again: a transaction that wrote a row earlier
# may commit later, and re-reading is harmless (loading a profile again replaces it).
REFRESH_OVERLAP = timedelta(seconds=30)


class Candidate(NamedTuple):
    """A volunteer who may be proposed for a task: their profile, how well they fit and why."""

    profile: VolunteerProfile
    score: float
    reasons: list[str]


class Candidates(Protocol):
    """The search the use cases see: the best volunteers for a task, and forgetting an erased one at once."""

    async def best(
        self,
        task: TaskProfile,
        count: int,
        *,
        today: date,
        max_open_commitments: int,
        other_centrales: Iterable[str] = (),
        exclude: Iterable[UUID] = (),
    ) -> list[Candidate]:
        """The best ``count`` eligible volunteers for the task, best first (see ``CandidateIndex.top``)."""
        ...

    def forget(self, volunteer_id: UUID) -> None:
        """Drop an erased volunteer now, without waiting for the next refresh."""
        ...


class CandidateIndexCache:
    """One instance's index and how far it has read the read model; shared by all its units of work."""

    def __init__(self) -> None:
        self.index = CandidateIndex()
        self._refreshed_at: datetime | None = None
        self._lock = asyncio.Lock()

    async def refreshed(self, volunteers: VolunteerRepository) -> CandidateIndex:
        """The index brought up to date with the read model (all rows the first time, changes after)."""
        async with self._lock:
            since = None if self._refreshed_at is None else self._refreshed_at - REFRESH_OVERLAP
            changes = await volunteers.changed_since(since)
            self.index.bulk_load(changes.profiles)
            for volunteer_id in changes.erased:
                self.index.remove(volunteer_id)
            self._refreshed_at = changes.as_of
            return self.index

    def forget(self, volunteer_id: UUID) -> None:
        """Drop a volunteer at once (erasure)."""
        self.index.remove(volunteer_id)


class IndexedCandidates:
    """``Candidates`` on an instance's index, refreshed through one unit of work's volunteers repository."""

    def __init__(self, cache: CandidateIndexCache, volunteers: VolunteerRepository) -> None:
        self.cache = cache
        """The instance's index, shared by all its units of work."""
        self._volunteers = volunteers

    async def best(
        self,
        task: TaskProfile,
        count: int,
        *,
        today: date,
        max_open_commitments: int,
        other_centrales: Iterable[str] = (),
        exclude: Iterable[UUID] = (),
    ) -> list[Candidate]:
        """The best ``count`` eligible volunteers for the task, best first (see ``CandidateIndex.top``)."""
        index = await self.cache.refreshed(self._volunteers)
        found = index.top(
            task,
            count,
            today=today,
            max_open_commitments=max_open_commitments,
            other_centrales=other_centrales,
            exclude=exclude,
        )
        return [Candidate(index.profiles[volunteer_id], score, reasons) for volunteer_id, score, reasons in found]

    def forget(self, volunteer_id: UUID) -> None:
        """Drop an erased volunteer now, without waiting for the next refresh."""
        self.cache.forget(volunteer_id)
