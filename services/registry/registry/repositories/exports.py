"""What an export of a centrale's records reads in bulk: its volunteers with their consents, its hours."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import NamedTuple, Protocol
from uuid import UUID

from common.db import Connection
from registry.repositories.volunteers import CONSENTS, VOLUNTEERS, Consent, Volunteer

__all__ = ["ExportRepository", "PlatformHours", "PostgresExportRepository"]


class PlatformHours(NamedTuple):
    """Confirmed hours logged on the platform for a match, with their task's theme."""

    id: UUID
    volunteer_id: UUID
    organisation_id: UUID
    task_id: UUID
    theme: str
    worked_on: date
    hours: Decimal


class ExportRepository(Protocol):
    """Bulk reads for exports, always of one centrale."""

    async def volunteers(self, centrale_id: str) -> list[Volunteer]:
        """The centrale's volunteers (not erased), in order of registration."""
        ...

    async def consents(self, centrale_id: str) -> dict[UUID, dict[str, Consent]]:
        """The consents that count (the latest per kind) of each of the centrale's volunteers."""
        ...

    async def hours(self, centrale_id: str) -> list[PlatformHours]:
        """Confirmed hours logged on the platform for the centrale's tasks, oldest day first."""
        ...


class PostgresExportRepository:
    """Export reads in PostgreSQL."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def volunteers(self, centrale_id: str) -> list[Volunteer]:
        """The centrale's volunteers."""
        rows = await self._conn.fetch(
            VOLUNTEERS.select("centrale_id = $1 AND erased_at IS NULL", then="ORDER BY registered_at, id"), centrale_id
        )
        return VOLUNTEERS.load_all(rows)

    async def consents(self, centrale_id: str) -> dict[UUID, dict[str, Consent]]:
        """The latest consent per kind of each volunteer."""
        columns = ", ".join(f"c.{column}" for column in CONSENTS.columns)
        rows = await self._conn.fetch(
            f"SELECT DISTINCT ON (c.volunteer_id, c.kind) {columns} FROM volunteer_consents c"  # noqa: S608
            " JOIN volunteers v ON v.id = c.volunteer_id"
            " WHERE v.centrale_id = $1 AND v.erased_at IS NULL ORDER BY c.volunteer_id, c.kind, c.id DESC",
            centrale_id,
        )
        latest: dict[UUID, dict[str, Consent]] = {}
        for consent in CONSENTS.load_all(rows):
            latest.setdefault(consent.volunteer_id, {})[consent.kind] = consent
        return latest

    async def hours(self, centrale_id: str) -> list[PlatformHours]:
        """Confirmed hours of the centrale's tasks."""
        rows = await self._conn.fetch(
            "SELECT h.id, h.volunteer_id, h.organisation_id, h.task_id, t.theme, h.worked_on, h.hours"
            " FROM hours h JOIN tasks t ON t.id = h.task_id"
            " WHERE h.centrale_id = $1 AND h.status = 'confirmed' ORDER BY h.worked_on, h.id",
            centrale_id,
        )
        return [PlatformHours(*row) for row in rows]
