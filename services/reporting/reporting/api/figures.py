"""Figures per scope: the region (ops), a municipality, a centrale, a business partner; JSON, CSV and charts."""

from __future__ import annotations

from dataclasses import replace
from typing import Literal
from uuid import UUID

from fastapi import APIRouter, Response
from pydantic import BaseModel

from common.auth import CallerDep, Role, require_centrale_access, require_role
from common.errors import NotFound
from common.service import PoolDep
from reporting import queries
from reporting.api._plumbing import (
    CentraleId,
    ChartName,
    CubesDep,
    MunicipalityCode,
    PeriodQuery,
    csv_response,
    require_centrale,
    require_municipality,
    require_partner,
    svg_response,
)
from reporting.cube import SMALL, Cube, ScopeInfo
from reporting.kpis import MIN_PEOPLE
from reporting.outputs.charts import CHARTS
from reporting.outputs.tables import figures_csv
from reporting.periods import Period
from reporting.views import Figures, figures, partner_figures

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["figures"])


def _scope(cube: Cube, scope: str) -> Figures:
    if scope.startswith("m:") and scope not in cube.scopes:
        raise NotFound(f"no centrale is linked to municipality {scope[2:]}")
    if scope not in cube.scopes:
        # A centrale without any event yet still has (all-zero) figures; added to a copy, as the cube may be
        # another read's too (reporting.read_cache).
        cube = replace(cube, scopes={**cube.scopes, scope: ScopeInfo(scope[2:])})
    return figures(cube, scope)


def _filename(figures: Figures, extension: str) -> str:
    return f"{figures.scope.kind}-{figures.scope.id}-{figures.period.label}.{extension}"


async def _region(cubes: CubesDep, period: Period) -> Figures:
    return _scope(await cubes.of(period), "region")


@router.get("/region/figures", summary="Every figure of the region (region ops).")
async def region_figures(period: PeriodQuery, caller: CallerDep, pool: PoolDep, cubes: CubesDep) -> Figures:
    require_role(caller, Role.REGION_OPS)
    return await _region(cubes, period)


@router.get("/region/figures.csv", summary="The region's figures as CSV.", response_class=Response)
async def region_csv(period: PeriodQuery, caller: CallerDep, pool: PoolDep, cubes: CubesDep) -> Response:
    require_role(caller, Role.REGION_OPS)
    result = await _region(cubes, period)
    return csv_response(figures_csv(result), _filename(result, "csv"))


@router.get("/region/charts/{chart}.svg", summary="A chart of the region's figures.", response_class=Response)
async def region_chart(
    chart: ChartName, period: PeriodQuery, caller: CallerDep, pool: PoolDep, cubes: CubesDep
) -> Response:
    require_role(caller, Role.REGION_OPS)
    return svg_response(CHARTS[chart](await _region(cubes, period), chart))


async def _municipality(cubes: CubesDep, code: str, period: Period) -> Figures:
    return _scope(await cubes.of(period), f"m:{code}")


@router.get("/municipalities/{code}/figures", summary="A municipality's figures, per district and month.")
async def municipality_figures(
    code: MunicipalityCode, period: PeriodQuery, caller: CallerDep, pool: PoolDep, cubes: CubesDep
) -> Figures:
    await require_municipality(caller, pool, code)
    return await _municipality(cubes, code, period)


@router.get("/municipalities/{code}/figures.csv", summary="A municipality's figures as CSV.", response_class=Response)
async def municipality_csv(
    code: MunicipalityCode, period: PeriodQuery, caller: CallerDep, pool: PoolDep, cubes: CubesDep
) -> Response:
    await require_municipality(caller, pool, code)
    result = await _municipality(cubes, code, period)
    return csv_response(figures_csv(result), _filename(result, "csv"))


@router.get("/municipalities/{code}/charts/{chart}.svg", summary="A chart of a municipality's figures.",
            response_class=Response)  # fmt: skip
async def municipality_chart(
    code: MunicipalityCode, chart: ChartName, period: PeriodQuery, caller: CallerDep, pool: PoolDep, cubes: CubesDep
) -> Response:
    await require_municipality(caller, pool, code)
    return svg_response(CHARTS[chart](await _municipality(cubes, code, period), chart))


