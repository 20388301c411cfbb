"""The Beursvloer: its evenings, the offers and requests on the floor, the pairs matching proposed, the companies'
contacts (the floor), and the deals made on it."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol
from uuid import UUID

from common.db import Connection
from registry.repositories._table import Table

__all__ = [
    "BeursEvent",
    "BeursvloerRepository",
    "Deal",
    "DealRepository",
    "Offer",
    "Pair",
    "PartnerContact",
    "PostgresBeursvloerRepository",
    "PostgresDealRepository",
    "Wish",
]


@dataclass(frozen=True)
class BeursEvent:
    """A row of ``beurs_events``: a Beursvloer evening of a centrale."""

    id: UUID
    centrale_id: str
    title: str
    place: str
    starts_at: datetime
    ends_at: datetime
    status: str
    """``planned`` or ``closed``."""
    created_at: datetime
    closed_at: datetime | None = None


@dataclass(frozen=True)
class Offer:
    """A row of ``beurs_offers``: what a company offers."""

    id: UUID
    centrale_id: str
    partner_id: UUID
    category: str
    description: str
    status: str
    """``open`` or ``closed``."""
    posted_at: datetime
    posted_by: str
    event_id: UUID | None = None
    tags: list[str] = field(default_factory=list)
    quantity: int | None = None
    hours: Decimal | None = None
    """As stored: ``numeric(7, 2)``."""
    postcode_area: str | None = None
    available_until: date | None = None
    close_reason: str | None = None
    closed_at: datetime | None = None


@dataclass(frozen=True)
class Wish:
    """A row of ``beurs_requests``: what an organisation asks for (a request on the floor)."""

    id: UUID
    centrale_id: str
    organisation_id: UUID
    category: str
    description: str
    status: str
    """``open`` or ``closed``."""
    posted_at: datetime
    posted_by: str
    event_id: UUID | None = None
    tags: list[str] = field(default_factory=list)
    quantity: int | None = None
    hours: Decimal | None = None
    postcode_area: str | None = None
    needed_by: date | None = None
    close_reason: str | None = None
    closed_at: datetime | None = None


@dataclass(frozen=True)
class Pair:
    """A row of ``beurs_pairs``: an offer and a request matching found to fit, and why."""

    id: UUID
    offer_id: UUID
    request_id: UUID
    centrale_id: str
    score: float
    proposed_at: datetime
    event_id: UUID | None = None
    reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PartnerContact:
    """A row of ``beurs_partner_contacts``: whom the registry asks, for a company, about its deals."""

    partner_id: UUID
    name: str
    updated_at: datetime
    email: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class Deal:
    """A row of ``beurs_deals``: who gives what to whom by when, and whether it happened."""

    id: UUID
    centrale_id: str
    partner_id: UUID
    organisation_id: UUID
    category: str
    description: str
    due_on: date
    closes_offer: bool
    closes_request: bool
    status: str
    """A ``DealStatus``: pending, made, cancelled, done, partly, not."""
    created_at: datetime
    created_by: str
    event_id: UUID | None = None
    offer_id: UUID | None = None
    request_id: UUID | None = None
    quantity: int | None = None
    hours: Decimal | None = None
    partner_confirmed_at: datetime | None = None
    organisation_confirmed_at: datetime | None = None
    made_at: datetime | None = None
    confirmed_by: str | None = None
    """``staff`` or ``parties``."""
    cancelled_at: datetime | None = None
    follow_up_asked_at: datetime | None = None
    partner_answer: str | None = None
    partner_hours: Decimal | None = None
    partner_answered_at: datetime | None = None
    organisation_answer: str | None = None
    organisation_hours: Decimal | None = None
    organisation_answered_at: datetime | None = None
    hours_given: Decimal | None = None
    settled_by: str | None = None
    """``parties`` or ``staff``."""
    settled_at: datetime | None = None


class BeursvloerRepository(Protocol):
    """The floor: evenings, offers, requests, proposed pairs and the companies' contacts."""

    async def add_event(self, event: BeursEvent) -> None:
        """Store a new evening."""
        ...

    async def get_event(self, event_id: UUID, centrale_id: str) -> BeursEvent | None:
        """The centrale's evening, or None."""
        ...

    async def events_of(self, centrale_id: str) -> list[BeursEvent]:
        """The centrale's evenings, latest first."""
        ...

    async def close_event(self, event_id: UUID, at: datetime) -> None:
        """The evening is over."""
        ...

    async def add_offer(self, offer: Offer) -> None:
        """Store a new offer."""
        ...

    async def get_offer(self, offer_id: UUID, centrale_id: str, *, lock: bool = False) -> Offer | None:
        """The centrale's offer (locked until the transaction ends when ``lock``), or None."""
        ...

    async def add_request(self, wish: Wish) -> None:
        """Store a new request."""
        ...

    async def get_request(self, request_id: UUID, centrale_id: str, *, lock: bool = False) -> Wish | None:
        """The centrale's request (locked until the transaction ends when ``lock``), or None."""
        ...

    async def close_offer(self, offer_id: UUID, reason: str, at: datetime) -> bool:
        """Take an open offer off the floor; False when it was closed already."""
        ...

    async def close_request(self, request_id: UUID, reason: str, at: datetime) -> bool:
        """Take an open request off the floor; False when it was closed already."""
        ...

    async def offers(self, centrale_id: str, event_id: UUID | None, *, open_only: bool) -> list[Offer]:
        """The offers of one floor (an evening, or the continuous floor for None), oldest first."""
        ...

    async def requests(self, centrale_id: str, event_id: UUID | None, *, open_only: bool) -> list[Wish]:
        """The requests of one floor (an evening, or the continuous floor for None), oldest first."""
        ...

    async def offers_of_partner(self, partner_id: UUID) -> list[Offer]:
        """A company's offers, newest first."""
        ...

    async def requests_of_organisation(self, organisation_id: UUID) -> list[Wish]:
        """An organisation's requests, newest first."""
        ...

    async def open_past(self, day: date) -> tuple[list[Offer], list[Wish]]:
        """Open offers available until before ``day``, and open requests needed by before it."""
        ...

    async def add_pair(self, pair: Pair) -> bool:
        """Store a proposed pair unless its id is known; whether it is new."""
        ...

    async def pairs_of(self, offer_ids: Collection[UUID], request_ids: Collection[UUID]) -> list[Pair]:
        """The pairs of any of the offers or requests, best first."""
        ...

    async def put_contact(self, contact: PartnerContact) -> None:
        """Store (or replace) a company's contact."""
        ...

    async def contact(self, partner_id: UUID) -> PartnerContact | None:
        """A company's contact, or None."""
        ...


