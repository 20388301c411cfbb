"""Matching's HTTP API for staff, consulenten, organisations and volunteers; same auth as the registry."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from common.auth import Caller, CallerDep, Role, require_centrale_access, require_role
from common.db import Connection
from common.errors import NotFound
from common.service import PoolDep, get_runtime
from matching.use_cases import Matching, Origin

__all__ = ["router"]

router = APIRouter(prefix="/v1")


def _matching(request: Request) -> Matching:
    matching: Matching = request.app.state.matching
    return matching


MatchingDep = Annotated[Matching, Depends(_matching)]


def _origin(request: Request) -> Origin:
    return Origin(region=get_runtime(request).settings.region, correlation_id=request.state.correlation_id)


@asynccontextmanager
async def _transaction(pool: Any) -> AsyncIterator[Connection]:
    async with pool.acquire() as conn, conn.transaction():
        yield conn


class Proposal(BaseModel):
    """A proposal or match with the reasons it was made."""

    match_id: UUID
    task_id: UUID
    volunteer_id: UUID
    organisation_id: UUID
    centrale_id: str
    volunteer_centrale_id: str
    score: float
    reasons: list[str]
    via: str
    needs_consulent: bool
    status: str
    proposed_at: datetime
    approved_at: datetime | None
    decided_at: datetime | None


class InterestIn(BaseModel):
    """A volunteer asks to be proposed for a task."""

    model_config = ConfigDict(extra="forbid")

    task_id: UUID


class PostcodeArea(BaseModel):
    """The centroid of a PC4 area."""

    model_config = ConfigDict(extra="forbid")

    pc4: str = Field(pattern=r"^[1-9][0-9]{3}$")
    lat: float = Field(ge=50.5, le=53.7, description="Latitude (the Netherlands).")
    lon: float = Field(ge=3.2, le=7.3, description="Longitude (the Netherlands).")


def _staff_or_organisation(caller: Caller, centrale_id: str, organisation_id: UUID | None) -> UUID | None:
    """Staff of the task's centrale, or the organisation itself; returns the organisation to restrict to."""
    require_centrale_access(caller, centrale_id, Role.CENTRALE_STAFF, Role.ORGANISATION)
    if caller.role is Role.ORGANISATION:
        if organisation_id is not None and caller.subject_id != organisation_id:
            raise NotFound("not found")
        return caller.subject_id
    return None


@router.get("/centrales/{centrale_id}/tasks/{task_id}/proposals", tags=["staff", "organisations"],
            summary="Proposals for a task, best first, with the reasons.")  # fmt: skip
async def task_proposals(
    centrale_id: str, task_id: UUID, caller: CallerDep, pool: PoolDep, matching: MatchingDep
) -> list[Proposal]:
    async with _transaction(pool) as conn:
        owner = await conn.fetchval("SELECT organisation_id FROM tasks WHERE task_id = $1 AND centrale_id = $2",
                                    task_id, centrale_id)  # fmt: skip
        _staff_or_organisation(caller, centrale_id, owner)
        if owner is None:
            raise NotFound(f"task {task_id} not found")
        return [Proposal(**row) for row in await matching.proposals(conn, task_id=task_id)]


@router.post("/centrales/{centrale_id}/proposals/{match_id}/approve", status_code=204, tags=["staff"],
             summary="The volunteer's consulent approves a proposal for someone who needs support.")  # fmt: skip
async def approve(centrale_id: str, match_id: UUID, caller: CallerDep, pool: PoolDep, matching: MatchingDep) -> None:
    require_centrale_access(caller, centrale_id, Role.CENTRALE_STAFF)
    async with _transaction(pool) as conn:
        await matching.approve(conn, match_id, centrale_id)


@router.post("/centrales/{centrale_id}/proposals/{match_id}/accept", status_code=204,
             tags=["staff", "organisations"], summary="Accept a proposal: the match is made.")  # fmt: skip
async def accept(
    centrale_id: str, match_id: UUID, caller: CallerDep, pool: PoolDep, matching: MatchingDep, request: Request
) -> None:
    organisation = _staff_or_organisation(caller, centrale_id, None)
    async with _transaction(pool) as conn:
        await matching.accept(conn, match_id, centrale_id, organisation, _origin(request))


@router.post("/centrales/{centrale_id}/proposals/{match_id}/decline", status_code=204,
             tags=["staff", "organisations"], summary="Decline a proposal (organisation or consulent).")  # fmt: skip
