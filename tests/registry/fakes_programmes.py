"""In-memory fakes of the Beursvloer's and the trainings' repositories (see ``tests/registry/fakes.py``).

They keep the PostgreSQL repositories' promises (``tests/registry/repositories/test_registry_beursvloer_repository.py``
and ``..._training_repository.py`` run against both): the same filters and orders, hours rounded as
``numeric(7, 2)`` rounds them, one live booking per volunteer or organisation and training.
"""

from __future__ import annotations

import copy
from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, TypeVar
from uuid import UUID

from registry.repositories import BeursEvent, Booking, Deal, Offer, Pair, PartnerContact, Training, Wish

if TYPE_CHECKING:
    from tests.registry.fakes import FakeTables

__all__ = ["FakeBeursvloerRepository", "FakeDealRepository", "FakeTrainingRepository"]

T = TypeVar("T")
_TWO_PLACES = Decimal("0.01")


def _stored(record: T) -> T:
    return copy.deepcopy(record)


def _rounded(hours: Decimal | None) -> Decimal | None:
    return hours.quantize(_TWO_PLACES, rounding=ROUND_HALF_UP) if hours is not None else None  # as PostgreSQL


class FakeBeursvloerRepository:
    """The floor in memory."""

    def __init__(self, tables: FakeTables) -> None:
        self._tables = tables

    async def add_event(self, event: BeursEvent) -> None:
        self._tables.beurs_events[event.id] = _stored(event)

    async def get_event(self, event_id: UUID, centrale_id: str) -> BeursEvent | None:
        event = self._tables.beurs_events.get(event_id)
        return _stored(event) if event is not None and event.centrale_id == centrale_id else None

    async def events_of(self, centrale_id: str) -> list[BeursEvent]:
        events = sorted(
            (e for e in self._tables.beurs_events.values() if e.centrale_id == centrale_id), key=lambda e: e.id
        )
        events.sort(key=lambda e: e.starts_at, reverse=True)
        return _stored(events)

    async def close_event(self, event_id: UUID, at: datetime) -> None:
        event = self._tables.beurs_events[event_id]
        self._tables.beurs_events[event_id] = replace(event, status="closed", closed_at=at)

    async def add_offer(self, offer: Offer) -> None:
        self._tables.beurs_offers[offer.id] = _stored(replace(offer, hours=_rounded(offer.hours)))

    async def get_offer(self, offer_id: UUID, centrale_id: str, *, lock: bool = False) -> Offer | None:
        offer = self._tables.beurs_offers.get(offer_id)
        return _stored(offer) if offer is not None and offer.centrale_id == centrale_id else None

    async def add_request(self, wish: Wish) -> None:
        self._tables.beurs_requests[wish.id] = _stored(replace(wish, hours=_rounded(wish.hours)))

    async def get_request(self, request_id: UUID, centrale_id: str, *, lock: bool = False) -> Wish | None:
        wish = self._tables.beurs_requests.get(request_id)
        return _stored(wish) if wish is not None and wish.centrale_id == centrale_id else None

    async def close_offer(self, offer_id: UUID, reason: str, at: datetime) -> bool:
        offer = self._tables.beurs_offers.get(offer_id)
        if offer is None or offer.status != "open":
            return False
        self._tables.beurs_offers[offer_id] = replace(offer, status="closed", close_reason=reason, closed_at=at)
        return True

    async def close_request(self, request_id: UUID, reason: str, at: datetime) -> bool:
        wish = self._tables.beurs_requests.get(request_id)
        if wish is None or wish.status != "open":
            return False
        self._tables.beurs_requests[request_id] = replace(wish, status="closed", close_reason=reason, closed_at=at)
        return True

    async def offers(self, centrale_id: str, event_id: UUID | None, *, open_only: bool) -> list[Offer]:
        rows = [
            o
            for o in self._tables.beurs_offers.values()
            if (o.centrale_id, o.event_id) == (centrale_id, event_id) and (not open_only or o.status == "open")
        ]
        return _stored(sorted(rows, key=lambda o: (o.posted_at, o.id)))

    async def requests(self, centrale_id: str, event_id: UUID | None, *, open_only: bool) -> list[Wish]:
        rows = [
            r
            for r in self._tables.beurs_requests.values()
            if (r.centrale_id, r.event_id) == (centrale_id, event_id) and (not open_only or r.status == "open")
        ]
        return _stored(sorted(rows, key=lambda r: (r.posted_at, r.id)))

    async def offers_of_partner(self, partner_id: UUID) -> list[Offer]:
        rows = sorted((o for o in self._tables.beurs_offers.values() if o.partner_id == partner_id), key=lambda o: o.id)
        rows.sort(key=lambda o: o.posted_at, reverse=True)
        return _stored(rows)

    async def requests_of_organisation(self, organisation_id: UUID) -> list[Wish]:
        rows = sorted(
            (r for r in self._tables.beurs_requests.values() if r.organisation_id == organisation_id),
            key=lambda r: r.id,
        )
        rows.sort(key=lambda r: r.posted_at, reverse=True)
        return _stored(rows)

    async def open_past(self, day: date) -> tuple[list[Offer], list[Wish]]:
        offers = [
            o
            for o in self._tables.beurs_offers.values()
            if o.status == "open" and o.available_until is not None and o.available_until < day
        ]
        requests = [
            r
            for r in self._tables.beurs_requests.values()
            if r.status == "open" and r.needed_by is not None and r.needed_by < day
        ]
        return _stored(sorted(offers, key=lambda o: o.id)), _stored(sorted(requests, key=lambda r: r.id))

    async def add_pair(self, pair: Pair) -> bool:
        if pair.id in self._tables.beurs_pairs:
            return False
        if pair.offer_id not in self._tables.beurs_offers or pair.request_id not in self._tables.beurs_requests:
            raise LookupError("a pair names an offer and a request of the registry")  # the foreign keys
        # As stored: ``real``, a single-precision float.
        self._tables.beurs_pairs[pair.id] = _stored(replace(pair, score=float(f"{pair.score:.6g}")))
        return True

    async def pairs_of(self, offer_ids: Collection[UUID], request_ids: Collection[UUID]) -> list[Pair]:
        rows = [p for p in self._tables.beurs_pairs.values() if p.offer_id in offer_ids or p.request_id in request_ids]
        return _stored(sorted(rows, key=lambda p: (-p.score, p.proposed_at, p.id)))

    async def put_contact(self, contact: PartnerContact) -> None:
        self._tables.beurs_partner_contacts[contact.partner_id] = _stored(contact)

    async def contact(self, partner_id: UUID) -> PartnerContact | None:
        return _stored(self._tables.beurs_partner_contacts.get(partner_id))


