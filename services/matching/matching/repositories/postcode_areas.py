"""PC4 centroids, loaded by ops: the only places matching measures distances from."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from common.db import Connection
from matching.domain.geo import Centroid
from matching.domain.model import Coordinates

__all__ = ["PostcodeAreaRepository", "PostgresPostcodeAreaRepository"]


class PostcodeAreaRepository(Protocol):
    """The centroids of PC4 areas."""

    async def load(self, centroids: Sequence[Centroid]) -> int:
        """Add or replace centroids; how many were given."""
        ...

    async def coordinates(self, pc4: str) -> Coordinates | None:
        """The centroid of ``pc4``, or None when none is loaded."""
        ...


class PostgresPostcodeAreaRepository:
    """Centroids in the ``postcode_areas`` table."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def load(self, centroids: Sequence[Centroid]) -> int:
        """Add or replace centroids; how many were given."""
        await self._conn.executemany(
            "INSERT INTO postcode_areas (pc4, lat, lon) VALUES ($1, $2, $3)"
            " ON CONFLICT (pc4) DO UPDATE SET lat = excluded.lat, lon = excluded.lon",
            [tuple(centroid) for centroid in centroids],
        )
        return len(centroids)

    async def coordinates(self, pc4: str) -> Coordinates | None:
        """The centroid of ``pc4``, or None when none is loaded."""
        row = await self._conn.fetchrow("SELECT lat, lon FROM postcode_areas WHERE pc4 = $1", pc4)
        return (row["lat"], row["lon"]) if row is not None else None
