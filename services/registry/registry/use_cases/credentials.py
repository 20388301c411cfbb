"""Issuing and revoking credentials: the registry is where credentials come from.

Authentication itself (roles, tenants, the bearer check) is shared by every service in ``common.auth``;
the registry keeps the ``credentials`` record and publishes each change so the other services can follow.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from uuid import UUID, uuid4

from common.auth import Role, hash_token
from common.errors import NotFound
from contracts.events import CredentialIssued, CredentialRevoked
from registry.domain import REGION_TENANT
from registry.repositories import Credential
from registry.unit_of_work import RegistryUnitOfWork

__all__ = ["IssueCredential", "IssuedCredential", "issue_credential", "revoke_credentials_of"]


@dataclass(frozen=True)
class IssueCredential:
    """Give a client a credential for one role, bound to a centrale and the record it acts as, where it has them."""

    role: Role
    centrale_id: str | None
    label: str
    subject_id: UUID | None = None


@dataclass(frozen=True)
class IssuedCredential:
    """An issued credential with its token: shown this once, never stored."""

    id: UUID
    role: Role
    centrale_id: str | None
    subject_id: UUID | None
    token: str


async def issue_credential(cmd: IssueCredential, uow: RegistryUnitOfWork) -> IssuedCredential:
    """Issue a credential and queue ``CredentialIssued``; NotFound unless what it acts as exists there."""
    await _ensure_subject(cmd, uow)
    return await _issue(cmd, uow)


async def _ensure_subject(cmd: IssueCredential, uow: RegistryUnitOfWork) -> None:
    """NotFound unless the credential's centrale and the record it acts as exist (within that centrale)."""
    if cmd.role is Role.BUSINESS_PARTNER:
        if cmd.subject_id is None or not await uow.partners.exists(cmd.subject_id):
            raise NotFound(f"business partner {cmd.subject_id} not found")
        return
    if cmd.centrale_id is None or not await uow.centrales.exists(cmd.centrale_id):
        raise NotFound(f"centrale {cmd.centrale_id} not found")
    if cmd.role is Role.ORGANISATION and (
        cmd.subject_id is None or await uow.organisations.get(cmd.subject_id, cmd.centrale_id) is None
    ):
        raise NotFound(f"organisation {cmd.subject_id} not found")
    if cmd.role is Role.VOLUNTEER and (
        cmd.subject_id is None or await uow.volunteers.get_active(cmd.subject_id, cmd.centrale_id) is None
    ):
        raise NotFound(f"volunteer {cmd.subject_id} not found")


async def _issue(cmd: IssueCredential, uow: RegistryUnitOfWork) -> IssuedCredential:
    """Store the credential and queue its event (the subject is known to exist)."""
    token = f"rp_{secrets.token_urlsafe(32)}"
    credential = Credential(
        id=uuid4(),
        token_hash=hash_token(token),
        role=cmd.role.value,
        centrale_id=cmd.centrale_id,
        subject_id=cmd.subject_id,
        label=cmd.label,
        created_at=uow.now(),
    )
    await uow.credentials.add(credential)
    await uow.emit(
        CredentialIssued(
            credential_id=credential.id,
            token_hash=credential.token_hash,
            role=credential.role,
            centrale_id=credential.centrale_id,
            subject_id=credential.subject_id,
            issued_at=credential.created_at,
        ),
        tenant=credential.centrale_id or REGION_TENANT,
    )
    return IssuedCredential(credential.id, cmd.role, cmd.centrale_id, cmd.subject_id, token)


async def revoke_credentials_of(subject_id: UUID, uow: RegistryUnitOfWork) -> int:
    """Revoke every credential acting as ``subject_id`` and queue ``CredentialRevoked`` for each; how many.

    A step of erasure, not a command of its own (the label is blanked with the rest of the personal data).
    """
    revoked = await uow.credentials.revoke_all_of(subject_id, uow.now())
    for credential in revoked:
        await uow.emit(
            CredentialRevoked(credential_id=credential.id, revoked_at=uow.now()),
            tenant=credential.centrale_id or REGION_TENANT,
        )
    return len(revoked)
