"""Routes for API credentials of machine clients: listed per centrale or partner, rotated, revoked."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from fastapi import APIRouter, Query, status

from common.auth import CallerDep
from common.errors import NotFound
from registry.api._accounts import AccountPolicyDep
from registry.api._plumbing import RegistryUowDep, credential_out
from registry.api.account_models import ApiCredentialOut
from registry.api.models import CredentialOut
from registry.authn import AccountPolicy
from registry.use_cases import credentials

router = APIRouter(prefix="/v1", tags=["credentials"])

ExpiresInDays = Query(
    None, ge=1, le=3650, description="Days the new token works; default REGISTRY_API_CREDENTIAL_LIFETIME_DAYS."
)


def lifetime(expires_in_days: int | None, policy: AccountPolicy) -> timedelta:
    """How long a new API credential works: as asked, else the region's default."""
    return timedelta(days=expires_in_days) if expires_in_days is not None else policy.api_credential_lifetime


@router.get(
    "/centrales/{centrale_id}/credentials",
    summary="The centrale's API credentials, revoked ones too (region ops and the centrale's staff).",
)
async def centrale_credentials(centrale_id: str, caller: CallerDep, uow: RegistryUowDep) -> list[ApiCredentialOut]:
    rows = await credentials.list_credentials(credentials.ListCredentials(caller, centrale_id=centrale_id), uow)
    return [ApiCredentialOut.model_validate(row) for row in rows]


@router.get(
    "/business-partners/{partner_id}/credentials",
    summary="A business partner's API credentials (region ops and the partner's HR contacts).",
)
async def partner_credentials(partner_id: UUID, caller: CallerDep, uow: RegistryUowDep) -> list[ApiCredentialOut]:
    rows = await credentials.list_credentials(credentials.ListCredentials(caller, partner_id=partner_id), uow)
    return [ApiCredentialOut.model_validate(row) for row in rows]


@router.post(
    "/credentials/current/rotation",
    status_code=status.HTTP_201_CREATED,
    summary="Rotate the API credential this request came with: the answer holds the new token, the old one stops.",
)
async def rotate_own(
    caller: CallerDep, uow: RegistryUowDep, policy: AccountPolicyDep, expires_in_days: int | None = ExpiresInDays
) -> CredentialOut:
    if caller.credential_id is None or caller.account_id is not None:
        raise NotFound("this request did not come with an API credential")
    cmd = credentials.RotateCredential(caller.credential_id, caller, lifetime(expires_in_days, policy))
    return credential_out(await credentials.rotate_credential(cmd, uow))


@router.post(
    "/credentials/{credential_id}/rotation",
    status_code=status.HTTP_201_CREATED,
    summary="Rotate an API credential: a new token with the same role and binding; the old one stops at once.",
)
async def rotate(
    credential_id: UUID,
    caller: CallerDep,
    uow: RegistryUowDep,
    policy: AccountPolicyDep,
    expires_in_days: int | None = ExpiresInDays,
) -> CredentialOut:
    cmd = credentials.RotateCredential(credential_id, caller, lifetime(expires_in_days, policy))
    return credential_out(await credentials.rotate_credential(cmd, uow))


@router.delete(
    "/credentials/{credential_id}",
    status_code=204,
    summary="Revoke an API credential: every service refuses it within seconds.",
)
async def revoke(credential_id: UUID, caller: CallerDep, uow: RegistryUowDep) -> None:
    await credentials.revoke_credential(credentials.RevokeCredential(credential_id, caller), uow)
