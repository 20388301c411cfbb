"""Matching's read model from the registry's events: volunteers, tasks, erasures, PC4 centroids.

Storing a volunteer or a posted task also proposes (the re-evaluation, the best candidates): both take
their centrale's turn first (``uow.lock_centrale``), so a profile change and a task posting applied at
the same moment in two transactions cannot each miss the other. A team task, posted or changed, also
takes the open team days that fit it, under the region's team-day turn taken before the task is stored.
"""

from __future__ import annotations

from uuid import UUID

from common.errors import ContractViolation
from matching.commands import (
    CloseTask,
    EraseVolunteer,
    LoadPostcodeAreas,
    RecordPostedTask,
    RecordTaskUpdate,
    RecordVolunteer,
    ReevaluateVolunteer,
)
from matching.domain.model import TaskStatus
from matching.domain.proposals import LIVE, Ender, EndReason, ProposalStatus
from matching.unit_of_work import MatchingUnitOfWork
from matching.use_cases._proposing import end, expire, expire_pending_of_task, propose_best
from matching.use_cases.proposals import reevaluate_volunteer
from matching.use_cases.team_days import match_open_team_days

__all__ = [
    "close_task",
    "erase_volunteer",
    "load_postcode_areas",
    "record_posted_task",
    "record_task_update",
    "record_volunteer",
]


async def record_volunteer(command: RecordVolunteer, uow: MatchingUnitOfWork) -> list[UUID]:
    """Store a new or changed profile, then re-evaluate the volunteer for open tasks; the new proposals."""
    volunteer = command.volunteer
    # The centrale's turn before the write: a task posting there either committed already (and the
    # re-evaluation below sees it) or waits, then finds this profile.
    await uow.lock_centrale(volunteer.centrale_id)
    await uow.volunteers.upsert(volunteer)
    if command.replayed:
        # The row came back empty of its count: the proposals still live are the volunteer's commitments.
        await uow.volunteers.recount_commitments(volunteer.volunteer_id)
        return []
    return await reevaluate_volunteer(ReevaluateVolunteer(volunteer.volunteer_id, volunteer.centrale_id), uow)


async def erase_volunteer(command: EraseVolunteer, uow: MatchingUnitOfWork) -> None:
    """Forget the volunteer: pending proposals expire, matches end, the profile goes."""
    # The row goes first: a proposal being made meanwhile holds it (see _proposing.propose), so this waits
    # for it, and the proposals read below (a later statement) include it.
    await uow.volunteers.erase(command.volunteer_id)
    for proposal in await uow.proposals.of_volunteer(command.volunteer_id, LIVE):
        if proposal.status is ProposalStatus.MADE:
            await end(proposal, EndReason.VOLUNTEER_ERASED, Ender.MATCHING, uow)
        else:
            await expire(proposal, uow)
    # Reasons mention nothing personal, but they describe the person: drop them with the profile, and the
    # consulenten's own words about them (why a gate was set aside) too.
    await uow.proposals.forget_reasons(command.volunteer_id)
    await uow.mediation.forget_reasons(command.volunteer_id)
    uow.candidates.forget(command.volunteer_id)


async def record_posted_task(command: RecordPostedTask, uow: MatchingUnitOfWork) -> list[UUID]:
    """Store the task and propose its best candidates from its own centrale; the proposals made."""
    # The centrale's turn before the write: a profile change there either committed already (and the
    # candidate search below sees it) or waits, then finds this task among the open ones.
    await uow.lock_centrale(command.task.centrale_id)
    if command.task.team_suitable:
        # Before the task's row is written: a posted day holding the turn may be locking task rows.
        await uow.lock_team_days()
    await uow.tasks.upsert(command.task, posted_at=command.posted_at)
    task = await uow.tasks.get(command.task.task_id)
    assert task is not None, "just stored"
    proposed = await propose_best(task, uow)
    if command.task.team_suitable:
        await match_open_team_days(task.task_id, uow)
    return proposed


async def record_task_update(command: RecordTaskUpdate, uow: MatchingUnitOfWork) -> None:
    """Keep the task's facts current (its proposals stand); a team task takes the open days that now fit."""
    if command.task.team_suitable:
        await uow.lock_team_days()
    await uow.tasks.upsert(command.task, posted_at=None)
    if command.task.team_suitable:
        await match_open_team_days(command.task.task_id, uow)


async def close_task(command: CloseTask, uow: MatchingUnitOfWork) -> int:
    """The registry closed the task: pending proposals expire; how many did."""
    if not await uow.tasks.set_status(command.task_id, TaskStatus.after_closing(command.reason)):
        raise ContractViolation(f"task {command.task_id} was closed but matching never saw it posted")
    return await expire_pending_of_task(command.task_id, uow)


async def load_postcode_areas(command: LoadPostcodeAreas, uow: MatchingUnitOfWork) -> int:
    """Load PC4 centroids; volunteers in those areas are re-indexed with their coordinates."""
    loaded = await uow.postcode_areas.load(command.centroids)
    await uow.volunteers.touch_in_areas([centroid.pc4 for centroid in command.centroids])
    return loaded
