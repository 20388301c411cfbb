"""The kennisfunctie's rules, pure: kinds and audiences of trainings, and the waiting list.

A booking takes its seats when they are free, else it waits. When seats come free (a cancellation, more
capacity), waiting bookings move up in the order they were made; one that needs more seats than are free stays
waiting, and a later, smaller one may go ahead of it, so no seat stays empty while someone could take it.
Outside the layers, like ``vacaturebank``: use cases call it.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from uuid import UUID

__all__ = ["Audience", "BookingStatus", "TrainingKind", "TrainingStatus", "for_audience", "move_up"]


class TrainingKind(StrEnum):
    """A training, or an advice session (for an organisation, often)."""

    TRAINING = "training"
    ADVICE = "advice"


class Audience(StrEnum):
    """Who a training is for."""

    VOLUNTEERS = "volunteers"
    ORGANISATIONS = "organisations"
    BOTH = "both"


class TrainingStatus(StrEnum):
    """Whether a training goes ahead."""

    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class BookingStatus(StrEnum):
    """Where a booking stands."""

    BOOKED = "booked"
    WAITING = "waiting"
    CANCELLED = "cancelled"


def for_audience(audience: str, who: Audience) -> bool:
    """Whether a training for ``audience`` is open to ``who`` (volunteers or organisations)."""
    return audience in (who, Audience.BOTH)


def move_up(capacity: int, taken: int, waiting: Sequence[tuple[UUID, int]]) -> list[UUID]:
    """The waiting bookings (id, seats; in the order they were made) that get seats now, ``taken`` being in use."""
    free = capacity - taken
    placed = []
    for booking_id, seats in waiting:
        if seats <= free:
            placed.append(booking_id)
            free -= seats
    return placed
