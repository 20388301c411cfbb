"""In-memory fakes of the vacaturebank's and the calendar feeds' repositories (see ``tests/registry/fakes.py``).

The fake search keeps the PostgreSQL search's promises that do not depend on Dutch linguistics: every
word must match a word of the task (whole, or as a prefix from three letters on), a title match ranks
above a description match, distances as the SQL computes them, the same filters, orders and paging.
Stemming ("chauffeurs" finds "chauffeur") and stop words are PostgreSQL's alone and tested only there.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from dataclasses import fields, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

from registry import domain
from registry.domain import ConsentKind
from registry.repositories import (
    CalendarFeed,
    Commitment,
    Facets,
    PostcodeArea,
    PublicContact,
    Task,
    Vacature,
    VacaturePage,
)
from registry.vacaturebank import PREFIX_MIN_LENGTH, Criteria, Kind, Sort, distance_km

if TYPE_CHECKING:
    from tests.registry.fakes import FakeTables

__all__ = [
    "FakeCalendarFeedRepository",
    "FakePostcodeAreaRepository",
    "FakePublicContactRepository",
    "FakeVacatureRepository",
]

T = TypeVar("T")
_WORD = re.compile(r"[^\W_]+")
# Weights of where a word is found, in the order ts_rank_cd weighs them (A > B > C).
_TITLE, _DESCRIPTION, _OTHER = 1.0, 0.4, 0.2
_VACATURE_FIELDS = {f.name for f in fields(Vacature)}


def _stored(record: T) -> T:
    return copy.deepcopy(record)


def _words(text: str | None) -> set[str]:
    return set(_WORD.findall((text or "").lower()))


def _matches(term: str, words: set[str]) -> bool:
    return term in words or (len(term) >= PREFIX_MIN_LENGTH and any(word.startswith(term) for word in words))


class FakePostcodeAreaRepository:
    """PC4 areas in memory."""

    def __init__(self, tables: FakeTables) -> None:
        self._rows = tables.postcode_areas

    async def load(self, areas: Sequence[PostcodeArea]) -> int:
        for area in areas:
            self._rows[area.pc4] = _stored(area)
        return len(areas)

    async def get(self, pc4: str) -> PostcodeArea | None:
        return _stored(self._rows.get(pc4))


class FakePublicContactRepository:
    """Centrales' public contacts in memory."""

    def __init__(self, tables: FakeTables) -> None:
        self._rows = tables.centrale_public_contacts

    async def put(self, contact: PublicContact) -> None:
        self._rows[contact.centrale_id] = _stored(contact)

    async def get(self, centrale_id: str) -> PublicContact | None:
        return _stored(self._rows.get(centrale_id))


class FakeVacatureRepository:
    """The public read side of tasks, computed from the fake tables."""

    def __init__(self, tables: FakeTables) -> None:
        self._tables = tables

    async def search(self, criteria: Criteria, sort: Sort, limit: int, offset: int) -> VacaturePage:
        found: list[tuple[Vacature, float]] = []
        for task in self._tables.tasks.values():
            if task.status != "published":
                continue
            rank = self._rank(task, criteria.terms)
            distance = self._distance(task, criteria.origin)
            if rank is None or not self._meets(task, criteria, distance):
                continue
            found.append((replace(self._vacature(task), distance_km=distance), rank))
        newest = sorted(found, key=lambda pair: (pair[0].published_at, pair[0].id), reverse=True)
        if sort is Sort.RELEVANCE and criteria.terms:
            newest.sort(key=lambda pair: -pair[1])
        elif sort is Sort.DISTANCE and criteria.origin is not None:
            newest.sort(key=lambda pair: (pair[0].distance_km is None, pair[0].distance_km or 0.0))
        page = [vacature for vacature, _ in newest[offset : offset + limit]]
        return VacaturePage(total=len(found), vacatures=page)

    async def get(self, task_id: UUID) -> Vacature | None:
        task = self._tables.tasks.get(task_id)
        return self._vacature(task) if task is not None and task.published_at is not None else None

    async def facets(self, centrale_id: str | None) -> Facets:
        themes: dict[str, int] = {}
        centrales: dict[str, tuple[str, int]] = {}
        for task in self._tables.tasks.values():
            if task.status != "published" or centrale_id not in (None, task.centrale_id):
                continue
            themes[task.theme] = themes.get(task.theme, 0) + 1
            name, count = centrales.get(task.centrale_id, (self._tables.centrales[task.centrale_id].name, 0))
            centrales[task.centrale_id] = (name, count + 1)
        return Facets(themes=dict(sorted(themes.items())), centrales=dict(sorted(centrales.items())))

    def _vacature(self, task: Task) -> Vacature:
        area = self._tables.postcode_areas.get(task.postcode_area or "")
        public = {name: value for name, value in task.__dict__.items() if name in _VACATURE_FIELDS}
        return _stored(
            Vacature(
                **public,
                centrale_name=self._tables.centrales[task.centrale_id].name,
                organisation_name=self._tables.organisations[task.organisation_id].name,
                place=area.place if area else None,
                district=area.district if area else None,
            )
        )

    @staticmethod
    def _rank(task: Task, terms: tuple[str, ...]) -> float | None:
        """How well the task matches every term (None: some term does not match)."""
        places = (
            (_TITLE, _words(task.title)),
            (_DESCRIPTION, _words(task.description)),
            (_OTHER, _words(task.offer) | _words(task.theme) | _words(" ".join(task.skills))),
        )
        rank = 0.0
        for term in terms:
            weights = [weight for weight, words in places if _matches(term, words)]
            if not weights:
                return None
            rank += max(weights)
        return rank

    def _distance(self, task: Task, origin: tuple[float, float] | None) -> float | None:
        area = self._tables.postcode_areas.get(task.postcode_area or "")
        if origin is None or area is None:
            return None
        return distance_km(origin, (area.lat, area.lon))

    @staticmethod
    def _meets(task: Task, c: Criteria, distance: float | None) -> bool:
        one_off = task.one_off_start is not None
        checks = [
            c.within_km is None or (distance is not None and distance <= c.within_km),
            c.centrale_id in (None, task.centrale_id),
            not c.themes or task.theme in c.themes,
            c.kind is None or (c.kind is Kind.ONE_OFF) == one_off,
            c.min_hours_per_week is None or task.hours_per_week >= c.min_hours_per_week,
            c.max_hours_per_week is None or task.hours_per_week <= c.max_hours_per_week,
            c.support_accessible in (None, task.support_accessible),
            c.team_suitable in (None, task.team_suitable),
            c.vog_required in (None, task.vog_required),
        ]
        if c.available_from is not None:
            checks.append(task.closing_date is None or task.closing_date >= c.available_from)
            end = task.one_off_end
            checks.append(end is None or domain.dutch_date(end) >= c.available_from)
        if c.available_until is not None:
            start = task.one_off_start
            checks.append(start is None or domain.dutch_date(start) <= c.available_until)
        return all(checks)


