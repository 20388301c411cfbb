"""The public vacaturebank (no login): search, a task's public page, feeds (JSON Feed, Atom) for a centrale's
website, the centrale's public contact; and the ops routes it rests on (PC4 areas, a centrale's contact).

Public answers are cacheable (``Cache-Control: public``, an ``ETag`` answered with 304) and may be read by
scripts on any website (``Access-Control-Allow-Origin: *``): they hold only what organisations published.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.encoders import jsonable_encoder
from pydantic import AnyHttpUrl, BaseModel, ConfigDict, EmailStr, Field

from common.auth import CallerDep, Role, require_centrale_access, require_role
from common.bounds import FIRST_DAY, LAST_DAY
from common.errors import Rejected
from common.http import request_origin
from common.runtime import get_runtime
from common.uow import PostgresUnitOfWork
from registry.api._plumbing import RegistryUowDep
from registry.api.models import Phone
from registry.config import Settings
from registry.feeds.atom import FeedInfo, atom_feed
from registry.feeds.json_feed import json_feed
from registry.feeds.json_ld import job_posting
from registry.feeds.text import schedule_lines, what_is_asked
from registry.repositories import PostcodeArea, Vacature
from registry.unit_of_work import RegistryUnitOfWork
from registry.use_cases.vacaturebank import (
    CentraleCard,
    GetCentraleCard,
    GetVacature,
    GetVacatureFacets,
    GetVacatureFeed,
    LoadPostcodeAreas,
    SearchVacatures,
    SetPublicContact,
    VacatureFeed,
    get_centrale_card,
    get_vacature,
    get_vacature_facets,
    get_vacature_feed,
    load_postcode_areas,
    search_vacatures,
    set_public_contact,
)
from registry.vacaturebank import MAX_PAGE, MAX_PAGE_SIZE, MAX_RADIUS_KM, Kind, Sort

__all__ = ["public_base_url", "router"]

router = APIRouter(prefix="/v1", tags=["vacaturebank"])

# How long browsers and proxies may keep public answers (seconds): searches change as tasks are published,
# a task's page and the feeds less often; a closed task's answer briefly (it may reopen as a new task).
SEARCH_MAX_AGE = 60
PAGE_MAX_AGE = 300
FEED_MAX_AGE = 300
GONE_MAX_AGE = 60
FEED_LIMIT = 50


async def public_unit_of_work(request: Request) -> AsyncIterator[PostgresUnitOfWork]:
    """A read-only unit of work for anonymous reads: no token is looked at, nothing can be written."""
    runtime = get_runtime(request)
    assert runtime.pool is not None, "pool is opened in the lifespan before requests are served"
    async with runtime.pool.acquire() as conn, conn.transaction(readonly=True):
        yield runtime.spec.unit_of_work(conn, request_origin(request, None), runtime.clock, None)


PublicUowDep = Annotated[RegistryUnitOfWork, Depends(public_unit_of_work, scope="function")]


class AreaOut(BaseModel):
    """Where a task is: its PC4 area and, when known, the place and district. Never a street address."""

    pc4: str | None
    place: str | None
    district: str | None


class CentraleCardOut(BaseModel):
    """The centrale to contact about a task: never a person."""

    id: str
    name: str
    email: str | None
    phone: str | None
    website: str | None


class VacatureSummaryOut(BaseModel):
    """A task in a search result."""

    id: UUID
    url: str = Field(description="The task's public page.")
    title: str
    summary: str = Field(description="The start of the description.")
    organisation: str
    centrale_id: str
    theme: str
    area: AreaOut
    distance_km: float | None = Field(description="From the postcode searched from, when one was given.")
    kind: Kind
    schedule: list[str] = Field(description="When, in Dutch: 'Elke dinsdag, 09:00–12:00'.")
    hours_per_week: float
    vog_required: bool
    team_suitable: bool
    support_accessible: bool
    one_off_start: datetime | None
    one_off_end: datetime | None
    closing_date: date | None
    published_at: datetime


class PageLinks(BaseModel):
    """Addresses of this page and its neighbours."""

    self: str
    next: str | None
    prev: str | None


class SearchOut(BaseModel):
    """One page of a search."""

    total: int
    page: int
    page_size: int
    pages: int
    items: list[VacatureSummaryOut]
    links: PageLinks


class VacatureOut(BaseModel):
    """A task's public page: what the organisation published, where, when, and whom to contact (the centrale)."""

    id: UUID
    url: str
    status: str = Field(description="published (open), or filled / closed / expired.")
    open: bool
    title: str
    description: str
    offer: str | None = Field(description="What the organisation offers volunteers.")
    asked: list[str] = Field(description="What the task asks, in Dutch lines.")
    organisation: str
    centrale: CentraleCardOut
    theme: str
    skills: list[str]
    area: AreaOut
    kind: Kind
    schedule: list[str]
    shifts: list[dict[str, Any]]
    one_off_start: datetime | None
    one_off_end: datetime | None
    capacity: int
    hours_per_week: float
    vog_required: bool
    team_suitable: bool
    support_accessible: bool
    closing_date: date | None
    published_at: datetime
    updated_at: datetime | None
    closed_at: datetime | None
    json_ld: dict[str, Any] = Field(description="schema.org JobPosting (employmentType VOLUNTEER) for the page.")


