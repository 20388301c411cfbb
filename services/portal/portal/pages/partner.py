"""Pages of a business partner's HR contact: the company's team days with their status and hours, CSR figures."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from common.clock import dutch_today
from portal.pages._base import VisitorDep, api, as_list, require
from portal.pages.municipality import PERIOD
from portal.rendering import page

__all__ = ["router"]

router = APIRouter()


@router.get("/bedrijf")
async def team_days(request: Request, visitor: VisitorDep) -> Response:
    """The company's team volunteer days: when, how many people, the task found, hours logged."""
    require(visitor, "business_partner")
    days = await api(request).get("registry", "/v1/volunteer-days")
    ordered = sorted(as_list(days), key=lambda d: str(d.get("on_date")), reverse=True)
    return page(request, "partner/days.html", days=ordered)


@router.get("/bedrijf/teamdagen/{day_id}")
async def team_day(day_id: UUID, request: Request, visitor: VisitorDep) -> Response:
    """One team day's status."""
    require(visitor, "business_partner")
    day = await api(request).get("registry", f"/v1/volunteer-days/{day_id}")
    return page(request, "partner/day.html", day=day)


@router.get("/bedrijf/cijfers")
async def figures(request: Request, visitor: VisitorDep, periode: Annotated[str | None, Query()] = None) -> Response:
    """CSR figures: team days, employees and hours, per month and municipality."""
    require(visitor, "business_partner")
    period = periode if periode and PERIOD.fullmatch(periode) else str(dutch_today().year)
    found = await api(request).get("reporting", f"/v1/partners/{visitor.subject_id}/figures", {"period": period})
    year = dutch_today().year
    return page(request, "partner/figures.html", figures=found, period=period, periods=[str(year), str(year - 1)])