class DealRepository(Protocol):
    """Deals and their follow-up."""

    async def add(self, deal: Deal) -> None:
        """Store a new deal."""
        ...

    async def get(self, deal_id: UUID, centrale_id: str, *, lock: bool = False) -> Deal | None:
        """The centrale's deal (locked until the transaction ends when ``lock``), or None."""
        ...

    async def update(self, deal: Deal, columns: Sequence[str]) -> None:
        """Store the deal's ``columns`` as they are in ``deal``."""
        ...

    async def of_floor(self, centrale_id: str, event_id: UUID | None) -> list[Deal]:
        """The deals of one floor (an evening, or the continuous floor for None), oldest first."""
        ...

    async def of_partner(self, partner_id: UUID) -> list[Deal]:
        """A company's deals, newest first."""
        ...

    async def of_organisation(self, organisation_id: UUID) -> list[Deal]:
        """An organisation's deals, newest first."""
        ...

    async def due_for_follow_up(self, due_before: date) -> list[Deal]:
        """Made deals due on or before ``due_before`` whose follow-up was not asked yet, by date."""
        ...


EVENTS = Table("beurs_events", BeursEvent)
OFFERS = Table("beurs_offers", Offer)
REQUESTS = Table("beurs_requests", Wish)
PAIRS = Table("beurs_pairs", Pair)
CONTACTS = Table("beurs_partner_contacts", PartnerContact, key="partner_id")
DEALS = Table("beurs_deals", Deal)

# The floor a posting or deal is on: an evening, or (NULL) the continuous floor.
_FLOOR = "centrale_id = $1 AND event_id IS NOT DISTINCT FROM $2"