async def _centrale(cubes: CubesDep, centrale_id: str, period: Period) -> Figures:
    return _scope(await cubes.of(period), f"c:{centrale_id}")


@router.get("/centrales/{centrale_id}/figures", summary="A centrale's figures, per month.")
async def centrale_figures(
    centrale_id: CentraleId, period: PeriodQuery, caller: CallerDep, pool: PoolDep, cubes: CubesDep
) -> Figures:
    await require_centrale(caller, pool, centrale_id)
    return await _centrale(cubes, centrale_id, period)


@router.get("/centrales/{centrale_id}/figures.csv", summary="A centrale's figures as CSV.", response_class=Response)
async def centrale_csv(
    centrale_id: CentraleId, period: PeriodQuery, caller: CallerDep, pool: PoolDep, cubes: CubesDep
) -> Response:
    await require_centrale(caller, pool, centrale_id)
    result = await _centrale(cubes, centrale_id, period)
    return csv_response(figures_csv(result), _filename(result, "csv"))


@router.get("/centrales/{centrale_id}/charts/{chart}.svg", summary="A chart of a centrale's figures.",
            response_class=Response)  # fmt: skip
async def centrale_chart(
    centrale_id: CentraleId, chart: ChartName, period: PeriodQuery, caller: CallerDep, pool: PoolDep, cubes: CubesDep
) -> Response:
    await require_centrale(caller, pool, centrale_id)
    return svg_response(CHARTS[chart](await _centrale(cubes, centrale_id, period), chart))


@router.get("/partners/{partner_id}/figures", summary="A business partner's own teams: days, employees, hours.")
async def partner_figures_route(
    partner_id: UUID, period: PeriodQuery, caller: CallerDep, pool: PoolDep, cubes: CubesDep
) -> Figures:
    require_partner(caller, partner_id)
    name = await queries.partner_name(pool, partner_id)
    return partner_figures(await cubes.of(period), str(partner_id), name)


@router.get("/partners/{partner_id}/figures.csv", summary="A business partner's figures as CSV.",
            response_class=Response)  # fmt: skip
async def partner_csv(
    partner_id: UUID, period: PeriodQuery, caller: CallerDep, pool: PoolDep, cubes: CubesDep
) -> Response:
    require_partner(caller, partner_id)
    name = await queries.partner_name(pool, partner_id)
    result = partner_figures(await cubes.of(period), str(partner_id), name)
    return csv_response(figures_csv(result), _filename(result, "csv"))


class VolunteerCount(BaseModel):
    """Registered volunteers of one centrale (erased ones included: they were registered)."""

    centrale_id: str
    registered: int | Literal["<5"]


@router.get(
    "/centrales/{centrale_id}/volunteers/count",
    summary="Number of volunteers a centrale registered (exact for its staff and ops, suppressed for readers).",
)
async def volunteer_count(centrale_id: str, caller: CallerDep, pool: PoolDep) -> VolunteerCount:
    require_centrale_access(caller, centrale_id, Role.MUNICIPALITY_READER, Role.CENTRALE_STAFF, Role.REGION_OPS)
    count = await queries.registered_volunteers(pool, centrale_id)
    # Staff register these volunteers themselves; a municipality reader only ever sees aggregates.
    hidden = caller.role is Role.MUNICIPALITY_READER and 0 < count < MIN_PEOPLE
    return VolunteerCount(centrale_id=centrale_id, registered=SMALL if hidden else count)


class MunicipalityOut(BaseModel):
    """The municipality whose figures the caller reads (its CBS code and name)."""

    code: str
    name: str


@router.get(
    "/me/municipality",
    summary="The municipality of the caller's centrale: what a municipality reader (or the centrale's staff) reads.",
    responses={404: {"description": "Region ops have none; or the centrale is not linked to a municipality yet."}},
)
async def my_municipality(caller: CallerDep, pool: PoolDep) -> MunicipalityOut:
    require_role(caller, Role.MUNICIPALITY_READER, Role.CENTRALE_STAFF)
    found = await queries.municipality_of(pool, caller.centrale_id)
    if found is None:
        raise NotFound("the centrale is not linked to a municipality yet")
    code, name = found
    return MunicipalityOut(code=code, name=name)