class FacetsOut(BaseModel):
    """Published tasks per theme and per centrale, for a search form's choices."""

    themes: list[dict[str, Any]]
    centrales: list[dict[str, Any]]


# No control characters (PostgreSQL refuses NUL in text; the others have no place in a name).
_PRINTABLE = r"^[^\x00-\x1f\x7f]+$"


class PostcodeAreaIn(BaseModel):
    """A PC4 area's centroid and, when known, its place and district names."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    pc4: str = Field(pattern=r"^[1-9][0-9]{3}$", examples=["3511"])
    lat: float = Field(ge=-90, le=90, allow_inf_nan=False, examples=[52.0907])
    lon: float = Field(ge=-180, le=180, allow_inf_nan=False, examples=[5.1214])
    place: str | None = Field(None, min_length=1, max_length=100, pattern=_PRINTABLE, examples=["Utrecht"])
    district: str | None = Field(None, min_length=1, max_length=100, pattern=_PRINTABLE, examples=["Binnenstad"])


class PublicContactIn(BaseModel):
    """How the public reaches the centrale (shown on every task's page instead of any person)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    email: EmailStr | None = Field(None, examples=["info@vcutrecht.example"])
    phone: Phone | None = Field(None, examples=["030 123 45 67"])
    website: AnyHttpUrl | None = Field(None, examples=["https://www.vcutrecht.example/"])


def search_query(
    q: Annotated[str | None, Query(max_length=200, description="Words to find (Dutch stemming and prefixes).")] = None,
    centrale: Annotated[
        str | None, Query(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$", description="Only this centrale's tasks.")
    ] = None,
    theme: Annotated[list[str] | None, Query(max_length=10, description="Any of these themes (repeatable).")] = None,
    postcode: Annotated[
        str | None,
        Query(
            pattern=r"^\s*[1-9][0-9]{3}\s?([A-Za-z]{2})?\s*$",
            description="Measure distances from this postcode's PC4 area ('3511' or '3511 AB').",
        ),
    ] = None,
    within_km: Annotated[
        float | None, Query(gt=0, le=MAX_RADIUS_KM, allow_inf_nan=False, description="At most this far (km).")
    ] = None,
    kind: Annotated[Kind | None, Query(description="one_off or structural.")] = None,
    available_from: Annotated[
        date | None, Query(ge=FIRST_DAY, le=LAST_DAY, description="Open on or after this day.")
    ] = None,
    available_until: Annotated[
        date | None, Query(ge=FIRST_DAY, le=LAST_DAY, description="Starting on or before this day.")
    ] = None,
    min_hours_per_week: Annotated[Decimal | None, Query(ge=0, le=168, max_digits=5, decimal_places=2)] = None,
    max_hours_per_week: Annotated[Decimal | None, Query(ge=0, le=168, max_digits=5, decimal_places=2)] = None,
    support_accessible: Annotated[bool | None, Query(description="Suits people who need support.")] = None,
    team_suitable: Annotated[bool | None, Query(description="Suits a team.")] = None,
    vog_required: Annotated[bool | None, Query(description="Asks for a VOG (true) or not (false).")] = None,
) -> SearchVacatures:
    """The search filters every vacaturebank route shares."""
    themes = tuple(dict.fromkeys(t.strip().lower() for t in theme or () if t.strip()))
    if any(len(t) > 40 or not t.isprintable() for t in themes):
        raise Rejected(["a theme is at most 40 printable characters"], field="theme", location="query")
    return SearchVacatures(
        text=q,
        centrale_id=centrale,
        themes=themes,
        postcode=postcode,
        within_km=within_km,
        kind=kind,
        available_from=available_from,
        available_until=available_until,
        min_hours_per_week=min_hours_per_week,
        max_hours_per_week=max_hours_per_week,
        support_accessible=support_accessible,
        team_suitable=team_suitable,
        vog_required=vog_required,
    )


SearchDep = Annotated[SearchVacatures, Depends(search_query)]
# What the feeds answer, for OpenAPI (they are not JSON documents of a model).
_NOT_MODIFIED: dict[int | str, dict[str, Any]] = {304: {"description": "Not modified (If-None-Match)."}}
_JSON_FEED: dict[int | str, dict[str, Any]] = {
    200: {"description": "A JSON Feed 1.1.", "content": {"application/feed+json": {"schema": {"type": "object"}}}},
    **_NOT_MODIFIED,
}
_ATOM_FEED: dict[int | str, dict[str, Any]] = {
    200: {"description": "An Atom 1.0 feed.", "content": {"application/atom+xml": {"schema": {"type": "string"}}}},
    **_NOT_MODIFIED,
}


@router.get(
    "/vacatures",
    response_model=SearchOut,
    summary="Search published tasks (no login): text, theme, distance, kind, dates, hours, suitability.",
    responses={304: {"description": "Not modified (If-None-Match)."}},
)
async def search(
    request: Request,
    uow: PublicUowDep,
    filters: SearchDep,
    sort: Annotated[Sort, Query(description="relevance (text), distance (postcode), newest.")] = Sort.RELEVANCE,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 20,
) -> Response:
    result = await search_vacatures(replace(filters, sort=sort, page=page, page_size=page_size), uow)
    settings = _settings(request)
    base = public_base_url(request)
    pages = result.pages

    def link(number: int) -> str:
        url = request.url.include_query_params(page=number)
        return f"{base}{url.path}?{url.query}"

    body = SearchOut(
        total=result.total,
        page=result.page,
        page_size=result.page_size,
        pages=pages,
        items=[_summary(v, _page_url(settings, base, v.id)) for v in result.vacatures],
        links=PageLinks(
            self=link(page),
            next=link(page + 1) if page < pages and page < MAX_PAGE else None,
            prev=link(page - 1) if page > 1 else None,
        ),
    )
    return _cached_json(request, body, SEARCH_MAX_AGE)


@router.get(
    "/vacatures/facets",
    response_model=FacetsOut,
    summary="How many tasks are published per theme and per centrale (no login).",
)
async def facets(
    request: Request,
    uow: PublicUowDep,
    centrale: Annotated[str | None, Query(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")] = None,
) -> Response:
    found = await get_vacature_facets(GetVacatureFacets(centrale), uow)
    body = FacetsOut(
        themes=[{"theme": theme, "count": count} for theme, count in found.themes.items()],
        centrales=[{"id": key, "name": name, "count": count} for key, (name, count) in found.centrales.items()],
    )
    return _cached_json(request, body, SEARCH_MAX_AGE)


@router.get(
    "/vacatures/feed.json",
    summary="The region's newest tasks as a JSON Feed 1.1 (filters as in search).",
    response_class=Response,
    responses=_JSON_FEED,
)
async def region_json_feed(request: Request, uow: PublicUowDep, filters: SearchDep) -> Response:
    feed = await get_vacature_feed(GetVacatureFeed(None, filters, FEED_LIMIT), uow)
    return _json_feed_response(request, feed)


@router.get(
    "/vacatures/feed.atom",
    summary="The region's newest tasks as an Atom 1.0 feed (filters as in search).",
    response_class=Response,
    responses=_ATOM_FEED,
)
async def region_atom_feed(request: Request, uow: PublicUowDep, filters: SearchDep) -> Response:
    feed = await get_vacature_feed(GetVacatureFeed(None, filters, FEED_LIMIT), uow)
    return _atom_response(request, feed)


@router.get(
    "/centrales/{centrale_id}/vacatures/feed.json",
    summary="A centrale's newest tasks as a JSON Feed 1.1, for its own website.",
    response_class=Response,
    responses=_JSON_FEED,
)
async def centrale_json_feed(centrale_id: str, request: Request, uow: PublicUowDep, filters: SearchDep) -> Response:
    feed = await get_vacature_feed(GetVacatureFeed(centrale_id, filters, FEED_LIMIT), uow)
    return _json_feed_response(request, feed)


@router.get(
    "/centrales/{centrale_id}/vacatures/feed.atom",
    summary="A centrale's newest tasks as an Atom 1.0 feed, for its own website and feed readers.",
    response_class=Response,
    responses=_ATOM_FEED,
)
async def centrale_atom_feed(centrale_id: str, request: Request, uow: PublicUowDep, filters: SearchDep) -> Response:
    feed = await get_vacature_feed(GetVacatureFeed(centrale_id, filters, FEED_LIMIT), uow)
    return _atom_response(request, feed)


@router.get(
    "/vacatures/{task_id}",
    response_model=VacatureOut,
    summary="A task's public page with its schema.org JSON-LD record (no login).",
    description="404 for a draft or an unknown id; **410 Gone** for a task that no longer takes volunteers "
    "(filled, closed, expired), with its title, status and the centrale's contact, so a page can say so and "
    "search engines drop it.",
    responses={410: {"description": "The task was filled, closed or expired."}},
)
async def public_page(task_id: UUID, request: Request, uow: PublicUowDep) -> Response:
    found = await get_vacature(GetVacature(task_id), uow)
    base = public_base_url(request)
    url = _page_url(_settings(request), base, task_id)
    vacature, centrale = found.vacature, found.centrale
    if not found.open:
        gone = {
            "detail": _GONE.get(vacature.status, "deze vacature is gesloten"),
            "id": vacature.id,
            "status": vacature.status,
            "title": vacature.title,
            "organisation": vacature.organisation_name,
            "closed_at": vacature.closed_at,
            "centrale": _card_out(centrale),
        }
        return _cached_json(request, gone, GONE_MAX_AGE, status_code=410)
    body = VacatureOut(
        id=vacature.id,
        url=url,
        status=vacature.status,
        open=True,
        title=vacature.title,
        description=vacature.description,
        offer=vacature.offer,
        asked=what_is_asked(vacature),
        organisation=vacature.organisation_name,
        centrale=_card_out(centrale),
        theme=vacature.theme,
        skills=vacature.skills,
        area=_area(vacature),
        kind=_kind(vacature),
        schedule=schedule_lines(vacature),
        shifts=vacature.shifts,
        one_off_start=vacature.one_off_start,
        one_off_end=vacature.one_off_end,
        capacity=vacature.capacity,
        hours_per_week=float(vacature.hours_per_week),
        vog_required=vacature.vog_required,
        team_suitable=vacature.team_suitable,
        support_accessible=vacature.support_accessible,
        closing_date=vacature.closing_date,
        published_at=vacature.published_at,
        updated_at=vacature.updated_at,
        closed_at=vacature.closed_at,
        json_ld=job_posting(
            vacature,
            url=url,
            centrale_name=centrale.name,
            email=centrale.email,
            phone=centrale.phone,
            website=centrale.website,
        ),
    )
    return _cached_json(request, body, PAGE_MAX_AGE)


@router.get(
    "/centrales/{centrale_id}/public-contact",
    response_model=CentraleCardOut,
    summary="How the public reaches a centrale (no login).",
)
async def public_contact(centrale_id: str, request: Request, uow: PublicUowDep) -> Response:
    card = await get_centrale_card(GetCentraleCard(centrale_id), uow)
    return _cached_json(request, _card_out(card), PAGE_MAX_AGE)


@router.put(
    "/centrales/{centrale_id}/public-contact",
    status_code=204,
    tags=["centrale staff"],
    summary="Set the centrale's public contact (staff of the centrale, or region ops).",
)
async def put_public_contact(centrale_id: str, body: PublicContactIn, caller: CallerDep, uow: RegistryUowDep) -> None:
    require_centrale_access(caller, centrale_id, Role.CENTRALE_STAFF, Role.REGION_OPS)
    website = str(body.website) if body.website is not None else None
    await set_public_contact(SetPublicContact(centrale_id, body.email, body.phone, website), uow)


@router.put(
    "/postcode-areas",
    tags=["region ops"],
    summary="Load PC4 centroids and place/district names (distance and place without addresses).",
)
async def put_postcode_areas(
    body: Annotated[list[PostcodeAreaIn], Field(max_length=10_000)], caller: CallerDep, uow: RegistryUowDep
) -> dict[str, int]:
    require_role(caller, Role.REGION_OPS)
    areas = tuple(PostcodeArea(a.pc4, a.lat, a.lon, a.place, a.district) for a in body)
    return {"loaded": await load_postcode_areas(LoadPostcodeAreas(areas), uow)}


_GONE = {
    "filled": "deze vacature is vervuld",
    "closed": "deze vacature is gesloten",
    "expired": "deze vacature is verlopen",
}


def public_base_url(request: Request) -> str:
    """The registry's public address: the setting, or the address the request came in on."""
    return _settings(request).public_url or str(request.base_url).rstrip("/")


def _settings(request: Request) -> Settings:
    settings = get_runtime(request).settings
    assert isinstance(settings, Settings), "the registry runs with its own settings"
    return settings


def _page_url(settings: Settings, base: str, task_id: UUID) -> str:
    if settings.vacature_page_url:
        return settings.vacature_page_url.replace("{task_id}", str(task_id))
    return f"{base}/v1/vacatures/{task_id}"


def _kind(vacature: Vacature) -> Kind:
    return Kind.ONE_OFF if vacature.one_off_start is not None else Kind.STRUCTURAL


def _area(vacature: Vacature) -> AreaOut:
    return AreaOut(pc4=vacature.postcode_area, place=vacature.place, district=vacature.district)


def _card_out(card: CentraleCard) -> CentraleCardOut:
    return CentraleCardOut(id=card.id, name=card.name, email=card.email, phone=card.phone, website=card.website)


def _summary(vacature: Vacature, url: str) -> VacatureSummaryOut:
    summary = vacature.description if len(vacature.description) <= 200 else vacature.description[:199] + "…"
    return VacatureSummaryOut(
        id=vacature.id,
        url=url,
        title=vacature.title,
        summary=summary,
        organisation=vacature.organisation_name,
        centrale_id=vacature.centrale_id,
        theme=vacature.theme,
        area=_area(vacature),
        distance_km=round(vacature.distance_km, 1) if vacature.distance_km is not None else None,
        kind=_kind(vacature),
        schedule=schedule_lines(vacature),
        hours_per_week=float(vacature.hours_per_week),
        vog_required=vacature.vog_required,
        team_suitable=vacature.team_suitable,
        support_accessible=vacature.support_accessible,
        one_off_start=vacature.one_off_start,
        one_off_end=vacature.one_off_end,
        closing_date=vacature.closing_date,
        published_at=vacature.published_at,
    )


def _feed_info(request: Request, feed: VacatureFeed, extension: str) -> FeedInfo:
    settings = _settings(request)
    base = public_base_url(request)
    if feed.centrale is None:
        title, author, path = f"Vacatures in regio {feed.region}", f"Regio {feed.region}", "/v1/vacatures"
    else:
        title = f"Vacatures van {feed.centrale.name}"
        author, path = feed.centrale.name, f"/v1/centrales/{feed.centrale.id}/vacatures"
    query = f"?{request.url.query}" if request.url.query else ""
    return FeedInfo(
        title=title,
        id=f"{base}{path}/feed{query}",
        self_url=f"{base}{path}/feed.{extension}{query}",
        home_url=settings.vacaturebank_url or f"{base}/v1/vacatures",
        author=author,
        # An empty feed has no entry to date it: the hour, so its ETag holds for a while.
        updated=feed.updated or get_runtime(request).clock.now().replace(minute=0, second=0, microsecond=0),
    )


def _entries(request: Request, feed: VacatureFeed) -> list[tuple[Vacature, str]]:
    settings, base = _settings(request), public_base_url(request)
    return [(vacature, _page_url(settings, base, vacature.id)) for vacature in feed.vacatures]


def _json_feed_response(request: Request, feed: VacatureFeed) -> Response:
    body = json_feed(_feed_info(request, feed, "json"), _entries(request, feed))
    return _cached(request, json.dumps(body, ensure_ascii=False).encode(), "application/feed+json", FEED_MAX_AGE)


def _atom_response(request: Request, feed: VacatureFeed) -> Response:
    body = atom_feed(_feed_info(request, feed, "atom"), _entries(request, feed))
    return _cached(request, body, "application/atom+xml; charset=utf-8", FEED_MAX_AGE)


def _cached_json(request: Request, body: Any, max_age: int, *, status_code: int = 200) -> Response:
    content = json.dumps(jsonable_encoder(body), ensure_ascii=False, separators=(",", ":")).encode()
    return _cached(request, content, "application/json", max_age, status_code=status_code)


def _cached(request: Request, content: bytes, media_type: str, max_age: int, *, status_code: int = 200) -> Response:
    """A public answer with caching headers; 304 when the client's ``If-None-Match`` names this content."""
    etag = '"' + hashlib.sha256(content).hexdigest()[:32] + '"'
    headers = {
        "Cache-Control": f"public, max-age={max_age}",
        "ETag": etag,
        "Access-Control-Allow-Origin": "*",
        "Vary": "Accept-Encoding",
    }
    if status_code == 200 and etag in {tag.strip() for tag in request.headers.get("if-none-match", "").split(",")}:
        return Response(status_code=304, headers=headers)
    return Response(content, status_code=status_code, media_type=media_type, headers=headers)
