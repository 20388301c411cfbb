"""Reporting HTTP API: aggregates per centrale, for its municipality readers and staff, and the region."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from common.auth import CallerDep, Role, require_centrale_access
from common.service import PoolDep
from reporting import queries

__all__ = ["router"]

router = APIRouter(prefix="/v1")


class VolunteerCount(BaseModel):
    """Registered volunteers of one centrale."""

    centrale_id: str
    registered: int


@router.get(
    "/centrales/{centrale_id}/volunteers/count",
    tags=["aggregates"],
    summary="Number of volunteers a centrale registered.",
)
async def volunteer_count(centrale_id: str, caller: CallerDep, pool: PoolDep) -> VolunteerCount:
    require_centrale_access(caller, centrale_id, Role.MUNICIPALITY_READER, Role.CENTRALE_STAFF, Role.REGION_OPS)
    return VolunteerCount(centrale_id=centrale_id, registered=await queries.registered_volunteers(pool, centrale_id))
