"""Regional overflow: a task nobody took in time is offered to consenting volunteers of the other centrales."""

from __future__ import annotations

from uuid import UUID

from matching.commands import OfferOverflow
from matching.domain.proposals import ProposalVia
from matching.unit_of_work import MatchingUnitOfWork
from matching.use_cases._proposing import propose

__all__ = ["offer_overflow"]


async def offer_overflow(command: OfferOverflow, uow: MatchingUnitOfWork) -> dict[UUID, list[UUID]]:
    """Offer every task open longer than the policy allows without a match; per task, the proposals made."""
    now = uow.now()
    tasks = await uow.tasks.due_for_overflow(now - uow.policy.overflow_after)
    centrales = await uow.volunteers.centrales()
    offered: dict[UUID, list[UUID]] = {}
    for task in tasks:
        others = tuple(centrale for centrale in centrales if centrale != task.centrale_id)
        already = await uow.proposals.volunteers_proposed_for(task.task_id)
        candidates = await uow.candidates.best(
            task.profile,
            uow.policy.proposals_per_task,
            today=uow.today(),
            max_open_commitments=uow.policy.max_open_commitments,
            other_centrales=others,
            exclude=already,
        )
        proposed = []
        for candidate in candidates:
            if candidate.profile.centrale_id == task.centrale_id:
                continue  # overflow is for the neighbours; the own centrale had its turn
            made = await propose(
                task,
                candidate.profile.volunteer_id,
                candidate.profile.centrale_id,
                score=candidate.score,
                reasons=candidate.reasons,
                via=ProposalVia.OVERFLOW,
                needs_consulent=candidate.profile.needs_support,
                uow=uow,
            )
            if made is not None:
                proposed.append(made.match_id)
        await uow.tasks.mark_overflow_offered(task.task_id, now)
        offered[task.task_id] = proposed
    return offered
