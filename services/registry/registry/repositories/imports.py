"""Imports: which record each row of another system's file became, and the hours worked before the platform.

Imports write many rows at once, so the writes here are COPYs of records whose columns the aggregates'
own tables declare (``VOLUNTEERS``, ``CONSENTS``, ``ORGANISATIONS``, ``TASKS``, ``ACCESS_LOG``): a column
is still named in one place only.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NamedTuple, Protocol
from uuid import UUID

from common.db import Connection
from common.locks import KeyedLock, keyed_xact_lock
from registry.repositories._table import Table
from registry.repositories.access_log import ACCESS_LOG, Access
from registry.repositories.organisations import ORGANISATIONS, Organisation
from registry.repositories.tasks import TASKS, Task
from registry.repositories.volunteers import CONSENTS, VOLUNTEERS, Consent, Volunteer

__all__ = [
    "HistoricHours",
    "HistoricHoursRepository",
    "ImportLink",
    "ImportRepository",
    "PostgresHistoricHoursRepository",
    "PostgresImportRepository",
    "TaskReference",
]


@dataclass(frozen=True)
class ImportLink:
    """A row of ``import_links``: the record a row of another system's file became, and what the row said."""

    centrale_id: str
    source: str
    kind: str
    external_key: bytes
    """SHA-256 of the other system's id: how a re-run finds the record (kept after an erasure)."""
    external_id: str | None
    """The other system's id in clear; None once the volunteer it names is erased."""
    record_id: UUID
    row_digest: bytes
    imported_at: datetime
    updated_at: datetime


class TaskReference(NamedTuple):
    """What an hours entry needs of an imported task: its id, its organisation and its theme."""

    task_id: UUID
    organisation_id: UUID
    theme: str


class HistoricHours(NamedTuple):
    """A row of ``historic_hours`` (a tuple: an import makes a million of them and COPYs them as they are)."""

    centrale_id: str
    source: str
    external_id: str
    id: UUID | str
    """The entry's id: a UUID as read back, or its text as an import makes it (``registry.bulk.new_ids``)."""
    volunteer_id: UUID
    organisation_id: UUID
    task_id: UUID | None
    theme: str
    worked_on: date
    hours: Decimal
    """As stored: ``numeric(4, 2)``, so two decimals."""
    imported_at: datetime
    updated_at: datetime


class ImportRepository(Protocol):
    """Import links, and the bulk writes an import makes to the records' own tables."""

    async def lock(self, centrale_id: str, source: str) -> None:
        """Wait until no other import from ``source`` into the centrale runs; held until the transaction ends."""
        ...

    async def links(self, centrale_id: str, source: str, kind: str, keys: Collection[bytes]) -> dict[bytes, ImportLink]:
        """The links of these external keys, by key."""
        ...

    async def references(self, centrale_id: str, source: str, kind: str) -> dict[str, UUID]:
        """Every record of ``kind`` imported from ``source`` by its external id in clear (erased ones left out)."""
        ...

    async def task_references(self, centrale_id: str, source: str) -> dict[str, TaskReference]:
        """Every task imported from ``source`` by its external id, with its organisation and theme."""
        ...

    async def save_links(self, links: Sequence[ImportLink]) -> None:
        """Store links, replacing those with the same key."""
        ...

    async def add_links(self, links: Sequence[ImportLink]) -> None:
        """Store links of keys not linked before (the new rows of an import, which holds the import's lock)."""
        ...

    async def of_records(self, record_ids: Collection[UUID]) -> dict[UUID, ImportLink]:
        """The links that brought these records in, by record (an export names where a record came from)."""
        ...

    async def add_volunteers(self, volunteers: Sequence[Volunteer], consents: Sequence[Consent]) -> None:
        """Store new volunteers and their consents (the consents in the order given)."""
        ...

    async def add_organisations(self, organisations: Sequence[Organisation]) -> None:
        """Store new organisations."""
        ...

    async def update_organisation(self, organisation: Organisation) -> None:
        """Write every field of an organisation already stored (a corrected row of an import)."""
        ...

    async def add_tasks(self, tasks: Sequence[Task]) -> None:
        """Store new tasks."""
        ...

    async def add_accesses(self, accesses: Sequence[Access]) -> None:
        """Record many accesses to volunteers' records in the audit trail."""
        ...


