"""Routes for the region's ops team: centrales, staff credentials, business partners, task expiry."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request, status
from fastapi.responses import JSONResponse

from common.auth import CallerDep, Role, require_role
from common.db import Connection
from common.service import PoolDep
from registry.api._plumbing import IdempotencyKey, idempotent, issue, origin
from registry.api.models import CentraleIn, Created, CredentialOut, LabelIn, PartnerIn, StaffCredentialIn
from registry.use_cases import NotFound, centrales, partners, tasks
from registry.use_cases._shared import utc_now

router = APIRouter(prefix="/v1", tags=["region ops"])


@router.post("/centrales", status_code=status.HTTP_201_CREATED, summary="Add a centrale to the region.")
async def create_centrale(body: CentraleIn, caller: CallerDep, pool: PoolDep) -> CentraleIn:
    require_role(caller, Role.REGION_OPS)
    async with pool.acquire() as conn:
        await centrales.create_centrale(conn, centrales.CreateCentrale(body.id, body.name, body.municipality_code))
    return body


@router.get("/centrales", summary="The region's centrales.")
async def list_centrales(caller: CallerDep, pool: PoolDep) -> list[dict[str, str]]:
    require_role(caller, Role.REGION_OPS)
    async with pool.acquire() as conn:
        return await centrales.list_centrales(conn)


@router.post(
    "/centrales/{centrale_id}/credentials",
    status_code=status.HTTP_201_CREATED,
    summary="Issue a staff or municipality-reader credential bound to one centrale.",
)
async def create_staff_credential(
    centrale_id: str, body: StaffCredentialIn, caller: CallerDep, pool: PoolDep, request: Request
) -> CredentialOut:
    require_role(caller, Role.REGION_OPS)
    async with pool.acquire() as conn, conn.transaction():
        await centrales.ensure_centrale(conn, centrale_id)
        return await issue(conn, request, role=body.role, centrale_id=centrale_id, label=body.label)


@router.post(
    "/business-partners",
    status_code=status.HTTP_201_CREATED,
    response_model=Created,
    summary="Register a business partner (regional).",
)
async def register_partner(
    body: PartnerIn, caller: CallerDep, pool: PoolDep, request: Request, key: IdempotencyKey = None
) -> JSONResponse:
    require_role(caller, Role.REGION_OPS)

    async def create(conn: Connection) -> tuple[int, Any]:
        return 201, Created(id=await partners.register_partner(conn, body.name, origin(request)))

    return await idempotent(pool, caller, key, request, body, create)


@router.post(
    "/business-partners/{partner_id}/credentials",
    status_code=status.HTTP_201_CREATED,
    summary="Issue the credential a partner's HR system uses.",
)
async def create_partner_credential(
    partner_id: UUID, body: LabelIn, caller: CallerDep, pool: PoolDep, request: Request
) -> CredentialOut:
    require_role(caller, Role.REGION_OPS)
    async with pool.acquire() as conn, conn.transaction():
        if await conn.fetchval("SELECT 1 FROM business_partners WHERE id = $1", partner_id) is None:
            raise NotFound(f"business partner {partner_id} not found")
        return await issue(
            conn, request, role=Role.BUSINESS_PARTNER, centrale_id=None, label=body.label, subject_id=partner_id
        )


@router.post("/tasks/expire", summary="Expire published tasks past their closing date (run daily).")
async def expire_tasks(caller: CallerDep, pool: PoolDep, request: Request) -> dict[str, list[UUID]]:
    require_role(caller, Role.REGION_OPS)
    async with pool.acquire() as conn:
        return {"expired": await tasks.expire_tasks(conn, utc_now().date(), origin(request))}
