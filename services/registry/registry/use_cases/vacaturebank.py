"""The public vacaturebank: search published tasks, a task's public page, feeds, and what they rest on
(PC4 areas loaded by ops, the centrale's public contact). Nothing here needs a login; nothing shows a person.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from common.errors import NotFound, Rejected
from registry import domain
from registry.domain import TaskStatus
from registry.repositories import Facets, PostcodeArea, PublicContact, Vacature
from registry.unit_of_work import RegistryUnitOfWork
from registry.vacaturebank import Criteria, Kind, Sort, search_terms

__all__ = [
    "CentraleCard",
    "GetCentraleCard",
    "GetVacature",
    "GetVacatureFacets",
    "GetVacatureFeed",
    "LoadPostcodeAreas",
    "PublicVacature",
    "SearchResult",
    "SearchVacatures",
    "SetPublicContact",
    "VacatureFeed",
    "get_centrale_card",
    "get_vacature",
    "get_vacature_facets",
    "get_vacature_feed",
    "load_postcode_areas",
    "search_vacatures",
    "set_public_contact",
]


@dataclass(frozen=True)
class SearchVacatures:
    """Search the published tasks of the region (or of one centrale); None or empty means "any"."""

    text: str | None = None
    centrale_id: str | None = None
    themes: tuple[str, ...] = ()
    postcode: str | None = None
    """Measure distances from this postcode's PC4 area ('3511' or '3511 AB')."""
    within_km: float | None = None
    kind: Kind | None = None
    available_from: date | None = None
    available_until: date | None = None
    min_hours_per_week: Decimal | None = None
    max_hours_per_week: Decimal | None = None
    support_accessible: bool | None = None
    team_suitable: bool | None = None
    vog_required: bool | None = None
    sort: Sort = Sort.RELEVANCE
    page: int = 1
    page_size: int = 20


