"""Pure rules of the public vacaturebank: what a search asks, how its text becomes terms, distances. No I/O."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

__all__ = [
    "MAX_PAGE",
    "MAX_PAGE_SIZE",
    "MAX_RADIUS_KM",
    "MAX_TERMS",
    "PREFIX_MIN_LENGTH",
    "Criteria",
    "Kind",
    "Sort",
    "distance_km",
    "search_terms",
    "tsquery_text",
]

# A page holds at most this many tasks, and a search goes at most this deep (the offset stays cheap).
MAX_PAGE_SIZE = 50
MAX_PAGE = 200
MAX_RADIUS_KM = 200
# Terms beyond these are ignored: a search box, not a document.
MAX_TERMS = 8
# Terms this long or longer also match as a prefix ("tuin" finds "tuinman", "boodschap" "boodschappenbus"):
# Dutch glues words together, and people search while typing. Shorter ones match whole words only.
PREFIX_MIN_LENGTH = 3

EARTH_RADIUS_KM = 6371.0088

_WORD = re.compile(r"[^\W_]+")


class Sort(StrEnum):
    """How search results are ordered."""

    RELEVANCE = "relevance"
    """Best text match first (newest first without text)."""
    DISTANCE = "distance"
    """Nearest first (needs a postcode)."""
    NEWEST = "newest"
    """Most recently published first."""


class Kind(StrEnum):
    """One-off (a date and time) or structural (weekly shifts)."""

    ONE_OFF = "one_off"
    STRUCTURAL = "structural"


@dataclass(frozen=True)
class Criteria:
    """What a search asks of published tasks; None or empty means "any"."""

    terms: tuple[str, ...] = ()
    """Words of the search text (``search_terms``): every one must match."""
    centrale_id: str | None = None
    themes: tuple[str, ...] = ()
    """Any of these themes."""
    origin: tuple[float, float] | None = None
    """Latitude and longitude of the PC4 area distances are measured from."""
    within_km: float | None = None
    """At most this far from ``origin`` (tasks without a known area are then left out)."""
    kind: Kind | None = None
    available_from: date | None = None
    """Open on or after this day: a one-off task ending on or after it, a structural one not closing before it."""
    available_until: date | None = None
    """Open on or before this day: a one-off task starting on or before it (structural ones run on)."""
    min_hours_per_week: Decimal | None = None
    max_hours_per_week: Decimal | None = None
    support_accessible: bool | None = None
    team_suitable: bool | None = None
    vog_required: bool | None = None


def search_terms(text: str | None) -> tuple[str, ...]:
    """The words of a search text, lower-cased, letters and digits only, at most ``MAX_TERMS``.

    Only these words ever reach the query (as bind parameters), so no text-search operator a visitor types
    (``&``, ``|``, ``!``, ``:*``) has any effect.
    """
    if not text:
        return ()
    words = _WORD.findall(text.lower())
    return tuple(dict.fromkeys(words))[:MAX_TERMS]


def tsquery_text(terms: tuple[str, ...]) -> str:
    """The ``to_tsquery('dutch', ...)`` text for terms: all must match, longer ones also as a prefix."""
    return " & ".join(f"{term}:*" if len(term) >= PREFIX_MIN_LENGTH else term for term in terms)


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two (latitude, longitude) points, as the search query computes it."""
    lat1, lon1 = map(math.radians, a)
    lat2, lon2 = map(math.radians, b)
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def bounding_box(origin: tuple[float, float], radius_km: float) -> tuple[float, float, float, float]:
    """(min lat, max lat, min lon, max lon) holding every point within ``radius_km`` of ``origin``."""
    lat, lon = origin
    dlat = math.degrees(radius_km / EARTH_RADIUS_KM)
    dlon = math.degrees(radius_km / (EARTH_RADIUS_KM * max(math.cos(math.radians(lat)), 0.01)))
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon
