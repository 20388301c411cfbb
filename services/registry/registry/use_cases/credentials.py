"""Issuing, rotating, revoking and listing credentials: the registry is where credentials come from.

Authentication itself (roles, tenants, the bearer check, expiry) is shared by every service in
``common.auth``; the registry keeps the ``credentials`` record and publishes each change so the other
services can follow. API credentials are machine clients' (HR systems, ops scripts); sessions are people's
logins (``use_cases.sessions``) and travel the same way.

Who manages an API credential: region ops any; centrale staff those bound to their centrale; a business
partner's HR contact their partner's; and every credential itself (an HR system rotates its own token).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from common.auth import Caller, CredentialKind, Role, hash_token
from common.errors import Conflict, Forbidden, NotFound
from contracts.events import CredentialIssued, CredentialRevoked
from registry.authn import session_token
from registry.domain import REGION_TENANT, AccessPurpose, no_access_reason
from registry.repositories import Credential
from registry.unit_of_work import RegistryUnitOfWork
from registry.use_cases.audit import record_access

__all__ = [
    "IssueCredential",
    "IssuedCredential",
    "ListCredentials",
    "RevokeCredential",
    "RotateCredential",
    "emit_issued",
    "emit_revoked",
    "issue_credential",
    "list_credentials",
    "revoke_and_emit",
    "revoke_credential",
    "revoke_credentials_of",
    "rotate_credential",
]


@dataclass(frozen=True)
class IssueCredential:
    """Give a client a credential for one role, bound to a centrale and the record it acts as, where it has them."""

    role: Role
    centrale_id: str | None
    label: str
    subject_id: UUID | None = None
    lifetime: timedelta | None = None
    """How long it works from now; None: until revoked (credentials from before expiry existed work so)."""
    purpose: AccessPurpose | None = None
    """For a volunteer's credential issued by staff: why (recorded in the audit trail)."""


@dataclass(frozen=True)
class IssuedCredential:
    """An issued credential with its token: shown this once, never stored."""

    id: UUID
    role: Role
    centrale_id: str | None
    subject_id: UUID | None
    token: str
    kind: str = CredentialKind.API
    expires_at: datetime | None = None


@dataclass(frozen=True)
class RotateCredential:
    """Replace an API credential by a new token (same role, binding and label); the old one stops at once."""

    credential_id: UUID
    by: Caller
    lifetime: timedelta


@dataclass(frozen=True)
class RevokeCredential:
    """Stop an API credential for good."""

    credential_id: UUID
    by: Caller


@dataclass(frozen=True)
class ListCredentials:
    """The API credentials bound to a centrale, or acting as a business partner (revoked ones too)."""

    by: Caller
    centrale_id: str | None = None
    partner_id: UUID | None = None


async def issue_credential(cmd: IssueCredential, uow: RegistryUnitOfWork) -> IssuedCredential:
    """Issue a credential and queue ``CredentialIssued``; NotFound unless what it acts as exists there, Conflict
    for an organisation not admitted (still being vetted, or refused)."""
    await _ensure_subject(cmd, uow)
    issued = await _issue(cmd, uow)
    if cmd.role is Role.VOLUNTEER and cmd.purpose is not None and cmd.subject_id and cmd.centrale_id:
        await record_access(uow, cmd.subject_id, cmd.centrale_id, "change", "credential", cmd.purpose)
    return issued


async def rotate_credential(cmd: RotateCredential, uow: RegistryUnitOfWork) -> IssuedCredential:
    """Issue the credential's successor and revoke it, in one transaction (both events go out together)."""
    old = await _manageable(cmd.credential_id, cmd.by, uow)
    if old.role == Role.ORGANISATION.value and old.subject_id is not None and old.centrale_id is not None:
        # A credential from before admission was required (issue 19) is not renewed while the organisation waits.
        organisation = await uow.organisations.get(old.subject_id, old.centrale_id)
        if organisation is not None and (reason := no_access_reason(organisation.status)):
            raise Conflict(reason)
    successor = IssueCredential(
        role=Role(old.role),
        centrale_id=old.centrale_id,
        label=old.label or "rotated",
        subject_id=old.subject_id,
        lifetime=cmd.lifetime,
    )
    issued = await _issue(successor, uow)
    await revoke_and_emit(old, uow)
    return issued


async def revoke_credential(cmd: RevokeCredential, uow: RegistryUnitOfWork) -> None:
    """Revoke an API credential and queue ``CredentialRevoked``."""
    credential = await _manageable(cmd.credential_id, cmd.by, uow)
    await revoke_and_emit(credential, uow)


async def list_credentials(query: ListCredentials, uow: RegistryUnitOfWork) -> list[dict[str, Any]]:
    """The API credentials (never their tokens) of a centrale or a business partner, oldest first."""
    by = query.by
    if query.centrale_id is not None:
        if by.role is not Role.REGION_OPS:
            _require(by, Role.CENTRALE_STAFF)
            if by.centrale_id != query.centrale_id:
                raise NotFound("not found")
        if not await uow.centrales.exists(query.centrale_id):
            raise NotFound(f"centrale {query.centrale_id} not found")
        rows = await uow.credentials.api_credentials(centrale_id=query.centrale_id)
    else:
        assert query.partner_id is not None, "a centrale's credentials or a partner's"
        if by.role is not Role.REGION_OPS:
            _require(by, Role.BUSINESS_PARTNER)
            if by.subject_id != query.partner_id:
                raise NotFound("not found")
        if not await uow.partners.exists(query.partner_id):
            raise NotFound(f"business partner {query.partner_id} not found")
        rows = await uow.credentials.api_credentials(subject_id=query.partner_id)
    return [
        {
            "id": c.id,
            "role": c.role,
            "centrale_id": c.centrale_id,
            "subject_id": c.subject_id,
            "label": c.label,
            "created_at": c.created_at,
            "expires_at": c.expires_at,
            "revoked_at": c.revoked_at,
        }
        for c in rows
    ]


