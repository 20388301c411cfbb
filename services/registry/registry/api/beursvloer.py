"""Routes of the Beursvloer: evenings, offers, requests, the live board, deals and their follow-up.

Staff of the centrale act for anyone on its floor; a business partner (its HR credential or a person acting for
it) for its own offers and deals; an organisation for its own requests and deals. Everyone else gets 403, or 404
for another centrale's floor.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, HTTPException, Response, status
from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints, field_validator, model_validator

from common.auth import Caller, CallerDep, Role, require_centrale_access
from common.errors import Rejected
from registry import domain
from registry.api._plumbing import RegistryUowDep
from registry.api.models import Code, Created, Phone, Record
from registry.beursvloer_rules import Category, Outcome, Side
from registry.repositories import Deal
from registry.use_cases import beursvloer, deals
from registry.use_cases.beursvloer import Party

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["beursvloer"])

Description = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=500)]
Amount = Annotated[Decimal, Field(gt=0, le=99_999, max_digits=7, decimal_places=2)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class BeursEventIn(_Body):
    """A Beursvloer evening."""

    title: str = Field(min_length=3, max_length=200, examples=["Maatschappelijke Beursvloer Utrecht 2026"])
    place: str = Field(min_length=2, max_length=300, examples=["Stadhuis Utrecht, Korte Minrebroederstraat 2"])
    starts_at: datetime = Field(examples=["2026-10-08T16:30:00+02:00"])
    ends_at: datetime = Field(examples=["2026-10-08T19:30:00+02:00"])


class _PostingIn(_Body):
    category: Category = Field(description="goods (spullen), knowledge (kennis) or hands (handen).")
    description: Description = Field(description="A short description (stays in the registry).")
    tags: list[Code] = Field(default_factory=list, max_length=10, examples=[["schilderen", "klussen"]])
    quantity: int | None = Field(None, ge=1, le=100_000, description="How many, for goods counted in pieces.")
    hours: Amount | None = Field(None, description="How many hours in total, for knowledge and hands.")
    postcode: str | None = Field(None, description="Where (only the PC4 area is kept).", examples=["3511"])
    event_id: UUID | None = Field(None, description="The evening it is for; leave out for the continuous floor.")

    @field_validator("postcode")
    @classmethod
    def _area(cls, value: str | None) -> str | None:
        return domain.postcode_area(value) if value is not None else None

    def fields(self) -> beursvloer.PostingFields:
        """The use case's posting fields."""
        return beursvloer.PostingFields(
            category=self.category,
            description=self.description,
            tags=self.tags,
            quantity=self.quantity,
            hours=self.hours,
            postcode_area=self.postcode,
            event_id=self.event_id,
        )


class OfferIn(_PostingIn):
    """What a company offers."""

    partner_id: UUID | None = Field(None, description="Staff only: the company they post for.")
    available_until: date | None = Field(None, description="Last day the company can give it.")


class RequestIn(_PostingIn):
    """What an organisation asks for."""

    organisation_id: UUID | None = Field(None, description="Staff only: the organisation they post for.")
    needed_by: date | None = Field(None, description="The day it is needed by.")


class DealIn(_Body):
    """Who gives what to whom, by when: from an offer and a request on the floor, or naming the parties."""

    offer_id: UUID | None = None
    request_id: UUID | None = None
    partner_id: UUID | None = Field(None, description="The company that gives, when no offer is named.")
    organisation_id: UUID | None = Field(None, description="The organisation that receives, when no request is named.")
    category: Category | None = Field(None, description="When neither offer nor request is named.")
    description: Description | None = Field(None, description="What is given; default: the offer's description.")
    quantity: int | None = Field(None, ge=1, le=100_000)
    hours: Amount | None = None
    due_on: date = Field(description="By when it is given.")
    event_id: UUID | None = Field(None, description="The evening it is made at (default: its offer's or request's).")
    closes_offer: bool = Field(True, description="False: the offer stays on the floor for other requests.")
    closes_request: bool = Field(True, description="False: the request stays on the floor for more offers.")


class DealOut(BaseModel):
    """A deal's id and where it stands."""

    id: UUID
    status: str = Field(description="pending (awaits the other party), made, cancelled, done, partly or not.")


class FollowUpIn(_Body):
    """Whether the deal happened, as one side says (staff name the side they answer for)."""

    side: Side | None = Field(None, description="Staff only: partner or organisation.")
    outcome: Outcome = Field(description="done, partly or not.")
    hours: Amount | None = Field(None, description="Hours actually given (required for partly, when it had hours).")


class SettleIn(_Body):
    """Staff record whether the deal happened."""

    outcome: Outcome
    hours: Amount | None = None


