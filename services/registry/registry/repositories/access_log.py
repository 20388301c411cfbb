"""The audit trail of personal data access: one row per read, export, change or erasure of a volunteer's record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from common.db import Connection
from registry.repositories._table import Table

__all__ = ["Access", "AccessLogRepository", "PostgresAccessLogRepository"]


@dataclass(frozen=True)
class Access:
    """A row of ``personal_data_access``: ids, categories and a time; no personal data of its own."""

    id: UUID
    at: datetime
    volunteer_id: UUID
    centrale_id: str
    """The volunteer's centrale (whose staff may read this row)."""
    actor: str
    """``account:<id>`` (a person), ``credential:<id>`` (a shared or machine credential) or a role."""
    account_id: UUID | None
    acting_centrale_id: str | None
    """The centrale the actor worked for when they accessed the record."""
    action: str
    """``read``, ``export``, ``change``, ``erase`` or ``create``."""
    what: str
    """``record``, ``export``, ``profile``, ``consent``, ``vog``, ``credential`` or ``account``."""
    purpose: str
    """Why: ``intake``, ``mediation``, ``follow_up``, ... (``registry.domain.AccessPurpose``)."""


class AccessLogRepository(Protocol):
    """The audit trail."""

    async def add(self, access: Access) -> None:
        """Record one access."""
        ...

    async def of_volunteer(self, volunteer_id: UUID, limit: int) -> list[Access]:
        """The accesses to one volunteer's record, newest first."""
        ...

    async def of_centrale(
        self, centrale_id: str, since: datetime, until: datetime, account_id: UUID | None, limit: int, offset: int
    ) -> list[Access]:
        """A page of the accesses to a centrale's volunteers in [since, until), newest first; one account's if given."""
        ...

    async def purge(self, before: datetime, limit: int) -> int:
        """Delete up to ``limit`` rows older than ``before``; how many went."""
        ...


ACCESS_LOG = Table("personal_data_access", Access)


class PostgresAccessLogRepository:
    """The audit trail in PostgreSQL."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def add(self, access: Access) -> None:
        """Record one access."""
        await self._conn.execute(ACCESS_LOG.insert(), *ACCESS_LOG.values(access))

    async def of_volunteer(self, volunteer_id: UUID, limit: int) -> list[Access]:
        """The accesses to one volunteer's record, newest first."""
        rows = await self._conn.fetch(
            ACCESS_LOG.select("volunteer_id = $1", then="ORDER BY at DESC, id LIMIT $2"), volunteer_id, limit
        )
        return ACCESS_LOG.load_all(rows)

    async def of_centrale(
        self, centrale_id: str, since: datetime, until: datetime, account_id: UUID | None, limit: int, offset: int
    ) -> list[Access]:
        """A page of the accesses to a centrale's volunteers in [since, until), newest first."""
        rows = await self._conn.fetch(
            ACCESS_LOG.select(
                "centrale_id = $1 AND at >= $2 AND at < $3 AND ($4::uuid IS NULL OR account_id = $4)",
                then="ORDER BY at DESC, id LIMIT $5 OFFSET $6",
            ),
            centrale_id,
            since,
            until,
            account_id,
            limit,
            offset,
        )
        return ACCESS_LOG.load_all(rows)

    async def purge(self, before: datetime, limit: int) -> int:
        """Delete up to ``limit`` rows older than ``before``."""
        status = await self._conn.execute(
            "DELETE FROM personal_data_access WHERE id IN"
            " (SELECT id FROM personal_data_access WHERE at < $1 ORDER BY at LIMIT $2)",
            before,
            limit,
        )
        return int(status.split()[-1])
