"""Events of the Maatschappelijke Beursvloer: the registry's offers, requests and deals (``registry.beursvloer.v1``)
and the pairs matching proposes (``matching.beursvloer.v1``).

Companies offer goods, knowledge or hands; organisations ask for them; a deal records who gives what to whom by
when, and its follow-up whether it happened. What an offer, request or deal says in words stays in the registry:
these events carry ids, categories, tags, amounts and dates only.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, ClassVar
from uuid import UUID

from pydantic import Field

from contracts.events._base import Event, register
from contracts.events._common import CentraleId, PostcodeArea

__all__ = [
    "BeursvloerDealFollowedUp",
    "BeursvloerDealMade",
    "BeursvloerOfferClosed",
    "BeursvloerOfferPosted",
    "BeursvloerPairProposed",
    "BeursvloerRequestClosed",
    "BeursvloerRequestPosted",
]

_TOPIC = "registry.beursvloer.v1"

# Strings rather than Enums, so a consumer built before a new value was added still parses the event.
Category = Annotated[
    str,
    Field(
        description="What is given: goods (spullen), knowledge (kennis, advice) or hands (handen: people's time)."
        " Known values: goods, knowledge, hands.",
        examples=["hands"],
    ),
]
Tags = Annotated[
    list[str],
    Field(
        default_factory=list,
        description="Codes naming more exactly what is offered or asked (lower case, like skills).",
        examples=[["schilderen", "klussen"]],
    ),
]
BeursEventId = Annotated[
    UUID | None,
    Field(description="The Beursvloer evening it belongs to; null: the continuous floor between events."),
]
Quantity = Annotated[int | None, Field(ge=1, description="How many (goods), when it is counted in pieces.")]
Hours = Annotated[
    Decimal | None,
    Field(gt=0, max_digits=7, decimal_places=2, description="How many hours (knowledge, hands) in total."),
]


class _Posting(Event):
    """What an offer and a request share: where, what kind, how much."""

    centrale_id: CentraleId
    event_id: BeursEventId = None
    category: Category
    tags: Tags
    quantity: Quantity = None
    hours: Hours = None
    postcode_area: PostcodeArea | None = Field(None, description="Where it is given or needed (PC4).")
    posted_at: datetime


@register
class BeursvloerOfferPosted(_Posting):
    """Emitted by the registry when a company (business partner), or staff for it, offers something on the floor."""

    event_type: ClassVar[str] = "nl.vrijwilligerscentrale.beursvloer.offer-posted.v1"
    topic: ClassVar[str] = _TOPIC
    subject_field: ClassVar[str] = "offer_id"

    offer_id: UUID
    partner_id: UUID = Field(description="The business partner that offers it.")
    available_until: date | None = Field(None, description="Last day the company can give it (null: open).")


@register
class BeursvloerRequestPosted(_Posting):
    """Emitted by the registry when an organisation, or staff for it, asks for something on the floor."""

    event_type: ClassVar[str] = "nl.vrijwilligerscentrale.beursvloer.request-posted.v1"
    topic: ClassVar[str] = _TOPIC
    subject_field: ClassVar[str] = "request_id"

    request_id: UUID
    organisation_id: UUID = Field(description="The organisation that asks.")
    needed_by: date | None = Field(None, description="The day it is needed by (null: no deadline).")


_CLOSE_REASON = Field(description="deal (given away in a deal), withdrawn, or expired (its date passed).")


@register
class BeursvloerOfferClosed(Event):
    """Emitted by the registry when an offer leaves the floor: taken in a deal, withdrawn, or past its date."""

    event_type: ClassVar[str] = "nl.vrijwilligerscentrale.beursvloer.offer-closed.v1"
    topic: ClassVar[str] = _TOPIC
    subject_field: ClassVar[str] = "offer_id"

    offer_id: UUID
    centrale_id: CentraleId
    reason: str = _CLOSE_REASON
    closed_at: datetime


@register
class BeursvloerRequestClosed(Event):
    """Emitted by the registry when a request leaves the floor: met in a deal, withdrawn, or past its date."""

    event_type: ClassVar[str] = "nl.vrijwilligerscentrale.beursvloer.request-closed.v1"
    topic: ClassVar[str] = _TOPIC
    subject_field: ClassVar[str] = "request_id"

    request_id: UUID
    centrale_id: CentraleId
    reason: str = _CLOSE_REASON
    closed_at: datetime


class _DealFacts(Event):
    """Who gives to whom, at which floor, of what kind."""

    deal_id: UUID
    centrale_id: CentraleId
    event_id: BeursEventId = None
    partner_id: UUID = Field(description="The company that gives.")
    organisation_id: UUID = Field(description="The organisation that receives.")
    category: Category


@register
class BeursvloerDealMade(_DealFacts):
    """Emitted by the registry when a deal stands: staff recorded it, or both parties confirmed it."""

    event_type: ClassVar[str] = "nl.vrijwilligerscentrale.beursvloer.deal-made.v1"
    topic: ClassVar[str] = _TOPIC
    subject_field: ClassVar[str] = "deal_id"

    offer_id: UUID | None = Field(None, description="The offer the deal takes from, when it was posted.")
    request_id: UUID | None = Field(None, description="The request the deal meets, when it was posted.")
    quantity: Quantity = None
    hours: Hours = None
    due_on: date = Field(description="By when it is to be given.")
    confirmed_by: str = Field(description="staff, or parties (both confirmed).", examples=["staff"])
    made_at: datetime


@register
class BeursvloerDealFollowedUp(_DealFacts):
    """Emitted by the registry when a deal's follow-up is settled: both sides answered, or staff recorded it."""

    event_type: ClassVar[str] = "nl.vrijwilligerscentrale.beursvloer.deal-followed-up.v1"
    topic: ClassVar[str] = _TOPIC
    subject_field: ClassVar[str] = "deal_id"

    outcome: str = Field(
        description="done (carried out), partly, or not (did not happen). Known values: done, partly, not.",
        examples=["done"],
    )
    hours_given: Decimal | None = Field(
        None, ge=0, max_digits=7, decimal_places=2, description="Hours actually given (knowledge, hands)."
    )
    settled_by: str = Field(description="parties (both answered) or staff.", examples=["parties"])
    followed_up_at: datetime


@register
class BeursvloerPairProposed(Event):
    """Emitted by matching when an open offer and an open request of one centrale fit, with the reasons why."""

    event_type: ClassVar[str] = "nl.vrijwilligerscentrale.beursvloer.pair-proposed.v1"
    topic: ClassVar[str] = "matching.beursvloer.v1"
    subject_field: ClassVar[str] = "pair_id"

    pair_id: UUID = Field(description="Id of the pair; the same offer and request always give the same id.")
    offer_id: UUID
    request_id: UUID
    partner_id: UUID
    organisation_id: UUID
    centrale_id: CentraleId
    event_id: BeursEventId = None
    category: Category
    score: float = Field(ge=0, le=1, description="How well they fit (1 = perfect).")
    reasons: list[str] = Field(
        default_factory=list, description="Why, in Dutch: category, tags, amount, timing, distance."
    )
    proposed_at: datetime
