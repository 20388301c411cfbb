"""Routes for business partners' HR systems: post team volunteer days and read back their status."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, status
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from common.auth import Caller, CallerDep, Role, require_role
from registry.api._plumbing import RegistryUowDep
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
async def post_volunteer_day(body: VolunteerDayIn, caller: CallerDep, uow: RegistryUowDep) -> JSONResponse:
    cmd = partners.PostVolunteerDay(
        partner_id=_partner(caller),
        external_ref=body.external_ref,
        team_size=body.team_size,
        on_date=body.on_date,
        skills=body.skills,
        themes=body.themes,
        postcode_area=body.postcode,
        centrale_id=body.centrale_id,
    )
    posted = await partners.post_volunteer_day(cmd, uow)
    return JSONResponse(jsonable_encoder(Created(id=posted.day_id)), status_code=201 if posted.created else 200)


@router.get("", summary="Your volunteer days.")
async def list_volunteer_days(caller: CallerDep, uow: RegistryUowDep) -> list[Record]:
    return await partners.list_volunteer_days(partners.ListVolunteerDays(_partner(caller)), uow)


@router.get("/{day_id}", summary="A volunteer day's status: matched task and hours logged.")
async def get_volunteer_day(day_id: UUID, caller: CallerDep, uow: RegistryUowDep) -> Record:
    return await partners.get_volunteer_day(partners.GetVolunteerDay(day_id, _partner(caller)), uow)
