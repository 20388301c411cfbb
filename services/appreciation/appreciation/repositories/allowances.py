"""Allowances organisations paid volunteers: financial records, kept (anonymously) when a volunteer is erased."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Protocol
from uuid import UUID

from appreciation.domain import Allowance
from appreciation.repositories import _sql
from common.db import Connection

__all__ = ["AllowanceRepository", "PostgresAllowanceRepository"]


class AllowanceRepository(Protocol):
    """Allowances paid, one per organisation and reference."""

    async def add(self, allowance: Allowance) -> bool:
        """Store a new allowance; False when the organisation used its reference before."""
        ...

    async def by_reference(self, organisation_id: UUID, reference: str) -> Allowance | None:
        """The organisation's allowance recorded under ``reference``."""
        ...

    async def paid_to(
        self, volunteer_id: UUID, start: date, end: date, *, excluding: UUID | None = None
    ) -> list[tuple[date, Decimal]]:
        """(day, amount) of every allowance paid to the volunteer from ``start`` up to ``end``, by any organisation."""
        ...

    async def of_organisation(self, organisation_id: UUID, centrale_id: str, start: date, end: date) -> list[Allowance]:
        """The organisation's own allowances paid from ``start`` up to ``end``, by day."""
        ...

    async def anonymise(self, volunteer_id: UUID) -> None:
        """Keep the volunteer's allowances (the organisations' records) without the volunteer id."""
        ...


_COLUMNS = (
    "id",
    "organisation_id",
    "centrale_id",
    "volunteer_id",
    "reference",
    "paid_on",
    "amount",
    "hours",
    "recorded_by",
    "recorded_at",
)
_INSERT = _sql.insert_values("allowances", _COLUMNS)
_SELECT = _sql.select("allowances", _COLUMNS)


class PostgresAllowanceRepository:
    """``AllowanceRepository`` on ``allowances``."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def add(self, allowance: Allowance) -> bool:
        """Store a new allowance; False when the reference is taken (also by a transaction committing meanwhile)."""
        inserted = await self._conn.fetchval(
            f"{_INSERT} ON CONFLICT (organisation_id, reference) DO NOTHING RETURNING true",
            *(getattr(allowance, name) for name in _COLUMNS),
        )
        return bool(inserted)

    async def by_reference(self, organisation_id: UUID, reference: str) -> Allowance | None:
        """The organisation's allowance under ``reference``."""
        row = await self._conn.fetchrow(
            f"{_SELECT} WHERE organisation_id = $1 AND reference = $2",
            organisation_id,
            reference,
        )
        return Allowance(*row) if row is not None else None

    async def paid_to(
        self, volunteer_id: UUID, start: date, end: date, *, excluding: UUID | None = None
    ) -> list[tuple[date, Decimal]]:
        """What the volunteer was paid in [start, end), by any organisation."""
        rows = await self._conn.fetch(
            "SELECT paid_on, amount FROM allowances"
            " WHERE volunteer_id = $1 AND paid_on >= $2 AND paid_on < $3 AND id IS DISTINCT FROM $4",
            volunteer_id,
            start,
            end,
            excluding,
        )
        return [(row["paid_on"], row["amount"]) for row in rows]

    async def of_organisation(self, organisation_id: UUID, centrale_id: str, start: date, end: date) -> list[Allowance]:
        """The organisation's own allowances in [start, end)."""
        rows = await self._conn.fetch(
            f"{_SELECT} WHERE organisation_id = $1 AND centrale_id = $2"
            " AND paid_on >= $3 AND paid_on < $4 ORDER BY paid_on, id",
            organisation_id,
            centrale_id,
            start,
            end,
        )
        return [Allowance(*row) for row in rows]

    async def anonymise(self, volunteer_id: UUID) -> None:
        """The volunteer id goes; the records stay."""
        await self._conn.execute("UPDATE allowances SET volunteer_id = NULL WHERE volunteer_id = $1", volunteer_id)
