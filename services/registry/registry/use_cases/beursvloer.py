"""The Beursvloer's floor: evenings (event mode), companies' offers and organisations' requests (continuous mode
between evenings), the pairs matching proposes, and the live board of one floor.

Who may act is decided here, from the ``Party`` the route names: staff of the centrale act for anyone of it; a
company only for itself, an organisation only for itself. A stranger gets NotFound, as if the thing did not exist.
The words (descriptions, places) stay in the registry; the events carry ids, categories, tags, amounts and dates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID, uuid4

from common.errors import Conflict, NotFound, Rejected
from contracts.events import (
    BeursvloerOfferClosed,
    BeursvloerOfferPosted,
    BeursvloerRequestClosed,
    BeursvloerRequestPosted,
)
from registry.beursvloer_rules import CATEGORY_LABELS, Category, CloseReason, DealStatus
from registry.domain import dutch_date
from registry.repositories import BeursEvent, Deal, Offer, Pair, PartnerContact, Wish
from registry.unit_of_work import RegistryUnitOfWork

__all__ = [
    "BoardQuery",
    "CloseBeursEvent",
    "ExpirePostings",
    "GetPartnerContact",
    "ListBeursEvents",
    "ListOwnPostings",
    "Party",
    "PostOffer",
    "PostRequest",
    "PostingFields",
    "RecordPair",
    "ScheduleBeursEvent",
    "SetPartnerContact",
    "Withdraw",
    "board",
    "close_beurs_event",
    "close_offer",
    "close_request",
    "deal_summary",
    "expire_postings",
    "get_partner_contact",
    "list_beurs_events",
    "list_own_postings",
    "names_of",
    "open_event",
    "post_offer",
    "post_request",
    "record_pair",
    "schedule_beurs_event",
    "set_partner_contact",
    "withdraw",
]

_TWO_PLACES = Decimal("0.01")
# The newest deals a board lists (its counts cover every deal of the floor).
BOARD_DEALS = 200


@dataclass(frozen=True)
class Party:
    """Who acts on the floor: staff of the centrale, a company (``partner``) or an organisation, with its id."""

    kind: Literal["staff", "partner", "organisation"]
    id: UUID | None = None
    actor: str = "staff"
    """How the origin names them, for the record (``account:<id>``, ``credential:<id>``)."""


# -- evenings ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScheduleBeursEvent:
    """Staff plan a Beursvloer evening of their centrale."""

    centrale_id: str
    title: str
    place: str
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class ListBeursEvents:
    """The centrale's evenings, latest first."""

    centrale_id: str


@dataclass(frozen=True)
class CloseBeursEvent:
    """Staff close an evening: it takes no new offers, requests or deals (its open ones stay on the floor)."""

    centrale_id: str
    event_id: UUID


async def schedule_beurs_event(cmd: ScheduleBeursEvent, uow: RegistryUnitOfWork) -> UUID:
    """Store the evening; Rejected when it ends before it starts or lies in the past."""
    if not await uow.centrales.exists(cmd.centrale_id):
        raise NotFound(f"centrale {cmd.centrale_id} not found")
    if cmd.ends_at <= cmd.starts_at:
        raise Rejected(["an evening ends after it starts"], field="ends_at")
    if cmd.ends_at <= uow.now():
        raise Rejected(["an evening is planned ahead, not in the past"], field="ends_at")
    event = BeursEvent(
        id=uuid4(),
        centrale_id=cmd.centrale_id,
        title=cmd.title,
        place=cmd.place,
        starts_at=cmd.starts_at,
        ends_at=cmd.ends_at,
        status="planned",
        created_at=uow.now(),
    )
    await uow.beursvloer.add_event(event)
    return event.id


async def list_beurs_events(query: ListBeursEvents, uow: RegistryUnitOfWork) -> list[BeursEvent]:
    """The centrale's evenings, latest first."""
    return await uow.beursvloer.events_of(query.centrale_id)


async def close_beurs_event(cmd: CloseBeursEvent, uow: RegistryUnitOfWork) -> None:
    """Close the evening; Conflict when it was closed already."""
    event = await _event(uow, cmd.centrale_id, cmd.event_id)
    if event.status == "closed":
        raise Conflict("the evening is closed already")
    await uow.beursvloer.close_event(event.id, uow.now())


async def _event(uow: RegistryUnitOfWork, centrale_id: str, event_id: UUID) -> BeursEvent:
    event = await uow.beursvloer.get_event(event_id, centrale_id)
    if event is None:
        raise NotFound(f"Beursvloer evening {event_id} not found")
    return event


async def open_event(uow: RegistryUnitOfWork, centrale_id: str, event_id: UUID | None) -> UUID | None:
    """``event_id`` when it names an evening of the centrale that still takes postings and deals; Rejected else."""
    if event_id is None:
        return None
    event = await uow.beursvloer.get_event(event_id, centrale_id)
    if event is None:
        raise Rejected([f"no Beursvloer evening {event_id} at this centrale"], field="event_id")
    if event.status == "closed":
        raise Rejected(["that evening is closed: post on the continuous floor instead"], field="event_id")
    return event.id


# -- the companies' contacts --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SetPartnerContact:
    """Whom the registry asks, for a company, whether its deals happened (the company or staff set it)."""

    partner_id: UUID
    name: str
    email: str | None
    phone: str | None


@dataclass(frozen=True)
class GetPartnerContact:
    """A company's Beursvloer contact."""

    partner_id: UUID


async def set_partner_contact(cmd: SetPartnerContact, uow: RegistryUnitOfWork) -> PartnerContact:
    """Store the contact; NotFound for an unknown company, Rejected without an e-mail address or phone number."""
    if not await uow.partners.exists(cmd.partner_id):
        raise NotFound(f"business partner {cmd.partner_id} not found")
    if cmd.email is None and cmd.phone is None:
        raise Rejected(["a contact needs an e-mail address or a phone number"], field="email")
    contact = PartnerContact(cmd.partner_id, cmd.name, uow.now(), cmd.email, cmd.phone)
    await uow.beursvloer.put_contact(contact)
    return contact


async def get_partner_contact(query: GetPartnerContact, uow: RegistryUnitOfWork) -> PartnerContact:
    """The company's contact; NotFound when none is set."""
    contact = await uow.beursvloer.contact(query.partner_id)
    if contact is None:
        raise NotFound("no Beursvloer contact is set for this company")
    return contact


# -- offers and requests ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PostingFields:
    """What an offer or a request says: the kind, a short description, how much, where, which floor."""

    category: Category
    description: str
    tags: Sequence[str] = ()
    quantity: int | None = None
    hours: Decimal | None = None
    postcode_area: str | None = None
    event_id: UUID | None = None


@dataclass(frozen=True)
class PostOffer:
    """A company offers something on the centrale's floor (``by``: itself, or staff for it)."""

    centrale_id: str
    partner_id: UUID
    fields: PostingFields
    available_until: date | None
    by: Party


@dataclass(frozen=True)
class PostRequest:
    """An organisation asks for something on its centrale's floor (``by``: itself, or staff for it)."""

    centrale_id: str
    organisation_id: UUID
    fields: PostingFields
    needed_by: date | None
    by: Party


@dataclass(frozen=True)
class Withdraw:
    """The owner (or staff) takes an offer or a request off the floor."""

    centrale_id: str
    kind: Literal["offer", "request"]
    posting_id: UUID
    by: Party


@dataclass(frozen=True)
class ListOwnPostings:
    """A company's offers, or an organisation's requests, newest first (an organisation's within its centrale)."""

    party: Party
    centrale_id: str | None = None


async def _checked_fields(uow: RegistryUnitOfWork, centrale_id: str, fields: PostingFields, until: date | None) -> None:
    reasons = []
    if until is not None and until < dutch_date(uow.now()):
        reasons.append("the date lies in the past")
    if fields.category is Category.GOODS and fields.hours is not None and fields.quantity is None:
        reasons.append("goods are counted in pieces (quantity), not hours")
    if reasons:
        raise Rejected(reasons)
    if not await uow.centrales.exists(centrale_id):
        raise NotFound(f"centrale {centrale_id} not found")


def _hours(value: Decimal | None) -> Decimal | None:
    return value.quantize(_TWO_PLACES) if value is not None else None


