"""Events on the credentials stream (``registry.credentials.v1``), emitted by the registry.

Every service authenticates API callers against a projection of this stream, so the registry stays
the one place that issues credentials while services talk only through events. Only the SHA-256 of a
token travels; tokens are 256-bit random, so the hash cannot be turned back into a token.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar
from uuid import UUID

from pydantic import Field

from contracts.events._base import Event, register
from contracts.events._common import CentraleId

__all__ = ["CredentialIssued", "CredentialRevoked"]

_TOPIC = "registry.credentials.v1"


@register
class CredentialIssued(Event):
    """Emitted by the registry when it issues a credential bound to one role (and tenant): an API credential for a
    machine client, or a session when a person logs in (``kind``, ``expires_at`` and ``account_id`` say which)."""

    event_type: ClassVar[str] = "nl.vrijwilligerscentrale.credential.issued.v1"
    topic: ClassVar[str] = _TOPIC
    subject_field: ClassVar[str] = "credential_id"

    credential_id: UUID
    token_hash: str = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the token, hex.")
    role: str = Field(
        description="region_ops, centrale_staff, organisation, volunteer, business_partner, municipality_reader."
    )
    centrale_id: CentraleId | None = Field(None, description="The tenant it is bound to, if the role has one.")
    subject_id: UUID | None = Field(None, description="The organisation, volunteer or partner it acts as.")
    issued_at: datetime
    kind: str | None = Field(
        None,
        description="`api` (a machine client's credential) or `session` (a person's login); absent means `api`.",
        examples=["session"],
    )
    expires_at: datetime | None = Field(
        None, description="When it stops working, whatever happens before (absent: it does not expire by itself)."
    )
    account_id: UUID | None = Field(
        None, description="The personal account a session belongs to (absent for API credentials)."
    )


@register
class CredentialRevoked(Event):
    """Emitted by the registry when a credential stops working: revoked or rotated, a session logged out, idle
    or expired, its account's membership ended, its password changed, or its volunteer erased."""

    event_type: ClassVar[str] = "nl.vrijwilligerscentrale.credential.revoked.v1"
    topic: ClassVar[str] = _TOPIC
    subject_field: ClassVar[str] = "credential_id"

    credential_id: UUID
    revoked_at: datetime
