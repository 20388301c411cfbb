"""The match conversation as the registry keeps it: each step matching reports, the notices it causes, the
volunteer's message, and whom each side may contact.

The volunteer sees the task, its organisation, its schedule and the organisation's contact person from the moment
they are proposed. The organisation sees the volunteer's name and contact only once both said yes (the match is
made) AND the volunteer consents to contact by organisations; otherwise it sees how to reach the volunteer's
centrale, which then is the go-between.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from common.errors import Conflict, NotFound
from registry.domain import ConsentKind
from registry.notice_texts import NoticeKind
from registry.repositories import CentraleContact, Proposal, ResponseMessage, Task
from registry.unit_of_work import RegistryUnitOfWork
from registry.use_cases.calendar import RecordMatchEnded, record_match_ended
from registry.use_cases.hours import RecordMatch, record_match
from registry.use_cases.notices import queue_notice

__all__ = [
    "Contact",
    "GetCentraleContact",
    "GetMatchContact",
    "GetVolunteerProposal",
    "ListOrganisationResponses",
    "ListVolunteerProposals",
    "MatchFacts",
    "MatchStep",
    "ProposalView",
    "PutResponseMessage",
    "RecordMatchStep",
    "SetCentraleContact",
    "get_centrale_contact",
    "get_match_contact",
    "get_volunteer_proposal",
    "list_organisation_responses",
    "list_volunteer_proposals",
    "put_response_message",
    "record_match_step",
    "set_centrale_contact",
]

LIVE = ("proposed", "approved", "accepted", "agreed", "made")
# The volunteer came forward (responded, or was put forward): the organisation hears of it as a response.
_RESPONDED = ("interest", "on_behalf", "put_forward")
# The platform or a consulent proposed them: the volunteer hears of it as a proposal.
_PROPOSED_TO_VOLUNTEER = ("matching", "overflow", "put_forward")


class MatchStep(StrEnum):
    """A step of a proposal's life, as matching's events report it."""

    PROPOSED = "proposed"
    APPROVED = "approved"
    ACCEPTED = "accepted"
    AGREED = "agreed"
    MADE = "made"
    DECLINED = "declined"
    EXPIRED = "expired"
    ENDED = "ended"


@dataclass(frozen=True)
class MatchFacts:
    """Who and what every match event names."""

    match_id: UUID
    task_id: UUID
    volunteer_id: UUID
    organisation_id: UUID
    centrale_id: str
    volunteer_centrale_id: str


@dataclass(frozen=True)
class RecordMatchStep:
    """Matching reported a step (the event ``event_id``, at ``at``); ``by`` says who declined, ended or said yes."""

    step: MatchStep
    facts: MatchFacts
    at: datetime
    event_id: UUID
    via: str | None = None
    needs_consulent: bool | None = None
    by: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class Contact:
    """Whom to contact: the organisation's contact person, the volunteer, or the centrale as go-between."""

    kind: str
    """``organisation``, ``volunteer`` or ``centrale``."""
    name: str | None
    email: str | None
    phone: str | None


@dataclass(frozen=True)
class ProposalView:
    """A proposal as one side sees it: its state, the task, the message, and whom to contact (when they may)."""

    proposal: Proposal
    task: Task
    organisation_name: str
    message: str | None
    contact: Contact | None


@dataclass(frozen=True)
class ListVolunteerProposals:
    """The volunteer's proposals and matches with the task and the organisation's contact."""

    volunteer_id: UUID
    centrale_id: str


@dataclass(frozen=True)
class GetVolunteerProposal:
    """One of the volunteer's proposals."""

    volunteer_id: UUID
    centrale_id: str
    match_id: UUID


@dataclass(frozen=True)
class ListOrganisationResponses:
    """Proposals and matches for the organisation's tasks, with the volunteer's message and, for matches, contact."""

    organisation_id: UUID
    centrale_id: str


@dataclass(frozen=True)
class GetMatchContact:
    """Whom the organisation contacts for one of its matches."""

    match_id: UUID
    organisation_id: UUID
    centrale_id: str


