"""Certificates issued: their id, the PDF's hash and the totals it states; never the name printed on it."""

from __future__ import annotations

from typing import Protocol
from uuid import UUID

from appreciation.domain import Certificate
from appreciation.repositories import _sql
from common.db import Connection

__all__ = ["CertificateRepository", "PostgresCertificateRepository"]


class CertificateRepository(Protocol):
    """Certificates issued."""

    async def add(self, certificate: Certificate) -> None:
        """Store a new certificate."""
        ...

    async def get(self, certificate_id: UUID) -> Certificate | None:
        """One certificate."""
        ...

    async def of_volunteer(self, volunteer_id: UUID) -> list[Certificate]:
        """A volunteer's certificates, oldest first."""
        ...

    async def anonymise(self, volunteer_id: UUID) -> None:
        """Keep the volunteer's certificates verifiable, without the volunteer id."""
        ...


_COLUMNS = (
    "id",
    "volunteer_id",
    "centrale_id",
    "sha256",
    "total_hours",
    "organisations",
    "first_day",
    "last_day",
    "issued_at",
)
_INSERT = _sql.insert_values("certificates", _COLUMNS)
_SELECT = _sql.select("certificates", _COLUMNS)


class PostgresCertificateRepository:
    """``CertificateRepository`` on ``certificates``."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def add(self, certificate: Certificate) -> None:
        """Store a new certificate."""
        await self._conn.execute(_INSERT, *(getattr(certificate, name) for name in _COLUMNS))

    async def get(self, certificate_id: UUID) -> Certificate | None:
        """One certificate."""
        row = await self._conn.fetchrow(f"{_SELECT} WHERE id = $1", certificate_id)
        return Certificate(*row) if row is not None else None

    async def of_volunteer(self, volunteer_id: UUID) -> list[Certificate]:
        """A volunteer's certificates, oldest first."""
        rows = await self._conn.fetch(f"{_SELECT} WHERE volunteer_id = $1 ORDER BY issued_at", volunteer_id)
        return [Certificate(*row) for row in rows]

    async def anonymise(self, volunteer_id: UUID) -> None:
        """The volunteer id goes; the certificate stays verifiable."""
        await self._conn.execute("UPDATE certificates SET volunteer_id = NULL WHERE volunteer_id = $1", volunteer_id)