async def revoke_credentials_of(subject_id: UUID, uow: RegistryUnitOfWork) -> int:
    """Revoke every credential acting as ``subject_id`` (API credentials and sessions) and queue
    ``CredentialRevoked`` for each; how many.

    A step of a volunteer's erasure (the label is blanked with the rest of the personal data) and of an
    organisation's refusal, not a command of its own.
    """
    revoked = await uow.credentials.revoke_all_of(subject_id, uow.now())
    for credential in revoked:
        await emit_revoked(credential, uow)
    return len(revoked)


async def revoke_and_emit(credential: Credential, uow: RegistryUnitOfWork) -> bool:
    """Revoke one credential and queue ``CredentialRevoked``; False (and no event) when it was revoked already."""
    if not await uow.credentials.revoke(credential.id, uow.now()):
        return False
    await emit_revoked(credential, uow)
    return True


async def emit_issued(credential: Credential, uow: RegistryUnitOfWork) -> None:
    """Queue ``CredentialIssued`` for a stored credential (API credential or session)."""
    await uow.emit(
        CredentialIssued(
            credential_id=credential.id,
            token_hash=credential.token_hash,
            role=credential.role,
            centrale_id=credential.centrale_id,
            subject_id=credential.subject_id,
            issued_at=credential.created_at,
            kind=credential.kind,
            expires_at=credential.expires_at,
            account_id=credential.account_id,
        ),
        tenant=credential.centrale_id or REGION_TENANT,
    )


async def emit_revoked(credential: Credential, uow: RegistryUnitOfWork) -> None:
    """Queue ``CredentialRevoked`` for a credential already marked revoked."""
    await uow.emit(
        CredentialRevoked(credential_id=credential.id, revoked_at=uow.now()),
        tenant=credential.centrale_id or REGION_TENANT,
    )


async def _ensure_subject(cmd: IssueCredential, uow: RegistryUnitOfWork) -> None:
    """NotFound unless the credential's centrale and the record it acts as exist (within that centrale)."""
    if cmd.role is Role.BUSINESS_PARTNER:
        if cmd.subject_id is None or not await uow.partners.exists(cmd.subject_id):
            raise NotFound(f"business partner {cmd.subject_id} not found")
        return
    if cmd.centrale_id is None or not await uow.centrales.exists(cmd.centrale_id):
        raise NotFound(f"centrale {cmd.centrale_id} not found")
    if cmd.role is Role.ORGANISATION:
        organisation = await uow.organisations.get(cmd.subject_id, cmd.centrale_id) if cmd.subject_id else None
        if organisation is None:
            raise NotFound(f"organisation {cmd.subject_id} not found")
        if reason := no_access_reason(organisation.status):
            raise Conflict(reason)
    if cmd.role is Role.VOLUNTEER and (
        cmd.subject_id is None or await uow.volunteers.get_active(cmd.subject_id, cmd.centrale_id) is None
    ):
        raise NotFound(f"volunteer {cmd.subject_id} not found")


async def _issue(cmd: IssueCredential, uow: RegistryUnitOfWork) -> IssuedCredential:
    """Store the credential and queue its event (the subject is known to exist)."""
    token = session_token()
    now = uow.now()
    credential = Credential(
        id=uuid4(),
        token_hash=hash_token(token),
        role=cmd.role.value,
        centrale_id=cmd.centrale_id,
        subject_id=cmd.subject_id,
        label=cmd.label,
        created_at=now,
        kind=CredentialKind.API.value,
        expires_at=now + cmd.lifetime if cmd.lifetime is not None else None,
    )
    await uow.credentials.add(credential)
    await emit_issued(credential, uow)
    return IssuedCredential(
        credential.id, cmd.role, cmd.centrale_id, cmd.subject_id, token, credential.kind, credential.expires_at
    )


def _require(by: Caller, role: Role) -> None:
    if by.role is not role:
        raise Forbidden(f"role {by.role} may not manage these credentials")


# Roles of API credentials centrale staff manage for their own centrale (readers' are region ops' business).
_STAFF_MANAGES = frozenset({Role.CENTRALE_STAFF, Role.ORGANISATION, Role.VOLUNTEER})


async def _manageable(credential_id: UUID, by: Caller, uow: RegistryUnitOfWork) -> Credential:
    """The live API credential ``by`` may rotate or revoke, locked; NotFound when it may not even know of it."""
    credential = await uow.credentials.get(credential_id, lock=True)
    if credential is None or credential.kind != CredentialKind.API or credential.revoked_at is not None:
        raise NotFound(f"credential {credential_id} not found")
    if by.credential_id == credential.id or by.role is Role.REGION_OPS:
        return credential
    if by.role is Role.CENTRALE_STAFF and by.centrale_id is not None and by.centrale_id == credential.centrale_id:
        if Role(credential.role) not in _STAFF_MANAGES:
            raise Forbidden("region ops manage municipality readers' credentials")
        return credential
    if (
        by.role is Role.BUSINESS_PARTNER
        and credential.role == Role.BUSINESS_PARTNER.value
        and by.subject_id == credential.subject_id
    ):
        return credential
    if by.role in (Role.CENTRALE_STAFF, Role.BUSINESS_PARTNER):
        raise NotFound(f"credential {credential_id} not found")  # another tenant's: not even its existence
    raise Forbidden(f"role {by.role} may not manage credentials")
