"""Bearer-token authentication shared by every service: one role per credential, one tenant where it has one.

The registry issues credentials into its ``credentials`` table and publishes ``CredentialIssued`` /
``CredentialRevoked``; every other service keeps the same table as a projection of those events
(``register_credential_projection``), so all services authenticate alike without calling each other.
A credential is an API credential of a machine client (``kind`` api) or a person's login session (``kind``
session, with the personal account it belongs to); either may carry an absolute expiry, after which every
service refuses it without waiting for an event. The region ops token comes from the ``OPS_TOKEN`` setting.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated
from uuid import UUID

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from common.consumer import EventConsumer
from common.runtime import get_pool, get_runtime
from common.uow import PostgresUnitOfWork
from contracts.events import CredentialIssued, CredentialRevoked

__all__ = [
    "Caller",
    "CallerDep",
    "CredentialKind",
    "Role",
    "authenticate",
    "hash_token",
    "identify",
    "register_credential_projection",
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


class CredentialKind(StrEnum):
    """What a credential is: a machine client's API credential or a person's login session."""

    API = "api"
    SESSION = "session"


@dataclass(frozen=True)
class Caller:
    """Who is calling: role, tenant (None for region-wide roles) and the record it acts as, if any.

    A session also names the personal account behind it (``account_id``), so what the person does is
    recorded as theirs (``account:<id>``), not as a shared desk credential's.
    """

    credential_id: UUID | None
    role: Role
    centrale_id: str | None
    subject_id: UUID | None = None
    account_id: UUID | None = None
    kind: str = CredentialKind.API
    """``api`` or ``session`` (a ``CredentialKind``; kept a string so a kind added later passes through)."""

    @property
    def key(self) -> str:
        """Stable identity for idempotency keys: a person's account (so a retry after logging in again still
        finds the first answer), else the credential, or the role for the ops token."""
        if self.account_id is not None:
            return f"account:{self.account_id}"
        return str(self.credential_id) if self.credential_id else self.role.value

    @property
    def actor(self) -> str:
        """Who acts, as the origin of the commands they cause records it: the person's account, else the
        credential (``account:<id>``, ``credential:<id>``), or the role for the ops token."""
        if self.account_id is not None:
            return f"account:{self.account_id}"
        return f"credential:{self.credential_id}" if self.credential_id else self.role.value


def hash_token(token: str) -> str:
    """SHA-256 of a token: tokens are 256-bit random, so a fast hash is enough (no password stretching)."""
    return hashlib.sha256(token.encode()).hexdigest()


_bearer = HTTPBearer(auto_error=False, description="A token issued by the registry: `Bearer rp_...`.")


async def identify(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Caller | None:
    """The caller a bearer token names; None without a token; 401 for a token nobody holds or that expired.

    FastAPI resolves it once per request, for ``authenticate`` and for the request's unit of work alike.
    """
    if credentials is None:
        return None
    token_hash = hash_token(credentials.credentials)
    runtime = get_runtime(request)
    ops_token = runtime.settings.ops_token.get_secret_value()
    if hmac.compare_digest(token_hash, hash_token(ops_token)):
        return Caller(credential_id=None, role=Role.REGION_OPS, centrale_id=None)
    row = await get_pool(request).fetchrow(
        "SELECT id, role, centrale_id, subject_id, kind, expires_at, account_id"
        " FROM credentials WHERE token_hash = $1 AND revoked_at IS NULL",
        token_hash,
    )
    if row is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "unknown or revoked token", {"WWW-Authenticate": "Bearer"})
    # Expiry needs no event: every service compares with its own clock, so an expired session or API
    # credential stops working everywhere at the same moment (the registry's job also revokes it later).
    if row["expires_at"] is not None and row["expires_at"] <= runtime.clock.now():
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "expired token", {"WWW-Authenticate": "Bearer"})
    return Caller(
        credential_id=row["id"],
        role=Role(row["role"]),
        centrale_id=row["centrale_id"],
        subject_id=row["subject_id"],
        account_id=row["account_id"],
        kind=row["kind"],
    )


async def authenticate(caller: Annotated[Caller | None, Depends(identify)]) -> Caller:
    """The caller, or 401 when the request carries no token."""
    if caller is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "missing bearer token", {"WWW-Authenticate": "Bearer"})
    return caller


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


async def on_credential_issued(event: CredentialIssued, uow: PostgresUnitOfWork) -> None:
    """Copy an issued credential (an API credential or a session) into this service's table."""
    await uow.conn.execute(
        "INSERT INTO credentials (id, token_hash, role, centrale_id, subject_id, created_at, kind, expires_at,"
        " account_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING",
        event.credential_id,
        event.token_hash,
        event.role,
        event.centrale_id,
        event.subject_id,
        event.issued_at,
        # Events from before sessions existed carry no kind: they were API credentials.
        event.kind or CredentialKind.API.value,
        event.expires_at,
        event.account_id,
    )


async def on_credential_revoked(event: CredentialRevoked, uow: PostgresUnitOfWork) -> None:
    """Stop accepting a revoked credential."""
    await uow.conn.execute(
        "UPDATE credentials SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL",
        event.credential_id,
        event.revoked_at,
    )


def register_credential_projection(consumer: EventConsumer) -> None:
    """Keep this service's ``credentials`` table in step with the registry's (services other than the registry)."""
    consumer.on(CredentialIssued)(on_credential_issued)
    consumer.on(CredentialRevoked)(on_credential_revoked)
