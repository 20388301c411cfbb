"""In-memory fakes of the imports' and exports' repositories (see ``tests/registry/fakes.py``).

They keep the PostgreSQL repositories' promises, checked by ``tests/registry/repositories/test_registry_import_
repository.py`` on both: links by key, references in clear without erased ones, bulk writes into the same
tables the other fakes read, historic hours keyed by (centrale, source, external id) with hours rounded as
``numeric(4, 2)`` rounds them.
"""

from __future__ import annotations

import copy
from collections.abc import Collection, Sequence
from decimal import ROUND_HALF_EVEN, Decimal
from typing import TYPE_CHECKING, TypeVar
from uuid import UUID

from registry.repositories import (
    Access,
    Consent,
    HistoricHours,
    ImportLink,
    Organisation,
    PlatformHours,
    Task,
    TaskReference,
    Volunteer,
)

if TYPE_CHECKING:
    from tests.registry.fakes import FakeTables

__all__ = ["FakeExportRepository", "FakeHistoricHoursRepository", "FakeImportRepository"]

T = TypeVar("T")
_TWO_PLACES = Decimal("0.01")


def _stored(record: T) -> T:
    return copy.deepcopy(record)


class FakeImportRepository:
    """Import links and an import's bulk writes, in memory."""

    def __init__(self, tables: FakeTables) -> None:
        self._tables = tables
        self._links = tables.import_links

    async def lock(self, centrale_id: str, source: str) -> None:
        """One test, one task: nothing to wait for."""

    async def links(self, centrale_id: str, source: str, kind: str, keys: Collection[bytes]) -> dict[bytes, ImportLink]:
        wanted = set(keys)
        return {
            key: _stored(link)
            for (c, s, k, key), link in self._links.items()
            if (c, s, k) == (centrale_id, source, kind) and key in wanted
        }

    async def references(self, centrale_id: str, source: str, kind: str) -> dict[str, UUID]:
        return {
            link.external_id: link.record_id
            for (c, s, k, _), link in self._links.items()
            if (c, s, k) == (centrale_id, source, kind) and link.external_id is not None
        }

    async def task_references(self, centrale_id: str, source: str) -> dict[str, TaskReference]:
        references = await self.references(centrale_id, source, "tasks")
        tasks = self._tables.tasks
        return {
            external_id: TaskReference(task_id, tasks[task_id].organisation_id, tasks[task_id].theme)
            for external_id, task_id in references.items()
            if task_id in tasks
        }

    async def save_links(self, links: Sequence[ImportLink]) -> None:
        for link in links:
            self._links[(link.centrale_id, link.source, link.kind, link.external_key)] = _stored(link)

    async def add_links(self, links: Sequence[ImportLink]) -> None:
        for link in links:
            key = (link.centrale_id, link.source, link.kind, link.external_key)
            assert key not in self._links, "a new link's key is new (the primary key)"
            self._links[key] = _stored(link)

    async def of_records(self, record_ids: Collection[UUID]) -> dict[UUID, ImportLink]:
        wanted = set(record_ids)
        return {link.record_id: _stored(link) for link in self._links.values() if link.record_id in wanted}

    async def add_volunteers(self, volunteers: Sequence[Volunteer], consents: Sequence[Consent]) -> None:
        for volunteer in volunteers:
            assert volunteer.id not in self._tables.volunteers, "a new volunteer's id is new"
            self._tables.volunteers[volunteer.id] = _stored(volunteer)
        for consent in consents:
            assert consent.volunteer_id in self._tables.volunteers, "a consent belongs to a stored volunteer"
            self._tables.volunteer_consents.append(_stored(consent))

    async def add_organisations(self, organisations: Sequence[Organisation]) -> None:
        for organisation in organisations:
            assert organisation.centrale_id in self._tables.centrales, "the centrale exists (a foreign key)"
            self._tables.organisations[organisation.id] = _stored(organisation)

    async def update_organisation(self, organisation: Organisation) -> None:
        assert organisation.id in self._tables.organisations, "update writes an organisation already stored"
        self._tables.organisations[organisation.id] = _stored(organisation)

    async def add_tasks(self, tasks: Sequence[Task]) -> None:
        for task in tasks:
            assert task.organisation_id in self._tables.organisations, "the organisation exists (a foreign key)"
            self._tables.tasks[task.id] = _stored(task)

    async def add_accesses(self, accesses: Sequence[Access]) -> None:
        for access in accesses:
            self._tables.personal_data_access[access.id] = _stored(access)


