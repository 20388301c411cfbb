"""Bearer-token authentication: every credential is bound to one role and, where it has one, one tenant."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated
from uuid import UUID, uuid4

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from common.db import Connection
from common.service import get_pool, get_runtime

__all__ = [
    "Caller",
    "CallerDep",
    "Role",
    "hash_token",
    "issue_credential",
    "require_centrale_access",
    "require_role",
    "require_subject",
]


class Role(StrEnum):
    """The kinds of API client; each credential has exactly one."""

    REGION_OPS = "region_ops"
    CENTRALE_STAFF = "centrale_staff"
    ORGANISATION = "organisation"
    VOLUNTEER = "volunteer"
    BUSINESS_PARTNER = "business_partner"
    MUNICIPALITY_READER = "municipality_reader"


@dataclass(frozen=True)
class Caller:
    """Who is calling: role, tenant (None for region-wide roles) and the record it acts as, if any."""

    credential_id: UUID | None
    role: Role
    centrale_id: str | None
    subject_id: UUID | None = None

    @property
    def key(self) -> str:
        """Stable identity for idempotency keys: the credential, or the role for the ops token."""
        return str(self.credential_id) if self.credential_id else self.role.value


def hash_token(token: str) -> str:
    """SHA-256 of a token: tokens are 256-bit random, so a fast hash is enough (no password stretching)."""
    return hashlib.sha256(token.encode()).hexdigest()


async def issue_credential(
    conn: Connection, *, role: Role, centrale_id: str | None, label: str, subject_id: UUID | None = None
) -> tuple[UUID, str]:
    """Create a credential and return its id and the token, which is shown once and never stored."""
    token = f"rp_{secrets.token_urlsafe(32)}"
    credential_id = uuid4()
    await conn.execute(
        "INSERT INTO api_credentials (id, token_hash, role, centrale_id, label, subject_id)"
        " VALUES ($1, $2, $3, $4, $5, $6)",
        credential_id,
        hash_token(token),
        role.value,
        centrale_id,
        label,
        subject_id,
    )
    return credential_id, token


_bearer = HTTPBearer(auto_error=False, description="A token issued by the registry: `Bearer rp_...`.")


async def authenticate(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Caller:
    """Resolve the bearer token to a caller, or answer 401."""
    if credentials is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "missing bearer token", {"WWW-Authenticate": "Bearer"})
    token = credentials.credentials
    settings = get_runtime(request).settings
    ops_token: str = settings.ops_token.get_secret_value()  # type: ignore[attr-defined]
    if hmac.compare_digest(hash_token(token), hash_token(ops_token)):
        return Caller(credential_id=None, role=Role.REGION_OPS, centrale_id=None)
    row = await get_pool(request).fetchrow(
        "SELECT id, role, centrale_id, subject_id FROM api_credentials WHERE token_hash = $1 AND revoked_at IS NULL",
        hash_token(token),
    )
    if row is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "unknown or revoked token", {"WWW-Authenticate": "Bearer"})
    return Caller(
        credential_id=row["id"], role=Role(row["role"]), centrale_id=row["centrale_id"], subject_id=row["subject_id"]
    )


CallerDep = Annotated[Caller, Depends(authenticate)]


def require_role(caller: Caller, *roles: Role) -> None:
    """403 unless the caller has one of ``roles``."""
    if caller.role not in roles:
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"role {caller.role} may not do this")


def require_centrale_access(caller: Caller, centrale_id: str, *roles: Role) -> None:
    """403 unless the caller has one of ``roles``; 404 unless it is bound to ``centrale_id``.

    A caller bound to another centrale gets 404 rather than 403, so it cannot even learn that the
    other tenant's resource exists.
    """
    require_role(caller, *roles)
    if caller.role is not Role.REGION_OPS and caller.centrale_id != centrale_id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "not found")


def require_subject(caller: Caller, centrale_id: str | None, subject_id: UUID, role: Role) -> None:
    """404 unless the caller is ``role`` acting as ``subject_id`` (within ``centrale_id`` when given)."""
    require_role(caller, role)
    if caller.subject_id != subject_id or (centrale_id is not None and caller.centrale_id != centrale_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "not found")