@dataclass(frozen=True)
class PutResponseMessage:
    """The volunteer's message with their response, written by them or by a consulent of their centrale."""

    match_id: UUID
    volunteer_id: UUID
    centrale_id: str
    body: str
    written_by: str


@dataclass(frozen=True)
class SetCentraleContact:
    """How organisations and volunteers reach the centrale."""

    centrale_id: str
    name: str
    email: str | None
    phone: str | None


@dataclass(frozen=True)
class GetCentraleContact:
    """How to reach the centrale."""

    centrale_id: str


# -- the steps matching reports ---------------------------------------------------------------------------


def _moved(known: Proposal, cmd: RecordMatchStep) -> Proposal:
    """The proposal after the step (moments and who/why recorded; a waiting state never overrides a later one)."""
    at, step = cmd.at, cmd.step
    waiting = known.status in ("proposed", "approved")
    if step is MatchStep.PROPOSED:
        return replace(
            known,
            via=cmd.via or known.via,
            needs_consulent=bool(cmd.needs_consulent),
            proposed_at=at,
        )
    if step is MatchStep.APPROVED:
        return replace(known, approved_at=at, status="approved" if known.status == "proposed" else known.status)
    if step is MatchStep.ACCEPTED:
        return replace(known, accepted_at=at, status="accepted" if waiting else known.status)
    if step is MatchStep.AGREED:
        return replace(known, agreed_at=at, status="agreed" if waiting else known.status)
    if step is MatchStep.MADE:
        return replace(known, made_at=at, status="made")
    if step is MatchStep.DECLINED:
        return replace(known, closed_at=at, declined_by=cmd.by, status="declined")
    if step is MatchStep.EXPIRED:
        return replace(known, closed_at=at, status="expired")
    return replace(known, ended_at=at, end_reason=cmd.reason, ended_by=cmd.by, status="ended")


async def record_match_step(cmd: RecordMatchStep, uow: RegistryUnitOfWork) -> Proposal:
    """Keep the proposal as matching reports it and tell the people concerned; the proposal as it is now.

    A match made is recorded for hours too (and fills its task at capacity); one that ended leaves the calendars.
    """
    facts = cmd.facts
    known = await uow.proposals.get(facts.match_id, lock=True)
    if known is None:  # a match from before the registry kept proposals, or its first step
        known = Proposal(
            match_id=facts.match_id,
            task_id=facts.task_id,
            volunteer_id=facts.volunteer_id,
            organisation_id=facts.organisation_id,
            centrale_id=facts.centrale_id,
            volunteer_centrale_id=facts.volunteer_centrale_id,
            via=cmd.via or "matching",
            needs_consulent=bool(cmd.needs_consulent),
            status="proposed",
        )
    now = _moved(known, cmd)
    await uow.proposals.put(now)
    if cmd.step is MatchStep.MADE:
        await record_match(
            RecordMatch(
                facts.match_id, facts.task_id, facts.volunteer_id, facts.organisation_id, facts.centrale_id,
                facts.volunteer_centrale_id, cmd.at,
            ),
            uow,
        )  # fmt: skip
    if cmd.step is MatchStep.ENDED:
        await record_match_ended(RecordMatchEnded(facts.match_id, cmd.at), uow)
    for recipient, kind in _who_to_tell(known, now, cmd):
        await _tell(uow, now, recipient, kind, cmd.event_id)
    return now


def _who_to_tell(before: Proposal, now: Proposal, cmd: RecordMatchStep) -> list[tuple[str, NoticeKind]]:
    """Which side hears of the step, and how."""
    step, responded = cmd.step, now.via in _RESPONDED
    if step is MatchStep.PROPOSED:
        told = [("volunteer", NoticeKind.PROPOSAL_NEW)] if now.via in _PROPOSED_TO_VOLUNTEER else []
        # Where a consulent mediates, the organisation hears of a response once the consulent approved it.
        if responded and not now.needs_consulent:
            told.append(("organisation", NoticeKind.RESPONSE_NEW))
        return told
    if step is MatchStep.APPROVED and responded:
        return [("organisation", NoticeKind.RESPONSE_NEW)]
    if step is MatchStep.ACCEPTED and before.agreed_at is None:
        return [("volunteer", NoticeKind.ACCEPTED)]
    if step is MatchStep.AGREED and before.accepted_at is None and not responded:
        return [("organisation", NoticeKind.RESPONSE_NEW)]  # a yes to a proposal: the organisation's turn
    if step is MatchStep.MADE:
        return [("volunteer", NoticeKind.MATCH_MADE), ("organisation", NoticeKind.MATCH_MADE)]
    if step is MatchStep.DECLINED:
        if cmd.by in ("organisation", "consulent"):
            return [("volunteer", NoticeKind.DECLINED)]
        if before.accepted_at is not None:  # the organisation said yes and waited for the volunteer
            return [("organisation", NoticeKind.DECLINED)]
    return []


async def _tell(uow: RegistryUnitOfWork, proposal: Proposal, recipient: str, kind: NoticeKind, event_id: UUID) -> None:
    volunteer = recipient == "volunteer"
    await queue_notice(
        uow,
        kind=kind,
        recipient_kind="volunteer" if volunteer else "organisation",
        recipient_id=proposal.volunteer_id if volunteer else proposal.organisation_id,
        centrale_id=proposal.volunteer_centrale_id if volunteer else proposal.centrale_id,
        cause=f"event:{event_id}",
        match_id=proposal.match_id,
        task_id=proposal.task_id,
    )


# -- what each side sees ----------------------------------------------------------------------------------


async def list_volunteer_proposals(query: ListVolunteerProposals, uow: RegistryUnitOfWork) -> list[ProposalView]:
    """The volunteer's proposals and matches, newest first; the organisation's contact on the live ones."""
    proposals = await uow.proposals.of_volunteer(query.volunteer_id)
    messages = await uow.response_messages.of_matches([p.match_id for p in proposals])
    views = []
    for proposal in proposals:
        view = await _volunteer_view(uow, proposal, messages.get(proposal.match_id))
        if view is not None:
            views.append(view)
    return views


async def get_volunteer_proposal(query: GetVolunteerProposal, uow: RegistryUnitOfWork) -> ProposalView:
    """One of the volunteer's proposals, with the task and the organisation's contact while it is live."""
    proposal = await uow.proposals.get(query.match_id)
    if proposal is None or proposal.volunteer_id != query.volunteer_id:
        raise NotFound(f"proposal {query.match_id} not found")
    message = (await uow.response_messages.of_matches([proposal.match_id])).get(proposal.match_id)
    view = await _volunteer_view(uow, proposal, message)
    if view is None:
        raise NotFound(f"proposal {query.match_id} not found")
    return view


async def _volunteer_view(
    uow: RegistryUnitOfWork, proposal: Proposal, message: ResponseMessage | None
) -> ProposalView | None:
    task = await uow.tasks.get_by_id(proposal.task_id)
    organisation = await uow.organisations.get(proposal.organisation_id, proposal.centrale_id)
    if task is None or organisation is None:
        return None  # matching only knows tasks from our own events: nothing to show for a stranger's id
    contact = (
        Contact("organisation", organisation.contact_name, organisation.contact_email, organisation.contact_phone)
        if proposal.status in LIVE
        else None
    )
    own = message.body if message is not None and message.volunteer_id == proposal.volunteer_id else None
    return ProposalView(proposal, task, organisation.name, own, contact)


async def list_organisation_responses(query: ListOrganisationResponses, uow: RegistryUnitOfWork) -> list[ProposalView]:
    """Live proposals and matches for the organisation's tasks, newest first: the volunteer's message, and for a
    match whom to contact (the volunteer with their consent, else their centrale)."""
    organisation = await uow.organisations.get(query.organisation_id, query.centrale_id)
    if organisation is None:
        raise NotFound(f"organisation {query.organisation_id} not found")
    proposals = await uow.proposals.of_organisation(query.organisation_id, query.centrale_id, LIVE)
    messages = await uow.response_messages.of_matches([p.match_id for p in proposals])
    views = []
    for proposal in proposals:
        task = await uow.tasks.get_by_id(proposal.task_id)
        if task is None:
            continue
        message = messages.get(proposal.match_id)
        body = message.body if message is not None and message.volunteer_id == proposal.volunteer_id else None
        contact = await _volunteer_contact(uow, proposal) if proposal.status == "made" else None
        views.append(ProposalView(proposal, task, organisation.name, body, contact))
    return views


