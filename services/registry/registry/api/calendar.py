"""Private calendar feeds: a volunteer or an organisation asks for a secret URL, a calendar app fetches it."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Request, Response, status
from pydantic import BaseModel, Field

from common.auth import Caller, CallerDep, Role, require_role
from registry.api._plumbing import RegistryUowDep
from registry.api.vacaturebank import PublicUowDep, public_base_url
from registry.feeds.ical import render_calendar
from registry.use_cases.calendar import (
    CreateCalendarFeed,
    FeedOwner,
    GetCalendar,
    RevokeCalendarFeed,
    create_calendar_feed,
    get_calendar,
    revoke_calendar_feed,
)

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["calendar"])


class CalendarFeedOut(BaseModel):
    """A new private calendar URL: shown this once; asking again replaces it."""

    url: str = Field(description="Subscribe to this in a calendar app (https).")
    webcal_url: str = Field(description="The same feed for apps that open webcal:// links.")


def _owner(caller: Caller) -> tuple[FeedOwner, UUID, str]:
    """Whose feed the caller manages (their own volunteer record, or the organisation they act for), and where."""
    require_role(caller, Role.VOLUNTEER, Role.ORGANISATION)
    assert caller.subject_id is not None, "volunteer and organisation credentials carry their subject"
    assert caller.centrale_id is not None, "volunteer and organisation credentials carry their centrale"
    kind = FeedOwner.VOLUNTEER if caller.role is Role.VOLUNTEER else FeedOwner.ORGANISATION
    return kind, caller.subject_id, caller.centrale_id


@router.post(
    "/me/calendar-feed",
    status_code=status.HTTP_201_CREATED,
    summary="A private calendar URL of your confirmed commitments (a volunteer's or an organisation's); "
    "the previous URL stops working.",
)
async def create_feed(request: Request, caller: CallerDep, uow: RegistryUowDep) -> CalendarFeedOut:
    token = await create_calendar_feed(CreateCalendarFeed(*_owner(caller)), uow)
    url = f"{public_base_url(request)}/v1/calendar/{token}.ics"
    return CalendarFeedOut(url=url, webcal_url="webcal://" + url.split("://", 1)[1])


@router.delete("/me/calendar-feed", status_code=204, summary="Revoke your calendar URL (it then answers 404).")
async def revoke_feed(caller: CallerDep, uow: RegistryUowDep) -> None:
    kind, owner_id, _ = _owner(caller)
    await revoke_calendar_feed(RevokeCalendarFeed(kind, owner_id), uow)


@router.get(
    "/calendar/{token}.ics",
    summary="The calendar behind a private URL (iCalendar, RFC 5545); 404 once revoked.",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}}, 404: {"description": "Unknown or revoked."}},
)
async def calendar_feed(
    token: Annotated[str, Path(max_length=100, pattern=r"^[A-Za-z0-9_-]+$")], uow: PublicUowDep
) -> Response:
    view = await get_calendar(GetCalendar(token), uow)
    body = render_calendar(view.name, view.entries, uow.now())
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        # Personal: calendar apps fetch it directly, no shared cache may keep it.
        headers={"Cache-Control": "private, no-store", "Content-Disposition": 'inline; filename="agenda.ics"'},
    )
