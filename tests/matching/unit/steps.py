"""Steps the use-case tests share: registry events as matching's use cases receive them, and what came out."""

from __future__ import annotations

from typing import Any, TypeVar
from uuid import UUID

from contracts import Event
from matching.commands import RecordPostedTask, RecordVolunteer
from matching.domain.model import TaskFacts, VolunteerFacts
from matching.domain.proposals import Proposal
from matching.use_cases import record_posted_task, record_volunteer
from tests.matching.builders import task_facts, volunteer_facts
from tests.matching.fakes import FakeMatchingUnitOfWork

E = TypeVar("E", bound=Event)

__all__ = ["emitted", "posted_task", "proposal", "registered_volunteer"]


async def registered_volunteer(uow: FakeMatchingUnitOfWork, **facts: Any) -> VolunteerFacts:
    """A volunteer as the registry announced them (stored and re-evaluated)."""
    volunteer = volunteer_facts(**facts)
    await record_volunteer(RecordVolunteer(volunteer), uow)
    return volunteer


async def posted_task(uow: FakeMatchingUnitOfWork, **facts: Any) -> TaskFacts:
    """A task as the registry published it (stored, its best candidates proposed)."""
    task = task_facts(**facts)
    await record_posted_task(RecordPostedTask(task, posted_at=uow.now()), uow)
    return task


async def proposal(uow: FakeMatchingUnitOfWork, match_id: UUID) -> Proposal:
    """The stored proposal."""
    found = uow.proposals.rows.get(match_id)
    assert found is not None, f"no proposal {match_id}"
    return found


def emitted(uow: FakeMatchingUnitOfWork, kind: type[E]) -> list[E]:
    """The events of ``kind`` emitted so far, in order."""
    return [event for event in uow.events(kind) if isinstance(event, kind)]
