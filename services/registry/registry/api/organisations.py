"""Routes for organisations (and staff on their behalf): tasks, hours, partners' team days."""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.responses import JSONResponse

from common.auth import Caller, CallerDep, Role
from common.db import Connection
from common.service import PoolDep
from registry.api._plumbing import IdempotencyKey, idempotent, origin
from registry.api.models import Created, DayHoursIn, HoursIn, Record, TaskIn
from registry.domain import TaskStatus
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
    centrale_id: str, organisation_id: UUID, body: TaskIn, caller: CallerDep, pool: PoolDep, request: Request,
    key: IdempotencyKey = None,
) -> JSONResponse:  # fmt: skip
    _organisation_or_staff(caller, centrale_id, organisation_id)

    async def create(conn: Connection) -> tuple[int, Any]:
        return 201, Created(id=await tasks.create_task(conn, centrale_id, organisation_id, task_fields(body)))

    return await idempotent(pool, caller, key, request, body, create)


@router.get("/tasks", summary="The organisation's tasks.")
async def list_tasks(
    centrale_id: str, organisation_id: UUID, caller: CallerDep, pool: PoolDep,
    status_filter: Literal["draft", "published", "filled", "closed", "expired"] | None = Query(None, alias="status"),
) -> list[Record]:  # fmt: skip
    _organisation_or_staff(caller, centrale_id, organisation_id)
    async with pool.acquire() as conn:
        return await tasks.list_tasks(conn, centrale_id, organisation_id, status_filter)


@router.get("/tasks/{task_id}", summary="One task.")
async def get_task(centrale_id: str, organisation_id: UUID, task_id: UUID, caller: CallerDep, pool: PoolDep) -> Record:
    _organisation_or_staff(caller, centrale_id, organisation_id)
    async with pool.acquire() as conn:
        return await tasks.get_task(conn, task_id, centrale_id, organisation_id)


@router.put("/tasks/{task_id}", status_code=204, summary="Change a draft or published task.")
async def update_task(
    centrale_id: str, organisation_id: UUID, task_id: UUID, body: TaskIn, caller: CallerDep, pool: PoolDep,
    request: Request,
) -> None:  # fmt: skip
    _organisation_or_staff(caller, centrale_id, organisation_id)
    async with pool.acquire() as conn:
        await tasks.update_task(conn, task_id, centrale_id, organisation_id, task_fields(body), origin(request))


@router.post(
    "/tasks/{task_id}/publish",
    status_code=204,
    summary="Publish a draft after the NOV quality check; 422 lists every failing criterion.",
)
async def publish_task(
    centrale_id: str, organisation_id: UUID, task_id: UUID, caller: CallerDep, pool: PoolDep, request: Request
) -> None:
    _organisation_or_staff(caller, centrale_id, organisation_id)
    async with pool.acquire() as conn:
        await tasks.publish_task(conn, task_id, centrale_id, organisation_id, origin(request))


@router.post("/tasks/{task_id}/close", status_code=204, summary="Stop taking volunteers for a published task.")
async def close_task(
    centrale_id: str, organisation_id: UUID, task_id: UUID, caller: CallerDep, pool: PoolDep, request: Request
) -> None:
    _organisation_or_staff(caller, centrale_id, organisation_id)
    async with pool.acquire() as conn:
        await tasks.close_task(conn, task_id, centrale_id, organisation_id, TaskStatus.CLOSED, origin(request))


@router.post(
    "/matches/{match_id}/hours",
    status_code=status.HTTP_201_CREATED,
    response_model=Created,
    summary="Log hours for a match (they count at once).",
)
async def log_hours(
    centrale_id: str, organisation_id: UUID, match_id: UUID, body: HoursIn, caller: CallerDep, pool: PoolDep,
    request: Request, key: IdempotencyKey = None,
) -> JSONResponse:  # fmt: skip
    _organisation_or_staff(caller, centrale_id, organisation_id)

    async def create(conn: Connection) -> tuple[int, Any]:
        hours_id = await hours.log_hours(
            conn, match_id, body.worked_on, body.hours, by="organisation", centrale_id=centrale_id,
            organisation_id=organisation_id, origin=origin(request),
        )  # fmt: skip
        return 201, Created(id=hours_id)

    return await idempotent(pool, caller, key, request, body, create)


@router.post("/hours/{hours_id}/confirm", status_code=204, summary="Confirm hours a volunteer logged.")
async def confirm_hours(
    centrale_id: str, organisation_id: UUID, hours_id: UUID, caller: CallerDep, pool: PoolDep, request: Request
) -> None:
    _organisation_or_staff(caller, centrale_id, organisation_id)
    async with pool.acquire() as conn:
        await hours.confirm_hours(conn, hours_id, organisation_id, centrale_id, origin(request))


@router.post(
    "/volunteer-days/{day_id}/hours",
    status_code=status.HTTP_201_CREATED,
    response_model=Created,
    summary="Log what a business partner's team gave on its volunteer day.",
)
async def log_volunteer_day_hours(
    centrale_id: str, organisation_id: UUID, day_id: UUID, body: DayHoursIn, caller: CallerDep, pool: PoolDep,
    request: Request, key: IdempotencyKey = None,
) -> JSONResponse:  # fmt: skip
    _organisation_or_staff(caller, centrale_id, organisation_id)

    async def create(conn: Connection) -> tuple[int, Any]:
        hours_id = await partners.log_volunteer_day_hours(
            conn, day_id, organisation_id, centrale_id, body.participants, body.hours_total, origin(request)
        )
        return 201, Created(id=hours_id)

    return await idempotent(pool, caller, key, request, body, create)