class PostgresBeursvloerRepository:
    """The floor in PostgreSQL."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def add_event(self, event: BeursEvent) -> None:
        """Store a new evening."""
        await self._conn.execute(EVENTS.insert(), *EVENTS.values(event))

    async def get_event(self, event_id: UUID, centrale_id: str) -> BeursEvent | None:
        """The centrale's evening, or None."""
        row = await self._conn.fetchrow(EVENTS.select("id = $1 AND centrale_id = $2"), event_id, centrale_id)
        return EVENTS.load(row) if row is not None else None

    async def events_of(self, centrale_id: str) -> list[BeursEvent]:
        """The centrale's evenings, latest first."""
        rows = await self._conn.fetch(
            EVENTS.select("centrale_id = $1", then="ORDER BY starts_at DESC, id"), centrale_id
        )
        return EVENTS.load_all(rows)

    async def close_event(self, event_id: UUID, at: datetime) -> None:
        """The evening is over."""
        await self._conn.execute(EVENTS.update(["status", "closed_at"]), event_id, "closed", at)

    async def add_offer(self, offer: Offer) -> None:
        """Store a new offer."""
        await self._conn.execute(OFFERS.insert(), *OFFERS.values(offer))

    async def get_offer(self, offer_id: UUID, centrale_id: str, *, lock: bool = False) -> Offer | None:
        """The centrale's offer, or None."""
        then = "FOR UPDATE" if lock else ""
        row = await self._conn.fetchrow(OFFERS.select("id = $1 AND centrale_id = $2", then=then), offer_id, centrale_id)
        return OFFERS.load(row) if row is not None else None

    async def add_request(self, wish: Wish) -> None:
        """Store a new request."""
        await self._conn.execute(REQUESTS.insert(), *REQUESTS.values(wish))

    async def get_request(self, request_id: UUID, centrale_id: str, *, lock: bool = False) -> Wish | None:
        """The centrale's request, or None."""
        then = "FOR UPDATE" if lock else ""
        row = await self._conn.fetchrow(
            REQUESTS.select("id = $1 AND centrale_id = $2", then=then), request_id, centrale_id
        )
        return REQUESTS.load(row) if row is not None else None

    async def close_offer(self, offer_id: UUID, reason: str, at: datetime) -> bool:
        """Take an open offer off the floor; False when it was closed already."""
        done = await self._conn.execute(
            "UPDATE beurs_offers SET status = 'closed', close_reason = $2, closed_at = $3"
            " WHERE id = $1 AND status = 'open'",
            offer_id,
            reason,
            at,
        )
        return done != "UPDATE 0"

    async def close_request(self, request_id: UUID, reason: str, at: datetime) -> bool:
        """Take an open request off the floor; False when it was closed already."""
        done = await self._conn.execute(
            "UPDATE beurs_requests SET status = 'closed', close_reason = $2, closed_at = $3"
            " WHERE id = $1 AND status = 'open'",
            request_id,
            reason,
            at,
        )
        return done != "UPDATE 0"

    async def offers(self, centrale_id: str, event_id: UUID | None, *, open_only: bool) -> list[Offer]:
        """The offers of one floor, oldest first."""
        where = _FLOOR + (" AND status = 'open'" if open_only else "")
        rows = await self._conn.fetch(OFFERS.select(where, then="ORDER BY posted_at, id"), centrale_id, event_id)
        return OFFERS.load_all(rows)

    async def requests(self, centrale_id: str, event_id: UUID | None, *, open_only: bool) -> list[Wish]:
        """The requests of one floor, oldest first."""
        where = _FLOOR + (" AND status = 'open'" if open_only else "")
        rows = await self._conn.fetch(REQUESTS.select(where, then="ORDER BY posted_at, id"), centrale_id, event_id)
        return REQUESTS.load_all(rows)

    async def offers_of_partner(self, partner_id: UUID) -> list[Offer]:
        """A company's offers, newest first."""
        rows = await self._conn.fetch(OFFERS.select("partner_id = $1", then="ORDER BY posted_at DESC, id"), partner_id)
        return OFFERS.load_all(rows)

    async def requests_of_organisation(self, organisation_id: UUID) -> list[Wish]:
        """An organisation's requests, newest first."""
        rows = await self._conn.fetch(
            REQUESTS.select("organisation_id = $1", then="ORDER BY posted_at DESC, id"), organisation_id
        )
        return REQUESTS.load_all(rows)

    async def open_past(self, day: date) -> tuple[list[Offer], list[Wish]]:
        """Open offers available until before ``day``, and open requests needed by before it."""
        offers = await self._conn.fetch(
            OFFERS.select("status = 'open' AND available_until < $1", then="ORDER BY id"), day
        )
        requests = await self._conn.fetch(
            REQUESTS.select("status = 'open' AND needed_by < $1", then="ORDER BY id"), day
        )
        return OFFERS.load_all(offers), REQUESTS.load_all(requests)

    async def add_pair(self, pair: Pair) -> bool:
        """Store a proposed pair unless its id is known."""
        added = await self._conn.fetchval(
            PAIRS.insert(then="ON CONFLICT (id) DO NOTHING RETURNING true"), *PAIRS.values(pair)
        )
        return bool(added)

    async def pairs_of(self, offer_ids: Collection[UUID], request_ids: Collection[UUID]) -> list[Pair]:
        """The pairs of any of the offers or requests, best first."""
        rows = await self._conn.fetch(
            PAIRS.select(
                "offer_id = ANY($1::uuid[]) OR request_id = ANY($2::uuid[])",
                then="ORDER BY score DESC, proposed_at, id",
            ),
            list(offer_ids),
            list(request_ids),
        )
        return PAIRS.load_all(rows)

    async def put_contact(self, contact: PartnerContact) -> None:
        """Store (or replace) a company's contact."""
        await self._conn.execute(
            CONTACTS.insert(
                then="ON CONFLICT (partner_id) DO UPDATE SET name = EXCLUDED.name, email = EXCLUDED.email,"
                " phone = EXCLUDED.phone, updated_at = EXCLUDED.updated_at"
            ),
            *CONTACTS.values(contact),
        )

    async def contact(self, partner_id: UUID) -> PartnerContact | None:
        """A company's contact, or None."""
        row = await self._conn.fetchrow(CONTACTS.select("partner_id = $1"), partner_id)
        return CONTACTS.load(row) if row is not None else None


