"""Proposals from proposed to made or gone: re-evaluation, interest, approval, acceptance, declining, ending, expiry.

Who may act on a proposal is checked here against the command's caller (the routes check only the role
and the centrale of the path): someone with no business with a proposal gets 404, as if it did not exist.
"""

from __future__ import annotations

from dataclasses import replace
from uuid import UUID

from common.errors import Conflict, NotFound, Rejected
from contracts.events import MatchDeclined, MatchMade
from matching.commands import (
    AcceptProposal,
    ApproveProposal,
    DeclineProposal,
    EndMatch,
    ExpireStaleProposals,
    ExpressInterest,
    ListTaskProposals,
    ListVolunteerProposals,
    ReevaluateVolunteer,
)
from matching.domain.model import TaskStatus
from matching.domain.proposals import PENDING, Decliner, EndReason, Proposal, ProposalStatus, ProposalVia
from matching.domain.scoring import assess
from matching.unit_of_work import MatchingUnitOfWork
from matching.use_cases._proposing import end, expire, expire_pending_of_task, match_facts, propose

__all__ = [
    "accept_proposal",
    "approve_proposal",
    "decline_proposal",
    "end_match",
    "expire_stale_proposals",
    "express_interest",
    "list_task_proposals",
    "list_volunteer_proposals",
    "reevaluate_volunteer",
]


async def reevaluate_volunteer(command: ReevaluateVolunteer, uow: MatchingUnitOfWork) -> list[UUID]:
    """Withdraw pending proposals the volunteer no longer fits, then propose them for open tasks; the new ids."""
    await uow.lock_centrale(command.centrale_id)
    profile = await uow.volunteers.get(command.volunteer_id)
    if profile is None:
        return []  # erased meanwhile
    today = uow.now().date()
    pending = await uow.proposals.of_volunteer(command.volunteer_id, PENDING)
    tasks = await uow.tasks.get_many({proposal.task_id for proposal in pending})
    expired = 0
    for proposal in pending:
        # Their own open commitments must not count against a proposal they already have.
        check = assess(
            profile,
            tasks[proposal.task_id].profile,
            today=today,
            max_open_commitments=profile.open_commitments + 1,
            other_centrale_allowed=proposal.via is ProposalVia.OVERFLOW,
        )
        if not check.eligible:
            await expire(proposal, uow)
            expired += 1
    if not profile.matching_consent:
        return []
    open_tasks = await uow.tasks.open_for_volunteer(
        profile.centrale_id, command.volunteer_id, fewer_live_than=uow.policy.proposals_per_task
    )
    # Only the open-commitment count changes while proposing (expiries lowered it, proposals raise it):
    # track it here instead of re-reading the volunteer for every task.
    current = replace(profile, open_commitments=max(profile.open_commitments - expired, 0))
    proposed = []
    for task in open_tasks:
        result = assess(current, task.profile, today=today, max_open_commitments=uow.policy.max_open_commitments)
        if not result.eligible:
            continue
        match_id = await propose(
            task,
            command.volunteer_id,
            profile.centrale_id,
            score=result.score,
            reasons=result.reasons,
            via=ProposalVia.MATCHING,
            needs_consulent=profile.needs_support,
            uow=uow,
        )
        if match_id is not None:
            proposed.append(match_id)
        current = replace(current, open_commitments=current.open_commitments + 1)
    return proposed


async def express_interest(command: ExpressInterest, uow: MatchingUnitOfWork) -> UUID:
    """The volunteer asks for a task: a proposal when the hard gates allow it, else every reason why not."""
    # Re-evaluations and task postings of the volunteer's centrale propose them too: take turns with them,
    # so an answer here never collides with a proposal being made there.
    await uow.lock_centrale(command.centrale_id)
    volunteer = await uow.volunteers.get(command.volunteer_id)
    task = await uow.tasks.get(command.task_id, for_update=True)
    if volunteer is None:
        raise Conflict("your profile has not reached matching yet; try again in a moment")
    if task is None or (task.centrale_id != command.centrale_id and not volunteer.regional_consent):
        raise NotFound(f"task {command.task_id} not found")
    if task.status is not TaskStatus.OPEN:
        raise Conflict(f"task is {task.status.value}")
    if await uow.proposals.has_live(command.task_id, command.volunteer_id):
        raise Conflict("you already have a proposal or match for this task")
    result = assess(
        volunteer,
        task.profile,
        today=uow.now().date(),
        max_open_commitments=uow.policy.max_open_commitments,
        other_centrale_allowed=task.centrale_id != command.centrale_id,
    )
    if not result.eligible:
        raise Rejected(result.excluded_because, field="task_id")
    match_id = await propose(
        task,
        command.volunteer_id,
        command.centrale_id,
        score=result.score,
        reasons=result.reasons,
        via=ProposalVia.INTEREST,
        needs_consulent=volunteer.needs_support,
        uow=uow,
    )
    if match_id is None:
        raise Conflict("your profile is being removed from matching")
    return match_id


async def _locked(match_id: UUID, uow: MatchingUnitOfWork, *, what: str = "proposal") -> Proposal:
    """The proposal, locked for this decision; 404 when there is none."""
    proposal = await uow.proposals.lock(match_id)
    if proposal is None:
        raise NotFound(f"{what} {match_id} not found")
    return proposal


async def approve_proposal(command: ApproveProposal, uow: MatchingUnitOfWork) -> None:
    """The volunteer's consulent approves a proposal for someone who needs support."""
    proposal = await _locked(command.match_id, uow)
    if proposal.volunteer_centrale_id != command.consulent_centrale_id:
        raise NotFound(f"proposal {command.match_id} not found")
    await uow.proposals.save(proposal.approve(uow.now()))


async def accept_proposal(command: AcceptProposal, uow: MatchingUnitOfWork) -> None:
    """The organisation accepts: the match is made (after the consulent, where one is needed)."""
    proposal = await _locked(command.match_id, uow)
    if proposal.centrale_id != command.task_centrale_id or (
        command.organisation_id is not None and proposal.organisation_id != command.organisation_id
    ):
        raise NotFound(f"proposal {command.match_id} not found")
    made = proposal.make(uow.now())
    task = await uow.tasks.get(proposal.task_id, for_update=True)
    assert task is not None, "proposals reference tasks"
    made_before = await uow.proposals.count(task.task_id, {ProposalStatus.MADE})
    if task.status is not TaskStatus.OPEN or task.is_full(made_before):
        raise Conflict("the task has no room left")
    await uow.proposals.save(made)
    await uow.emit(MatchMade(**match_facts(made), made_at=uow.now()), tenant=made.centrale_id)
    if task.is_full(made_before + 1):
        # Full: the registry closes it as filled (it counts MatchMade too); pending proposals end now.
        await uow.tasks.set_status(task.task_id, TaskStatus.FILLED)
        await expire_pending_of_task(task.task_id, uow)


def _may_decline(proposal: Proposal, command: DeclineProposal) -> bool:
    """The organisation of the task (in its centrale), a consulent of either centrale, or the volunteer."""
    if command.by is Decliner.ORGANISATION:
        return proposal.organisation_id == command.organisation_id and proposal.centrale_id == command.centrale_id
    if command.by is Decliner.CONSULENT:
        return command.centrale_id in (proposal.centrale_id, proposal.volunteer_centrale_id)
    return proposal.volunteer_id == command.volunteer_id


async def decline_proposal(command: DeclineProposal, uow: MatchingUnitOfWork) -> None:
    """Decline a pending proposal (organisation, consulent or volunteer)."""
    proposal = await _locked(command.match_id, uow)
    if not _may_decline(proposal, command):
        raise NotFound(f"proposal {command.match_id} not found")
    declined = proposal.decline(uow.now())
    await uow.proposals.save(declined)
    await uow.volunteers.add_commitments(proposal.volunteer_id, -1)
    await uow.emit(
        MatchDeclined(**match_facts(declined), declined_by=command.by.value, declined_at=uow.now()),
        tenant=declined.centrale_id,
    )


async def end_match(command: EndMatch, uow: MatchingUnitOfWork) -> None:
    """End a match that was made (the organisation, or staff of the task's or the volunteer's centrale)."""
    proposal = await _locked(command.match_id, uow, what="match")
    if command.organisation_id is not None:
        allowed = proposal.organisation_id == command.organisation_id
    else:
        allowed = command.centrale_id in (proposal.centrale_id, proposal.volunteer_centrale_id)
    if not allowed:
        raise NotFound(f"match {command.match_id} not found")
    await end(proposal, EndReason.ENDED, uow)


async def expire_stale_proposals(command: ExpireStaleProposals, uow: MatchingUnitOfWork) -> int:
    """Expire proposals unanswered for longer than the policy's time to live; how many expired."""
    stale = await uow.proposals.unanswered_before(uow.now() - uow.policy.proposal_ttl)
    for proposal in stale:
        await expire(proposal, uow)
    return len(stale)


async def list_task_proposals(query: ListTaskProposals, uow: MatchingUnitOfWork) -> list[Proposal]:
    """The task's proposals, best first, for staff of its centrale or the organisation that posted it."""
    task = await uow.tasks.get(query.task_id)
    if (
        task is None
        or task.centrale_id != query.centrale_id
        or (query.organisation_id is not None and task.profile.organisation_id != query.organisation_id)
    ):
        raise NotFound(f"task {query.task_id} not found")
    return await uow.proposals.of_task(query.task_id)


async def list_volunteer_proposals(query: ListVolunteerProposals, uow: MatchingUnitOfWork) -> list[Proposal]:
    """The volunteer's open proposals, best first; for staff NotFound unless the volunteer is of their centrale.

    Another centrale's volunteer is "not found", like any record of another tenant: an empty list would tell
    staff that matching knows nothing open for them (issue 13 found ``200 []``).
    """
    if query.volunteer_centrale_id is not None:
        volunteer = await uow.volunteers.get(query.volunteer_id)
        if volunteer is None or volunteer.centrale_id != query.volunteer_centrale_id:
            raise NotFound("no such volunteer in this centrale")
    pending = await uow.proposals.of_volunteer(query.volunteer_id, PENDING)
    if query.volunteer_centrale_id is None:
        return pending
    return [proposal for proposal in pending if proposal.volunteer_centrale_id == query.volunteer_centrale_id]
