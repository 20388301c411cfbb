"""Proposals from proposed to made or gone: re-evaluation, responding (the volunteer, or a consulent for them),
approval, the two yeses, declining, ending, expiry.

Who may act on a proposal is checked here against the command's caller (the routes check only the role
and the centrale of the path): someone with no business with a proposal gets 404, as if it did not exist.
Refusals a volunteer reads (responding to a task) are in plain Dutch.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from uuid import UUID

from common.errors import Conflict, NotFound, Rejected
from contracts import Event
from contracts.events import MatchAccepted, MatchAgreed, MatchApproved, MatchDeclined, MatchMade
from matching.commands import (
    AcceptProposal,
    AgreeToProposal,
    ApproveProposal,
    DeclineProposal,
    EndMatch,
    ExpireStaleProposals,
    ExpressInterest,
    GetMediation,
    ListCentraleProposals,
    ListTaskProposals,
    ListVolunteerProposals,
    ReevaluateVolunteer,
    RespondForVolunteer,
)
from matching.domain.mediation import AgreementSubject, GateOverride, VolunteerAgreement
from matching.domain.model import Task, TaskStatus, VolunteerProfile
from matching.domain.proposals import PENDING, Decliner, Ender, Proposal, ProposalStatus, ProposalVia
from matching.domain.scoring import HARD_GATES, Assessment, assess
from matching.unit_of_work import MatchingUnitOfWork
from matching.use_cases._gates import GatesFailed
from matching.use_cases._proposing import end, expire, expire_pending_of_task, match_facts, propose

__all__ = [
    "accept_proposal",
    "agree_to_proposal",
    "approve_proposal",
    "decline_proposal",
    "end_match",
    "expire_stale_proposals",
    "express_interest",
    "get_mediation",
    "list_centrale_proposals",
    "list_task_proposals",
    "list_volunteer_proposals",
    "reevaluate_volunteer",
    "respond_for_volunteer",
]


async def reevaluate_volunteer(command: ReevaluateVolunteer, uow: MatchingUnitOfWork) -> list[UUID]:
    """Withdraw pending proposals the volunteer no longer fits, then propose them for open tasks; the new ids."""
    await uow.lock_centrale(command.centrale_id)
    profile = await uow.volunteers.get(command.volunteer_id)
    if profile is None:
        return []  # erased meanwhile
    today = uow.today()
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
        made = await propose(
            task,
            command.volunteer_id,
            profile.centrale_id,
            score=result.score,
            reasons=result.reasons,
            via=ProposalVia.MATCHING,
            needs_consulent=profile.needs_support,
            uow=uow,
        )
        if made is not None:
            proposed.append(made.match_id)
        current = replace(current, open_commitments=current.open_commitments + 1)
    return proposed


async def _task_to_respond_to(
    volunteer: VolunteerProfile, task_id: UUID, centrale_id: str, uow: MatchingUnitOfWork
) -> tuple[Task, Assessment]:
    """The task a response is for, open, without a live proposal of this volunteer; and how they fit it."""
    task = await uow.tasks.get(task_id, for_update=True)
    if task is None or (task.centrale_id != centrale_id and not volunteer.regional_consent):
        raise NotFound(f"task {task_id} not found")
    if task.status is TaskStatus.FILLED:
        raise Conflict("Deze taak is al vervuld: er is geen plaats meer.")
    if task.status is not TaskStatus.OPEN:
        raise Conflict("Deze taak is gesloten: je kunt er niet meer op reageren.")
    if await uow.proposals.has_live(task_id, volunteer.volunteer_id):
        raise Conflict("Er loopt al een reactie of voorstel voor deze taak.")
    result = assess(
        volunteer,
        task.profile,
        today=uow.today(),
        max_open_commitments=uow.policy.max_open_commitments,
        other_centrale_allowed=task.centrale_id != centrale_id,
    )
    return task, result


async def express_interest(command: ExpressInterest, uow: MatchingUnitOfWork) -> UUID:
    """The volunteer responds to a task: a proposal when the gates allow it, else every reason why not (422);
    409 when the task is filled or closed."""
    # Re-evaluations and task postings of the volunteer's centrale propose them too: take turns with them,
    # so an answer here never collides with a proposal being made there.
    await uow.lock_centrale(command.centrale_id)
    volunteer = await uow.volunteers.get(command.volunteer_id)
    if volunteer is None:
        raise Conflict("Je gegevens zijn nog niet helemaal verwerkt; probeer het over een ogenblik opnieuw.")
    task, result = await _task_to_respond_to(volunteer, command.task_id, command.centrale_id, uow)
    if not result.eligible:
        raise GatesFailed(result.failed)
    made = await propose(
        task,
        command.volunteer_id,
        command.centrale_id,
        score=result.score,
        reasons=result.reasons,
        via=ProposalVia.INTEREST,
        needs_consulent=volunteer.needs_support,
        uow=uow,
    )
    if made is None:
        raise Conflict("Je gegevens worden verwijderd; reageren kan niet meer.")
    return made.match_id


async def respond_for_volunteer(command: RespondForVolunteer, uow: MatchingUnitOfWork) -> UUID:
    """A consulent responds for a volunteer of their centrale, or puts them forward, with the volunteer's agreement
    recorded; soft gates may be set aside with a reason, consent and the VOG never (422)."""
    if command.via not in (ProposalVia.ON_BEHALF, ProposalVia.PUT_FORWARD):
        raise ValueError(f"a consulent responds on_behalf or put_forward, not {command.via}")
    never = sorted(gate.value for gate in command.overrides if gate in HARD_GATES)
    if never:
        raise Rejected(["toestemming en VOG kunnen nooit worden overschreven"], field=("overrides", never[0]))
    await uow.lock_centrale(command.centrale_id)
    volunteer = await uow.volunteers.get(command.volunteer_id)
    if volunteer is None or volunteer.centrale_id != command.centrale_id:
        raise NotFound(f"volunteer {command.volunteer_id} not found")
    task, result = await _task_to_respond_to(volunteer, command.task_id, command.centrale_id, uow)
    if not result.eligible_with(set(command.overrides)):
        raise GatesFailed([f for f in result.failed if not f.overridable or f.gate not in command.overrides])
    proposal = await propose(
        task,
        command.volunteer_id,
        command.centrale_id,
        score=result.score,
        reasons=result.reasons,
        via=command.via,
        needs_consulent=volunteer.needs_support,
        uow=uow,
    )
    if proposal is None:
        raise Conflict("this volunteer is being erased")
    actor = uow.origin.actor or "unknown"
    for failed in result.failed:  # only the gates that failed were set aside
        override = GateOverride(proposal.match_id, failed.gate, command.overrides[failed.gate], actor, uow.now())
        await uow.mediation.add_override(override)
    subject = AgreementSubject.ON_BEHALF if command.via is ProposalVia.ON_BEHALF else AgreementSubject.PUT_FORWARD
    await uow.mediation.add_agreement(VolunteerAgreement(proposal.match_id, subject, command.how, actor, uow.now()))
    if proposal.needs_consulent:
        # The consulent mediating is the volunteer's own: putting them forward is their approval.
        await _approve(proposal, uow)
    return proposal.match_id


async def _locked(match_id: UUID, uow: MatchingUnitOfWork, *, what: str = "proposal") -> Proposal:
    """The proposal, locked for this decision; 404 when there is none."""
    proposal = await uow.proposals.lock(match_id)
    if proposal is None:
        raise NotFound(f"{what} {match_id} not found")
    return proposal


async def _approve(proposal: Proposal, uow: MatchingUnitOfWork) -> None:
    approved = proposal.approve(uow.now())
    await uow.proposals.save(approved)
    await uow.emit(MatchApproved(**match_facts(approved), approved_at=uow.now()), tenant=approved.centrale_id)


async def approve_proposal(command: ApproveProposal, uow: MatchingUnitOfWork) -> None:
    """The volunteer's consulent approves a proposal for someone who needs support."""
    proposal = await _locked(command.match_id, uow)
    if proposal.volunteer_centrale_id != command.consulent_centrale_id:
        raise NotFound(f"proposal {command.match_id} not found")
    await _approve(proposal, uow)