def _rounded(entry: HistoricHours) -> HistoricHours:
    """The entry as PostgreSQL gives it back: hours to two places, the id a UUID (an import writes its text)."""
    return entry._replace(id=UUID(str(entry.id)), hours=entry.hours.quantize(_TWO_PLACES, rounding=ROUND_HALF_EVEN))


class FakeHistoricHoursRepository:
    """Historic hours in memory, keyed as their primary key is."""

    def __init__(self, tables: FakeTables) -> None:
        self._rows = tables.historic_hours

    async def of_source(self, centrale_id: str, source: str) -> dict[str, HistoricHours]:
        return {e.external_id: e for (c, s, _), e in self._rows.items() if (c, s) == (centrale_id, source)}

    async def add(self, entries: Sequence[HistoricHours]) -> None:
        for entry in entries:
            key = (entry.centrale_id, entry.source, entry.external_id)
            assert key not in self._rows, "a new entry's key is new (the primary key)"
            self._rows[key] = _rounded(entry)

    async def update(self, entries: Sequence[HistoricHours]) -> None:
        for entry in entries:
            key = (entry.centrale_id, entry.source, entry.external_id)
            if key in self._rows:
                old = self._rows[key]
                self._rows[key] = _rounded(
                    old._replace(
                        volunteer_id=entry.volunteer_id,
                        organisation_id=entry.organisation_id,
                        task_id=entry.task_id,
                        theme=entry.theme,
                        worked_on=entry.worked_on,
                        hours=entry.hours,
                        updated_at=entry.updated_at,
                    )
                )

    async def of_volunteer(self, volunteer_id: UUID) -> list[HistoricHours]:
        own = [e for e in self._rows.values() if e.volunteer_id == volunteer_id]
        return sorted(own, key=lambda e: (e.worked_on, e.external_id))

    async def of_centrale(self, centrale_id: str) -> list[HistoricHours]:
        own = [e for e in self._rows.values() if e.centrale_id == centrale_id]
        return sorted(own, key=lambda e: (e.source, e.external_id))


class FakeExportRepository:
    """Export reads over the fake tables."""

    def __init__(self, tables: FakeTables) -> None:
        self._tables = tables

    async def volunteers(self, centrale_id: str) -> list[Volunteer]:
        own = [v for v in self._tables.volunteers.values() if v.centrale_id == centrale_id and v.erased_at is None]
        return _stored(sorted(own, key=lambda v: (v.registered_at, v.id)))

    async def consents(self, centrale_id: str) -> dict[UUID, dict[str, Consent]]:
        volunteers = {v.id for v in await self.volunteers(centrale_id)}
        latest: dict[UUID, dict[str, Consent]] = {}
        for consent in self._tables.volunteer_consents:
            if consent.volunteer_id in volunteers:
                latest.setdefault(consent.volunteer_id, {})[consent.kind] = _stored(consent)
        return latest

    async def hours(self, centrale_id: str) -> list[PlatformHours]:
        tasks = self._tables.tasks
        rows = [
            PlatformHours(
                h.id, h.volunteer_id, h.organisation_id, h.task_id, tasks[h.task_id].theme, h.worked_on, h.hours
            )
            for h in self._tables.hours.values()
            if h.centrale_id == centrale_id and h.status == "confirmed" and h.task_id in tasks
        ]
        return sorted(rows, key=lambda h: (h.worked_on, h.id))
