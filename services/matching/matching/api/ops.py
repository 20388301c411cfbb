"""Routes for region ops: PC4 centroids, and running the daily jobs now."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import Field

from common.auth import CallerDep, Role, require_role
from matching.api.dependencies import MatchingUowDep
from matching.api.schemas import PostcodeAreaIn
from matching.commands import ExpireStaleProposals, LoadPostcodeAreas, OfferOverflow
from matching.domain.geo import Centroid
from matching.use_cases import expire_stale_proposals, load_postcode_areas, offer_overflow

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["region ops"])


@router.put("/postcode-areas", summary="Load PC4 centroids (distance without addresses).")
async def postcode_areas(
    body: Annotated[list[PostcodeAreaIn], Field(max_length=10_000)], caller: CallerDep, uow: MatchingUowDep
) -> dict[str, int]:
    require_role(caller, Role.REGION_OPS)
    centroids = tuple(Centroid(area.pc4, area.lat, area.lon) for area in body)
    return {"loaded": await load_postcode_areas(LoadPostcodeAreas(centroids), uow)}


@router.post(
    "/maintenance/run",
    summary="Expire stale proposals and offer long-open tasks region-wide, now, in one transaction.",
    description="The work of the daily jobs `expire-proposals` and `overflow` (see `/v1/ops/jobs`), with what "
    "it did per task.",
)
async def run_maintenance(caller: CallerDep, uow: MatchingUowDep) -> dict[str, Any]:
    require_role(caller, Role.REGION_OPS)
    expired = await expire_stale_proposals(ExpireStaleProposals(), uow)
    offered = await offer_overflow(OfferOverflow(), uow)
    return {"expired": expired, "overflow": {str(task): len(ids) for task, ids in offered.items()}}