async def _say_yes(moved: Proposal, said: Event, uow: MatchingUnitOfWork) -> None:
    """Store one side's yes and announce it; when it was the second yes, the match is made (if there is room)."""
    task = await uow.tasks.get(moved.task_id, for_update=True)
    assert task is not None, "proposals reference tasks"
    made_before = await uow.proposals.count(task.task_id, {ProposalStatus.MADE})
    if task.status is not TaskStatus.OPEN or task.is_full(made_before):
        raise Conflict("Deze taak heeft geen plaats meer.")
    await uow.proposals.save(moved)
    await uow.emit(said, tenant=moved.centrale_id)
    if moved.status is not ProposalStatus.MADE:
        return
    await uow.emit(MatchMade(**match_facts(moved), made_at=uow.now()), tenant=moved.centrale_id)
    if task.is_full(made_before + 1):
        # Full: the registry closes it as filled (it counts MatchMade too); pending proposals end now.
        await uow.tasks.set_status(task.task_id, TaskStatus.FILLED)
        await expire_pending_of_task(task.task_id, uow)


async def accept_proposal(command: AcceptProposal, uow: MatchingUnitOfWork) -> ProposalStatus:
    """The organisation says yes: the match is made when the volunteer agreed too, else it waits for them.

    Where a consulent mediates, only after their approval. Returns where the proposal is now.
    """
    proposal = await _locked(command.match_id, uow)
    if proposal.centrale_id != command.task_centrale_id or (
        command.organisation_id is not None and proposal.organisation_id != command.organisation_id
    ):
        raise NotFound(f"proposal {command.match_id} not found")
    accepted = proposal.accept(uow.now())
    said = MatchAccepted(**match_facts(accepted), accepted_by=command.by.value, accepted_at=uow.now())
    await _say_yes(accepted, said, uow)
    return accepted.status


