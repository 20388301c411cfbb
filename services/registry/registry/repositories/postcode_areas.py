"""PC4 areas: their centroids (distances without addresses) and, when known, the place and district names."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from common.db import Connection
from registry.repositories._table import Table

__all__ = ["PostcodeArea", "PostcodeAreaRepository", "PostgresPostcodeAreaRepository"]


@dataclass(frozen=True)
class PostcodeArea:
    """A row of ``postcode_areas``."""

    pc4: str
    lat: float
    lon: float
    place: str | None = None
    """The town or village (woonplaats), e.g. Utrecht."""
    district: str | None = None
    """The district (wijk), e.g. Binnenstad."""


class PostcodeAreaRepository(Protocol):
    """The PC4 areas region ops loaded."""

    async def load(self, areas: Sequence[PostcodeArea]) -> int:
        """Add or replace areas; how many were given."""
        ...

    async def get(self, pc4: str) -> PostcodeArea | None:
        """One area, or None when it was never loaded."""
        ...


AREAS = Table("postcode_areas", PostcodeArea, key="pc4")


class PostgresPostcodeAreaRepository:
    """PC4 areas in PostgreSQL."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def load(self, areas: Sequence[PostcodeArea]) -> int:
        """Add or replace areas; how many were given."""
        await self._conn.executemany(
            AREAS.insert(
                then="ON CONFLICT (pc4) DO UPDATE SET lat = excluded.lat, lon = excluded.lon,"
                " place = excluded.place, district = excluded.district"
            ),
            [AREAS.values(area) for area in areas],
        )
        return len(areas)

    async def get(self, pc4: str) -> PostcodeArea | None:
        """One area, or None."""
        row = await self._conn.fetchrow(AREAS.select("pc4 = $1"), pc4)
        return AREAS.load(row) if row is not None else None
