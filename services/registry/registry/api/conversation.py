"""Routes of the match conversation: what each side sees of a proposal and whom to contact, the volunteer's
message with a response, and how to reach the centrale.

Responding and saying yes happen in matching (``POST /v1/me/interests``, ``.../agree``, ``.../accept``); the registry,
which holds the personal data, shows the details and keeps the message (never on a topic).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from common.auth import Caller, CallerDep, Role, require_centrale_access, require_role
from registry.api._plumbing import RegistryUowDep
from registry.unit_of_work import RegistryUnitOfWork
from registry.use_cases import conversation, organisations

__all__ = ["router"]

router = APIRouter(prefix="/v1")

Phone = Annotated[str, StringConstraints(pattern=r"^\+?[0-9 ()-]{6,20}$")]


class MessageIn(BaseModel):
    """A message to the organisation with a response (free text: kept by the registry only)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    text: str = Field(min_length=1, max_length=2000, examples=["Ik kook graag en heb dinsdagochtend tijd."])


class CentraleContactIn(BaseModel):
    """How organisations and volunteers reach the centrale."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=2, max_length=200, examples=["Vrijwilligerscentrale Utrecht, bemiddeling"])
    email: EmailStr | None = None
    phone: Phone | None = None


class ContactOut(BaseModel):
    """Whom to contact: ``organisation`` (its contact person), ``volunteer``, or ``centrale`` (the go-between)."""

    kind: str
    name: str | None
    email: str | None
    phone: str | None

    @classmethod
    def of(cls, contact: conversation.Contact) -> ContactOut:
        """The contact as the API shows it."""
        return cls(kind=contact.kind, name=contact.name, email=contact.email, phone=contact.phone)


class TaskOut(BaseModel):
    """The task as both sides see it in a proposal."""

    id: UUID
    title: str
    description: str
    theme: str
    postcode: str | None
    postcode_area: str | None
    shifts: list[dict[str, Any]]
    one_off_start: datetime | None
    one_off_end: datetime | None
    hours_per_week: Decimal
    vog_required: bool
    closing_date: date | None


class ProposalViewOut(BaseModel):
    """A proposal or match with the task, the organisation, the volunteer's message and whom to contact."""

    match_id: UUID
    status: str = Field(description="proposed, approved, accepted, agreed, made, declined, expired or ended.")
    via: str
    volunteer_id: UUID
    organisation_id: UUID
    organisation_name: str
    proposed_at: datetime | None
    accepted_at: datetime | None = Field(description="When the organisation said yes.")
    agreed_at: datetime | None = Field(description="When the volunteer said yes.")
    made_at: datetime | None
    ended_at: datetime | None
    end_reason: str | None
    task: TaskOut
    message: str | None = Field(description="What the volunteer wrote with their response.")
    contact: ContactOut | None = Field(
        description="Whom to contact; for an organisation only once the match is made (the volunteer with their "
        "consent, else their centrale)."
    )

    @classmethod
    def of(cls, view: conversation.ProposalView) -> ProposalViewOut:
        """The view as the API shows it."""
        p, t = view.proposal, view.task
        return cls(
            match_id=p.match_id,
            status=p.status,
            via=p.via,
            volunteer_id=p.volunteer_id,
            organisation_id=p.organisation_id,
            organisation_name=view.organisation_name,
            proposed_at=p.proposed_at,
            accepted_at=p.accepted_at,
            agreed_at=p.agreed_at,
            made_at=p.made_at,
            ended_at=p.ended_at,
            end_reason=p.end_reason,
            task=TaskOut(
                id=t.id,
                title=t.title,
                description=t.description,
                theme=t.theme,
                postcode=t.postcode,
                postcode_area=t.postcode_area,
                shifts=t.shifts,
                one_off_start=t.one_off_start,
                one_off_end=t.one_off_end,
                hours_per_week=t.hours_per_week,
                vog_required=t.vog_required,
                closing_date=t.closing_date,
            ),
            message=view.message,
            contact=ContactOut.of(view.contact) if view.contact is not None else None,
        )


def _me(caller: Caller) -> tuple[UUID, str]:
    """The volunteer the caller is, and their centrale."""
    require_role(caller, Role.VOLUNTEER)
    assert caller.subject_id is not None, "volunteer credentials carry the volunteer id"
    assert caller.centrale_id is not None, "volunteer credentials carry the centrale"
    return caller.subject_id, caller.centrale_id


def organisation_or_staff(caller: Caller, centrale_id: str, organisation_id: UUID) -> None:
    """The organisation itself, or staff of its centrale; anyone else gets 404 (403 for other roles)."""
    if caller.role not in (Role.ORGANISATION, Role.CENTRALE_STAFF):
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"role {caller.role} may not do this")
    if caller.centrale_id != centrale_id or (caller.role is Role.ORGANISATION and caller.subject_id != organisation_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "not found")


