"""Issuing and revoking credentials: the registry is where credentials come from.

Authentication itself (roles, tenants, the bearer check) is shared by every service in ``common.auth``;
the registry writes its ``credentials`` table and publishes each change so the others can follow.
"""

from __future__ import annotations

import secrets
from uuid import UUID, uuid4

from common.auth import Role, hash_token
from common.db import Connection
from contracts.events import CredentialIssued, CredentialRevoked
from registry.use_cases._shared import Origin, emit, utc_now

__all__ = ["issue_credential", "revoke_credentials_of"]

# Credentials of region-wide roles (partners, ops) are not bound to a centrale.
REGION_TENANT = "region"


async def issue_credential(
    conn: Connection,
    *,
    role: Role,
    centrale_id: str | None,
    label: str,
    origin: Origin,
    subject_id: UUID | None = None,
) -> tuple[UUID, str]:
    """Create a credential, queue ``CredentialIssued``, and return its id and the token (shown once, never stored)."""
    token = f"rp_{secrets.token_urlsafe(32)}"
    credential_id = uuid4()
    now = utc_now()
    await conn.execute(
        "INSERT INTO credentials (id, token_hash, role, centrale_id, subject_id, label, created_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7)",
        credential_id,
        hash_token(token),
        role.value,
        centrale_id,
        subject_id,
        label,
        now,
    )
    await emit(
        conn,
        CredentialIssued(
            credential_id=credential_id,
            token_hash=hash_token(token),
            role=role.value,
            centrale_id=centrale_id,
            subject_id=subject_id,
            issued_at=now,
        ),
        origin,
        centrale_id or REGION_TENANT,
    )
    return credential_id, token


async def revoke_credentials_of(conn: Connection, subject_id: UUID, origin: Origin) -> int:
    """Revoke every credential acting as ``subject_id`` (forgetting its label); returns how many."""
    rows = await conn.fetch(
        "UPDATE credentials SET revoked_at = now(), label = NULL WHERE subject_id = $1 AND revoked_at IS NULL"
        " RETURNING id, centrale_id",
        subject_id,
    )
    for row in rows:
        await emit(
            conn,
            CredentialRevoked(credential_id=row["id"], revoked_at=utc_now()),
            origin,
            row["centrale_id"] or REGION_TENANT,
        )
    return len(rows)