async def agree_to_proposal(command: AgreeToProposal, uow: MatchingUnitOfWork) -> ProposalStatus:
    """The volunteer says yes (themselves, or to their consulent, who records how): the match is made when the
    organisation accepted too, else it waits for it. Returns where the proposal is now."""
    proposal = await _locked(command.match_id, uow)
    if command.volunteer_id is not None:
        allowed = proposal.volunteer_id == command.volunteer_id
    else:
        allowed = command.consulent_centrale_id == proposal.volunteer_centrale_id and command.how is not None
    if not allowed:
        raise NotFound(f"proposal {command.match_id} not found")
    agreed = proposal.agree(uow.now())
    said = MatchAgreed(**match_facts(agreed), agreed_by=command.by.value, agreed_at=uow.now())
    await _say_yes(agreed, said, uow)
    if command.how is not None and command.volunteer_id is None:
        actor = uow.origin.actor or "unknown"
        await uow.mediation.add_agreement(
            VolunteerAgreement(proposal.match_id, AgreementSubject.MATCH, command.how, actor, uow.now())
        )
    return agreed.status


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


def _may_end(proposal: Proposal, command: EndMatch) -> bool:
    """The organisation of the task (in its centrale), staff of either centrale, or the volunteer themselves."""
    if command.by is Ender.ORGANISATION:
        return proposal.organisation_id == command.organisation_id and proposal.centrale_id == command.centrale_id
    if command.by is Ender.CONSULENT:
        return command.centrale_id in (proposal.centrale_id, proposal.volunteer_centrale_id)
    if command.by is Ender.VOLUNTEER:
        return proposal.volunteer_id == command.volunteer_id
    return False  # matching ends matches itself (erasure), never on request


async def end_match(command: EndMatch, uow: MatchingUnitOfWork) -> None:
    """End a match that was made, recording who ended it and why."""
    proposal = await _locked(command.match_id, uow, what="match")
    if not _may_end(proposal, command):
        raise NotFound(f"match {command.match_id} not found")
    await end(proposal, command.reason, command.by, uow)


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


async def list_centrale_proposals(query: ListCentraleProposals, uow: MatchingUnitOfWork) -> list[Proposal]:
    """Pending proposals of the centrale's volunteers that need a consulent: to approve, or long unanswered."""
    before = uow.now() - timedelta(days=query.waiting_days) if query.waiting_days is not None else None
    statuses = {ProposalStatus.PROPOSED} if query.needs_consulent else PENDING
    return await uow.proposals.of_centrale_volunteers(
        query.volunteer_centrale_id,
        statuses,
        needs_consulent=query.needs_consulent,
        proposed_before=before,
        limit=query.limit,
    )


async def get_mediation(
    query: GetMediation, uow: MatchingUnitOfWork
) -> tuple[list[GateOverride], list[VolunteerAgreement]]:
    """The soft gates set aside for a proposal and the agreements recorded, for staff of either centrale."""
    proposal = await uow.proposals.get(query.match_id)
    if proposal is None or query.centrale_id not in (proposal.centrale_id, proposal.volunteer_centrale_id):
        raise NotFound(f"proposal {query.match_id} not found")
    return await uow.mediation.overrides_of(query.match_id), await uow.mediation.agreements_of(query.match_id)