class HistoricHoursRepository(Protocol):
    """Hours worked before the platform, brought in by imports."""

    async def of_source(self, centrale_id: str, source: str) -> dict[str, HistoricHours]:
        """Every entry imported from ``source`` into the centrale, by its external id."""
        ...

    async def add(self, entries: Sequence[HistoricHours]) -> None:
        """Store new entries."""
        ...

    async def update(self, entries: Sequence[HistoricHours]) -> None:
        """Write the entries' new volunteer, organisation, task, theme, day, hours and update time (by key)."""
        ...

    async def of_volunteer(self, volunteer_id: UUID) -> list[HistoricHours]:
        """A volunteer's entries, oldest day first."""
        ...

    async def of_centrale(self, centrale_id: str) -> list[HistoricHours]:
        """Every entry of the centrale, by source and external id."""
        ...


IMPORT_LINKS = Table("import_links", ImportLink, key="external_key")
_ORGANISATION_FIELDS = [column for column in ORGANISATIONS.columns if column != "id"]
_HISTORIC_COLUMNS = HistoricHours._fields
_HISTORIC_SELECT = f"SELECT {', '.join(_HISTORIC_COLUMNS)} FROM historic_hours"  # noqa: S608  (declared names)


class PostgresImportRepository:
    """Import links and bulk writes in PostgreSQL."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def lock(self, centrale_id: str, source: str) -> None:
        """Wait for the centrale's import lock of ``source``."""
        await keyed_xact_lock(self._conn, KeyedLock.REGISTRY_IMPORT, f"{centrale_id}/{source}")

    async def links(self, centrale_id: str, source: str, kind: str, keys: Collection[bytes]) -> dict[bytes, ImportLink]:
        """The links of these external keys."""
        rows = await self._conn.fetch(
            IMPORT_LINKS.select("centrale_id = $1 AND source = $2 AND kind = $3 AND external_key = ANY($4::bytea[])"),
            centrale_id,
            source,
            kind,
            list(keys),
        )
        return {link.external_key: link for link in IMPORT_LINKS.load_all(rows)}

    async def references(self, centrale_id: str, source: str, kind: str) -> dict[str, UUID]:
        """Every record of ``kind`` imported from ``source`` by external id."""
        rows = await self._conn.fetch(
            "SELECT external_id, record_id FROM import_links"
            " WHERE centrale_id = $1 AND source = $2 AND kind = $3 AND external_id IS NOT NULL",
            centrale_id,
            source,
            kind,
        )
        return {row[0]: row[1] for row in rows}

    async def task_references(self, centrale_id: str, source: str) -> dict[str, TaskReference]:
        """Every task imported from ``source``, with its organisation and theme."""
        rows = await self._conn.fetch(
            "SELECT l.external_id, t.id, t.organisation_id, t.theme"
            " FROM import_links l JOIN tasks t ON t.id = l.record_id"
            " WHERE l.centrale_id = $1 AND l.source = $2 AND l.kind = 'tasks' AND l.external_id IS NOT NULL",
            centrale_id,
            source,
        )
        return {row[0]: TaskReference(row[1], row[2], row[3]) for row in rows}

    async def save_links(self, links: Sequence[ImportLink]) -> None:
        """Store links, replacing those with the same key."""
        if not links:
            return
        columns = IMPORT_LINKS.columns
        await self._conn.execute(
            f"INSERT INTO import_links ({', '.join(columns)})"  # noqa: S608  (names from the record)
            " SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bytea[], $5::text[], $6::uuid[],"
            " $7::bytea[], $8::timestamptz[], $9::timestamptz[])"
            " ON CONFLICT (centrale_id, source, kind, external_key) DO UPDATE SET external_id = EXCLUDED.external_id,"
            " record_id = EXCLUDED.record_id, row_digest = EXCLUDED.row_digest, updated_at = EXCLUDED.updated_at",
            *([getattr(link, column) for link in links] for column in columns),
        )

    async def add_links(self, links: Sequence[ImportLink]) -> None:
        """COPY links of keys not linked before."""
        await _copy(self._conn, IMPORT_LINKS, links)

    async def of_records(self, record_ids: Collection[UUID]) -> dict[UUID, ImportLink]:
        """The links that brought these records in."""
        rows = await self._conn.fetch(IMPORT_LINKS.select("record_id = ANY($1::uuid[])"), list(record_ids))
        return {link.record_id: link for link in IMPORT_LINKS.load_all(rows)}

    async def add_volunteers(self, volunteers: Sequence[Volunteer], consents: Sequence[Consent]) -> None:
        """COPY new volunteers and their consents."""
        await _copy(self._conn, VOLUNTEERS, volunteers)
        await _copy(self._conn, CONSENTS, consents)

    async def add_organisations(self, organisations: Sequence[Organisation]) -> None:
        """COPY new organisations."""
        await _copy(self._conn, ORGANISATIONS, organisations)

    async def update_organisation(self, organisation: Organisation) -> None:
        """Write every field of an organisation already stored."""
        await self._conn.execute(
            ORGANISATIONS.update(_ORGANISATION_FIELDS), *ORGANISATIONS.changes(organisation, _ORGANISATION_FIELDS)
        )

    async def add_tasks(self, tasks: Sequence[Task]) -> None:
        """COPY new tasks."""
        await _copy(self._conn, TASKS, tasks)

    async def add_accesses(self, accesses: Sequence[Access]) -> None:
        """COPY audit-trail rows."""
        await _copy(self._conn, ACCESS_LOG, accesses)


