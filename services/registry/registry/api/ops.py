"""Routes for the region's ops team: centrales, staff credentials, business partners, task expiry."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request, status
from fastapi.responses import JSONResponse

from common.auth import CallerDep, Role, require_role
from registry.api._accounts import AccountPolicyDep
from registry.api._plumbing import IdempotencyKey, RegistryUowDep, credential_out, idempotent
from registry.api.credentials import lifetime
from registry.api.models import CentraleIn, Created, CredentialOut, LabelIn, PartnerIn, StaffCredentialIn
from registry.use_cases import centrales, credentials, partners, tasks

router = APIRouter(prefix="/v1", tags=["region ops"])


@router.post("/centrales", status_code=status.HTTP_201_CREATED, summary="Add a centrale to the region.")
async def create_centrale(body: CentraleIn, caller: CallerDep, uow: RegistryUowDep) -> CentraleIn:
    require_role(caller, Role.REGION_OPS)
    await centrales.create_centrale(centrales.CreateCentrale(body.id, body.name, body.municipality_code), uow)
    return body


@router.get("/centrales", summary="The region's centrales.")
async def list_centrales(caller: CallerDep, uow: RegistryUowDep) -> list[dict[str, str]]:
    require_role(caller, Role.REGION_OPS)
    return await centrales.list_centrales(centrales.ListCentrales(), uow)


@router.post(
    "/centrales/{centrale_id}/credentials",
    status_code=status.HTTP_201_CREATED,
    summary="Issue an API credential for a staff desk or script, or a municipality reader, bound to one centrale.",
)
async def create_staff_credential(
    centrale_id: str, body: StaffCredentialIn, caller: CallerDep, uow: RegistryUowDep, policy: AccountPolicyDep
) -> CredentialOut:
    require_role(caller, Role.REGION_OPS)
    cmd = credentials.IssueCredential(
        role=body.role,
        centrale_id=centrale_id,
        label=body.label,
        lifetime=lifetime(body.expires_in_days, policy),
    )
    return credential_out(await credentials.issue_credential(cmd, uow))


@router.post(
    "/business-partners",
    status_code=status.HTTP_201_CREATED,
    response_model=Created,
    summary="Register a business partner (regional).",
)
async def register_partner(
    body: PartnerIn, caller: CallerDep, uow: RegistryUowDep, request: Request, key: IdempotencyKey = None
) -> JSONResponse:
    require_role(caller, Role.REGION_OPS)

    async def create() -> tuple[int, Any]:
        return 201, Created(id=await partners.register_partner(partners.RegisterPartner(body.name), uow))

    return await idempotent(uow, caller, key, request, body, create)


@router.post(
    "/business-partners/{partner_id}/credentials",
    status_code=status.HTTP_201_CREATED,
    summary="Issue the credential a partner's HR system uses.",
)
async def create_partner_credential(
    partner_id: UUID, body: LabelIn, caller: CallerDep, uow: RegistryUowDep, policy: AccountPolicyDep
) -> CredentialOut:
    require_role(caller, Role.REGION_OPS)
    cmd = credentials.IssueCredential(
        role=Role.BUSINESS_PARTNER,
        centrale_id=None,
        label=body.label,
        subject_id=partner_id,
        lifetime=lifetime(body.expires_in_days, policy),
    )
    return credential_out(await credentials.issue_credential(cmd, uow))


@router.post(
    "/tasks/expire",
    summary="Expire published tasks past their closing date now (the expire-tasks job does it daily at 00:30).",
)
async def expire_tasks(caller: CallerDep, uow: RegistryUowDep) -> dict[str, list[UUID]]:
    require_role(caller, Role.REGION_OPS)
    return {"expired": await tasks.expire_tasks(tasks.ExpireTasks(), uow)}
