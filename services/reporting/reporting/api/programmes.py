"""The programmes' figures per scope: Beursvloer deals, fulfilment and hours given; the funnel from one-off days to
structural volunteering; trainings' reach per audience. As JSON and as CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

import asyncpg
from fastapi import APIRouter, Response

from common.auth import CallerDep, Role, require_role
from common.errors import NotFound
from common.service import PoolDep
from reporting.api._plumbing import (
    CentraleId,
    MunicipalityCode,
    PeriodQuery,
    csv_response,
    projection_snapshot,
    require_centrale,
    require_municipality,
)
from reporting.periods import Period
from reporting.programmes import ProgrammeFigures, build_programme_figures

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["programmes"])


async def _figures(pool: asyncpg.Pool, period: Period) -> ProgrammeFigures:
    async with projection_snapshot(pool) as conn:
        return await build_programme_figures(conn, period)


def _csv(shown: dict[str, Any]) -> str:
    """A scope's programme figures as CSV: one row per section, month ('' for the period), figure and value
    (as shown: a number, ``<5`` or ``x``)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["section", "month", "figure", "value"])

    def rows(section: str, month: str, values: dict[str, Any], prefix: str = "") -> None:
        for name, value in values.items():
            if isinstance(value, dict):
                rows(section, month, value, f"{prefix}{name}.")
            elif not isinstance(value, list):
                writer.writerow([section, month, f"{prefix}{name}", "" if value is None else value])

    for section in ("beursvloer", "funnel", "trainings"):
        figures = dict(shown[section])
        months = figures.pop("months")
        rows(section, "", figures)
        for month in months:
            rows(section, month["month"], {k: v for k, v in month.items() if k not in ("month", "label")})
    return out.getvalue()


async def _csv_response(pool: asyncpg.Pool, period: Period, scope: str) -> Response:
    shown = (await _figures(pool, period)).for_scope(scope)
    kind, _, own = scope.partition(":")
    return csv_response(_csv(shown), f"programmes-{own or kind}-{period.label}.csv")


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


@router.get(
    "/municipalities/{code}/programmes.csv",
    summary="A municipality's programme figures (Beursvloer, funnel, trainings) as CSV.",
    response_class=Response,
)
async def municipality_programmes_csv(
    code: MunicipalityCode, period: PeriodQuery, caller: CallerDep, pool: PoolDep
) -> Response:
    await require_municipality(caller, pool, code)
    if await pool.fetchval("SELECT 1 FROM centrale_municipalities WHERE municipality_code = $1", code) is None:
        raise NotFound(f"no centrale is linked to municipality {code}")
    return await _csv_response(pool, period, f"m:{code}")


@router.get("/centrales/{centrale_id}/programmes", summary="A centrale's Beursvloer and training figures.")
async def centrale_programmes(
    centrale_id: CentraleId, period: PeriodQuery, caller: CallerDep, pool: PoolDep
) -> dict[str, Any]:
    await require_centrale(caller, pool, centrale_id)
    return (await _figures(pool, period)).for_scope(f"c:{centrale_id}")


@router.get(
    "/centrales/{centrale_id}/programmes.csv",
    summary="A centrale's programme figures (Beursvloer, funnel, trainings) as CSV.",
    response_class=Response,
)
async def centrale_programmes_csv(
    centrale_id: CentraleId, period: PeriodQuery, caller: CallerDep, pool: PoolDep
) -> Response:
    await require_centrale(caller, pool, centrale_id)
    return await _csv_response(pool, period, f"c:{centrale_id}")
