"""Routes for region ops: the daily anniversary run."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request

from appreciation.api._plumbing import origin
from appreciation.use_cases import awards
from common.auth import CallerDep, Role, require_role
from common.service import PoolDep

router = APIRouter(prefix="/v1", tags=["region ops"])


@router.post("/anniversaries/award", summary="Award the anniversaries reached by today (run daily).")
async def award_anniversaries(caller: CallerDep, pool: PoolDep, request: Request) -> dict[str, int]:
    require_role(caller, Role.REGION_OPS)
    return {"awarded": await awards.award_anniversaries(pool, datetime.now(UTC).date(), origin(request))}