async def decline(
    centrale_id: str, match_id: UUID, caller: CallerDep, pool: PoolDep, matching: MatchingDep, request: Request
) -> None:
    organisation = _staff_or_organisation(caller, centrale_id, None)
    by = "organisation" if organisation else "consulent"

    def allowed(row: Any) -> bool:
        if organisation is not None:
            return bool(row["organisation_id"] == organisation and row["centrale_id"] == centrale_id)
        return centrale_id in (row["centrale_id"], row["volunteer_centrale_id"])

    async with _transaction(pool) as conn:
        await matching.decline(conn, match_id, by, allowed, _origin(request))


@router.post("/centrales/{centrale_id}/matches/{match_id}/end", status_code=204, tags=["staff", "organisations"],
             summary="End a match that was made.")  # fmt: skip
async def end(
    centrale_id: str, match_id: UUID, caller: CallerDep, pool: PoolDep, matching: MatchingDep, request: Request
) -> None:
    organisation = _staff_or_organisation(caller, centrale_id, None)

    def allowed(row: Any) -> bool:
        if organisation is not None:
            return bool(row["organisation_id"] == organisation)
        return centrale_id in (row["centrale_id"], row["volunteer_centrale_id"])

    async with _transaction(pool) as conn:
        await matching.end(conn, match_id, allowed, _origin(request))


@router.get("/centrales/{centrale_id}/volunteers/{volunteer_id}/proposals", tags=["staff"],
            summary="A volunteer's open proposals.")  # fmt: skip
async def volunteer_proposals(
    centrale_id: str, volunteer_id: UUID, caller: CallerDep, pool: PoolDep, matching: MatchingDep
) -> list[Proposal]:
    require_centrale_access(caller, centrale_id, Role.CENTRALE_STAFF)
    async with _transaction(pool) as conn:
        rows = await matching.proposals(conn, volunteer_id=volunteer_id, only_open=True)
    return [Proposal(**row) for row in rows if row["volunteer_centrale_id"] == centrale_id]


def _me(caller: Caller) -> tuple[UUID, str]:
    require_role(caller, Role.VOLUNTEER)
    assert caller.subject_id is not None, "volunteer credentials carry the volunteer id"
    assert caller.centrale_id is not None, "volunteer credentials carry the centrale"
    return caller.subject_id, caller.centrale_id


@router.get("/me/proposals", tags=["volunteers"], summary="Your open proposals.")
async def my_proposals(caller: CallerDep, pool: PoolDep, matching: MatchingDep) -> list[Proposal]:
    volunteer_id, _ = _me(caller)
    async with _transaction(pool) as conn:
        return [Proposal(**row) for row in await matching.proposals(conn, volunteer_id=volunteer_id, only_open=True)]


@router.post("/me/interests", status_code=201, tags=["volunteers"],
             summary="Ask to be proposed for a task; 422 lists every reason it cannot be.")  # fmt: skip
async def express_interest(
    body: InterestIn, caller: CallerDep, pool: PoolDep, matching: MatchingDep, request: Request
) -> dict[str, UUID]:
    volunteer_id, centrale_id = _me(caller)
    async with _transaction(pool) as conn:
        match_id = await matching.express_interest(conn, volunteer_id, centrale_id, body.task_id, _origin(request))
    return {"match_id": match_id}


@router.post("/me/proposals/{match_id}/decline", status_code=204, tags=["volunteers"],
             summary="Decline a proposal made to you.")  # fmt: skip
async def decline_mine(
    match_id: UUID, caller: CallerDep, pool: PoolDep, matching: MatchingDep, request: Request
) -> None:
    volunteer_id, _ = _me(caller)
    async with _transaction(pool) as conn:
        await matching.decline(conn, match_id, "volunteer", lambda row: row["volunteer_id"] == volunteer_id,
                               _origin(request))  # fmt: skip


@router.put("/postcode-areas", tags=["region ops"], summary="Load PC4 centroids (distance without addresses).")
async def load_postcode_areas(
    body: Annotated[list[PostcodeArea], Field(max_length=10_000)], caller: CallerDep, pool: PoolDep
) -> dict[str, int]:
    require_role(caller, Role.REGION_OPS)
    async with _transaction(pool) as conn:
        loaded = await Matching.load_postcode_areas(conn, [(a.pc4, a.lat, a.lon) for a in body])
    return {"loaded": loaded}


@router.post("/maintenance/run", tags=["region ops"],
             summary="Expire stale proposals and offer long-open tasks region-wide (run daily).")  # fmt: skip
async def run_maintenance(caller: CallerDep, pool: PoolDep, matching: MatchingDep, request: Request) -> dict[str, Any]:
    require_role(caller, Role.REGION_OPS)
    now = datetime.now(UTC)
    async with _transaction(pool) as conn:
        expired = await matching.expire_stale(conn, now, _origin(request))
        offered = await matching.overflow(conn, now, _origin(request))
    return {"expired": expired, "overflow": {str(task): len(ids) for task, ids in offered.items()}}