class FakeDealRepository:
    """Deals in memory."""

    def __init__(self, tables: FakeTables) -> None:
        self._rows = tables.beurs_deals

    async def add(self, deal: Deal) -> None:
        self._rows[deal.id] = _stored(replace(deal, hours=_rounded(deal.hours)))

    async def get(self, deal_id: UUID, centrale_id: str, *, lock: bool = False) -> Deal | None:
        deal = self._rows.get(deal_id)
        return _stored(deal) if deal is not None and deal.centrale_id == centrale_id else None

    async def update(self, deal: Deal, columns: Sequence[str]) -> None:
        stored = self._rows[deal.id]
        changes = {column: getattr(deal, column) for column in columns}
        for column in ("partner_hours", "organisation_hours", "hours_given", "hours"):
            if column in changes:
                changes[column] = _rounded(changes[column])
        self._rows[deal.id] = replace(stored, **changes)

    async def of_floor(self, centrale_id: str, event_id: UUID | None) -> list[Deal]:
        rows = [d for d in self._rows.values() if (d.centrale_id, d.event_id) == (centrale_id, event_id)]
        return _stored(sorted(rows, key=lambda d: (d.created_at, d.id)))

    async def of_partner(self, partner_id: UUID) -> list[Deal]:
        return self._newest_first([d for d in self._rows.values() if d.partner_id == partner_id])

    async def of_organisation(self, organisation_id: UUID) -> list[Deal]:
        return self._newest_first([d for d in self._rows.values() if d.organisation_id == organisation_id])

    @staticmethod
    def _newest_first(rows: list[Deal]) -> list[Deal]:
        rows.sort(key=lambda d: d.id)
        rows.sort(key=lambda d: d.created_at, reverse=True)
        return _stored(rows)

    async def due_for_follow_up(self, due_before: date) -> list[Deal]:
        rows = [
            d
            for d in self._rows.values()
            if d.status == "made" and d.due_on <= due_before and d.follow_up_asked_at is None
        ]
        return _stored(sorted(rows, key=lambda d: (d.due_on, d.id)))


