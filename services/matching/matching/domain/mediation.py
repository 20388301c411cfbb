"""What a consulent records when they mediate: a soft gate set aside, and the volunteer's agreement."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from matching.domain.scoring import Gate

__all__ = ["AgreementHow", "AgreementSubject", "GateOverride", "VolunteerAgreement"]


class AgreementSubject(StrEnum):
    """What the volunteer agreed to, as the consulent recorded it."""

    PUT_FORWARD = "put_forward"
    """To being put forward for the task."""
    ON_BEHALF = "on_behalf"
    """To the consulent responding to the task for them."""
    MATCH = "match"
    """To the match itself: their yes, said to the consulent."""


class AgreementHow(StrEnum):
    """How the volunteer gave their agreement to the consulent."""

    IN_PERSON = "in_person"
    PHONE = "phone"
    EMAIL = "email"
    LETTER = "letter"
    OTHER = "other"


@dataclass(frozen=True)
class GateOverride:
    """A consulent set a soft gate aside for one proposal: who, when and why (the reason stays in matching)."""

    match_id: UUID
    gate: Gate
    reason: str
    overridden_by: str
    """The actor: ``account:<id>`` or ``credential:<id>`` of the consulent."""
    overridden_at: datetime


@dataclass(frozen=True)
class VolunteerAgreement:
    """The volunteer's agreement, recorded by a consulent: to what, how it was given, who recorded it, when."""

    match_id: UUID
    subject: AgreementSubject
    how: AgreementHow
    recorded_by: str
    recorded_at: datetime
