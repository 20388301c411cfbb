"""Routes for volunteers themselves: self-registration and self-service (see, export, change, erase)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request, status
from fastapi.responses import JSONResponse

from common.auth import Caller, CallerDep, Role, require_role
from common.db import Connection
from common.service import PoolDep
from registry.api._plumbing import IdempotencyKey, idempotent, issue, origin
from registry.api.models import ConsentChangeIn, Created, CredentialOut, HoursIn, Record, VolunteerIn, VolunteerPatch
from registry.api.staff import profile_changes, registration
from registry.use_cases import hours, volunteers

router = APIRouter(prefix="/v1", tags=["volunteers"])


def _me(caller: Caller) -> tuple[UUID, str]:
    """The volunteer the caller is, and their centrale."""
    require_role(caller, Role.VOLUNTEER)
    assert caller.subject_id is not None, "volunteer credentials carry the volunteer id"
    assert caller.centrale_id is not None, "volunteer credentials carry the centrale"
    return caller.subject_id, caller.centrale_id


@router.post(
    "/centrales/{centrale_id}/volunteers/self-registration",
    status_code=status.HTTP_201_CREATED,
    summary="Register yourself as a volunteer; the answer holds your personal token (shown once).",
)
async def self_register(centrale_id: str, body: VolunteerIn, pool: PoolDep, request: Request) -> CredentialOut:
    async with pool.acquire() as conn, conn.transaction():
        volunteer_id = await volunteers.register_volunteer(
            conn, registration(centrale_id, body, by="self", recorded_by="self"), origin(request)
        )
        return await issue(
            conn,
            request,
            role=Role.VOLUNTEER,
            centrale_id=centrale_id,
            label="self-registration",
            subject_id=volunteer_id,
        )


@router.get("/me", summary="Your record as the registry holds it.")
async def get_me(caller: CallerDep, pool: PoolDep) -> Record:
    volunteer_id, centrale_id = _me(caller)
    async with pool.acquire() as conn:
        return await volunteers.get_volunteer(conn, volunteer_id, centrale_id)


@router.get("/me/export", summary="Everything the registry holds about you (AVG access and portability).")
async def export_me(caller: CallerDep, pool: PoolDep) -> Record:
    volunteer_id, centrale_id = _me(caller)
    async with pool.acquire() as conn:
        return await volunteers.export_volunteer(conn, volunteer_id, centrale_id)


@router.patch("/me", status_code=204, summary="Change what you can, may and want.")
async def update_me(body: VolunteerPatch, caller: CallerDep, pool: PoolDep, request: Request) -> None:
    volunteer_id, centrale_id = _me(caller)
    async with pool.acquire() as conn:
        await volunteers.update_profile(conn, volunteer_id, centrale_id, profile_changes(body), origin(request))


@router.post("/me/consents", status_code=204, summary="Give or withdraw a consent.")
async def change_my_consent(body: ConsentChangeIn, caller: CallerDep, pool: PoolDep, request: Request) -> None:
    volunteer_id, centrale_id = _me(caller)
    async with pool.acquire() as conn:
        await volunteers.set_consent(
            conn, volunteer_id, centrale_id, body.kind, body.granted, body.text_version, "self", origin(request)
        )


@router.delete("/me", status_code=204, summary="Erase your personal data everywhere (your hours stay, anonymously).")
async def erase_me(caller: CallerDep, pool: PoolDep, request: Request) -> None:
    volunteer_id, centrale_id = _me(caller)
    async with pool.acquire() as conn:
        await volunteers.erase_volunteer(conn, volunteer_id, centrale_id, origin(request))


@router.post(
    "/me/matches/{match_id}/hours",
    status_code=status.HTTP_201_CREATED,
    response_model=Created,
    summary="Log your hours for a match; they count once the organisation confirms them.",
)
async def log_my_hours(
    match_id: UUID, body: HoursIn, caller: CallerDep, pool: PoolDep, request: Request, key: IdempotencyKey = None
) -> JSONResponse:
    volunteer_id, centrale_id = _me(caller)

    async def create(conn: Connection) -> tuple[int, Any]:
        hours_id = await hours.log_hours(
            conn,
            match_id,
            body.worked_on,
            body.hours,
            by="volunteer",
            centrale_id=centrale_id,
            volunteer_id=volunteer_id,
            origin=origin(request),
        )
        return 201, Created(id=hours_id)

    return await idempotent(pool, caller, key, request, body, create)
