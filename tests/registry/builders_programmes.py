"""Records of the Beursvloer and the trainings with unique ids and sensible defaults (see ``builders.py``)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from registry.repositories import BeursEvent, Booking, Deal, Offer, Training, Wish
from tests.registry.builders import NOW

__all__ = ["a_beurs_event", "a_booking", "a_deal", "a_request", "a_training", "an_offer"]


def a_beurs_event(centrale_id: str, **overrides: Any) -> BeursEvent:
    """A Beursvloer evening a month from NOW."""
    values: dict[str, Any] = {
        "id": uuid4(),
        "centrale_id": centrale_id,
        "title": "Maatschappelijke Beursvloer",
        "place": "Stadhuis",
        "starts_at": NOW + timedelta(days=30),
        "ends_at": NOW + timedelta(days=30, hours=3),
        "status": "planned",
        "created_at": NOW,
    }
    return BeursEvent(**(values | overrides))


def an_offer(centrale_id: str, partner_id: UUID, **overrides: Any) -> Offer:
    """A company's open offer of hands: 16 hours of painting."""
    values: dict[str, Any] = {
        "id": uuid4(),
        "centrale_id": centrale_id,
        "partner_id": partner_id,
        "category": "hands",
        "description": "Vier collega's schilderen een dag",
        "status": "open",
        "posted_at": NOW,
        "posted_by": "staff",
        "tags": ["schilderen"],
        "hours": Decimal("16.00"),
        "postcode_area": "3511",
        "available_until": date(2026, 12, 31),
    }
    return Offer(**(values | overrides))


def a_request(centrale_id: str, organisation_id: UUID, **overrides: Any) -> Wish:
    """An organisation's open request for hands: painting the clubhouse."""
    values: dict[str, Any] = {
        "id": uuid4(),
        "centrale_id": centrale_id,
        "organisation_id": organisation_id,
        "category": "hands",
        "description": "Het clubhuis moet geschilderd",
        "status": "open",
        "posted_at": NOW,
        "posted_by": "staff",
        "tags": ["schilderen"],
        "hours": Decimal("12.00"),
        "postcode_area": "3512",
        "needed_by": date(2027, 1, 31),
    }
    return Wish(**(values | overrides))


def a_deal(centrale_id: str, partner_id: UUID, organisation_id: UUID, **overrides: Any) -> Deal:
    """A deal that stands: 12 hours of painting, due in a fortnight."""
    values: dict[str, Any] = {
        "id": uuid4(),
        "centrale_id": centrale_id,
        "partner_id": partner_id,
        "organisation_id": organisation_id,
        "category": "hands",
        "description": "Clubhuis schilderen",
        "due_on": (NOW + timedelta(days=14)).date(),
        "closes_offer": True,
        "closes_request": True,
        "status": "made",
        "created_at": NOW,
        "created_by": "staff",
        "hours": Decimal("12.00"),
        "made_at": NOW,
        "confirmed_by": "staff",
    }
    return Deal(**(values | overrides))


def a_training(centrale_id: str, **overrides: Any) -> Training:
    """A training for volunteers a week from NOW, one evening, 12 seats."""
    start = overrides.pop("starts_at", NOW + timedelta(days=7))
    end = start + timedelta(hours=2)
    values: dict[str, Any] = {
        "id": uuid4(),
        "centrale_id": centrale_id,
        "title": "Omgaan met dementie",
        "description": "Een avond over het contact met mensen met dementie.",
        "kind": "training",
        "audience": "volunteers",
        "sessions": [{"starts_at": start.isoformat(), "ends_at": end.isoformat()}],
        "starts_at": start,
        "ends_at": end,
        "place": "Buurthuis De Linde",
        "capacity": 12,
        "status": "scheduled",
        "created_at": NOW,
        "created_by": "staff",
        "updated_at": NOW,
        "theme": "zorg",
        "postcode_area": "3511",
    }
    return Training(**(values | overrides))


def a_booking(training: Training, **overrides: Any) -> Booking:
    """A volunteer's booked place (give ``volunteer_id`` or ``organisation_id``)."""
    values: dict[str, Any] = {
        "id": uuid4(),
        "training_id": training.id,
        "centrale_id": training.centrale_id,
        "seats": 1,
        "status": "booked",
        "booked_at": NOW,
        "booked_by": "self",
    }
    return Booking(**(values | overrides))
