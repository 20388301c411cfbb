"""Organisations registered with a centrale, and their vetting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from common.db import Connection
from registry.repositories._table import Table

__all__ = ["Organisation", "OrganisationRepository", "PostgresOrganisationRepository"]


@dataclass(frozen=True)
class Organisation:
    """A row of ``organisations``; the contact person's fields are personal data (see ``personal_data``)."""

    id: UUID
    centrale_id: str
    name: str
    formal: bool
    kvk_number: str | None
    postcode: str | None
    postcode_area: str | None
    contact_name: str | None
    contact_email: str | None
    contact_phone: str | None
    liability_insured: bool
    free_vog_scheme: bool
    for_profit: bool
    status: str
    status_reason: str | None
    registered_at: datetime
    vetted_at: datetime | None


class OrganisationRepository(Protocol):
    """Organisations, always looked up within one centrale."""

    async def add(self, organisation: Organisation) -> None:
        """Store a new organisation."""
        ...

    async def get(self, organisation_id: UUID, centrale_id: str, *, lock: bool = False) -> Organisation | None:
        """The centrale's organisation, or None (also for another centrale's); ``lock``: until the transaction ends."""
        ...

    async def of_centrale(self, centrale_id: str, status: str | None = None) -> list[Organisation]:
        """The centrale's organisations (only those with ``status`` when given), oldest first."""
        ...

    async def set_status(self, organisation_id: UUID, status: str, reason: str | None, vetted_at: datetime) -> None:
        """Record a vetting decision."""
        ...


ORGANISATIONS = Table("organisations", Organisation)


class PostgresOrganisationRepository:
    """Organisations in PostgreSQL."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def add(self, organisation: Organisation) -> None:
        """Store a new organisation."""
        await self._conn.execute(ORGANISATIONS.insert(), *ORGANISATIONS.values(organisation))

    async def get(self, organisation_id: UUID, centrale_id: str, *, lock: bool = False) -> Organisation | None:
        """The centrale's organisation, or None."""
        row = await self._conn.fetchrow(
            ORGANISATIONS.select("id = $1 AND centrale_id = $2", then="FOR UPDATE" if lock else ""),
            organisation_id,
            centrale_id,
        )
        return ORGANISATIONS.load(row) if row is not None else None

    async def of_centrale(self, centrale_id: str, status: str | None = None) -> list[Organisation]:
        """The centrale's organisations, oldest first."""
        rows = await self._conn.fetch(
            ORGANISATIONS.select(
                "centrale_id = $1 AND ($2::text IS NULL OR status = $2)", then="ORDER BY registered_at, id"
            ),
            centrale_id,
            status,
        )
        return ORGANISATIONS.load_all(rows)

    async def set_status(self, organisation_id: UUID, status: str, reason: str | None, vetted_at: datetime) -> None:
        """Record a vetting decision."""
        await self._conn.execute(
            ORGANISATIONS.update(["status", "status_reason", "vetted_at"]), organisation_id, status, reason, vetted_at
        )
