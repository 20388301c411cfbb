"""Beursvloer pairs: which open offer fits which open request, how well, and why (in Dutch, like task proposals).

An offer and a request pair only when they are of one centrale, one kind (goods, knowledge or hands), on one
floor (the same evening, or either on the continuous floor), when both named what exactly (tags) they share at
least one, when there is still time (neither date passed), and when both places are known, within the radius.
Fit: the share of the request's tags the offer covers (0.4), how much of the amount asked it offers (0.3), and how
close it is (0.3; an unknown distance counts half).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from uuid import UUID, uuid5

from matching.domain.geo import distance_km
from matching.domain.model import Coordinates

__all__ = [
    "CATEGORY_LABELS",
    "BeursPosting",
    "PairFit",
    "PostingSide",
    "best_pairs",
    "pair_fit",
    "pair_id",
    "same_floor",
]

CATEGORY_LABELS = {"goods": "spullen", "knowledge": "kennis", "hands": "handen"}
_MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
           "november", "december")  # fmt: skip
_TAGS, _AMOUNT, _CLOSENESS = 0.4, 0.3, 0.3
# A pair's id derives from its offer and request, so proposing it twice (a redelivery) yields one id.
_PAIR_IDS = UUID("6a1f0c2e-5b7d-4e8a-9c3f-1d2e3f4a5b6c")


class PostingSide(StrEnum):
    """Whether a posting offers or asks."""

    OFFER = "offer"
    REQUEST = "request"


@dataclass(frozen=True)
class BeursPosting:
    """An offer or a request on the floor, as matching knows it: ids, kind, tags, amounts, area, date."""

    posting_id: UUID
    side: PostingSide
    owner_id: UUID
    """The business partner (offer) or the organisation (request)."""
    centrale_id: str
    category: str
    posted_at: datetime
    event_id: UUID | None = None
    tags: frozenset[str] = field(default_factory=frozenset)
    quantity: int | None = None
    hours: Decimal | None = None
    postcode_area: str | None = None
    by_when: date | None = None
    """The offer's last day, or the day the request is needed by."""
    coordinates: Coordinates | None = None
    """The centroid of its area, when loaded (read models fill it in)."""


@dataclass(frozen=True)
class PairFit:
    """An offer and a request that fit, how well (0-1) and why."""

    offer: BeursPosting
    request: BeursPosting
    score: float
    reasons: tuple[str, ...]

    @property
    def pair_id(self) -> UUID:
        """The pair's id (the same offer and request always give the same one)."""
        return pair_id(self.offer.posting_id, self.request.posting_id)


def pair_id(offer_id: UUID, request_id: UUID) -> UUID:
    """The id of the pair of ``offer_id`` and ``request_id``."""
    return uuid5(_PAIR_IDS, f"{offer_id}|{request_id}")


def same_floor(one: UUID | None, other: UUID | None) -> bool:
    """Whether two postings meet: on the same evening, or either on the continuous floor (there at every evening)."""
    return one is None or other is None or one == other


def _dutch(day: date) -> str:
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def _amount(offer: BeursPosting, request: BeursPosting) -> tuple[float, str | None]:
    """How much of what is asked the offer covers (1 when either side did not say), and the reason."""
    for offered, asked, unit in ((offer.hours, request.hours, "uur"), (offer.quantity, request.quantity, "stuks")):
        if offered is None or asked is None:
            continue
        share = min(float(offered) / float(asked), 1.0)
        if share >= 1:
            return 1.0, f"genoeg: {float(offered):g} {unit} aangeboden, {float(asked):g} gevraagd"
        return share, f"deels: {float(offered):g} van {float(asked):g} {unit}"
    return 1.0, None


def _timing(offer: BeursPosting, request: BeursPosting) -> str:
    if offer.by_when is not None and request.by_when is not None:
        return f"op tijd: nodig vóór {_dutch(request.by_when)}, aangeboden tot {_dutch(offer.by_when)}"
    if request.by_when is not None:
        return f"nodig vóór {_dutch(request.by_when)}"
    if offer.by_when is not None:
        return f"aangeboden tot {_dutch(offer.by_when)}"
    return "geen datum genoemd"


def pair_fit(offer: BeursPosting, request: BeursPosting, *, today: date, radius_km: float) -> PairFit | None:
    """How well ``offer`` meets ``request``, with the reasons; None when they do not pair."""
    if (offer.centrale_id, offer.category) != (request.centrale_id, request.category):
        return None
    if not same_floor(offer.event_id, request.event_id):
        return None
    if any(day is not None and day < today for day in (offer.by_when, request.by_when)):
        return None
    shared = offer.tags & request.tags
    if offer.tags and request.tags and not shared:
        return None
    distance = None
    if offer.coordinates is not None and request.coordinates is not None:
        distance = distance_km(*offer.coordinates, *request.coordinates)
        if distance > radius_km:
            return None
    reasons = [f"categorie: {CATEGORY_LABELS.get(offer.category, offer.category)}"]
    if request.tags:
        reasons.append(f"onderwerp {len(shared)}/{len(request.tags)}: {', '.join(sorted(shared)) or '-'}")
    tag_share = len(shared) / len(request.tags) if request.tags else 1.0
    amount_share, amount_reason = _amount(offer, request)
    if amount_reason is not None:
        reasons.append(amount_reason)
    reasons.append(_timing(offer, request))
    reasons.append(f"afstand {distance:.1f} km" if distance is not None else "afstand onbekend")
    if offer.event_id is not None and offer.event_id == request.event_id:
        reasons.append("op dezelfde Beursvloer")
    closeness = 1.0 - distance / radius_km if distance is not None else 0.5
    score = _TAGS * tag_share + _AMOUNT * amount_share + _CLOSENESS * closeness
    return PairFit(offer, request, round(score, 4), tuple(reasons))


def best_pairs(
    posting: BeursPosting, others: Sequence[BeursPosting], *, today: date, radius_km: float, limit: int
) -> list[PairFit]:
    """The ``limit`` best pairs of a new posting with the open postings of the other side, best first."""
    fits = []
    for other in others:
        offer, request = (posting, other) if posting.side is PostingSide.OFFER else (other, posting)
        fit = pair_fit(offer, request, today=today, radius_km=radius_km)
        if fit is not None:
            fits.append(fit)
    fits.sort(key=lambda fit: (-fit.score, fit.offer.posted_at, fit.request.posted_at, str(fit.pair_id)))
    return fits[:limit]