@dataclass(frozen=True)
class SearchResult:
    """One page of matching tasks and how many there are in all."""

    total: int
    page: int
    page_size: int
    vacatures: list[Vacature]

    @property
    def pages(self) -> int:
        """How many pages the whole result fills."""
        return -(-self.total // self.page_size)


@dataclass(frozen=True)
class CentraleCard:
    """A centrale as the public meets it: its name and how to reach it (never a staff member)."""

    id: str
    name: str
    municipality_code: str
    email: str | None = None
    phone: str | None = None
    website: str | None = None


@dataclass(frozen=True)
class PublicVacature:
    """A task's public page: the task as published and the centrale to contact about it."""

    vacature: Vacature
    centrale: CentraleCard

    @property
    def open(self) -> bool:
        """Whether the task still takes volunteers (a filled, closed or expired task's page says so)."""
        return self.vacature.status == TaskStatus.PUBLISHED


@dataclass(frozen=True)
class GetVacature:
    """A task's public page (a draft has none)."""

    task_id: UUID


@dataclass(frozen=True)
class GetVacatureFeed:
    """The newest published tasks of a centrale (None: of the region), optionally narrowed like a search."""

    centrale_id: str | None = None
    search: SearchVacatures = SearchVacatures()
    limit: int = 50


@dataclass(frozen=True)
class VacatureFeed:
    """A feed's tasks, newest first, and whose feed it is (None: the region's)."""

    region: str
    centrale: CentraleCard | None
    vacatures: list[Vacature]
    updated: datetime | None
    """When the newest entry was published or changed; None for an empty feed."""


@dataclass(frozen=True)
class GetVacatureFacets:
    """How many tasks are published per theme and per centrale (of one centrale, when given)."""

    centrale_id: str | None = None


@dataclass(frozen=True)
class LoadPostcodeAreas:
    """Add or replace PC4 areas (region ops)."""

    areas: tuple[PostcodeArea, ...]


@dataclass(frozen=True)
class SetPublicContact:
    """Set how the public reaches a centrale (its staff or region ops)."""

    centrale_id: str
    email: str | None
    phone: str | None
    website: str | None


@dataclass(frozen=True)
class GetCentraleCard:
    """A centrale's public name and contact."""

    centrale_id: str


async def search_vacatures(query: SearchVacatures, uow: RegistryUnitOfWork) -> SearchResult:
    """Published tasks meeting the query, one page; Rejected (at the query parameter) when it cannot be asked."""
    criteria = await _criteria(query, uow)
    if query.sort is Sort.DISTANCE and criteria.origin is None:
        raise Rejected(["sorting by distance needs a postcode to measure from"], field="sort", location="query")
    offset = (query.page - 1) * query.page_size
    found = await uow.vacatures.search(criteria, query.sort, query.page_size, offset)
    return SearchResult(total=found.total, page=query.page, page_size=query.page_size, vacatures=found.vacatures)


async def get_vacature(query: GetVacature, uow: RegistryUnitOfWork) -> PublicVacature:
    """The task's public page, open or not; NotFound for a draft or an unknown id."""
    vacature = await uow.vacatures.get(query.task_id)
    if vacature is None:
        raise NotFound(f"vacature {query.task_id} not found")
    return PublicVacature(vacature, await _card(uow, vacature.centrale_id))


async def get_vacature_feed(query: GetVacatureFeed, uow: RegistryUnitOfWork) -> VacatureFeed:
    """The newest published tasks for a feed; NotFound for an unknown centrale."""
    centrale = await _card(uow, query.centrale_id) if query.centrale_id is not None else None
    search = replace(query.search, centrale_id=query.centrale_id) if centrale is not None else query.search
    criteria = await _criteria(search, uow)
    found = await uow.vacatures.search(criteria, Sort.NEWEST, query.limit, 0)
    moments = [v.updated_at or v.published_at for v in found.vacatures]
    return VacatureFeed(
        region=uow.origin.region,
        centrale=centrale,
        vacatures=found.vacatures,
        updated=max(moments) if moments else None,
    )


async def get_vacature_facets(query: GetVacatureFacets, uow: RegistryUnitOfWork) -> Facets:
    """Published tasks per theme and per centrale."""
    if query.centrale_id is not None and not await uow.centrales.exists(query.centrale_id):
        raise Rejected(["no such centrale"], field="centrale", location="query")
    return await uow.vacatures.facets(query.centrale_id)


async def load_postcode_areas(cmd: LoadPostcodeAreas, uow: RegistryUnitOfWork) -> int:
    """Add or replace the PC4 areas; how many were given."""
    return await uow.postcode_areas.load(cmd.areas)


async def set_public_contact(cmd: SetPublicContact, uow: RegistryUnitOfWork) -> None:
    """Store the centrale's public contact; NotFound for an unknown centrale."""
    if not await uow.centrales.exists(cmd.centrale_id):
        raise NotFound(f"centrale {cmd.centrale_id} not found")
    contact = PublicContact(cmd.centrale_id, uow.now(), cmd.email, cmd.phone, cmd.website)
    await uow.public_contacts.put(contact)


async def get_centrale_card(query: GetCentraleCard, uow: RegistryUnitOfWork) -> CentraleCard:
    """The centrale's public name and contact; NotFound for an unknown centrale."""
    return await _card(uow, query.centrale_id)


async def _card(uow: RegistryUnitOfWork, centrale_id: str) -> CentraleCard:
    centrale = await uow.centrales.get(centrale_id)
    if centrale is None:
        raise NotFound(f"centrale {centrale_id} not found")
    contact = await uow.public_contacts.get(centrale_id)
    return CentraleCard(
        id=centrale.id,
        name=centrale.name,
        municipality_code=centrale.municipality_code,
        email=contact.email if contact else None,
        phone=contact.phone if contact else None,
        website=contact.website if contact else None,
    )


async def _criteria(query: SearchVacatures, uow: RegistryUnitOfWork) -> Criteria:
    """The repository's criteria for a query; Rejected at the parameter that cannot be used."""
    if query.centrale_id is not None and not await uow.centrales.exists(query.centrale_id):
        raise Rejected(["no such centrale"], field="centrale", location="query")
    origin = None
    if query.postcode is not None:
        try:
            pc4 = domain.postcode_area(query.postcode)
        except ValueError as error:
            raise Rejected([str(error)], field="postcode", location="query") from None
        area = await uow.postcode_areas.get(pc4)
        if area is None:
            raise Rejected([f"no location is known for postcode area {pc4}"], field="postcode", location="query")
        origin = (area.lat, area.lon)
    if query.within_km is not None and origin is None:
        raise Rejected(["a distance needs a postcode to measure from"], field="within_km", location="query")
    if query.available_from and query.available_until and query.available_until < query.available_from:
        raise Rejected(["lies before available_from"], field="available_until", location="query")
    if (
        query.min_hours_per_week is not None
        and query.max_hours_per_week is not None
        and query.max_hours_per_week < query.min_hours_per_week
    ):
        raise Rejected(["is less than min_hours_per_week"], field="max_hours_per_week", location="query")
    return Criteria(
        terms=search_terms(query.text),
        centrale_id=query.centrale_id,
        themes=query.themes,
        origin=origin,
        within_km=query.within_km,
        kind=query.kind,
        available_from=query.available_from,
        available_until=query.available_until,
        min_hours_per_week=query.min_hours_per_week,
        max_hours_per_week=query.max_hours_per_week,
        support_accessible=query.support_accessible,
        team_suitable=query.team_suitable,
        vog_required=query.vog_required,
    )
