"""The public vacaturebank's read side: published tasks as anyone may see them, searched in PostgreSQL.

A search is one statement: the matches in order, then the page's rows joined to their names; ordered by
relevance or distance the total rides along (a window count), newest first it is counted apart (an index-only
scan) so the page can stop after its rows. Each is planned for the values of each search (``plan_cache_mode``,
for the search's transaction only). The text matches ``tasks.search_document`` (a generated ``tsvector`` in the
Dutch configuration, GIN-indexed); a distance joins the PC4 areas within a bounding box of the origin, then
measures each exactly.
Only the columns listed in ``_PUBLIC`` ever leave this module: never a contact person, never the street
postcode of a task.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol
from uuid import UUID

import asyncpg

from common.db import Connection
from registry.repositories._table import Table
from registry.vacaturebank import EARTH_RADIUS_KM, Criteria, Kind, Sort, bounding_box, tsquery_text

__all__ = [
    "Facets",
    "PostgresPublicContactRepository",
    "PostgresVacatureRepository",
    "PublicContact",
    "PublicContactRepository",
    "Statement",
    "Vacature",
    "VacaturePage",
    "VacatureRepository",
    "search_statements",
]


@dataclass(frozen=True)
class Vacature:
    """A task as the public sees it: what the organisation published, its area, never a person."""

    id: UUID
    centrale_id: str
    centrale_name: str
    organisation_name: str
    title: str
    description: str
    theme: str
    capacity: int
    hours_per_week: Decimal
    vog_required: bool
    status: str
    published_at: datetime
    offer: str | None = None
    skills: list[str] = field(default_factory=list)
    postcode_area: str | None = None
    place: str | None = None
    district: str | None = None
    one_off_start: datetime | None = None
    one_off_end: datetime | None = None
    shifts: list[dict[str, Any]] = field(default_factory=list)
    team_suitable: bool = False
    support_accessible: bool = False
    closing_date: date | None = None
    updated_at: datetime | None = None
    closed_at: datetime | None = None
    distance_km: float | None = None
    """From the search's origin, when it had one and the task's area is known."""


@dataclass(frozen=True)
class VacaturePage:
    """One page of a search and how many tasks match in all."""

    total: int
    vacatures: list[Vacature]


@dataclass(frozen=True)
class Facets:
    """Counts of published tasks per theme and per centrale (for a search form's choices)."""

    themes: dict[str, int]
    centrales: dict[str, tuple[str, int]]
    """Centrale id → (name, count)."""


@dataclass(frozen=True)
class PublicContact:
    """A row of ``centrale_public_contacts``: how the public reaches a centrale."""

    centrale_id: str
    updated_at: datetime
    email: str | None = None
    phone: str | None = None
    website: str | None = None


class VacatureRepository(Protocol):
    """Published tasks as the public sees them."""

    async def search(self, criteria: Criteria, sort: Sort, limit: int, offset: int) -> VacaturePage:
        """Published tasks meeting ``criteria`` in ``sort`` order: ``limit`` of them from ``offset``."""
        ...

    async def get(self, task_id: UUID) -> Vacature | None:
        """A task that was ever published (open or not), or None for a draft or an unknown id."""
        ...

    async def facets(self, centrale_id: str | None) -> Facets:
        """How many tasks are published per theme and per centrale (of one centrale, when given)."""
        ...


class PublicContactRepository(Protocol):
    """The centrales' public contact details."""

    async def put(self, contact: PublicContact) -> None:
        """Store or replace a centrale's contact."""
        ...

    async def get(self, centrale_id: str) -> PublicContact | None:
        """A centrale's contact, or None when it has not given one."""
        ...


# What the public may see of a task, its organisation, centrale and area.
_PUBLIC = (
    "t.id, t.centrale_id, c.name AS centrale_name, o.name AS organisation_name, t.title, t.description, t.theme,"
    " t.capacity, t.hours_per_week, t.vog_required, t.status, t.published_at, t.offer, t.skills, t.postcode_area,"
    " a.place, a.district, t.one_off_start, t.one_off_end, t.shifts, t.team_suitable, t.support_accessible,"
    " t.closing_date, t.updated_at, t.closed_at"
)
_NAMES = "JOIN organisations o ON o.id = t.organisation_id JOIN centrales c ON c.id = t.centrale_id"
# Closing and one-off dates are Dutch calendar dates.
_LOCAL_DATE = "((t.{column} AT TIME ZONE 'Europe/Amsterdam')::date)"


class _Search:
    """The FROM and WHERE of one search, with its bind parameters (numbered as they are added)."""

    def __init__(self, criteria: Criteria) -> None:
        self.params: list[Any] = []
        self.conditions = ["t.status = 'published'"]
        self.rank = "0"
        self.distance = "NULL::float8"
        self.area_join = ""
        self._add(criteria)

    def param(self, value: Any) -> str:
        """A placeholder for ``value``."""
        self.params.append(value)
        return f"${len(self.params)}"

    def _add(self, c: Criteria) -> None:
        where = self.conditions
        if c.terms:
            query = f"to_tsquery('dutch', {self.param(tsquery_text(c.terms))})"
            where.append(f"t.search_document @@ {query}")
            self.rank = f"ts_rank_cd(t.search_document, {query})"
        if c.origin is not None:
            lat, lon = self.param(c.origin[0]), self.param(c.origin[1])
            self.distance = (
                f"2 * {EARTH_RADIUS_KM} * asin(least(1, sqrt(sin(radians(a.lat - {lat}) / 2) ^ 2"
                f" + cos(radians({lat})) * cos(radians(a.lat)) * sin(radians(a.lon - {lon}) / 2) ^ 2)))"
            )
            self.area_join = "LEFT JOIN postcode_areas a ON a.pc4 = t.postcode_area"
            if c.within_km is not None:
                low_lat, high_lat, low_lon, high_lon = bounding_box(c.origin, c.within_km)
                self.area_join = "JOIN postcode_areas a ON a.pc4 = t.postcode_area"
                where.append(f"a.lat BETWEEN {self.param(low_lat)} AND {self.param(high_lat)}")
                where.append(f"a.lon BETWEEN {self.param(low_lon)} AND {self.param(high_lon)}")
                where.append(f"{self.distance} <= {self.param(c.within_km)}")
        if c.centrale_id is not None:
            where.append(f"t.centrale_id = {self.param(c.centrale_id)}")
        if c.themes:
            where.append(f"t.theme = ANY({self.param(list(c.themes))}::text[])")
        if c.kind is Kind.ONE_OFF:
            where.append("t.one_off_start IS NOT NULL")
        elif c.kind is Kind.STRUCTURAL:
            where.append("t.one_off_start IS NULL")
        if c.available_from is not None:
            day = self.param(c.available_from)
            where.append(f"(t.closing_date IS NULL OR t.closing_date >= {day})")
            where.append(f"(t.one_off_end IS NULL OR {_LOCAL_DATE.format(column='one_off_end')} >= {day})")
        if c.available_until is not None:
            day = self.param(c.available_until)
            where.append(f"(t.one_off_start IS NULL OR {_LOCAL_DATE.format(column='one_off_start')} <= {day})")
        if c.min_hours_per_week is not None:
            where.append(f"t.hours_per_week >= {self.param(c.min_hours_per_week)}")
        if c.max_hours_per_week is not None:
            where.append(f"t.hours_per_week <= {self.param(c.max_hours_per_week)}")
        for column in ("support_accessible", "team_suitable", "vog_required"):
            wanted = getattr(c, column)
            if wanted is not None:
                where.append(f"t.{column} = {self.param(wanted)}")

    @staticmethod
    def ranked_by_match(sort: Sort, has_terms: bool, has_origin: bool) -> bool:
        """Whether the order is by relevance or distance (computed per match), not newest first (an index)."""
        return (sort is Sort.RELEVANCE and has_terms) or (sort is Sort.DISTANCE and has_origin)

    @staticmethod
    def order(sort: Sort, has_terms: bool, has_origin: bool, of: str) -> str:
        """The ORDER BY of ``sort`` over the columns of ``of`` (newest breaks ties; relevance without text and
        distance without an origin are newest)."""
        newest = f"{of}.published_at DESC, {of}.id DESC"
        if sort is Sort.RELEVANCE and has_terms:
            return f"{of}.rank DESC, {newest}"
        if sort is Sort.DISTANCE and has_origin:
            return f"{of}.distance_km ASC NULLS LAST, {newest}"
        return newest

    def page_sql(self, sort: Sort, has_terms: bool, has_origin: bool, limit: int, offset: int) -> str:
        """The statement for one page: the matching ids in order (with the total when ``counted``), then only
        their details.

        Ordered by relevance or distance, every match is visited anyway, so the total rides along as a window
        count. Newest first, the page walks ``tasks_published_newest`` and stops after it; a window count there
        would visit all 50,000 tasks of a region for 20 (``ranked_by_match`` says which; the count comes apart).
        Names and texts are joined for the page's rows only.
        """
        total = "count(*) OVER ()" if self.ranked_by_match(sort, has_terms, has_origin) else "NULL::bigint"
        matches = (
            f"SELECT t.id, t.published_at, {self.distance} AS distance_km, {self.rank} AS rank,"  # noqa: S608
            f" {total} AS total FROM tasks t {self.area_join}"
            f" WHERE {' AND '.join(self.conditions)}"
        )
        ordered = f"SELECT * FROM ({matches}) m ORDER BY {self.order(sort, has_terms, has_origin, 'm')}"  # noqa: S608
        return (
            f"SELECT {_PUBLIC}, p.distance_km, p.total"  # noqa: S608  (built from fixed fragments)
            f" FROM ({ordered} LIMIT {self.param(limit)} OFFSET {self.param(offset)}) p"
            f" JOIN tasks t ON t.id = p.id LEFT JOIN postcode_areas a ON a.pc4 = t.postcode_area {_NAMES}"
            f" ORDER BY {self.order(sort, has_terms, has_origin, 'p')}"
        )

    def count_sql(self) -> str:
        """The statement for the total (without the page's parameters)."""
        return (
            f"SELECT count(*) FROM tasks t {self.area_join}"  # noqa: S608  (built from fixed fragments)
            f" WHERE {' AND '.join(self.conditions)}"
        )


@dataclass(frozen=True)
class Statement:
    """A SQL statement and its bind parameters."""

    sql: str
    params: list[Any]


def search_statements(criteria: Criteria, sort: Sort, limit: int, offset: int) -> tuple[Statement, Statement]:
    """The statements a search runs: one page (with the total when ordered by relevance or distance), and the
    total alone (run when the page carries none: newest first, or a page past the end).

    The search itself runs these, and the benchmark (``bench.vacaturebank``) asks PostgreSQL to EXPLAIN them.
    """
    search = _Search(criteria)
    count = Statement(search.count_sql(), list(search.params))
    page_sql = search.page_sql(sort, bool(criteria.terms), criteria.origin is not None, limit, offset)
    return Statement(page_sql, list(search.params)), count


_FIELDS = tuple(f.name for f in fields(Vacature))


def _vacature(row: asyncpg.Record) -> Vacature:
    """A vacature from a row selected with ``_PUBLIC`` (and, in a search, its distance)."""
    values = {name: row[name] for name in _FIELDS if name in row}
    values["shifts"] = json.loads(values["shifts"])
    return Vacature(**values)


class PostgresVacatureRepository:
    """The public read side of tasks in PostgreSQL."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def search(self, criteria: Criteria, sort: Sort, limit: int, offset: int) -> VacaturePage:
        """Published tasks meeting ``criteria``, one page, and the total."""
        # Plan each search for its own values: a cached generic plan cannot see how selective the words, the
        # theme or the bounding box are, and measured 20-50 times slower (bench.vacaturebank).
        asks_text = await self._conn.fetchval(
            "SELECT set_config('plan_cache_mode', 'force_custom_plan', true) IS NOT NULL"
            " AND numnode(to_tsquery('dutch', $1)) > 0",
            tsquery_text(criteria.terms),
        )
        if criteria.terms and not asks_text:
            # Only stop words ("de", "het", "voor"): the text asks nothing, so it filters nothing.
            criteria = replace(criteria, terms=())
        page, count = search_statements(criteria, sort, limit, offset)
        rows = await self._conn.fetch(page.sql, *page.params)
        if rows and rows[0]["total"] is not None:
            total = rows[0]["total"]
        elif offset == 0 and len(rows) < limit:
            total = len(rows)  # the first page holds them all
        else:  # newest first (no window count), or a page past the end: counted on its own
            total = await self._conn.fetchval(count.sql, *count.params)
        return VacaturePage(total=total, vacatures=[_vacature(row) for row in rows])

    async def get(self, task_id: UUID) -> Vacature | None:
        """A task that was ever published, or None."""
        row = await self._conn.fetchrow(
            f"SELECT {_PUBLIC} FROM tasks t LEFT JOIN postcode_areas a ON a.pc4 = t.postcode_area {_NAMES}"  # noqa: S608
            " WHERE t.id = $1 AND t.published_at IS NOT NULL",
            task_id,
        )
        return _vacature(row) if row is not None else None

    async def facets(self, centrale_id: str | None) -> Facets:
        """Published tasks per theme and per centrale."""
        themes = await self._conn.fetch(
            "SELECT theme, count(*) AS n FROM tasks"
            " WHERE status = 'published' AND ($1::text IS NULL OR centrale_id = $1) GROUP BY theme ORDER BY theme",
            centrale_id,
        )
        # Counted per centrale id first (an index-only scan of tasks_published_centrale), then named: joining
        # the names to every task before grouping took ten times as long with 50,000 tasks.
        centrales = await self._conn.fetch(
            "SELECT c.id, c.name, n.n FROM (SELECT centrale_id, count(*) AS n FROM tasks"
            " WHERE status = 'published' AND ($1::text IS NULL OR centrale_id = $1) GROUP BY centrale_id) n"
            " JOIN centrales c ON c.id = n.centrale_id ORDER BY c.id",
            centrale_id,
        )
        return Facets(
            themes={row["theme"]: row["n"] for row in themes},
            centrales={row["id"]: (row["name"], row["n"]) for row in centrales},
        )


CONTACTS = Table("centrale_public_contacts", PublicContact, key="centrale_id")


class PostgresPublicContactRepository:
    """The centrales' public contact details in PostgreSQL."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def put(self, contact: PublicContact) -> None:
        """Store or replace a centrale's contact."""
        await self._conn.execute(
            CONTACTS.insert(
                then="ON CONFLICT (centrale_id) DO UPDATE SET email = excluded.email, phone = excluded.phone,"
                " website = excluded.website, updated_at = excluded.updated_at"
            ),
            *CONTACTS.values(contact),
        )

    async def get(self, centrale_id: str) -> PublicContact | None:
        """A centrale's contact, or None."""
        row = await self._conn.fetchrow(CONTACTS.select("centrale_id = $1"), centrale_id)
        return CONTACTS.load(row) if row is not None else None
