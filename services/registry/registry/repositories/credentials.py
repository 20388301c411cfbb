"""Credentials the registry issues: machine clients' API credentials and people's sessions.

The ``credentials`` table of the shared runtime is the record here (every other service keeps a copy from
the events); the registry adds the membership a session acts as and when it was last used.
"""

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
    """Who or what uses it (e.g. a staff member's name, a session's device): personal data, blanked on erasure."""
    created_at: datetime
    revoked_at: datetime | None = None
    kind: str = "api"
    """``api`` (a machine client) or ``session`` (a person's login)."""
    expires_at: datetime | None = None
    account_id: UUID | None = None
    """The personal account a session belongs to."""
    membership_id: UUID | None = None
    """The membership a session acts as."""
    last_used_at: datetime | None = None
    """When the registry last saw the session (the idle timeout counts from here)."""


class CredentialRepository(Protocol):
    """Issued credentials."""

    async def add(self, credential: Credential) -> None:
        """Store a new credential."""
        ...

    async def get(self, credential_id: UUID, *, lock: bool = False) -> Credential | None:
        """One credential, revoked or not."""
        ...

    async def revoke(self, credential_id: UUID, at: datetime) -> bool:
        """Revoke one credential; False when it was revoked already."""
        ...

    async def revoke_all_of(self, subject_id: UUID, at: datetime) -> list[Credential]:
        """Revoke every credential still acting as ``subject_id``; returns them as they were."""
        ...

    async def revoke_sessions(
        self,
        *,
        account_id: UUID | None = None,
        membership_id: UUID | None = None,
        at: datetime,
        keep: UUID | None = None,
    ) -> list[Credential]:
        """Revoke the live sessions of an account or of one membership (all but ``keep``); returns them as they were."""
        ...

    async def sessions_of(self, account_id: UUID) -> list[Credential]:
        """The account's sessions not revoked, newest first."""
        ...

    async def api_credentials(
        self, *, centrale_id: str | None = None, subject_id: UUID | None = None
    ) -> list[Credential]:
        """The API credentials bound to a centrale or acting as a subject (revoked ones too), oldest first."""
        ...

    async def touch(self, credential_id: UUID, at: datetime, *, unless_after: datetime) -> None:
        """Record that the session was used at ``at``, unless it was already seen after ``unless_after``."""
        ...

    async def due_for_revocation(self, now: datetime, idle_since: datetime, limit: int) -> list[Credential]:
        """Live credentials past their expiry, and sessions unused since ``idle_since`` (locked, skipping locked)."""
        ...


CREDENTIALS = Table("credentials", Credential)


class PostgresCredentialRepository:
    """Credentials in PostgreSQL."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def add(self, credential: Credential) -> None:
        """Store a new credential."""
        await self._conn.execute(CREDENTIALS.insert(), *CREDENTIALS.values(credential))

    async def get(self, credential_id: UUID, *, lock: bool = False) -> Credential | None:
        """One credential, revoked or not."""
        row = await self._conn.fetchrow(CREDENTIALS.select("id = $1", then="FOR UPDATE" if lock else ""), credential_id)
        return CREDENTIALS.load(row) if row else None

    async def revoke(self, credential_id: UUID, at: datetime) -> bool:
        """Revoke one credential; False when it was revoked already."""
        status = await self._conn.execute(
            "UPDATE credentials SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL", credential_id, at
        )
        return status == "UPDATE 1"

    async def revoke_all_of(self, subject_id: UUID, at: datetime) -> list[Credential]:
        """Revoke every credential still acting as ``subject_id``."""
        rows = await self._conn.fetch(
            CREDENTIALS.select("subject_id = $1 AND revoked_at IS NULL", then="ORDER BY created_at, id FOR UPDATE"),
            subject_id,
        )
        return await self._revoke(CREDENTIALS.load_all(rows), at)

    async def revoke_sessions(
        self,
        *,
        account_id: UUID | None = None,
        membership_id: UUID | None = None,
        at: datetime,
        keep: UUID | None = None,
    ) -> list[Credential]:
        """Revoke the live sessions of an account or of one membership (all but ``keep``)."""
        assert (account_id is None) != (membership_id is None), "an account's sessions or a membership's"
        column = "account_id" if account_id is not None else "membership_id"
        rows = await self._conn.fetch(
            CREDENTIALS.select(
                f"{column} = $1 AND kind = 'session' AND revoked_at IS NULL AND id IS DISTINCT FROM $2",
                then="ORDER BY created_at, id FOR UPDATE",
            ),
            account_id if account_id is not None else membership_id,
            keep,
        )
        return await self._revoke(CREDENTIALS.load_all(rows), at)

    async def sessions_of(self, account_id: UUID) -> list[Credential]:
        """The account's sessions not revoked, newest first."""
        rows = await self._conn.fetch(
            CREDENTIALS.select(
                "account_id = $1 AND kind = 'session' AND revoked_at IS NULL", then="ORDER BY created_at DESC, id"
            ),
            account_id,
        )
        return CREDENTIALS.load_all(rows)

    async def api_credentials(
        self, *, centrale_id: str | None = None, subject_id: UUID | None = None
    ) -> list[Credential]:
        """The API credentials bound to a centrale or acting as a subject (revoked ones too), oldest first."""
        assert (centrale_id is None) != (subject_id is None), "a centrale's credentials or a subject's"
        column = "centrale_id" if centrale_id is not None else "subject_id"
        rows = await self._conn.fetch(
            CREDENTIALS.select(f"{column} = $1 AND kind = 'api'", then="ORDER BY created_at, id"),
            centrale_id if centrale_id is not None else subject_id,
        )
        return CREDENTIALS.load_all(rows)

    async def touch(self, credential_id: UUID, at: datetime, *, unless_after: datetime) -> None:
        """Record that the session was used at ``at``, unless it was already seen after ``unless_after``."""
        await self._conn.execute(
            "UPDATE credentials SET last_used_at = $2 WHERE id = $1 AND revoked_at IS NULL"
            " AND (last_used_at IS NULL OR last_used_at <= $3)",
            credential_id,
            at,
            unless_after,
        )

    async def due_for_revocation(self, now: datetime, idle_since: datetime, limit: int) -> list[Credential]:
        """Live credentials past their expiry, and sessions unused since ``idle_since`` (locked, skipping locked)."""
        rows = await self._conn.fetch(
            CREDENTIALS.select(
                "revoked_at IS NULL AND (expires_at <= $1 OR (kind = 'session' AND last_used_at <= $2))",
                then="ORDER BY created_at, id LIMIT $3 FOR UPDATE SKIP LOCKED",
            ),
            now,
            idle_since,
            limit,
        )
        return CREDENTIALS.load_all(rows)

    async def _revoke(self, revoking: list[Credential], at: datetime) -> list[Credential]:
        await self._conn.execute(
            "UPDATE credentials SET revoked_at = $2 WHERE id = ANY($1::uuid[])", [c.id for c in revoking], at
        )
        return revoking
