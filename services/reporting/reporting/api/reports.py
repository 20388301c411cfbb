"""Accountability: a municipality's agreed figures (versioned), its period reports and closing a period."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status
from fastapi.responses import HTMLResponse

from common.auth import CallerDep
from common.bounds import MAX_VERSION
from common.errors import NotFound
from common.service import PoolDep
from reporting import accountability
from reporting.accountability import Agreement, AgreementIn, PeriodReport
from reporting.api._plumbing import (
    ChartName,
    MunicipalityCode,
    caught_up,
    csv_response,
    parse_period,
    require_municipality,
    svg_response,
)
from reporting.outputs.charts import CHARTS
from reporting.outputs.html import render_report
from reporting.outputs.tables import report_csv
from reporting.queries import load_config

__all__ = ["router"]

router = APIRouter(prefix="/v1/municipalities/{code}", tags=["accountability"])


async def _known(pool: PoolDep, code: str) -> None:
    async with pool.acquire() as conn:
        if (await load_config(conn)).municipality_name(code) is None:
            raise NotFound(f"no centrale is linked to municipality {code}")


@router.put(
    "/agreements/{period}",
    status_code=status.HTTP_201_CREATED,
    summary="Store the agreed figures for a period as a new version (region ops, the municipality's centrale staff).",
)
async def store_agreement(
    code: MunicipalityCode, period: str, body: AgreementIn, caller: CallerDep, pool: PoolDep
) -> Agreement:
    await require_municipality(caller, pool, code, manage=True)
    parsed = parse_period(period, "path")
    await _known(pool, code)
    async with pool.acquire() as conn:
        return await accountability.store_agreement(conn, code, parsed, body, created_by=caller.key)


@router.get("/agreements", summary="Every version of every agreement of the municipality.")
async def list_agreements(code: MunicipalityCode, caller: CallerDep, pool: PoolDep) -> list[Agreement]:
    await require_municipality(caller, pool, code)
    async with pool.acquire() as conn:
        return await accountability.list_agreements(conn, code)


@router.get("/agreements/{period}", summary="The latest (or a given) version of the agreement for a period.")
async def get_agreement(
    code: MunicipalityCode,
    period: str,
    caller: CallerDep,
    pool: PoolDep,
    version: Annotated[int | None, Query(ge=1, le=MAX_VERSION)] = None,
) -> Agreement:
    await require_municipality(caller, pool, code)
    async with pool.acquire() as conn:
        agreement = await accountability.get_agreement(conn, code, parse_period(period, "path"), version)
    if agreement is None:
        raise NotFound(f"no agreement for {code} and {period}")
    return agreement


async def _report(pool: PoolDep, code: str, period: str) -> PeriodReport:
    return await accountability.period_report(pool, code, parse_period(period, "path"))


@router.get("/reports/{period}", summary="The period report: targets against actuals and every figure.")
async def get_report(code: MunicipalityCode, period: str, caller: CallerDep, pool: PoolDep) -> PeriodReport:
    await require_municipality(caller, pool, code)
    return await _report(pool, code, period)


@router.get("/reports/{period}/report.html", summary="The period report as a printable page.",
            response_class=HTMLResponse)  # fmt: skip
async def report_html(code: MunicipalityCode, period: str, caller: CallerDep, pool: PoolDep) -> HTMLResponse:
    await require_municipality(caller, pool, code)
    return HTMLResponse(render_report(await _report(pool, code, period)))


@router.get("/reports/{period}/report.csv", summary="The period report as CSV.", response_class=Response)
async def report_csv_route(code: MunicipalityCode, period: str, caller: CallerDep, pool: PoolDep) -> Response:
    await require_municipality(caller, pool, code)
    report = await _report(pool, code, period)
    return csv_response(report_csv(report), f"{code}-{period}.csv")


@router.get("/reports/{period}/charts/{chart}.svg", summary="A chart of the period report.", response_class=Response)
async def report_chart(
    code: MunicipalityCode, period: str, chart: ChartName, caller: CallerDep, pool: PoolDep
) -> Response:
    await require_municipality(caller, pool, code)
    return svg_response(CHARTS[chart]((await _report(pool, code, period)).figures, chart))


@router.post(
    "/reports/{period}/close",
    summary="Close the period: its report is frozen; later events count in the next month (ops, centrale staff).",
)
async def close(
    code: MunicipalityCode, period: str, caller: CallerDep, pool: PoolDep, request: Request
) -> PeriodReport:
    await require_municipality(caller, pool, code, manage=True)
    parsed = parse_period(period, "path")
    await _known(pool, code)
    return await accountability.close_period(pool, code, parsed, caller.key, caught_up(request))
