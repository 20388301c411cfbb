"""API credentials the registry issues (the ``credentials`` table of the shared runtime is its record here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from common.db import Connection
from registry.repositories._table import Table

__all__ = ["Credential", "CredentialRepository", "PostgresCredentialRepository"]


@dataclass(frozen=True)
class Credential:
    """A row of ``credentials``: only the token's hash is kept."""

    id: UUID
    token_hash: str
    role: str
    centrale_id: str | None
    subject_id: UUID | None
    label: str | None
    """Who or what uses it (e.g. a staff member's name): personal data, blanked on erasure."""
    created_at: datetime
    revoked_at: datetime | None = None


class CredentialRepository(Protocol):
    """Issued credentials."""

    async def add(self, credential: Credential) -> None:
        """Store a new credential."""
        ...

    async def revoke_all_of(self, subject_id: UUID, at: datetime) -> list[Credential]:
        """Revoke every credential still acting as ``subject_id``; returns them as they were."""
        ...


CREDENTIALS = Table("credentials", Credential)


class PostgresCredentialRepository:
    """Credentials in PostgreSQL."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def add(self, credential: Credential) -> None:
        """Store a new credential."""
        await self._conn.execute(CREDENTIALS.insert(), *CREDENTIALS.values(credential))

    async def revoke_all_of(self, subject_id: UUID, at: datetime) -> list[Credential]:
        """Revoke every credential still acting as ``subject_id``."""
        rows = await self._conn.fetch(
            CREDENTIALS.select("subject_id = $1 AND revoked_at IS NULL", then="ORDER BY created_at, id FOR UPDATE"),
            subject_id,
        )
        revoking = CREDENTIALS.load_all(rows)
        await self._conn.execute(
            "UPDATE credentials SET revoked_at = $2 WHERE id = ANY($1::uuid[])", [c.id for c in revoking], at
        )
        return revoking
