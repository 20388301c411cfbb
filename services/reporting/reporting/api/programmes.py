"""The programmes' figures per scope: Beursvloer deals, fulfilment and hours given; trainings' reach per audience."""

from __future__ import annotations

from typing import Any

import asyncpg
from fastapi import APIRouter

from common.auth import CallerDep, Role, require_role
from common.errors import NotFound
from common.service import PoolDep
from reporting.api._plumbing import CentraleId, MunicipalityCode, PeriodQuery, require_centrale, require_municipality
from reporting.periods import Period
from reporting.programmes import ProgrammeFigures, build_programme_figures

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["programmes"])


async def _figures(pool: asyncpg.Pool, period: Period) -> ProgrammeFigures:
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        return await build_programme_figures(conn, period)


@router.get("/region/programmes", summary="The region's Beursvloer and training figures (region ops).")
async def region_programmes(period: PeriodQuery, caller: CallerDep, pool: PoolDep) -> dict[str, Any]:
    require_role(caller, Role.REGION_OPS)
    return (await _figures(pool, period)).for_scope("region")


@router.get(
    "/municipalities/{code}/programmes",
    summary="A municipality's Beursvloer deals, how many were carried out, hours given; trainings' reach.",
)
async def municipality_programmes(
    code: MunicipalityCode, period: PeriodQuery, caller: CallerDep, pool: PoolDep
) -> dict[str, Any]:
    await require_municipality(caller, pool, code)
    if await pool.fetchval("SELECT 1 FROM centrale_municipalities WHERE municipality_code = $1", code) is None:
        raise NotFound(f"no centrale is linked to municipality {code}")
    return (await _figures(pool, period)).for_scope(f"m:{code}")


@router.get("/centrales/{centrale_id}/programmes", summary="A centrale's Beursvloer and training figures.")
async def centrale_programmes(
    centrale_id: CentraleId, period: PeriodQuery, caller: CallerDep, pool: PoolDep
) -> dict[str, Any]:
    await require_centrale(caller, pool, centrale_id)
    return (await _figures(pool, period)).for_scope(f"c:{centrale_id}")
