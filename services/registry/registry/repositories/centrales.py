"""Centrales: the tenants of the region."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from common.db import Connection
from registry.repositories._table import Table

__all__ = ["Centrale", "CentraleRepository", "PostgresCentraleRepository"]


@dataclass(frozen=True)
class Centrale:
    """A row of ``centrales``."""

    id: str
    name: str
    municipality_code: str
    created_at: datetime


class CentraleRepository(Protocol):
    """The region's centrales."""

    async def add(self, centrale: Centrale) -> bool:
        """Store a new centrale; False when its id is taken (nothing is changed then)."""
        ...

    async def get(self, centrale_id: str) -> Centrale | None:
        """One centrale, or None."""
        ...

    async def exists(self, centrale_id: str) -> bool:
        """Whether the centrale exists."""
        ...

    async def all(self) -> list[Centrale]:
        """Every centrale, by id."""
        ...


CENTRALES = Table("centrales", Centrale)


class PostgresCentraleRepository:
    """Centrales in PostgreSQL."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def add(self, centrale: Centrale) -> bool:
        """Store a new centrale; False when its id is taken."""
        added = await self._conn.fetchval(
            CENTRALES.insert(then="ON CONFLICT (id) DO NOTHING RETURNING true"), *CENTRALES.values(centrale)
        )
        return bool(added)

    async def get(self, centrale_id: str) -> Centrale | None:
        """One centrale, or None."""
        row = await self._conn.fetchrow(CENTRALES.select("id = $1"), centrale_id)
        return CENTRALES.load(row) if row is not None else None

    async def exists(self, centrale_id: str) -> bool:
        """Whether the centrale exists."""
        return await self._conn.fetchval("SELECT 1 FROM centrales WHERE id = $1", centrale_id) is not None

    async def all(self) -> list[Centrale]:
        """Every centrale, by id."""
        return CENTRALES.load_all(await self._conn.fetch(CENTRALES.select(then="ORDER BY id")))
