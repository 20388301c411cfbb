"""Routes for business partners' HR systems: post team volunteer days and read back their status."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from common.auth import Caller, CallerDep, Role, require_role
from common.service import PoolDep
from registry.api._plumbing import origin
from registry.api.models import Created, Record, VolunteerDayIn
from registry.use_cases import partners

router = APIRouter(prefix="/v1/volunteer-days", tags=["business partners"])


def _partner(caller: Caller) -> UUID:
    require_role(caller, Role.BUSINESS_PARTNER)
    assert caller.subject_id is not None, "partner credentials carry the partner id"
    return caller.subject_id


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=Created,
    responses={200: {"model": Created, "description": "A retry: the day posted earlier under this reference."}},
    summary="Post a team volunteer day under your own reference; a retry never creates a second day.",
)
async def post_volunteer_day(body: VolunteerDayIn, caller: CallerDep, pool: PoolDep, request: Request) -> JSONResponse:
    partner_id = _partner(caller)
    cmd = partners.PostVolunteerDay(
        partner_id=partner_id, external_ref=body.external_ref, team_size=body.team_size, on_date=body.on_date,
        skills=body.skills, themes=body.themes, postcode_area=body.postcode, centrale_id=body.centrale_id,
    )  # fmt: skip
    async with pool.acquire() as conn:
        day_id, created = await partners.post_volunteer_day(conn, cmd, origin(request))
    return JSONResponse(jsonable_encoder(Created(id=day_id)), status_code=201 if created else 200)


@router.get("", summary="Your volunteer days.")
async def list_volunteer_days(caller: CallerDep, pool: PoolDep) -> list[Record]:
    partner_id = _partner(caller)
    async with pool.acquire() as conn:
        return await partners.list_volunteer_days(conn, partner_id)


@router.get("/{day_id}", summary="A volunteer day's status: matched task and hours logged.")
async def get_volunteer_day(day_id: UUID, caller: CallerDep, pool: PoolDep) -> Record:
    partner_id = _partner(caller)
    async with pool.acquire() as conn:
        return await partners.get_volunteer_day(conn, day_id, partner_id)
