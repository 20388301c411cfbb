"""Routes for organisations (and staff on their behalf): tasks, hours, partners' team days."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Literal
from uuid import UUID

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.responses import JSONResponse

from common.auth import Caller, CallerDep, Role
from registry.api._plumbing import IdempotencyKey, RegistryUowDep, idempotent, settings_of
from registry.api.models import Created, DayHoursIn, HoursCorrectionIn, HoursIn, HoursRejectionIn, Record, TaskIn
from registry.use_cases import hours, partners, tasks

router = APIRouter(
    prefix="/v1/centrales/{centrale_id}/organisations/{organisation_id}",
    tags=["organisations"],
)


def _organisation_or_staff(caller: Caller, centrale_id: str, organisation_id: UUID) -> None:
    """The organisation itself, or staff of its centrale; anyone else gets 404 (403 for other roles)."""
    if caller.role not in (Role.ORGANISATION, Role.CENTRALE_STAFF):
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"role {caller.role} may not do this")
    if caller.centrale_id != centrale_id or (caller.role is Role.ORGANISATION and caller.subject_id != organisation_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "not found")


def task_fields(body: TaskIn) -> tasks.TaskFields:
    """The use-case fields of a task request."""
    return tasks.TaskFields(**dict(body))  # shallow: nested slots stay models


@router.post("/tasks", status_code=status.HTTP_201_CREATED, response_model=Created, summary="Save a draft task.")
async def create_task(
    centrale_id: str,
    organisation_id: UUID,
    body: TaskIn,
    caller: CallerDep,
    uow: RegistryUowDep,
    request: Request,
    key: IdempotencyKey = None,
) -> JSONResponse:
    _organisation_or_staff(caller, centrale_id, organisation_id)
    cmd = tasks.CreateTask(centrale_id, organisation_id, task_fields(body))

    async def create() -> tuple[int, Any]:
        return 201, Created(id=await tasks.create_task(cmd, uow))

    return await idempotent(uow, caller, key, request, body, create)


@router.get("/tasks", summary="The organisation's tasks.")
async def list_tasks(
    centrale_id: str,
    organisation_id: UUID,
    caller: CallerDep,
    uow: RegistryUowDep,
    status_filter: Literal["draft", "published", "filled", "closed", "expired"] | None = Query(None, alias="status"),
) -> list[Record]:
    _organisation_or_staff(caller, centrale_id, organisation_id)
    return await tasks.list_tasks(tasks.ListTasks(centrale_id, organisation_id, status_filter), uow)


@router.get("/tasks/{task_id}", summary="One task.")
async def get_task(
    centrale_id: str, organisation_id: UUID, task_id: UUID, caller: CallerDep, uow: RegistryUowDep
) -> Record:
    _organisation_or_staff(caller, centrale_id, organisation_id)
    return await tasks.get_task(tasks.GetTask(task_id, centrale_id, organisation_id), uow)


@router.put("/tasks/{task_id}", status_code=204, summary="Change a draft or published task.")
async def update_task(
    centrale_id: str, organisation_id: UUID, task_id: UUID, body: TaskIn, caller: CallerDep, uow: RegistryUowDep
) -> None:
    _organisation_or_staff(caller, centrale_id, organisation_id)
    await tasks.update_task(tasks.UpdateTask(task_id, centrale_id, organisation_id, task_fields(body)), uow)


@router.post(
    "/tasks/{task_id}/publish",
    status_code=204,
    summary="Publish a draft after the NOV quality check; 422 lists every failing criterion.",
)
async def publish_task(
    centrale_id: str, organisation_id: UUID, task_id: UUID, caller: CallerDep, uow: RegistryUowDep
) -> None:
    _organisation_or_staff(caller, centrale_id, organisation_id)
    await tasks.publish_task(tasks.PublishTask(task_id, centrale_id, organisation_id), uow)


@router.post("/tasks/{task_id}/close", status_code=204, summary="Stop taking volunteers for a published task.")
async def close_task(
    centrale_id: str, organisation_id: UUID, task_id: UUID, caller: CallerDep, uow: RegistryUowDep
) -> None:
    _organisation_or_staff(caller, centrale_id, organisation_id)
    await tasks.close_task(tasks.CloseTask(task_id, centrale_id, organisation_id), uow)


@router.post(
    "/matches/{match_id}/hours",
    status_code=status.HTTP_201_CREATED,
    response_model=Created,
    summary="Log hours for a match (they count at once).",
)
async def log_hours(
    centrale_id: str,
    organisation_id: UUID,
    match_id: UUID,
    body: HoursIn,
    caller: CallerDep,
    uow: RegistryUowDep,
    request: Request,
    key: IdempotencyKey = None,
) -> JSONResponse:
    _organisation_or_staff(caller, centrale_id, organisation_id)
    cmd = hours.LogHours(
        match_id,
        body.worked_on,
        body.hours,
        by="organisation",
        centrale_id=centrale_id,
        organisation_id=organisation_id,
    )

    async def create() -> tuple[int, Any]:
        return 201, Created(id=await hours.log_hours(cmd, uow))

    return await idempotent(uow, caller, key, request, body, create)


@router.post("/hours/{hours_id}/confirm", status_code=204, summary="Confirm hours a volunteer logged.")
async def confirm_hours(
    centrale_id: str, organisation_id: UUID, hours_id: UUID, caller: CallerDep, uow: RegistryUowDep
) -> None:
    _organisation_or_staff(caller, centrale_id, organisation_id)
    await hours.confirm_hours(hours.ConfirmHours(hours_id, organisation_id, centrale_id), uow)


@router.get(
    "/volunteer-days",
    summary="Business partners' team days matched to the organisation, with their hours (to log, confirm or reject).",
)
async def list_volunteer_days(
    centrale_id: str, organisation_id: UUID, caller: CallerDep, uow: RegistryUowDep
) -> list[Record]:
    _organisation_or_staff(caller, centrale_id, organisation_id)
    return await partners.list_organisation_days(partners.ListOrganisationDays(organisation_id, centrale_id), uow)


@router.get(
    "/hours",
    summary="The organisation's hours entries: to confirm first, then newest, with corrections and rejections.",
)
async def list_hours(
    centrale_id: str,
    organisation_id: UUID,
    caller: CallerDep,
    uow: RegistryUowDep,
    status_filter: Literal["pending", "confirmed", "rejected"] | None = Query(None, alias="status"),
) -> list[Record]:
    _organisation_or_staff(caller, centrale_id, organisation_id)
    return await hours.list_hours(hours.ListHours(organisation_id, centrale_id, status_filter), uow)


@router.post(
    "/hours/{hours_id}/reject",
    status_code=204,
    summary="Reject an hours entry (a volunteer's, or one logged in error) with a reason; it stops counting.",
)
async def reject_hours(
    centrale_id: str,
    organisation_id: UUID,
    hours_id: UUID,
    body: HoursRejectionIn,
    caller: CallerDep,
    uow: RegistryUowDep,
) -> None:
    _organisation_or_staff(caller, centrale_id, organisation_id)
    cmd = hours.RejectHours(hours_id, organisation_id, centrale_id, body.reason, body.note)
    await hours.reject_hours(cmd, uow)


@router.post(
    "/hours/{hours_id}/correct",
    status_code=204,
    summary="Correct the amount of hours the organisation logged, within REGISTRY_HOURS_CORRECTION_DAYS.",
)
async def correct_hours(
    centrale_id: str,
    organisation_id: UUID,
    hours_id: UUID,
    body: HoursCorrectionIn,
    caller: CallerDep,
    uow: RegistryUowDep,
    request: Request,
) -> None:
    _organisation_or_staff(caller, centrale_id, organisation_id)
    cmd = hours.CorrectHours(
        hours_id,
        body.hours,
        body.reason,
        by="organisation",
        window=timedelta(days=settings_of(request).hours_correction_days),
        centrale_id=centrale_id,
        organisation_id=organisation_id,
        note=body.note,
    )
    await hours.correct_hours(cmd, uow)


@router.post(
    "/volunteer-days/{day_id}/hours",
    status_code=status.HTTP_201_CREATED,
    response_model=Created,
    summary="Log what a business partner's team gave on its volunteer day (confirmed as logged; it replaces an "
    "earlier figure).",
)
async def log_volunteer_day_hours(
    centrale_id: str,
    organisation_id: UUID,
    day_id: UUID,
    body: DayHoursIn,
    caller: CallerDep,
    uow: RegistryUowDep,
    request: Request,
    key: IdempotencyKey = None,
) -> JSONResponse:
    _organisation_or_staff(caller, centrale_id, organisation_id)
    cmd = partners.LogVolunteerDayHours(day_id, organisation_id, centrale_id, body.participants, body.hours_total)

    async def create() -> tuple[int, Any]:
        return 201, Created(id=await partners.log_volunteer_day_hours(cmd, uow))

    return await idempotent(uow, caller, key, request, body, create)


@router.post(
    "/volunteer-days/{day_id}/hours/{hours_id}/confirm",
    status_code=204,
    summary="Confirm the hours a business partner reported for its team (they count from now).",
)
async def confirm_volunteer_day_hours(
    centrale_id: str, organisation_id: UUID, day_id: UUID, hours_id: UUID, caller: CallerDep, uow: RegistryUowDep
) -> None:
    _organisation_or_staff(caller, centrale_id, organisation_id)
    cmd = partners.ConfirmVolunteerDayHours(day_id, hours_id, organisation_id, centrale_id)
    await partners.confirm_volunteer_day_hours(cmd, uow)


@router.post(
    "/volunteer-days/{day_id}/hours/{hours_id}/reject",
    status_code=204,
    summary="Reject the hours a business partner reported for its team (they never count).",
)
async def reject_volunteer_day_hours(
    centrale_id: str, organisation_id: UUID, day_id: UUID, hours_id: UUID, caller: CallerDep, uow: RegistryUowDep
) -> None:
    _organisation_or_staff(caller, centrale_id, organisation_id)
    cmd = partners.RejectVolunteerDayHours(day_id, hours_id, organisation_id, centrale_id)
    await partners.reject_volunteer_day_hours(cmd, uow)
