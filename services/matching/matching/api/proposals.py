"""Routes around proposals: volunteers respond and say yes, organisations review and say yes, consulenten approve,
respond for a volunteer or put them forward, and record a volunteer's yes; either side ends a match with a reason."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from common.auth import Caller, CallerDep, Role, require_centrale_access, require_role
from common.errors import NotFound
from matching.api.dependencies import MatchingUowDep
from matching.api.schemas import (
    AgreementIn,
    EndIn,
    InterestIn,
    MediationOut,
    ProposalOut,
    ResponseIn,
    StatusOut,
    WorkQueueOut,
)
from matching.commands import (
    AcceptProposal,
    AgreeToProposal,
    ApproveProposal,
    DeclineProposal,
    EndMatch,
    ExpressInterest,
    GetMediation,
    ListCentraleProposals,
    ListTaskProposals,
    ListVolunteerProposals,
    RespondForVolunteer,
)
from matching.domain.proposals import Decliner, Ender, EndReason, ProposalVia
from matching.use_cases import (
    accept_proposal,
    agree_to_proposal,
    approve_proposal,
    decline_proposal,
    end_match,
    express_interest,
    get_mediation,
    list_centrale_proposals,
    list_task_proposals,
    list_volunteer_proposals,
    respond_for_volunteer,
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
    tags=["staff", "organisations"],
    summary="The organisation says yes: the match is made once the volunteer agreed too (status made), "
    "else it waits for them (status accepted).",
)
async def accept(centrale_id: str, match_id: UUID, caller: CallerDep, uow: MatchingUowDep) -> StatusOut:
    organisation = _staff_or_organisation(caller, centrale_id)
    command = AcceptProposal(match_id, task_centrale_id=centrale_id, organisation_id=organisation)
    return StatusOut.of(match_id, await accept_proposal(command, uow))


@router.post(
    "/centrales/{centrale_id}/proposals/{match_id}/agree",
    tags=["staff"],
    summary="A consulent records the volunteer's yes, given to them (how: in person, by phone, ...); the match is "
    "made once the organisation accepted too.",
)
async def agree_for_volunteer(
    centrale_id: str, match_id: UUID, body: AgreementIn, caller: CallerDep, uow: MatchingUowDep
) -> StatusOut:
    require_centrale_access(caller, centrale_id, Role.CENTRALE_STAFF)
    command = AgreeToProposal(match_id, consulent_centrale_id=centrale_id, how=body.how)
    return StatusOut.of(match_id, await agree_to_proposal(command, uow))


@router.post(
    "/centrales/{centrale_id}/volunteers/{volunteer_id}/responses",
    status_code=201,
    tags=["staff"],
    summary="A consulent responds to a task for a volunteer (on_behalf) or puts them forward (put_forward), with "
    "the volunteer's agreement; soft gates may be overridden with a reason, consent and the VOG never.",
    description="422 lists every gate that fails, each with `gate` and `overridable`; 409 for a filled or closed "
    "task or one the volunteer already has a proposal for.",
)
async def respond_for(
    centrale_id: str, volunteer_id: UUID, body: ResponseIn, caller: CallerDep, uow: MatchingUowDep
) -> dict[str, UUID]:
    require_centrale_access(caller, centrale_id, Role.CENTRALE_STAFF)
    command = RespondForVolunteer(
        volunteer_id,
        centrale_id,
        body.task_id,
        via=ProposalVia(body.via),
        how=body.agreement.how,
        overrides=body.gate_overrides(),
    )
    return {"match_id": await respond_for_volunteer(command, uow)}


@router.get(
    "/centrales/{centrale_id}/proposals/{match_id}/mediation",
    tags=["staff"],
    summary="What consulenten recorded for a proposal: gates overridden (who, why) and the volunteer's agreements.",
)
async def mediation(centrale_id: str, match_id: UUID, caller: CallerDep, uow: MatchingUowDep) -> MediationOut:
    require_centrale_access(caller, centrale_id, Role.CENTRALE_STAFF)
    overrides, agreements = await get_mediation(GetMediation(match_id, centrale_id), uow)
    return MediationOut.of(match_id, overrides, agreements)


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
    summary="End a match that was made, saying why (moved, no_time, not_a_fit, task_ended, other).",
)
async def end(centrale_id: str, match_id: UUID, body: EndIn, caller: CallerDep, uow: MatchingUowDep) -> None:
    organisation = _staff_or_organisation(caller, centrale_id)
    by = Ender.ORGANISATION if organisation is not None else Ender.CONSULENT
    command = EndMatch(match_id, EndReason(body.reason), by, centrale_id=centrale_id, organisation_id=organisation)
    await end_match(command, uow)


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


@router.get(
    "/centrales/{centrale_id}/proposals",
    tags=["staff"],
    summary="The work queue's proposals of the centrale's volunteers: those a consulent must approve "
    "(needs_consulent=true), or those pending longer than waiting_days; oldest first.",
)
async def centrale_proposals(
    centrale_id: str,
    caller: CallerDep,
    uow: MatchingUowDep,
    needs_consulent: Annotated[
        bool | None, Query(description="Only proposals for volunteers who need support.")
    ] = None,
    waiting_days: Annotated[int | None, Query(ge=0, le=365, description="Only those waiting longer.")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[ProposalOut]:
    require_centrale_access(caller, centrale_id, Role.CENTRALE_STAFF)
    query = ListCentraleProposals(centrale_id, needs_consulent, waiting_days, limit)
    return [ProposalOut.of(proposal) for proposal in await list_centrale_proposals(query, uow)]


@router.get(
    "/centrales/{centrale_id}/work-queue",
    tags=["staff"],
    summary="Matching's part of a consulent's work queue in one answer: the proposals to approve (volunteers who "
    "need support) and those pending longer than waiting_days; each oldest first, as /proposals gives them.",
)
async def work_queue(
    centrale_id: str,
    caller: CallerDep,
    uow: MatchingUowDep,
    waiting_days: Annotated[int, Query(ge=0, le=365, description="Unanswered: pending longer than this.")] = 7,
    limit: Annotated[int, Query(ge=1, le=500, description="At most this many of each.")] = 100,
) -> WorkQueueOut:
    require_centrale_access(caller, centrale_id, Role.CENTRALE_STAFF)
    to_approve = await list_centrale_proposals(ListCentraleProposals(centrale_id, True, None, limit), uow)
    unanswered = await list_centrale_proposals(ListCentraleProposals(centrale_id, None, waiting_days, limit), uow)
    return WorkQueueOut(
        to_approve=[ProposalOut.of(proposal) for proposal in to_approve],
        unanswered=[ProposalOut.of(proposal) for proposal in unanswered],
    )


@router.get(
    "/me/proposals",
    tags=["volunteers"],
    summary="Your open proposals: waiting for a yes (proposed, approved), for the other side's (accepted: the "
    "organisation said yes; agreed: you did).",
)
async def my_proposals(caller: CallerDep, uow: MatchingUowDep) -> list[ProposalOut]:
    volunteer_id, _ = _me(caller)
    proposals = await list_volunteer_proposals(ListVolunteerProposals(volunteer_id), uow)
    return [ProposalOut.of(proposal) for proposal in proposals]


@router.post(
    "/me/interests",
    status_code=201,
    tags=["volunteers"],
    summary="Respond to a task (reageren): a proposal when the gates allow it; 422 lists every reason they do not "
    "(in Dutch), 409 for a filled or closed task.",
    description="A message to the organisation goes to the registry (`PUT /v1/me/proposals/{match_id}/message`), "
    "never through matching.",
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


@router.post(
    "/me/proposals/{match_id}/agree",
    tags=["volunteers"],
    summary="Say yes to a proposal: the match is made once the organisation accepted too (status made), else it "
    "waits for the organisation (status agreed).",
)
async def agree_mine(match_id: UUID, caller: CallerDep, uow: MatchingUowDep) -> StatusOut:
    volunteer_id, _ = _me(caller)
    return StatusOut.of(match_id, await agree_to_proposal(AgreeToProposal(match_id, volunteer_id=volunteer_id), uow))


@router.post(
    "/me/matches/{match_id}/end",
    status_code=204,
    tags=["volunteers"],
    summary="End your own match, saying why (moved, no_time, not_a_fit, task_ended, other).",
)
async def end_mine(match_id: UUID, body: EndIn, caller: CallerDep, uow: MatchingUowDep) -> None:
    volunteer_id, _ = _me(caller)
    await end_match(EndMatch(match_id, EndReason(body.reason), Ender.VOLUNTEER, volunteer_id=volunteer_id), uow)