async def _copy(conn: Connection, table: Table[Any], records: Sequence[Any]) -> None:
    if records:
        await conn.copy_records_to_table(
            table.name, records=[table.values(record) for record in records], columns=list(table.columns)
        )


class PostgresHistoricHoursRepository:
    """Historic hours in PostgreSQL."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def of_source(self, centrale_id: str, source: str) -> dict[str, HistoricHours]:
        """Every entry imported from ``source`` into the centrale."""
        rows = await self._conn.fetch(f"{_HISTORIC_SELECT} WHERE centrale_id = $1 AND source = $2", centrale_id, source)
        return {row[2]: HistoricHours(*row) for row in rows}

    async def add(self, entries: Sequence[HistoricHours]) -> None:
        """COPY new entries (in the order of their key, so the key's index grows at its end).

        As COPY's text format, rendered here: the same ids, days, amounts and themes recur all through a large
        import, so each is turned into text once, where asyncpg's binary COPY encoded every value of every row
        (most of an hours import's writing time in ``bench.imports``).
        """
        ordered: list[HistoricHours] = sorted(entries, key=_key)
        texts: dict[Any, str] = {}
        for start in range(0, len(ordered), _COPY_CHUNK):
            # One COPY per chunk, rendered before it starts: asyncpg counts the time spent producing a COPY's
            # data against the statement's timeout, and a million rows take longer than that to render.
            rendered = _copy_text(ordered[start : start + _COPY_CHUNK], texts)
            await self._conn.copy_to_table(
                "historic_hours", source=_chunk(rendered), columns=_HISTORIC_COLUMNS, format="text"
            )

    async def update(self, entries: Sequence[HistoricHours]) -> None:
        """Write the entries' new facts."""
        if not entries:
            return
        await self._conn.execute(
            "UPDATE historic_hours h SET volunteer_id = e.volunteer_id, organisation_id = e.organisation_id,"
            " task_id = e.task_id, theme = e.theme, worked_on = e.worked_on, hours = e.hours, updated_at = e.updated_at"
            " FROM unnest($1::text[], $2::text[], $3::text[], $4::uuid[], $5::uuid[], $6::uuid[], $7::text[],"
            " $8::date[], $9::numeric[], $10::timestamptz[])"
            " AS e (centrale_id, source, external_id, volunteer_id, organisation_id, task_id, theme, worked_on, hours,"
            " updated_at)"
            " WHERE h.centrale_id = e.centrale_id AND h.source = e.source AND h.external_id = e.external_id",
            *(
                [getattr(entry, column) for entry in entries]
                for column in (
                    "centrale_id", "source", "external_id", "volunteer_id", "organisation_id", "task_id", "theme",
                    "worked_on", "hours", "updated_at",
                )
            ),
        )  # fmt: skip

    async def of_volunteer(self, volunteer_id: UUID) -> list[HistoricHours]:
        """A volunteer's entries (a scan of the history: rare, no index of its own)."""
        rows = await self._conn.fetch(
            f"{_HISTORIC_SELECT} WHERE volunteer_id = $1 ORDER BY worked_on, external_id", volunteer_id
        )
        return [HistoricHours(*row) for row in rows]

    async def of_centrale(self, centrale_id: str) -> list[HistoricHours]:
        """Every entry of the centrale."""
        rows = await self._conn.fetch(
            f"{_HISTORIC_SELECT} WHERE centrale_id = $1 ORDER BY source, external_id", centrale_id
        )
        return [HistoricHours(*row) for row in rows]


def _key(entry: HistoricHours) -> tuple[str, str, str]:
    return entry.centrale_id, entry.source, entry.external_id


# What COPY's text format escapes in a value: the backslash, and the tab, newline and return it splits on.
_COPY_SPECIAL = re.compile(r"[\\\t\n\r]")
_COPY_ESCAPES = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}
# Rows per COPY statement: the text of a million rows is not held at once, nor rendered within one timeout.
_COPY_CHUNK = 20_000


def _copy_value(value: Any) -> str:
    """A value as COPY's text format reads it: NULL as ``\\N``, text with its specials escaped."""
    if value is None:
        return "\\N"
    text = format(value, "f") if isinstance(value, Decimal) else str(value)
    if _COPY_SPECIAL.search(text) is not None:
        text = _COPY_SPECIAL.sub(lambda found: _COPY_ESCAPES[found.group()], text)
    return text


def _copy_text(entries: Sequence[HistoricHours], texts: dict[Any, str]) -> bytes:
    """The entries as lines of COPY's text format.

    Each distinct value is rendered once (``texts`` keeps them across chunks) and then looked up with a
    dictionary's ``get``, no Python call per value: a million rows share a few thousand volunteers,
    organisations, tasks, days and amounts.
    """
    get = texts.get

    def text(value: Any) -> str:
        texts[value] = found = _copy_value(value)
        return found

    special = _COPY_SPECIAL.search
    lines = []
    for entry in entries:
        centrale, source, external_id, id_, volunteer, organisation, task, theme, day, hours, at, updated = entry
        if special(external_id) is not None:
            external_id = _copy_value(external_id)
        lines.append(
            f"{get(centrale) or text(centrale)}\t{get(source) or text(source)}\t{external_id}\t{id_}\t"
            f"{get(volunteer) or text(volunteer)}\t{get(organisation) or text(organisation)}\t"
            f"{get(task) or text(task)}\t{get(theme) or text(theme)}\t{get(day) or text(day)}\t"
            f"{get(hours) or text(hours)}\t{get(at) or text(at)}\t{get(updated) or text(updated)}\n"
        )
    return "".join(lines).encode()


async def _chunk(data: bytes) -> AsyncIterator[bytes]:
    """A COPY's data, already rendered, as the asynchronous source ``copy_to_table`` reads."""
    yield data