class ContactIn(_Body):
    """Whom the registry asks, for a company, whether its deals happened."""

    name: str = Field(min_length=1, max_length=200)
    email: EmailStr | None = None
    phone: Phone | None = None

    @model_validator(mode="after")
    def _reachable(self) -> ContactIn:
        if self.email is None and self.phone is None:
            raise ValueError("a contact needs an e-mail address or a phone number")
        return self


def _party(caller: Caller, centrale_id: str) -> Party:
    """Who acts on the centrale's floor: staff (or region ops), a company, or one of its organisations."""
    if caller.role in (Role.CENTRALE_STAFF, Role.REGION_OPS):
        require_centrale_access(caller, centrale_id, Role.CENTRALE_STAFF, Role.REGION_OPS)
        return Party("staff", None, caller.actor)
    if caller.role is Role.BUSINESS_PARTNER:
        return Party("partner", caller.subject_id, caller.actor)
    if caller.role is Role.ORGANISATION:
        if caller.centrale_id != centrale_id:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "not found")
        return Party("organisation", caller.subject_id, caller.actor)
    raise HTTPException(status.HTTP_403_FORBIDDEN, f"role {caller.role} may not do this")


def _staff(caller: Caller, centrale_id: str) -> Party:
    require_centrale_access(caller, centrale_id, Role.CENTRALE_STAFF, Role.REGION_OPS)
    return Party("staff", None, caller.actor)


def _for(party: Party, given: UUID | None, kind: Literal["partner", "organisation"]) -> UUID:
    """The company or organisation a posting is for: the caller itself, or (staff) the one named in the body."""
    if party.kind == kind:
        assert party.id is not None, "its credential names it"
        return party.id
    if party.kind != "staff":
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"only a {kind} or staff may post this")
    if given is None:
        raise Rejected([f"staff name the {kind} they post for"], field=f"{kind}_id")
    return given


# -- evenings -------------------------------------------------------------------------------------------------


@router.post(
    "/centrales/{centrale_id}/beursvloer/events",
    status_code=status.HTTP_201_CREATED,
    summary="Plan a Beursvloer evening (staff).",
)
async def schedule_event(centrale_id: str, body: BeursEventIn, caller: CallerDep, uow: RegistryUowDep) -> Created:
    _staff(caller, centrale_id)
    cmd = beursvloer.ScheduleBeursEvent(centrale_id, body.title, body.place, body.starts_at, body.ends_at)
    return Created(id=await beursvloer.schedule_beurs_event(cmd, uow))


@router.get("/centrales/{centrale_id}/beursvloer/events", summary="The centrale's Beursvloer evenings, latest first.")
async def list_events(centrale_id: str, caller: CallerDep, uow: RegistryUowDep) -> list[Record]:
    _party(caller, centrale_id)
    events = await beursvloer.list_beurs_events(beursvloer.ListBeursEvents(centrale_id), uow)
    return [
        {k: getattr(e, k) for k in ("id", "title", "place", "starts_at", "ends_at", "status", "closed_at")}
        for e in events
    ]


@router.post(
    "/centrales/{centrale_id}/beursvloer/events/{event_id}/close",
    status_code=204,
    summary="Close an evening: its open offers and requests stay on the continuous floor (staff).",
)
async def close_event(centrale_id: str, event_id: UUID, caller: CallerDep, uow: RegistryUowDep) -> None:
    _staff(caller, centrale_id)
    await beursvloer.close_beurs_event(beursvloer.CloseBeursEvent(centrale_id, event_id), uow)


# -- the board ------------------------------------------------------------------------------------------------


@router.get(
    "/centrales/{centrale_id}/beursvloer/events/{event_id}/board",
    summary="The live board of an evening: counts, open offers and requests, proposed pairs, deals.",
)
async def event_board(
    centrale_id: str, event_id: UUID, caller: CallerDep, uow: RegistryUowDep, response: Response
) -> Record:
    _party(caller, centrale_id)
    response.headers["Cache-Control"] = "no-store"
    return await beursvloer.board(beursvloer.BoardQuery(centrale_id, event_id), uow)


@router.get(
    "/centrales/{centrale_id}/beursvloer/board",
    summary="The board of the continuous floor (between evenings).",
)
async def continuous_board(centrale_id: str, caller: CallerDep, uow: RegistryUowDep, response: Response) -> Record:
    _party(caller, centrale_id)
    response.headers["Cache-Control"] = "no-store"
    return await beursvloer.board(beursvloer.BoardQuery(centrale_id, None), uow)


# -- offers and requests --------------------------------------------------------------------------------------


