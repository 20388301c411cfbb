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

    async def purge_dormant_contacts(self, before: datetime) -> int:
        """Remove the contact person of organisations refused, or without any task open or closed, since before
        ``before``; how many (one already without is not counted again)."""
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

    async def purge_dormant_contacts(self, before: datetime) -> int:
        """Remove the contact person of organisations dormant since before ``before``; how many."""
        return int(
            await self._conn.fetchval(
                "WITH purged AS (UPDATE organisations o"
                " SET contact_name = NULL, contact_email = NULL, contact_phone = NULL"
                " WHERE num_nonnulls(o.contact_name, o.contact_email, o.contact_phone) > 0"
                " AND coalesce(o.vetted_at, o.registered_at) < $1"
                " AND (o.status = 'refused' OR NOT EXISTS (SELECT 1 FROM tasks t WHERE t.organisation_id = o.id"
                "  AND (t.closed_at IS NULL OR t.closed_at >= $1 OR t.created_at >= $1)))"
                " RETURNING 1) SELECT count(*) FROM purged",
                before,
            )
        )
