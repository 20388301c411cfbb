"""Routes around proposals: staff and organisations review and decide, consulenten approve, volunteers ask."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter

from common.auth import Caller, CallerDep, Role, require_centrale_access, require_role
from common.errors import NotFound
from matching.api.dependencies import MatchingUowDep
from matching.api.schemas import InterestIn, ProposalOut
from matching.commands import (
    AcceptProposal,
    ApproveProposal,
    DeclineProposal,
    EndMatch,
    ExpressInterest,
    ListTaskProposals,
    ListVolunteerProposals,
)
from matching.domain.proposals import Decliner
from matching.use_cases import (
    accept_proposal,
    approve_proposal,
    decline_proposal,
    end_match,
    express_interest,
    list_task_proposals,
    list_volunteer_proposals,
)

__all__ = ["router"]

router = APIRouter(prefix="/v1")


def _staff_or_organisation(caller: Caller, centrale_id: str) -> UUID | None:
    """Staff of the centrale, or an organisation in it; the organisation the caller acts as (None for staff)."""
    require_centrale_access(caller, centrale_id, Role.CENTRALE_STAFF, Role.ORGANISATION)
    return caller.subject_id if caller.role is Role.ORGANISATION else None


def _me(caller: Caller) -> tuple[UUID, str]:
    """The volunteer calling, and their centrale."""
    require_role(caller, Role.VOLUNTEER)
    if caller.subject_id is None or caller.centrale_id is None:
        raise NotFound("not found")  # volunteer credentials always carry both
    return caller.subject_id, caller.centrale_id


@router.get(
    "/centrales/{centrale_id}/tasks/{task_id}/proposals",
    tags=["staff", "organisations"],
    summary="Proposals for a task, best first, with the reasons.",
)
async def task_proposals(centrale_id: str, task_id: UUID, caller: CallerDep, uow: MatchingUowDep) -> list[ProposalOut]:
    organisation = _staff_or_organisation(caller, centrale_id)
    proposals = await list_task_proposals(ListTaskProposals(task_id, centrale_id, organisation), uow)
    return [ProposalOut.of(proposal) for proposal in proposals]


@router.post(
    "/centrales/{centrale_id}/proposals/{match_id}/approve",
    status_code=204,
    tags=["staff"],
    summary="The volunteer's consulent approves a proposal for someone who needs support.",
)
async def approve(centrale_id: str, match_id: UUID, caller: CallerDep, uow: MatchingUowDep) -> None:
    require_centrale_access(caller, centrale_id, Role.CENTRALE_STAFF)
    await approve_proposal(ApproveProposal(match_id, consulent_centrale_id=centrale_id), uow)


@router.post(
    "/centrales/{centrale_id}/proposals/{match_id}/accept",
    status_code=204,
    tags=["staff", "organisations"],
    summary="Accept a proposal: the match is made.",
)
async def accept(centrale_id: str, match_id: UUID, caller: CallerDep, uow: MatchingUowDep) -> None:
    organisation = _staff_or_organisation(caller, centrale_id)
    await accept_proposal(AcceptProposal(match_id, task_centrale_id=centrale_id, organisation_id=organisation), uow)


@router.post(
    "/centrales/{centrale_id}/proposals/{match_id}/decline",
    status_code=204,
    tags=["staff", "organisations"],
    summary="Decline a proposal (organisation or consulent).",
)
async def decline(centrale_id: str, match_id: UUID, caller: CallerDep, uow: MatchingUowDep) -> None:
    organisation = _staff_or_organisation(caller, centrale_id)
    by = Decliner.ORGANISATION if organisation is not None else Decliner.CONSULENT
    command = DeclineProposal(match_id, by=by, centrale_id=centrale_id, organisation_id=organisation)
    await decline_proposal(command, uow)


@router.post(
    "/centrales/{centrale_id}/matches/{match_id}/end",
    status_code=204,
    tags=["staff", "organisations"],
    summary="End a match that was made.",
)
async def end(centrale_id: str, match_id: UUID, caller: CallerDep, uow: MatchingUowDep) -> None:
    organisation = _staff_or_organisation(caller, centrale_id)
    await end_match(EndMatch(match_id, centrale_id=centrale_id, organisation_id=organisation), uow)


@router.get(
    "/centrales/{centrale_id}/volunteers/{volunteer_id}/proposals",
    tags=["staff"],
    summary="A volunteer's open proposals.",
)
async def volunteer_proposals(
    centrale_id: str, volunteer_id: UUID, caller: CallerDep, uow: MatchingUowDep
) -> list[ProposalOut]:
    require_centrale_access(caller, centrale_id, Role.CENTRALE_STAFF)
    proposals = await list_volunteer_proposals(ListVolunteerProposals(volunteer_id, centrale_id), uow)
    return [ProposalOut.of(proposal) for proposal in proposals]


@router.get("/me/proposals", tags=["volunteers"], summary="Your open proposals.")
async def my_proposals(caller: CallerDep, uow: MatchingUowDep) -> list[ProposalOut]:
    volunteer_id, _ = _me(caller)
    proposals = await list_volunteer_proposals(ListVolunteerProposals(volunteer_id), uow)
    return [ProposalOut.of(proposal) for proposal in proposals]


@router.post(
    "/me/interests",
    status_code=201,
    tags=["volunteers"],
    summary="Ask to be proposed for a task; 422 lists every reason it cannot be.",
)
async def interest(body: InterestIn, caller: CallerDep, uow: MatchingUowDep) -> dict[str, UUID]:
    volunteer_id, centrale_id = _me(caller)
    match_id = await express_interest(ExpressInterest(volunteer_id, centrale_id, body.task_id), uow)
    return {"match_id": match_id}


@router.post(
    "/me/proposals/{match_id}/decline", status_code=204, tags=["volunteers"], summary="Decline a proposal made to you."
)
async def decline_mine(match_id: UUID, caller: CallerDep, uow: MatchingUowDep) -> None:
    volunteer_id, _ = _me(caller)
    await decline_proposal(DeclineProposal(match_id, by=Decliner.VOLUNTEER, volunteer_id=volunteer_id), uow)
