"""Pages of a municipality's policy officer: its figures with charts, the period report to read and print, CSV;
agreements and targets. Only aggregates (reporting suppresses small counts), never a person."""

from __future__ import annotations

import asyncio
import re
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from common.clock import dutch_today
from portal.backend import ApiNotFound, ApiRejected
from portal.pages._base import VisitorDep, api, as_list, require
from portal.rendering import page

__all__ = ["router"]

router = APIRouter()

CHARTS = ("trends", "hours-by-theme", "gaps-by-district", "supply-demand", "top-gaps")
# A period as reporting names it: a year, a quarter or a month.
PERIOD = re.compile(r"^[0-9]{4}(-Q[1-4]|-[01][0-9])?$")


def _period(value: str | None) -> str:
    """The period asked for, or this year."""
    return value if value and PERIOD.fullmatch(value) else str(dutch_today().year)


def _periods() -> list[str]:
    """The periods to choose from: this year and last, and their quarters."""
    year = dutch_today().year
    return [
        str(year),
        *(f"{year}-Q{q}" for q in range(1, 5)),
        str(year - 1),
        *(f"{year - 1}-Q{q}" for q in range(1, 5)),
    ]


async def _municipality(request: Request) -> dict[str, Any]:
    return dict(await api(request).get("reporting", "/v1/me/municipality"))


@router.get("/gemeente")
async def figures(request: Request, visitor: VisitorDep, periode: Annotated[str | None, Query()] = None) -> Response:
    """The municipality's figures for a period: headline numbers, tables per district and month, charts."""
    require(visitor, "municipality_reader", "centrale_staff")
    period = _period(periode)
    municipality = await _municipality(request)
    found = await api(request).get(
        "reporting", f"/v1/municipalities/{municipality['code']}/figures", {"period": period}
    )
    return page(
        request,
        "municipality/figures.html",
        municipality=municipality,
        figures=found,
        period=period,
        periods=_periods(),
        charts=CHARTS,
    )


@router.get("/gemeente/grafieken/{chart}.svg")
async def chart(
    chart: str, request: Request, visitor: VisitorDep, periode: Annotated[str | None, Query()] = None
) -> Response:
    """A chart of the municipality's figures (SVG, drawn by reporting), served from the portal's own origin."""
    require(visitor, "municipality_reader", "centrale_staff")
    if chart not in CHARTS:
        raise ApiNotFound()
    municipality = await _municipality(request)
    path = f"/v1/municipalities/{municipality['code']}/charts/{chart}.svg"
    svg = await api(request).get_binary("reporting", path, {"period": _period(periode)})
    return Response(svg.content, media_type="image/svg+xml")


@router.get("/gemeente/cijfers.csv")
async def figures_csv(
    request: Request, visitor: VisitorDep, periode: Annotated[str | None, Query()] = None
) -> Response:
    """The figures as CSV for a spreadsheet."""
    require(visitor, "municipality_reader", "centrale_staff")
    period = _period(periode)
    municipality = await _municipality(request)
    csv = await api(request).get_binary(
        "reporting", f"/v1/municipalities/{municipality['code']}/figures.csv", {"period": period}
    )
    filename = csv.filename or f"{municipality['code']}-{period}.csv"
    return Response(
        csv.content,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/gemeente/rapportage")
async def report(request: Request, visitor: VisitorDep, periode: Annotated[str | None, Query()] = None) -> Response:
    """The period report: agreed targets against actuals and every figure, laid out to read and to print."""
    require(visitor, "municipality_reader", "centrale_staff")
    period = _period(periode)
    municipality = await _municipality(request)
    client = api(request)
    base = f"/v1/municipalities/{municipality['code']}"
    try:
        found, agreements = await asyncio.gather(
            client.get("reporting", f"{base}/reports/{period}"), client.get("reporting", f"{base}/agreements")
        )
    except ApiRejected:
        found, agreements = None, []
    return page(
        request,
        "municipality/report.html",
        municipality=municipality,
        report=found,
        period=period,
        periods=_periods(),
        agreements=as_list(agreements),
        charts=CHARTS,
    )
