"""Distance between PC4 areas, from centroid coordinates loaded into matching (never addresses)."""

from __future__ import annotations

import math
from typing import NamedTuple

__all__ = ["KM_PER_DEGREE_LAT", "Centroid", "distance_km"]

KM_PER_DEGREE_LAT = 110.57
KM_PER_DEGREE_LON_AT_EQUATOR = 111.32


class Centroid(NamedTuple):
    """The centre of a PC4 postcode area: where distances are measured from (never an address)."""

    pc4: str
    lat: float
    lon: float


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Distance in kilometres by the equirectangular approximation.

    Within a Dutch region (tens of kilometres) it is within a fraction of a percent of the great-circle
    distance, and it vectorises cheaply; the candidate index uses the same formula so gates agree.
    """
    dx = (lon2 - lon1) * KM_PER_DEGREE_LON_AT_EQUATOR * math.cos(math.radians((lat1 + lat2) / 2))
    dy = (lat2 - lat1) * KM_PER_DEGREE_LAT
    return math.hypot(dx, dy)
