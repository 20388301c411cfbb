"""Moves every proposal use case shares: propose, expire, end, each with its event and commitment count."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID, uuid4

from contracts.events import MatchEnded, MatchExpired, MatchProposed
from matching.domain.model import Task
from matching.domain.proposals import PENDING, Ender, EndReason, Proposal, ProposalStatus, ProposalVia
from matching.unit_of_work import MatchingUnitOfWork

__all__ = ["end", "expire", "expire_pending_of_task", "match_facts", "propose", "propose_best"]


def match_facts(proposal: Proposal) -> dict[str, Any]:
    """Who and what every match event names."""
    return {
        "match_id": proposal.match_id,
        "task_id": proposal.task_id,
        "volunteer_id": proposal.volunteer_id,
        "organisation_id": proposal.organisation_id,
        "centrale_id": proposal.centrale_id,
        "volunteer_centrale_id": proposal.volunteer_centrale_id,
    }


async def propose(
    task: Task,
    volunteer_id: UUID,
    volunteer_centrale_id: str,
    *,
    score: float,
    reasons: Sequence[str],
    via: ProposalVia,
    needs_consulent: bool,
    uow: MatchingUnitOfWork,
) -> Proposal | None:
    """Propose the volunteer for the task; None when the volunteer was erased meanwhile (nothing proposed)."""
    # The volunteer's row first: an erasure in progress holds it, so this waits, then finds no row.
    if not await uow.volunteers.add_commitments(volunteer_id, +1):
        return None
    proposal = Proposal(
        match_id=uuid4(),
        task_id=task.task_id,
        volunteer_id=volunteer_id,
        organisation_id=task.profile.organisation_id,
        centrale_id=task.centrale_id,
        volunteer_centrale_id=volunteer_centrale_id,
        score=score,
        reasons=tuple(reasons),
        via=via,
        needs_consulent=needs_consulent,
        status=ProposalStatus.PROPOSED,
        proposed_at=uow.now(),
    )
    await uow.proposals.add(proposal)
    # The reasons (skills, languages, availability, distance) and the consulent flag (a support need) describe the
    # volunteer: they stay in matching's table and API. On the topic, kept forever, they would outlive an erasure
    # under the volunteer's id; the registry knows the support need itself (issue 16).
    await uow.emit(
        MatchProposed(
            **match_facts(proposal),
            score=min(max(score, 0.0), 1.0),
            via=via.value,
            proposed_at=proposal.proposed_at,
        ),
        tenant=task.centrale_id,
    )
    return proposal


async def propose_best(task: Task, uow: MatchingUnitOfWork) -> list[UUID]:
    """Propose the task's best candidates of its own centrale (nobody proposed for it before)."""
    already = await uow.proposals.volunteers_proposed_for(task.task_id)
    candidates = await uow.candidates.best(
        task.profile,
        uow.policy.proposals_per_task,
        today=uow.today(),
        max_open_commitments=uow.policy.max_open_commitments,
        exclude=already,
    )
    proposed = []
    for candidate in candidates:
        made = await propose(
            task,
            candidate.profile.volunteer_id,
            candidate.profile.centrale_id,
            score=candidate.score,
            reasons=candidate.reasons,
            via=ProposalVia.MATCHING,
            needs_consulent=candidate.profile.needs_support,
            uow=uow,
        )
        if made is not None:
            proposed.append(made.match_id)
    return proposed


async def expire(proposal: Proposal, uow: MatchingUnitOfWork) -> None:
    """A pending proposal expires: the volunteer's commitment is freed, ``MatchExpired`` goes out."""
    expired = proposal.expire(uow.now())
    await uow.proposals.save(expired)
    await uow.volunteers.add_commitments(proposal.volunteer_id, -1)
    await uow.emit(MatchExpired(**match_facts(expired), expired_at=uow.now()), tenant=expired.centrale_id)


async def expire_pending_of_task(task_id: UUID, uow: MatchingUnitOfWork) -> int:
    """Every pending proposal of a task that no longer takes volunteers expires; how many did."""
    pending = await uow.proposals.of_task(task_id, PENDING)
    for proposal in pending:
        await expire(proposal, uow)
    return len(pending)


async def end(proposal: Proposal, reason: EndReason, by: Ender, uow: MatchingUnitOfWork) -> None:
    """A match ends, for a reason, by someone: the volunteer's commitment is freed, ``MatchEnded`` goes out."""
    ended = proposal.end(uow.now(), reason, by)
    await uow.proposals.save(ended)
    await uow.volunteers.add_commitments(proposal.volunteer_id, -1)
    await uow.emit(
        MatchEnded(**match_facts(ended), ended_at=uow.now(), reason=reason.value, ended_by=by.value),
        tenant=ended.centrale_id,
    )