async def post_offer(cmd: PostOffer, uow: RegistryUnitOfWork) -> UUID:
    """Store the offer and queue ``BeursvloerOfferPosted``; Rejected for a bad date, an unknown company or evening."""
    if cmd.by.kind == "partner" and cmd.by.id != cmd.partner_id:
        raise NotFound("not found")
    await _checked_fields(uow, cmd.centrale_id, cmd.fields, cmd.available_until)
    if not await uow.partners.exists(cmd.partner_id):
        raise Rejected([f"unknown business partner {cmd.partner_id}"], field="partner_id")
    fields = cmd.fields
    offer = Offer(
        id=uuid4(),
        centrale_id=cmd.centrale_id,
        partner_id=cmd.partner_id,
        category=fields.category.value,
        description=fields.description,
        status="open",
        posted_at=uow.now(),
        posted_by=cmd.by.actor,
        event_id=await open_event(uow, cmd.centrale_id, fields.event_id),
        tags=sorted(set(fields.tags)),
        quantity=fields.quantity,
        hours=_hours(fields.hours),
        postcode_area=fields.postcode_area,
        available_until=cmd.available_until,
    )
    await uow.beursvloer.add_offer(offer)
    await uow.emit(
        BeursvloerOfferPosted(
            offer_id=offer.id,
            partner_id=offer.partner_id,
            centrale_id=offer.centrale_id,
            event_id=offer.event_id,
            category=offer.category,
            tags=offer.tags,
            quantity=offer.quantity,
            hours=offer.hours,
            postcode_area=offer.postcode_area,
            available_until=offer.available_until,
            posted_at=offer.posted_at,
        ),
        tenant=offer.centrale_id,
    )
    return offer.id


async def post_request(cmd: PostRequest, uow: RegistryUnitOfWork) -> UUID:
    """Store the request and queue ``BeursvloerRequestPosted``; Conflict for an organisation not admitted yet."""
    if cmd.by.kind == "organisation" and cmd.by.id != cmd.organisation_id:
        raise NotFound("not found")
    await _checked_fields(uow, cmd.centrale_id, cmd.fields, cmd.needed_by)
    organisation = await uow.organisations.get(cmd.organisation_id, cmd.centrale_id)
    if organisation is None:
        raise NotFound(f"organisation {cmd.organisation_id} not found")
    if organisation.status != "admitted":
        raise Conflict("the organisation is not admitted by the centrale yet")
    fields = cmd.fields
    wish = Wish(
        id=uuid4(),
        centrale_id=cmd.centrale_id,
        organisation_id=cmd.organisation_id,
        category=fields.category.value,
        description=fields.description,
        status="open",
        posted_at=uow.now(),
        posted_by=cmd.by.actor,
        event_id=await open_event(uow, cmd.centrale_id, fields.event_id),
        tags=sorted(set(fields.tags)),
        quantity=fields.quantity,
        hours=_hours(fields.hours),
        postcode_area=fields.postcode_area,
        needed_by=cmd.needed_by,
    )
    await uow.beursvloer.add_request(wish)
    await uow.emit(
        BeursvloerRequestPosted(
            request_id=wish.id,
            organisation_id=wish.organisation_id,
            centrale_id=wish.centrale_id,
            event_id=wish.event_id,
            category=wish.category,
            tags=wish.tags,
            quantity=wish.quantity,
            hours=wish.hours,
            postcode_area=wish.postcode_area,
            needed_by=wish.needed_by,
            posted_at=wish.posted_at,
        ),
        tenant=wish.centrale_id,
    )
    return wish.id


async def close_offer(uow: RegistryUnitOfWork, offer: Offer, reason: CloseReason) -> bool:
    """Take the offer off the floor and queue ``BeursvloerOfferClosed``; False when it was closed already."""
    if not await uow.beursvloer.close_offer(offer.id, reason.value, uow.now()):
        return False
    await uow.emit(
        BeursvloerOfferClosed(offer_id=offer.id, centrale_id=offer.centrale_id, reason=reason, closed_at=uow.now()),
        tenant=offer.centrale_id,
    )
    return True


async def close_request(uow: RegistryUnitOfWork, wish: Wish, reason: CloseReason) -> bool:
    """Take the request off the floor and queue ``BeursvloerRequestClosed``; False when it was closed already."""
    if not await uow.beursvloer.close_request(wish.id, reason.value, uow.now()):
        return False
    await uow.emit(
        BeursvloerRequestClosed(request_id=wish.id, centrale_id=wish.centrale_id, reason=reason, closed_at=uow.now()),
        tenant=wish.centrale_id,
    )
    return True


async def withdraw(cmd: Withdraw, uow: RegistryUnitOfWork) -> None:
    """Take the offer or request off the floor; NotFound for someone else's, Conflict when it is closed already."""
    if cmd.kind == "offer":
        offer = await uow.beursvloer.get_offer(cmd.posting_id, cmd.centrale_id, lock=True)
        if offer is None or (cmd.by.kind != "staff" and (cmd.by.kind, cmd.by.id) != ("partner", offer.partner_id)):
            raise NotFound(f"offer {cmd.posting_id} not found")
        if not await close_offer(uow, offer, CloseReason.WITHDRAWN):
            raise Conflict(f"the offer was closed already ({offer.close_reason})")
        return
    wish = await uow.beursvloer.get_request(cmd.posting_id, cmd.centrale_id, lock=True)
    if wish is None or (cmd.by.kind != "staff" and (cmd.by.kind, cmd.by.id) != ("organisation", wish.organisation_id)):
        raise NotFound(f"request {cmd.posting_id} not found")
    if not await close_request(uow, wish, CloseReason.WITHDRAWN):
        raise Conflict(f"the request was closed already ({wish.close_reason})")