async def organisation_of_centrale(
    caller: Caller, centrale_id: str, organisation_id: UUID, uow: RegistryUnitOfWork
) -> None:
    """``organisation_or_staff``, and 404 unless the organisation is of that centrale.

    Staff name the organisation in the path: without this, staff of one centrale could read or set another
    centrale's organisation's settings under their own centrale's path (the tenant matrix of issue 13).
    """
    organisation_or_staff(caller, centrale_id, organisation_id)
    await organisations.get_organisation(organisations.GetOrganisation(organisation_id, centrale_id), uow)


# -- volunteers -------------------------------------------------------------------------------------------


@router.get(
    "/me/proposals",
    tags=["volunteers"],
    summary="Your proposals and matches: the task, its organisation, schedule and whom to contact.",
)
async def my_proposals(caller: CallerDep, uow: RegistryUowDep) -> list[ProposalViewOut]:
    views = await conversation.list_volunteer_proposals(conversation.ListVolunteerProposals(*_me(caller)), uow)
    return [ProposalViewOut.of(view) for view in views]


@router.get("/me/proposals/{match_id}", tags=["volunteers"], summary="One of your proposals or matches.")
async def my_proposal(match_id: UUID, caller: CallerDep, uow: RegistryUowDep) -> ProposalViewOut:
    volunteer_id, centrale_id = _me(caller)
    query = conversation.GetVolunteerProposal(volunteer_id, centrale_id, match_id)
    return ProposalViewOut.of(await conversation.get_volunteer_proposal(query, uow))


@router.put(
    "/me/proposals/{match_id}/message",
    status_code=204,
    tags=["volunteers"],
    summary="Your message to the organisation with your response (the match id matching gave you).",
)
async def put_my_message(match_id: UUID, body: MessageIn, caller: CallerDep, uow: RegistryUowDep) -> None:
    volunteer_id, centrale_id = _me(caller)
    cmd = conversation.PutResponseMessage(match_id, volunteer_id, centrale_id, body.text, written_by="volunteer")
    await conversation.put_response_message(cmd, uow)


# -- organisations ----------------------------------------------------------------------------------------


@router.get(
    "/centrales/{centrale_id}/organisations/{organisation_id}/responses",
    tags=["organisations"],
    summary="Proposals and matches for the organisation's tasks: the volunteer's message, and for a match whom to "
    "contact (the volunteer with their consent, else their centrale).",
)
async def organisation_responses(
    centrale_id: str, organisation_id: UUID, caller: CallerDep, uow: RegistryUowDep
) -> list[ProposalViewOut]:
    organisation_or_staff(caller, centrale_id, organisation_id)
    query = conversation.ListOrganisationResponses(organisation_id, centrale_id)
    return [ProposalViewOut.of(view) for view in await conversation.list_organisation_responses(query, uow)]


@router.get(
    "/centrales/{centrale_id}/organisations/{organisation_id}/matches/{match_id}/contact",
    tags=["organisations"],
    summary="Whom to contact for a match: the volunteer's name and contact with their consent, else the centrale's "
    "(409 before both sides said yes).",
)
async def match_contact(
    centrale_id: str, organisation_id: UUID, match_id: UUID, caller: CallerDep, uow: RegistryUowDep
) -> ContactOut:
    organisation_or_staff(caller, centrale_id, organisation_id)
    query = conversation.GetMatchContact(match_id, organisation_id, centrale_id)
    return ContactOut.of(await conversation.get_match_contact(query, uow))


# -- staff ------------------------------------------------------------------------------------------------


@router.put(
    "/centrales/{centrale_id}/volunteers/{volunteer_id}/proposals/{match_id}/message",
    status_code=204,
    tags=["centrale staff"],
    summary="A consulent writes down the volunteer's message with a response made for them.",
)
async def put_message_for(
    centrale_id: str, volunteer_id: UUID, match_id: UUID, body: MessageIn, caller: CallerDep, uow: RegistryUowDep
) -> None:
    require_centrale_access(caller, centrale_id, Role.CENTRALE_STAFF)
    cmd = conversation.PutResponseMessage(match_id, volunteer_id, centrale_id, body.text, written_by="consulent")
    await conversation.put_response_message(cmd, uow)


@router.put(
    "/centrales/{centrale_id}/contact",
    tags=["centrale staff"],
    summary="How organisations and volunteers reach the centrale (shown when it is the go-between).",
)
async def put_centrale_contact(
    centrale_id: str, body: CentraleContactIn, caller: CallerDep, uow: RegistryUowDep
) -> ContactOut:
    require_centrale_access(caller, centrale_id, Role.CENTRALE_STAFF)
    cmd = conversation.SetCentraleContact(centrale_id, body.name, body.email, body.phone)
    return ContactOut.of(await conversation.set_centrale_contact(cmd, uow))


@router.get("/centrales/{centrale_id}/contact", tags=["centrale staff"], summary="How to reach the centrale.")
async def get_centrale_contact(centrale_id: str, caller: CallerDep, uow: RegistryUowDep) -> ContactOut:
    require_centrale_access(caller, centrale_id, Role.CENTRALE_STAFF, Role.ORGANISATION, Role.VOLUNTEER)
    return ContactOut.of(await conversation.get_centrale_contact(conversation.GetCentraleContact(centrale_id), uow))
