"""Beursvloer deals: who gives what to whom by when, confirmed by staff or by both parties, and their follow-up.

A deal recorded by staff stands at once; one a party proposes waits for the other party's confirmation (they get a
notice). A deal that stands takes its offer and request off the floor (unless told to leave them, for an offer
that serves several). After its date plus the follow-up days (``beursvloer-follow-up`` job) both sides are asked
whether it happened; it is settled when both answered, or when staff record it (``beursvloer_rules.settle``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, TypeVar
from uuid import UUID, uuid4

from common.errors import Conflict, NotFound, Rejected
from contracts.events import BeursvloerDealFollowedUp, BeursvloerDealMade
from registry.beursvloer_rules import Category, CloseReason, DealStatus, Outcome, Side, SideAnswer, move, settle
from registry.domain import dutch_date
from registry.notice_texts import NoticeKind
from registry.repositories import Deal, Offer, Wish
from registry.unit_of_work import RegistryUnitOfWork
from registry.use_cases.beursvloer import Party, close_offer, close_request, deal_summary, names_of, open_event
from registry.use_cases.notices import queue_notice

__all__ = [
    "AnswerFollowUp",
    "AskFollowUps",
    "CancelDeal",
    "ConfirmDeal",
    "GetDeal",
    "ListDeals",
    "MakeDeal",
    "SettleDeal",
    "answer_follow_up",
    "ask_follow_ups",
    "cancel_deal",
    "confirm_deal",
    "get_deal",
    "list_deals",
    "make_deal",
    "settle_deal",
]

_TWO_PLACES = Decimal("0.01")
N = TypeVar("N", int, Decimal)


@dataclass(frozen=True)
class MakeDeal:
    """Who gives what to whom by when: from a posted offer and request, or naming the company and organisation.

    Staff record a deal that stands at once; a party proposes one the other party confirms.
    """

    centrale_id: str
    by: Party
    due_on: date
    offer_id: UUID | None = None
    request_id: UUID | None = None
    partner_id: UUID | None = None
    organisation_id: UUID | None = None
    category: Category | None = None
    description: str | None = None
    quantity: int | None = None
    hours: Decimal | None = None
    event_id: UUID | None = None
    closes_offer: bool = True
    closes_request: bool = True


@dataclass(frozen=True)
class ConfirmDeal:
    """The other party (or staff) confirms a pending deal."""

    centrale_id: str
    deal_id: UUID
    by: Party


@dataclass(frozen=True)
class CancelDeal:
    """A party or staff withdraws a deal before it stands."""

    centrale_id: str
    deal_id: UUID
    by: Party


@dataclass(frozen=True)
class AnswerFollowUp:
    """One side says whether the deal happened (staff may answer for a side)."""

    centrale_id: str
    deal_id: UUID
    side: Side
    outcome: Outcome
    hours: Decimal | None
    by: Party


@dataclass(frozen=True)
class SettleDeal:
    """Staff record whether the deal happened, whatever the sides answered."""

    centrale_id: str
    deal_id: UUID
    outcome: Outcome
    hours: Decimal | None


@dataclass(frozen=True)
class GetDeal:
    """One deal, for staff or one of its parties (who then see how to reach the other, once it stands)."""

    centrale_id: str
    deal_id: UUID
    by: Party


@dataclass(frozen=True)
class ListDeals:
    """A company's or an organisation's deals, newest first (an organisation's within its centrale)."""

    party: Party
    centrale_id: str | None = None


@dataclass(frozen=True)
class AskFollowUps:
    """Ask both sides of every deal whose date plus ``after_days`` has come (the ``beursvloer-follow-up`` job)."""

    after_days: int


def _hours(value: Decimal | None) -> Decimal | None:
    return value.quantize(_TWO_PLACES) if value is not None else None


async def _posting_sides(cmd: MakeDeal, uow: RegistryUnitOfWork) -> tuple[Offer | None, Wish | None]:
    """The offer and request the deal takes from, locked and still open; Rejected naming what is wrong."""
    offer = wish = None
    if cmd.offer_id is not None:
        offer = await uow.beursvloer.get_offer(cmd.offer_id, cmd.centrale_id, lock=True)
        if offer is None:
            raise Rejected([f"no offer {cmd.offer_id} on this floor"], field="offer_id")
        if offer.status != "open":
            raise Rejected([f"the offer is closed ({offer.close_reason})"], field="offer_id")
    if cmd.request_id is not None:
        wish = await uow.beursvloer.get_request(cmd.request_id, cmd.centrale_id, lock=True)
        if wish is None:
            raise Rejected([f"no request {cmd.request_id} on this floor"], field="request_id")
        if wish.status != "open":
            raise Rejected([f"the request is closed ({wish.close_reason})"], field="request_id")
    if offer is not None and wish is not None and offer.category != wish.category:
        raise Rejected([f"the offer gives {offer.category}, the request asks for {wish.category}"], field="request_id")
    return offer, wish


async def make_deal(cmd: MakeDeal, uow: RegistryUnitOfWork) -> Deal:
    """Record the deal: standing at once for staff (``BeursvloerDealMade``), else pending the other party's yes."""
    offer, wish = await _posting_sides(cmd, uow)
    partner_id = offer.partner_id if offer else cmd.partner_id
    organisation_id = wish.organisation_id if wish else cmd.organisation_id
    category = offer.category if offer else wish.category if wish else cmd.category
    description = cmd.description or (offer.description if offer else wish.description if wish else None)
    reasons = []
    if partner_id is None:
        reasons.append(("partner_id", "name the company that gives (partner_id), or its offer"))
    if organisation_id is None:
        reasons.append(("organisation_id", "name the organisation that receives (organisation_id), or its request"))
    if category is None:
        reasons.append(("category", "say what is given (category), or name an offer or request"))
    if description is None:
        reasons.append(("description", "say what is given (description), or name an offer or request"))
    if cmd.due_on < dutch_date(uow.now()):
        reasons.append(("due_on", "the date lies in the past"))
    if reasons:
        raise Rejected([reason for _, reason in reasons], field=reasons[0][0])
    assert partner_id is not None, "checked above"
    assert organisation_id is not None, "checked above"
    assert category is not None, "checked above"
    assert description is not None, "checked above"
    if (cmd.by.kind == "partner" and cmd.by.id != partner_id) or (
        cmd.by.kind == "organisation" and cmd.by.id != organisation_id
    ):
        raise NotFound("not found")
    if not await uow.partners.exists(partner_id):
        raise Rejected([f"unknown business partner {partner_id}"], field="partner_id")
    organisation = await uow.organisations.get(organisation_id, cmd.centrale_id)
    if organisation is None:
        raise Rejected([f"no organisation {organisation_id} at this centrale"], field="organisation_id")
    if organisation.status != "admitted":
        raise Conflict("the organisation is not admitted by the centrale yet")
    now = uow.now()
    deal = Deal(
        id=uuid4(),
        centrale_id=cmd.centrale_id,
        partner_id=partner_id,
        organisation_id=organisation_id,
        category=str(category),
        description=description,
        due_on=cmd.due_on,
        closes_offer=cmd.closes_offer,
        closes_request=cmd.closes_request,
        status=DealStatus.PENDING.value,
        created_at=now,
        created_by=cmd.by.actor,
        event_id=await _floor(uow, cmd, offer, wish),
        offer_id=offer.id if offer else None,
        request_id=wish.id if wish else None,
        quantity=_amount(cmd.quantity, offer.quantity if offer else None, wish.quantity if wish else None),
        hours=_hours(_amount(cmd.hours, offer.hours if offer else None, wish.hours if wish else None)),
        partner_confirmed_at=now if cmd.by.kind == "partner" else None,
        organisation_confirmed_at=now if cmd.by.kind == "organisation" else None,
    )
    await uow.deals.add(deal)
    if cmd.by.kind == "staff":
        return await _stands(uow, deal, confirmed_by="staff")
    other = ("organisation", deal.organisation_id) if cmd.by.kind == "partner" else ("partner", deal.partner_id)
    await queue_notice(
        uow,
        kind=NoticeKind.DEAL_TO_CONFIRM,
        recipient_kind="organisation" if other[0] == "organisation" else "partner",
        recipient_id=other[1],
        centrale_id=deal.centrale_id,
        cause=f"deal:{deal.id}",
        deal_id=deal.id,
    )
    return deal


def _amount(given: N | None, offered: N | None, asked: N | None) -> N | None:
    """The deal's amount: as given, else what both sides can meet (the smaller of offer and request)."""
    if given is not None:
        return given
    known = [amount for amount in (offered, asked) if amount is not None]
    return min(known) if known else None


async def _floor(uow: RegistryUnitOfWork, cmd: MakeDeal, offer: Offer | None, wish: Wish | None) -> UUID | None:
    """The evening the deal is made at: as given (and still open), else its posting's while that evening is open;
    otherwise the continuous floor."""
    if cmd.event_id is not None:
        return await open_event(uow, cmd.centrale_id, cmd.event_id)
    for posting in (offer, wish):
        if posting is not None and posting.event_id is not None:
            event = await uow.beursvloer.get_event(posting.event_id, cmd.centrale_id)
            if event is not None and event.status != "closed":
                return event.id
    return None


async def _stands(uow: RegistryUnitOfWork, deal: Deal, *, confirmed_by: str) -> Deal:
    """The deal stands: ``BeursvloerDealMade``, and its offer and request leave the floor as it says.

    Conflict when its offer or request left the floor meanwhile (another deal took it while this one waited for
    its confirmation): one offer is never dealt twice over.
    """
    offer = await uow.beursvloer.get_offer(deal.offer_id, deal.centrale_id, lock=True) if deal.offer_id else None
    wish = await uow.beursvloer.get_request(deal.request_id, deal.centrale_id, lock=True) if deal.request_id else None
    for posting, name in ((offer, "offer"), (wish, "request")):
        if posting is not None and posting.status != "open":
            raise Conflict(f"the {name} left the floor meanwhile ({posting.close_reason}): this deal cannot stand")
    deal = replace(deal, status=move(deal.status, DealStatus.MADE), made_at=uow.now(), confirmed_by=confirmed_by)
    await uow.deals.update(deal, ["status", "made_at", "confirmed_by"])
    await uow.emit(
        BeursvloerDealMade(
            deal_id=deal.id,
            centrale_id=deal.centrale_id,
            event_id=deal.event_id,
            partner_id=deal.partner_id,
            organisation_id=deal.organisation_id,
            category=deal.category,
            offer_id=deal.offer_id,
            request_id=deal.request_id,
            quantity=deal.quantity,
            hours=deal.hours,
            due_on=deal.due_on,
            confirmed_by=confirmed_by,
            made_at=uow.now(),
        ),
        tenant=deal.centrale_id,
    )
    if offer is not None and deal.closes_offer:
        await close_offer(uow, offer, CloseReason.DEAL)
    if wish is not None and deal.closes_request:
        await close_request(uow, wish, CloseReason.DEAL)
    return deal


async def _deal(uow: RegistryUnitOfWork, centrale_id: str, deal_id: UUID, by: Party) -> Deal:
    """The deal, locked, when ``by`` is staff or one of its parties; NotFound otherwise."""
    deal = await uow.deals.get(deal_id, centrale_id, lock=True)
    if deal is None or not _is_party(deal, by):
        raise NotFound(f"deal {deal_id} not found")
    return deal


def _is_party(deal: Deal, by: Party) -> bool:
    return by.kind == "staff" or (by.kind, by.id) in (
        ("partner", deal.partner_id),
        ("organisation", deal.organisation_id),
    )


async def confirm_deal(cmd: ConfirmDeal, uow: RegistryUnitOfWork) -> Deal:
    """The other party's yes (or staff's) makes a pending deal stand; Conflict when it is not pending."""
    deal = await _deal(uow, cmd.centrale_id, cmd.deal_id, cmd.by)
    if deal.status != DealStatus.PENDING:
        move(deal.status, DealStatus.MADE)  # raises the lifecycle's Conflict
    if cmd.by.kind == "staff":
        return await _stands(uow, deal, confirmed_by="staff")
    if cmd.by.kind == "partner":
        deal = replace(deal, partner_confirmed_at=deal.partner_confirmed_at or uow.now())
        await uow.deals.update(deal, ["partner_confirmed_at"])
    else:
        deal = replace(deal, organisation_confirmed_at=deal.organisation_confirmed_at or uow.now())
        await uow.deals.update(deal, ["organisation_confirmed_at"])
    if deal.partner_confirmed_at is not None and deal.organisation_confirmed_at is not None:
        return await _stands(uow, deal, confirmed_by="parties")
    return deal


async def cancel_deal(cmd: CancelDeal, uow: RegistryUnitOfWork) -> None:
    """Withdraw a pending deal; Conflict once it stands (its follow-up then says whether it happened)."""
    deal = await _deal(uow, cmd.centrale_id, cmd.deal_id, cmd.by)
    deal = replace(deal, status=move(deal.status, DealStatus.CANCELLED), cancelled_at=uow.now())
    await uow.deals.update(deal, ["status", "cancelled_at"])


def _answer_problem(deal: Deal, outcome: Outcome, hours: Decimal | None) -> str | None:
    if outcome is Outcome.PARTLY and deal.hours is not None and hours is None:
        return f"say how many of the {deal.hours} hours were given (hours)"
    if outcome is Outcome.NOT and hours:
        return "a deal that did not happen gave no hours"
    return None


async def answer_follow_up(cmd: AnswerFollowUp, uow: RegistryUnitOfWork) -> Deal:
    """Keep one side's answer (a later one replaces it); once both sides answered, settle the deal."""
    deal = await _deal(uow, cmd.centrale_id, cmd.deal_id, cmd.by)
    if cmd.by.kind != "staff" and cmd.by.kind != cmd.side.value:
        raise NotFound(f"deal {cmd.deal_id} not found")
    if deal.status != DealStatus.MADE:
        raise Conflict(f"deal is {deal.status}: only a deal that stands is followed up")
    if dutch_date(uow.now()) < deal.due_on:
        raise Conflict(f"the deal is due on {deal.due_on.isoformat()}: say whether it happened from then on")
    problem = _answer_problem(deal, cmd.outcome, cmd.hours)
    if problem is not None:
        raise Rejected([problem], field="hours")
    if cmd.side is Side.PARTNER:
        deal = replace(
            deal, partner_answer=cmd.outcome.value, partner_hours=_hours(cmd.hours), partner_answered_at=uow.now()
        )
        await uow.deals.update(deal, ["partner_answer", "partner_hours", "partner_answered_at"])
    else:
        deal = replace(
            deal,
            organisation_answer=cmd.outcome.value,
            organisation_hours=_hours(cmd.hours),
            organisation_answered_at=uow.now(),
        )
        await uow.deals.update(deal, ["organisation_answer", "organisation_hours", "organisation_answered_at"])
    if deal.partner_answer is None or deal.organisation_answer is None:
        return deal
    answers = [
        SideAnswer(Outcome(deal.partner_answer), deal.partner_hours),
        SideAnswer(Outcome(deal.organisation_answer), deal.organisation_hours),
    ]
    return await _settled(uow, deal, answers, settled_by="parties")


async def settle_deal(cmd: SettleDeal, uow: RegistryUnitOfWork) -> Deal:
    """Staff record the outcome of a deal that stands (whatever the sides answered so far)."""
    deal = await _deal(uow, cmd.centrale_id, cmd.deal_id, Party("staff"))
    if deal.status != DealStatus.MADE:
        move(deal.status, DealStatus(cmd.outcome.value))  # raises the lifecycle's Conflict
    problem = _answer_problem(deal, cmd.outcome, cmd.hours)
    if problem is not None:
        raise Rejected([problem], field="hours")
    return await _settled(uow, deal, [SideAnswer(cmd.outcome, _hours(cmd.hours))], settled_by="staff")


async def _settled(uow: RegistryUnitOfWork, deal: Deal, answers: list[SideAnswer], *, settled_by: str) -> Deal:
    outcome, hours_given = settle(answers, deal.hours)
    deal = replace(
        deal,
        status=move(deal.status, DealStatus(outcome.value)),
        hours_given=hours_given,
        settled_by=settled_by,
        settled_at=uow.now(),
    )
    await uow.deals.update(deal, ["status", "hours_given", "settled_by", "settled_at"])
    await uow.emit(
        BeursvloerDealFollowedUp(
            deal_id=deal.id,
            centrale_id=deal.centrale_id,
            event_id=deal.event_id,
            partner_id=deal.partner_id,
            organisation_id=deal.organisation_id,
            category=deal.category,
            outcome=outcome.value,
            hours_given=hours_given,
            settled_by=settled_by,
            followed_up_at=uow.now(),
        ),
        tenant=deal.centrale_id,
    )
    return deal


async def ask_follow_ups(cmd: AskFollowUps, uow: RegistryUnitOfWork) -> dict[str, int]:
    """Ask both sides of each deal due ``after_days`` ago or longer, once; how many deals and notices."""
    due_before = dutch_date(uow.now()) - timedelta(days=cmd.after_days)
    asked = notices = 0
    for deal in await uow.deals.due_for_follow_up(due_before):
        for kind, recipient in (("partner", deal.partner_id), ("organisation", deal.organisation_id)):
            queued = await queue_notice(
                uow,
                kind=NoticeKind.DEAL_FOLLOW_UP,
                recipient_kind="partner" if kind == "partner" else "organisation",
                recipient_id=recipient,
                centrale_id=deal.centrale_id,
                cause=f"follow-up:{deal.id}",
                deal_id=deal.id,
            )
            notices += queued is not None
        await uow.deals.update(replace(deal, follow_up_asked_at=uow.now()), ["follow_up_asked_at"])
        asked += 1
    return {"deals": asked, "notices": notices}


async def get_deal(query: GetDeal, uow: RegistryUnitOfWork) -> dict[str, Any]:
    """The deal with its confirmations and follow-up; once it stands, how each party reaches the other (staff: both)."""
    deal = await uow.deals.get(query.deal_id, query.centrale_id)
    if deal is None or not _is_party(deal, query.by):
        raise NotFound(f"deal {query.deal_id} not found")
    shown = await deal_summary(deal, names_of(uow))
    shown |= {
        "closes_offer": deal.closes_offer,
        "closes_request": deal.closes_request,
        "created_at": deal.created_at,
        "partner_confirmed_at": deal.partner_confirmed_at,
        "organisation_confirmed_at": deal.organisation_confirmed_at,
        "confirmed_by": deal.confirmed_by,
        "follow_up": {
            "asked_at": deal.follow_up_asked_at,
            "partner": {"answer": deal.partner_answer, "hours": deal.partner_hours, "at": deal.partner_answered_at},
            "organisation": {
                "answer": deal.organisation_answer,
                "hours": deal.organisation_hours,
                "at": deal.organisation_answered_at,
            },
            "settled_by": deal.settled_by,
            "settled_at": deal.settled_at,
        },
    }
    if deal.status in (DealStatus.PENDING, DealStatus.CANCELLED):
        return shown
    contacts: dict[str, Any] = {}
    if query.by.kind in ("staff", "organisation"):
        contact = await uow.beursvloer.contact(deal.partner_id)
        contacts["partner"] = (
            {"name": contact.name, "email": contact.email, "phone": contact.phone} if contact else None
        )
    if query.by.kind in ("staff", "partner"):
        organisation = await uow.organisations.get(deal.organisation_id, deal.centrale_id)
        contacts["organisation"] = (
            {
                "name": organisation.contact_name,
                "email": organisation.contact_email,
                "phone": organisation.contact_phone,
            }
            if organisation
            else None
        )
    return shown | {"contacts": contacts}


async def list_deals(query: ListDeals, uow: RegistryUnitOfWork) -> list[dict[str, Any]]:
    """A company's or an organisation's deals, newest first."""
    party = query.party
    assert party.id is not None, "a company or an organisation"
    if party.kind == "partner":
        deals = await uow.deals.of_partner(party.id)
    else:
        deals = [d for d in await uow.deals.of_organisation(party.id) if d.centrale_id == query.centrale_id]
    names = names_of(uow)
    return [await deal_summary(deal, names) for deal in deals]