class PostgresDealRepository:
    """Deals in PostgreSQL."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def add(self, deal: Deal) -> None:
        """Store a new deal."""
        await self._conn.execute(DEALS.insert(), *DEALS.values(deal))

    async def get(self, deal_id: UUID, centrale_id: str, *, lock: bool = False) -> Deal | None:
        """The centrale's deal, or None."""
        then = "FOR UPDATE" if lock else ""
        row = await self._conn.fetchrow(DEALS.select("id = $1 AND centrale_id = $2", then=then), deal_id, centrale_id)
        return DEALS.load(row) if row is not None else None

    async def update(self, deal: Deal, columns: Sequence[str]) -> None:
        """Store the deal's ``columns``."""
        await self._conn.execute(DEALS.update(columns), *DEALS.changes(deal, columns))

    async def of_floor(self, centrale_id: str, event_id: UUID | None) -> list[Deal]:
        """The deals of one floor, oldest first."""
        rows = await self._conn.fetch(DEALS.select(_FLOOR, then="ORDER BY created_at, id"), centrale_id, event_id)
        return DEALS.load_all(rows)

    async def of_partner(self, partner_id: UUID) -> list[Deal]:
        """A company's deals, newest first."""
        rows = await self._conn.fetch(DEALS.select("partner_id = $1", then="ORDER BY created_at DESC, id"), partner_id)
        return DEALS.load_all(rows)

    async def of_organisation(self, organisation_id: UUID) -> list[Deal]:
        """An organisation's deals, newest first."""
        rows = await self._conn.fetch(
            DEALS.select("organisation_id = $1", then="ORDER BY created_at DESC, id"), organisation_id
        )
        return DEALS.load_all(rows)

    async def due_for_follow_up(self, due_before: date) -> list[Deal]:
        """Made deals due on or before ``due_before`` whose follow-up was not asked yet, by date."""
        rows = await self._conn.fetch(
            DEALS.select("status = 'made' AND due_on <= $1 AND follow_up_asked_at IS NULL", then="ORDER BY due_on, id"),
            due_before,
        )
        return DEALS.load_all(rows)