@router.post(
    "/centrales/{centrale_id}/beursvloer/offers",
    status_code=status.HTTP_201_CREATED,
    summary="Offer goods, knowledge or hands (a company, or staff for it).",
)
async def post_offer(centrale_id: str, body: OfferIn, caller: CallerDep, uow: RegistryUowDep) -> Created:
    party = _party(caller, centrale_id)
    cmd = beursvloer.PostOffer(
        centrale_id, _for(party, body.partner_id, "partner"), body.fields(), body.available_until, party
    )
    return Created(id=await beursvloer.post_offer(cmd, uow))


@router.post(
    "/centrales/{centrale_id}/beursvloer/requests",
    status_code=status.HTTP_201_CREATED,
    summary="Ask for goods, knowledge or hands (an organisation, or staff for it).",
)
async def post_request(centrale_id: str, body: RequestIn, caller: CallerDep, uow: RegistryUowDep) -> Created:
    party = _party(caller, centrale_id)
    cmd = beursvloer.PostRequest(
        centrale_id, _for(party, body.organisation_id, "organisation"), body.fields(), body.needed_by, party
    )
    return Created(id=await beursvloer.post_request(cmd, uow))


@router.post(
    "/centrales/{centrale_id}/beursvloer/offers/{offer_id}/withdraw", status_code=204, summary="Withdraw an offer."
)
async def withdraw_offer(centrale_id: str, offer_id: UUID, caller: CallerDep, uow: RegistryUowDep) -> None:
    await beursvloer.withdraw(beursvloer.Withdraw(centrale_id, "offer", offer_id, _party(caller, centrale_id)), uow)


@router.post(
    "/centrales/{centrale_id}/beursvloer/requests/{request_id}/withdraw", status_code=204, summary="Withdraw a request."
)
async def withdraw_request(centrale_id: str, request_id: UUID, caller: CallerDep, uow: RegistryUowDep) -> None:
    cmd = beursvloer.Withdraw(centrale_id, "request", request_id, _party(caller, centrale_id))
    await beursvloer.withdraw(cmd, uow)


# -- deals ----------------------------------------------------------------------------------------------------


def _deal_out(deal: Deal) -> DealOut:
    return DealOut(id=deal.id, status=deal.status)


@router.post(
    "/centrales/{centrale_id}/beursvloer/deals",
    status_code=status.HTTP_201_CREATED,
    summary="Record a deal: standing at once for staff; a party's waits for the other party to confirm.",
)
async def make_deal(centrale_id: str, body: DealIn, caller: CallerDep, uow: RegistryUowDep) -> DealOut:
    cmd = deals.MakeDeal(
        centrale_id=centrale_id,
        by=_party(caller, centrale_id),
        due_on=body.due_on,
        offer_id=body.offer_id,
        request_id=body.request_id,
        partner_id=body.partner_id,
        organisation_id=body.organisation_id,
        category=body.category,
        description=body.description,
        quantity=body.quantity,
        hours=body.hours,
        event_id=body.event_id,
        closes_offer=body.closes_offer,
        closes_request=body.closes_request,
    )
    return _deal_out(await deals.make_deal(cmd, uow))


@router.get(
    "/centrales/{centrale_id}/beursvloer/deals/{deal_id}",
    summary="A deal, its confirmations and follow-up; once it stands, how to reach the other party.",
)
async def get_deal(centrale_id: str, deal_id: UUID, caller: CallerDep, uow: RegistryUowDep) -> Record:
    return await deals.get_deal(deals.GetDeal(centrale_id, deal_id, _party(caller, centrale_id)), uow)


@router.post(
    "/centrales/{centrale_id}/beursvloer/deals/{deal_id}/confirm",
    summary="Confirm a pending deal (the other party, or staff).",
)
async def confirm_deal(centrale_id: str, deal_id: UUID, caller: CallerDep, uow: RegistryUowDep) -> DealOut:
    cmd = deals.ConfirmDeal(centrale_id, deal_id, _party(caller, centrale_id))
    return _deal_out(await deals.confirm_deal(cmd, uow))


@router.post(
    "/centrales/{centrale_id}/beursvloer/deals/{deal_id}/cancel",
    status_code=204,
    summary="Withdraw a deal before it stands.",
)
async def cancel_deal(centrale_id: str, deal_id: UUID, caller: CallerDep, uow: RegistryUowDep) -> None:
    await deals.cancel_deal(deals.CancelDeal(centrale_id, deal_id, _party(caller, centrale_id)), uow)