async def list_own_postings(query: ListOwnPostings, uow: RegistryUnitOfWork) -> list[dict[str, Any]]:
    """A company's offers or an organisation's requests (newest first), each with the pairs proposed for it."""
    party = query.party
    assert party.id is not None, "a company or an organisation"
    postings: Sequence[Offer | Wish]
    if party.kind == "partner":
        postings = await uow.beursvloer.offers_of_partner(party.id)
        pairs = await uow.beursvloer.pairs_of([p.id for p in postings], [])
    else:
        postings = [
            p for p in await uow.beursvloer.requests_of_organisation(party.id) if p.centrale_id == query.centrale_id
        ]
        pairs = await uow.beursvloer.pairs_of([], [p.id for p in postings])
    names = _Names(uow)
    shown = []
    for posting in postings:
        own = [p for p in pairs if posting.id in (p.offer_id, p.request_id)]
        shown.append({**await _posting(posting, names), "pairs": [await _pair(p, uow, names) for p in own]})
    return shown


# -- what matching proposes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordPair:
    """Matching proposed a pair (``BeursvloerPairProposed``): show it to staff and both parties."""

    pair_id: UUID
    offer_id: UUID
    request_id: UUID
    centrale_id: str
    event_id: UUID | None
    score: float
    reasons: list[str] = field(default_factory=list)
    proposed_at: datetime | None = None


async def record_pair(cmd: RecordPair, uow: RegistryUnitOfWork) -> bool:
    """Keep the pair once (a redelivery changes nothing); whether it is new."""
    return await uow.beursvloer.add_pair(
        Pair(
            id=cmd.pair_id,
            offer_id=cmd.offer_id,
            request_id=cmd.request_id,
            centrale_id=cmd.centrale_id,
            score=cmd.score,
            proposed_at=cmd.proposed_at or uow.now(),
            event_id=cmd.event_id,
            reasons=list(cmd.reasons),
        )
    )


# -- expiry (a job) -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExpirePostings:
    """Offers and requests whose date passed leave the floor (the ``beursvloer-expire`` job)."""


async def expire_postings(cmd: ExpirePostings, uow: RegistryUnitOfWork) -> dict[str, int]:
    """Close every open offer and request whose date lies before today (Dutch date); how many of each."""
    offers, requests = await uow.beursvloer.open_past(dutch_date(uow.now()))
    closed_offers = [await close_offer(uow, offer, CloseReason.EXPIRED) for offer in offers]
    closed_requests = [await close_request(uow, wish, CloseReason.EXPIRED) for wish in requests]
    return {"offers": sum(closed_offers), "requests": sum(closed_requests)}


# -- the live board -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BoardQuery:
    """The board of one floor: an evening (``event_id``), or the continuous floor (None)."""

    centrale_id: str
    event_id: UUID | None


class _Names:
    """Company and organisation names, looked up once per board."""

    def __init__(self, uow: RegistryUnitOfWork) -> None:
        self._uow = uow
        self._partners: dict[UUID, str | None] = {}
        self._organisations: dict[UUID, str | None] = {}

    async def partner(self, partner_id: UUID) -> str | None:
        if partner_id not in self._partners:
            partner = await self._uow.partners.get(partner_id)
            self._partners[partner_id] = partner.name if partner else None
        return self._partners[partner_id]

    async def organisation(self, organisation_id: UUID, centrale_id: str) -> str | None:
        if organisation_id not in self._organisations:
            organisation = await self._uow.organisations.get(organisation_id, centrale_id)
            self._organisations[organisation_id] = organisation.name if organisation else None
        return self._organisations[organisation_id]


async def _posting(posting: Offer | Wish, names: _Names) -> dict[str, Any]:
    shown: dict[str, Any] = {
        "id": posting.id,
        "category": posting.category,
        "category_label": CATEGORY_LABELS[posting.category],
        "description": posting.description,
        "tags": posting.tags,
        "quantity": posting.quantity,
        "hours": posting.hours,
        "postcode_area": posting.postcode_area,
        "event_id": posting.event_id,
        "status": posting.status,
        "close_reason": posting.close_reason,
        "posted_at": posting.posted_at,
    }
    if isinstance(posting, Offer):
        shown |= {
            "partner_id": posting.partner_id,
            "partner": await names.partner(posting.partner_id),
            "available_until": posting.available_until,
        }
    else:
        shown |= {
            "organisation_id": posting.organisation_id,
            "organisation": await names.organisation(posting.organisation_id, posting.centrale_id),
            "needed_by": posting.needed_by,
        }
    return shown