class FakeTrainingRepository:
    """Trainings and bookings in memory."""

    def __init__(self, tables: FakeTables) -> None:
        self._trainings = tables.trainings
        self._bookings = tables.training_bookings

    async def add(self, training: Training) -> None:
        self._trainings[training.id] = _stored(training)

    async def get(self, training_id: UUID, centrale_id: str, *, lock: bool = False) -> Training | None:
        training = self._trainings.get(training_id)
        return _stored(training) if training is not None and training.centrale_id == centrale_id else None

    async def update(self, training: Training, columns: Sequence[str]) -> None:
        self._trainings[training.id] = replace(
            self._trainings[training.id], **{column: copy.deepcopy(getattr(training, column)) for column in columns}
        )

    async def of_centrale(self, centrale_id: str, audiences: Sequence[str], ending_after: datetime) -> list[Training]:
        rows = [
            t
            for t in self._trainings.values()
            if t.centrale_id == centrale_id and t.audience in audiences and t.ends_at > ending_after
        ]
        return _stored(sorted(rows, key=lambda t: (t.starts_at, t.id)))

    async def add_booking(self, booking: Booking) -> bool:
        for other in self._bookings.values():
            if other.training_id != booking.training_id or other.status == "cancelled":
                continue
            if (booking.volunteer_id is not None and other.volunteer_id == booking.volunteer_id) or (
                booking.organisation_id is not None and other.organisation_id == booking.organisation_id
            ):
                return False
        self._bookings[booking.id] = _stored(booking)
        return True

    async def get_booking(self, booking_id: UUID, training_id: UUID) -> Booking | None:
        booking = self._bookings.get(booking_id)
        return _stored(booking) if booking is not None and booking.training_id == training_id else None

    async def update_booking(self, booking: Booking, columns: Sequence[str]) -> None:
        self._bookings[booking.id] = replace(
            self._bookings[booking.id], **{column: getattr(booking, column) for column in columns}
        )

    async def bookings(self, training_id: UUID) -> list[Booking]:
        rows = [b for b in self._bookings.values() if b.training_id == training_id]
        return _stored(sorted(rows, key=lambda b: (b.booked_at, b.id)))

    async def bookings_of_volunteer(self, volunteer_id: UUID) -> list[Booking]:
        return self._newest_first([b for b in self._bookings.values() if b.volunteer_id == volunteer_id])

    async def bookings_of_organisation(self, organisation_id: UUID) -> list[Booking]:
        return self._newest_first([b for b in self._bookings.values() if b.organisation_id == organisation_id])

    @staticmethod
    def _newest_first(rows: list[Booking]) -> list[Booking]:
        rows.sort(key=lambda b: b.id)
        rows.sort(key=lambda b: b.booked_at, reverse=True)
        return _stored(rows)

    async def reminders_due(self, now: datetime, starting_before: datetime) -> list[Booking]:
        due = []
        for booking in self._bookings.values():
            training = self._trainings[booking.training_id]
            if (
                booking.status == "booked"
                and booking.reminded_at is None
                and training.status == "scheduled"
                and now < training.starts_at <= starting_before
            ):
                due.append((training.starts_at, booking.booked_at, booking.id, booking))
        return _stored([entry[3] for entry in sorted(due, key=lambda entry: entry[:3])])