class FakeCalendarFeedRepository:
    """Calendar feeds in memory; commitments computed from the fake tables."""

    def __init__(self, tables: FakeTables) -> None:
        self._tables = tables
        self._rows = tables.calendar_feeds

    async def add(self, feed: CalendarFeed) -> None:
        if any(
            f.owner_kind == feed.owner_kind and f.owner_id == feed.owner_id and f.revoked_at is None
            for f in self._rows.values()
        ):
            raise AssertionError("an owner has at most one live feed (a unique index in PostgreSQL)")
        self._rows[feed.id] = _stored(feed)

    async def revoke_live(self, owner_kind: str, owner_id: UUID, at: datetime) -> bool:
        for key, feed in self._rows.items():
            if feed.owner_kind == owner_kind and feed.owner_id == owner_id and feed.revoked_at is None:
                self._rows[key] = replace(feed, revoked_at=at)
                return True
        return False

    async def live(self, token_hash: str) -> CalendarFeed | None:
        found = [f for f in self._rows.values() if f.token_hash == token_hash and f.revoked_at is None]
        return _stored(found[0]) if found else None

    async def commitments_of_volunteer(self, volunteer_id: UUID) -> list[Commitment]:
        return self._commitments("volunteer_id", volunteer_id)

    async def commitments_of_organisation(self, organisation_id: UUID) -> list[Commitment]:
        return self._commitments("organisation_id", organisation_id)

    def _commitments(self, owner: str, owner_id: UUID) -> list[Commitment]:
        tables = self._tables
        matches = sorted(
            (m for m in tables.matches.values() if getattr(m, owner) == owner_id and m.ended_at is None),
            key=lambda m: (m.made_at, m.id),
        )
        commitments = []
        for match in matches:
            task = tables.tasks[match.task_id]
            volunteer = tables.volunteers.get(match.volunteer_id)
            area = tables.postcode_areas.get(task.postcode_area or "")
            consents = [
                c
                for c in tables.volunteer_consents
                if c.volunteer_id == match.volunteer_id and c.kind == ConsentKind.CONTACT_BY_ORGANISATIONS
            ]
            values: dict[str, Any] = {
                "match_id": match.id,
                "made_at": match.made_at,
                "task_id": task.id,
                "title": task.title,
                "organisation_name": tables.organisations[match.organisation_id].name,
                "centrale_id": match.centrale_id,
                "volunteer_id": match.volunteer_id,
                "postcode": task.postcode,
                "place": area.place if area else None,
                "one_off_start": task.one_off_start,
                "one_off_end": task.one_off_end,
                "shifts": task.shifts,
                "volunteer_name": volunteer.name if volunteer else None,
                "volunteer_consents_to_contact": bool(consents and consents[-1].granted),
            }
            commitments.append(_stored(Commitment(**values)))
        return commitments