async def _pair(pair: Pair, uow: RegistryUnitOfWork, names: _Names) -> dict[str, Any]:
    offer = await uow.beursvloer.get_offer(pair.offer_id, pair.centrale_id)
    wish = await uow.beursvloer.get_request(pair.request_id, pair.centrale_id)
    return {
        "id": pair.id,
        "offer_id": pair.offer_id,
        "request_id": pair.request_id,
        "partner": await names.partner(offer.partner_id) if offer else None,
        "organisation": await names.organisation(wish.organisation_id, wish.centrale_id) if wish else None,
        "score": round(pair.score, 2),
        "reasons": pair.reasons,
        "proposed_at": pair.proposed_at,
    }


async def deal_summary(deal: Deal, names: _Names) -> dict[str, Any]:
    """A deal as the board and lists show it: who gives what to whom by when, and where it stands."""
    return {
        "id": deal.id,
        "partner_id": deal.partner_id,
        "partner": await names.partner(deal.partner_id),
        "organisation_id": deal.organisation_id,
        "organisation": await names.organisation(deal.organisation_id, deal.centrale_id),
        "category": deal.category,
        "category_label": CATEGORY_LABELS[deal.category],
        "description": deal.description,
        "quantity": deal.quantity,
        "hours": deal.hours,
        "due_on": deal.due_on,
        "status": deal.status,
        "event_id": deal.event_id,
        "offer_id": deal.offer_id,
        "request_id": deal.request_id,
        "made_at": deal.made_at,
        "hours_given": deal.hours_given,
    }


def names_of(uow: RegistryUnitOfWork) -> _Names:
    """A name cache for one read (deals use it too)."""
    return _Names(uow)


_STANDING = (DealStatus.MADE, DealStatus.DONE, DealStatus.PARTLY, DealStatus.NOT)


async def board(query: BoardQuery, uow: RegistryUnitOfWork) -> dict[str, Any]:
    """The floor as the board shows it: the evening, counts, open offers and requests, the pairs proposed for them,
    and the deals (pending and standing); never a contact's name, e-mail or phone."""
    event = await _event(uow, query.centrale_id, query.event_id) if query.event_id is not None else None
    offers = await uow.beursvloer.offers(query.centrale_id, query.event_id, open_only=False)
    requests = await uow.beursvloer.requests(query.centrale_id, query.event_id, open_only=False)
    open_offers = [o for o in offers if o.status == "open"]
    open_requests = [r for r in requests if r.status == "open"]
    pairs = [
        pair
        for pair in await uow.beursvloer.pairs_of([o.id for o in open_offers], [r.id for r in open_requests])
        if pair.offer_id in {o.id for o in open_offers} and pair.request_id in {r.id for r in open_requests}
    ]
    deals = [d for d in await uow.deals.of_floor(query.centrale_id, query.event_id) if d.status != "cancelled"]
    standing = [d for d in deals if d.status in _STANDING]
    names = _Names(uow)
    by_category = {category.value: sum(1 for d in standing if d.category == category.value) for category in Category}
    return {
        "centrale_id": query.centrale_id,
        "mode": "event" if event is not None else "continuous",
        "event": (
            {
                "id": event.id,
                "title": event.title,
                "place": event.place,
                "starts_at": event.starts_at,
                "ends_at": event.ends_at,
                "status": event.status,
            }
            if event is not None
            else None
        ),
        "generated_at": uow.now(),
        "counts": {
            "offers_open": len(open_offers),
            "requests_open": len(open_requests),
            "offers_posted": len(offers),
            "requests_posted": len(requests),
            "pairs_proposed": len(pairs),
            "deals_pending": sum(1 for d in deals if d.status == DealStatus.PENDING),
            "deals_made": len(standing),
            "deals_by_category": by_category,
            "deals_followed_up": sum(1 for d in standing if d.status != DealStatus.MADE),
            "deals_done": sum(1 for d in standing if d.status == DealStatus.DONE),
        },
        "offers": [await _posting(o, names) for o in open_offers],
        "requests": [await _posting(r, names) for r in open_requests],
        "pairs": [await _pair(p, uow, names) for p in pairs],
        "deals": [await deal_summary(d, names) for d in sorted(deals, key=lambda d: d.created_at)[-BOARD_DEALS:]],
    }
