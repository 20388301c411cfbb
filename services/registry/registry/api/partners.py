"""Routes for business partners' HR systems: post team volunteer days, read back their status and hours,
report the hours a team gave, and read the CSR summary."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from common.auth import Caller, CallerDep, Role, require_role
from registry.api._plumbing import IdempotencyKey, RegistryUowDep, idempotent
from registry.api.models import Created, DayHoursIn, Record, VolunteerDayIn
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
    summary="Post a team volunteer day under your own reference, ahead or afterwards (up to a year back); a retry "
    "never creates a second day.",
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


@router.get(
    "/summary",
    summary="Your CSR summary: days, employees and confirmed hours, by theme, organisation and municipality.",
)
async def summary(
    caller: CallerDep,
    uow: RegistryUowDep,
    first: Annotated[date | None, Query(alias="from", description="First day (default: 1 January this year).")] = None,
    last: Annotated[date | None, Query(alias="to", description="Last day (default: 31 December of that year).")] = None,
) -> Record:
    return await partners.summarise_volunteer_days(partners.SummariseVolunteerDays(_partner(caller), first, last), uow)


@router.get(
    "/{day_id}",
    summary="A volunteer day's status: its task and organisation, every hours entry and the confirmed figure.",
)
async def get_volunteer_day(day_id: UUID, caller: CallerDep, uow: RegistryUowDep) -> Record:
    return await partners.get_volunteer_day(partners.GetVolunteerDay(day_id, _partner(caller)), uow)


@router.post(
    "/{day_id}/hours",
    status_code=status.HTTP_201_CREATED,
    responses={200: {"description": "A retry: the same figures wait for confirmation already."}},
    summary="Report what your team gave on a matched day; it counts once the organisation confirms it.",
)
async def report_hours(
    day_id: UUID,
    body: DayHoursIn,
    caller: CallerDep,
    uow: RegistryUowDep,
    request: Request,
    key: IdempotencyKey = None,
) -> JSONResponse:
    cmd = partners.ReportVolunteerDayHours(day_id, _partner(caller), body.participants, body.hours_total)

    async def create() -> tuple[int, Any]:
        reported = await partners.report_volunteer_day_hours(cmd, uow)
        return (201 if reported.created else 200), Created(id=reported.entry.id)

    return await idempotent(uow, caller, key, request, body, create)