async def get_match_contact(query: GetMatchContact, uow: RegistryUnitOfWork) -> Contact:
    """Whom the organisation contacts for its match: the volunteer (with their consent) or their centrale."""
    proposal = await uow.proposals.get(query.match_id)
    if (
        proposal is None
        or proposal.organisation_id != query.organisation_id
        or proposal.centrale_id != query.centrale_id
    ):
        raise NotFound(f"match {query.match_id} not found")
    if proposal.status != "made":
        raise Conflict("Nog geen match: de vrijwilliger en de organisatie zeggen eerst allebei ja.")
    return await _volunteer_contact(uow, proposal)


async def _volunteer_contact(uow: RegistryUnitOfWork, proposal: Proposal) -> Contact:
    """The volunteer's name and contact if they consent to contact by organisations, else their centrale's."""
    volunteer = await uow.volunteers.get(proposal.volunteer_id)
    if volunteer is not None and volunteer.erased_at is None:
        consent = (await uow.volunteers.consents(volunteer.id)).get(ConsentKind.CONTACT_BY_ORGANISATIONS.value)
        if consent is not None and consent.granted:
            return Contact("volunteer", volunteer.name, volunteer.email, volunteer.phone)
    return await _centrale_contact(uow, proposal.volunteer_centrale_id)


async def _centrale_contact(uow: RegistryUnitOfWork, centrale_id: str) -> Contact:
    """The centrale's go-between contact; without one, its public contact (the vacaturebank's) under its name."""
    contact = await uow.centrale_contacts.get(centrale_id)
    if contact is not None:
        return Contact("centrale", contact.name, contact.email, contact.phone)
    centrale = await uow.centrales.get(centrale_id)
    public = await uow.public_contacts.get(centrale_id)
    name = centrale.name if centrale else centrale_id
    return Contact("centrale", name, public.email if public else None, public.phone if public else None)


# -- the volunteer's message, the centrale's contact -----------------------------------------------------


async def put_response_message(cmd: PutResponseMessage, uow: RegistryUnitOfWork) -> None:
    """Keep the volunteer's message with their response (replacing an earlier one of theirs).

    Matching's report of the response may not have arrived yet: the message is kept under the volunteer's id and
    shown to the organisation only once the proposal turns out to be theirs.
    """
    volunteer = await uow.volunteers.get_active(cmd.volunteer_id, cmd.centrale_id)
    if volunteer is None:
        raise NotFound(f"volunteer {cmd.volunteer_id} not found")
    proposal = await uow.proposals.get(cmd.match_id)
    if proposal is not None and proposal.volunteer_id != cmd.volunteer_id:
        raise NotFound(f"proposal {cmd.match_id} not found")
    if proposal is not None and proposal.status not in LIVE:
        raise Conflict("Dit voorstel loopt niet meer; een bericht erbij kan niet meer.")
    stored = await uow.response_messages.put(
        ResponseMessage(cmd.match_id, cmd.volunteer_id, cmd.body, cmd.written_by, uow.now())
    )
    if not stored:
        raise NotFound(f"proposal {cmd.match_id} not found")


async def set_centrale_contact(cmd: SetCentraleContact, uow: RegistryUnitOfWork) -> Contact:
    """Store how to reach the centrale."""
    if not await uow.centrales.exists(cmd.centrale_id):
        raise NotFound(f"centrale {cmd.centrale_id} not found")
    await uow.centrale_contacts.put(CentraleContact(cmd.centrale_id, cmd.name, cmd.email, cmd.phone, uow.now()))
    return Contact("centrale", cmd.name, cmd.email, cmd.phone)


async def get_centrale_contact(query: GetCentraleContact, uow: RegistryUnitOfWork) -> Contact:
    """How to reach the centrale (its name only, while it gave no contact)."""
    if not await uow.centrales.exists(query.centrale_id):
        raise NotFound(f"centrale {query.centrale_id} not found")
    return await _centrale_contact(uow, query.centrale_id)
