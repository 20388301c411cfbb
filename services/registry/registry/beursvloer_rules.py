"""The Beursvloer's rules, pure: categories, the deal lifecycle as a state machine, and settling a follow-up.

::

    pending ──confirm (the other party) / staff──▶ made ──follow-up settled──▶ done | partly | not
    pending ──cancel──▶ cancelled

A deal recorded by staff is made at once; one proposed by a party waits (``pending``) for the other party's
confirmation. After its date plus the centrale's days both sides are asked whether it happened; once both
answered (or staff recorded it) the deal is settled: the two answers agree, or the more careful one counts
(``not`` before ``partly`` before ``done``). Outside the layers, like ``vacaturebank``: use cases call it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from common.errors import Conflict

__all__ = [
    "CATEGORY_LABELS",
    "Category",
    "CloseReason",
    "DealStatus",
    "Outcome",
    "Side",
    "SideAnswer",
    "follow_up_due",
    "move",
    "settle",
]


class Category(StrEnum):
    """What is given on the Beursvloer."""

    GOODS = "goods"
    KNOWLEDGE = "knowledge"
    HANDS = "hands"


CATEGORY_LABELS: Mapping[str, str] = {
    Category.GOODS: "spullen",
    Category.KNOWLEDGE: "kennis",
    Category.HANDS: "handen",
}


class CloseReason(StrEnum):
    """Why an offer or request left the floor."""

    DEAL = "deal"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


class Side(StrEnum):
    """The two parties of a deal: the company that gives, the organisation that receives."""

    PARTNER = "partner"
    ORGANISATION = "organisation"


class Outcome(StrEnum):
    """Whether a deal happened, as its follow-up found out."""

    DONE = "done"
    PARTLY = "partly"
    NOT = "not"


class DealStatus(StrEnum):
    """Where a deal is in its life (the ``status`` column holds the value)."""

    PENDING = "pending"
    """Proposed by one party; the other's confirmation is awaited."""
    MADE = "made"
    CANCELLED = "cancelled"
    DONE = "done"
    PARTLY = "partly"
    NOT = "not"


_TRANSITIONS: Mapping[DealStatus, frozenset[DealStatus]] = {
    DealStatus.PENDING: frozenset({DealStatus.MADE, DealStatus.CANCELLED}),
    DealStatus.MADE: frozenset({DealStatus.DONE, DealStatus.PARTLY, DealStatus.NOT}),
    DealStatus.CANCELLED: frozenset(),
    DealStatus.DONE: frozenset(),
    DealStatus.PARTLY: frozenset(),
    DealStatus.NOT: frozenset(),
}


def move(current: str, to: DealStatus) -> DealStatus:
    """``to`` when the lifecycle allows the move from ``current``; Conflict (409) naming both otherwise."""
    allowed = _TRANSITIONS[DealStatus(current)]
    if to not in allowed:
        could = ", ".join(sorted(allowed)) or "nothing else"
        raise Conflict(f"deal is {current}: it can become {could}, not {to}")
    return to


@dataclass(frozen=True)
class SideAnswer:
    """One side's answer to a follow-up: the outcome, and the hours it says were given (None: not said)."""

    outcome: Outcome
    hours: Decimal | None = None


_CAREFUL_FIRST = (Outcome.NOT, Outcome.PARTLY, Outcome.DONE)


def _hours_said(answer: SideAnswer, deal_hours: Decimal | None) -> Decimal | None:
    """The hours one answer implies: none for ``not``, the deal's for ``done`` unless it said otherwise."""
    if deal_hours is None and answer.hours is None:
        return None
    if answer.outcome is Outcome.NOT:
        return Decimal(0)
    if answer.hours is not None:
        return answer.hours
    return deal_hours if answer.outcome is Outcome.DONE else None


def settle(answers: list[SideAnswer], deal_hours: Decimal | None) -> tuple[Outcome, Decimal | None]:
    """The deal's outcome and the hours given, from the answers (one staff record, or both sides').

    The more careful outcome counts when the sides differ, and the fewest hours either side says were given.
    """
    if not answers:
        raise ValueError("a follow-up is settled from at least one answer")
    outcome = min((a.outcome for a in answers), key=_CAREFUL_FIRST.index)
    said = [hours for hours in (_hours_said(a, deal_hours) for a in answers) if hours is not None]
    return outcome, (min(said) if said else None)


def follow_up_due(due_on: date, after_days: int, today: date) -> bool:
    """Whether a deal due on ``due_on`` is to be followed up ``today`` (its date plus ``after_days`` has come)."""
    return today >= due_on + timedelta(days=after_days)