@router.post(
    "/centrales/{centrale_id}/beursvloer/deals/{deal_id}/follow-up",
    summary="Say whether the deal happened (done, partly, not); settled once both sides said it.",
)
async def answer_follow_up(
    centrale_id: str, deal_id: UUID, body: FollowUpIn, caller: CallerDep, uow: RegistryUowDep
) -> DealOut:
    party = _party(caller, centrale_id)
    side = Side(party.kind) if party.kind != "staff" else body.side
    if side is None:
        raise Rejected(["staff say which side they answer for"], field="side")
    cmd = deals.AnswerFollowUp(centrale_id, deal_id, side, body.outcome, body.hours, party)
    return _deal_out(await deals.answer_follow_up(cmd, uow))


@router.post(
    "/centrales/{centrale_id}/beursvloer/deals/{deal_id}/settle",
    summary="Record whether the deal happened, whatever the sides answered (staff).",
)
async def settle_deal(
    centrale_id: str, deal_id: UUID, body: SettleIn, caller: CallerDep, uow: RegistryUowDep
) -> DealOut:
    _staff(caller, centrale_id)
    return _deal_out(await deals.settle_deal(deals.SettleDeal(centrale_id, deal_id, body.outcome, body.hours), uow))


# -- a company's and an organisation's own --------------------------------------------------------------------


def _partner_or_ops(caller: Caller, partner_id: UUID) -> Party:
    if caller.role is Role.REGION_OPS or (caller.role, caller.subject_id) == (Role.BUSINESS_PARTNER, partner_id):
        return Party("partner", partner_id, caller.actor)
    if caller.role is Role.BUSINESS_PARTNER:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "not found")
    raise HTTPException(status.HTTP_403_FORBIDDEN, f"role {caller.role} may not do this")


@router.put(
    "/beursvloer/partners/{partner_id}/contact",
    summary="Whom the registry asks, for the company, whether its deals happened (the company, staff or ops).",
)
async def set_contact(partner_id: UUID, body: ContactIn, caller: CallerDep, uow: RegistryUowDep) -> Record:
    if caller.role is not Role.CENTRALE_STAFF:
        _partner_or_ops(caller, partner_id)
    cmd = beursvloer.SetPartnerContact(partner_id, body.name, body.email, body.phone)
    contact = await beursvloer.set_partner_contact(cmd, uow)
    return {"name": contact.name, "email": contact.email, "phone": contact.phone, "updated_at": contact.updated_at}


@router.get("/beursvloer/partners/{partner_id}/contact", summary="The company's Beursvloer contact.")
async def get_contact(partner_id: UUID, caller: CallerDep, uow: RegistryUowDep) -> Record:
    if caller.role is not Role.CENTRALE_STAFF:
        _partner_or_ops(caller, partner_id)
    contact = await beursvloer.get_partner_contact(beursvloer.GetPartnerContact(partner_id), uow)
    return {"name": contact.name, "email": contact.email, "phone": contact.phone, "updated_at": contact.updated_at}


@router.get(
    "/beursvloer/partners/{partner_id}/offers", summary="The company's offers, newest first, with the pairs proposed."
)
async def partner_offers(partner_id: UUID, caller: CallerDep, uow: RegistryUowDep) -> list[Record]:
    return await beursvloer.list_own_postings(beursvloer.ListOwnPostings(_partner_or_ops(caller, partner_id)), uow)


@router.get("/beursvloer/partners/{partner_id}/deals", summary="The company's deals, newest first.")
async def partner_deals(partner_id: UUID, caller: CallerDep, uow: RegistryUowDep) -> list[Record]:
    return await deals.list_deals(deals.ListDeals(_partner_or_ops(caller, partner_id)), uow)


def _organisation(caller: Caller, centrale_id: str, organisation_id: UUID) -> Party:
    if caller.role not in (Role.ORGANISATION, Role.CENTRALE_STAFF):
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"role {caller.role} may not do this")
    if caller.centrale_id != centrale_id or (caller.role is Role.ORGANISATION and caller.subject_id != organisation_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "not found")
    return Party("organisation", organisation_id, caller.actor)


@router.get(
    "/centrales/{centrale_id}/organisations/{organisation_id}/beursvloer/requests",
    summary="The organisation's requests, newest first, with the pairs proposed.",
)
async def organisation_requests(
    centrale_id: str, organisation_id: UUID, caller: CallerDep, uow: RegistryUowDep
) -> list[Record]:
    party = _organisation(caller, centrale_id, organisation_id)
    return await beursvloer.list_own_postings(beursvloer.ListOwnPostings(party, centrale_id), uow)


@router.get(
    "/centrales/{centrale_id}/organisations/{organisation_id}/beursvloer/deals",
    summary="The organisation's deals, newest first.",
)
async def organisation_deals(
    centrale_id: str, organisation_id: UUID, caller: CallerDep, uow: RegistryUowDep
) -> list[Record]:
    party = _organisation(caller, centrale_id, organisation_id)
    return await deals.list_deals(deals.ListDeals(party, centrale_id), uow)
