"""Exports: a centrale's volunteers, organisations, tasks or hours as a table, in the columns its imports read.

An export of one centrale names each record by its platform id in ``external_id`` (and a task's or an hours
entry's organisation, volunteer and task by theirs), so the four exports import again as they are (another
centrale, or another platform, taking ``source`` as the name of this one). Where a record came from an
import, ``import_source`` and ``import_id`` say from which system and under which id. Every volunteer
exported is recorded in the audit trail (an export is a read of their record).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from common.errors import NotFound
from contracts.events import WeeklySlot
from registry.bulk import Kind, write_slots
from registry.domain import AccessPurpose, ConsentKind
from registry.repositories import Consent, ImportLink
from registry.unit_of_work import RegistryUnitOfWork
from registry.use_cases.audit import access_by

__all__ = ["EXPORT_COLUMNS", "Export", "ExportRecords", "export_records"]

_DUTCH_TIME = ZoneInfo("Europe/Amsterdam")
_CONSENT_COLUMNS = {
    ConsentKind.MATCHING: "consent_matching",
    ConsentKind.REGIONAL_MATCHING: "consent_regional_matching",
    ConsentKind.CONTACT_BY_ORGANISATIONS: "consent_contact_by_organisations",
    ConsentKind.APPRECIATION_MESSAGES: "consent_appreciation_messages",
    ConsentKind.TARGET_GROUP_LABELS: "consent_target_group_labels",
}
_ORIGIN = ("import_source", "import_id")
EXPORT_COLUMNS: dict[Kind, tuple[str, ...]] = {
    Kind.VOLUNTEERS: (
        "external_id", "name", "email", "phone", "postcode", "birth_date", "skills", "interests", "languages",
        "availability", "max_distance_km", "commitment", "needs_support", "target_groups", "registered_at",
        *_CONSENT_COLUMNS.values(), "consent_version", *_ORIGIN,
    ),
    Kind.ORGANISATIONS: (
        "external_id", "name", "formal", "kvk_number", "postcode", "contact_name", "contact_email", "contact_phone",
        "liability_insured", "free_vog_scheme", "registered_at", "status", *_ORIGIN,
    ),
    Kind.TASKS: (
        "external_id", "organisation", "title", "description", "theme", "skills", "postcode", "hours_per_week",
        "capacity", "vog_required", "shifts", "one_off_start", "one_off_end", "closing_date", "status",
        "team_suitable", "support_accessible", "offer", *_ORIGIN,
    ),
    Kind.HOURS: (
        "external_id", "volunteer", "organisation", "task", "worked_on", "hours", "theme", "kind", *_ORIGIN,
    ),
}  # fmt: skip
# A task's status as an import reads it again (filled and expired tasks are closed ones there).
_TASK_STATUS = {"draft": "concept", "published": "open"}


@dataclass(frozen=True)
class ExportRecords:
    """Every record of one kind of a centrale, as a table."""

    centrale_id: str
    kind: Kind
    purpose: AccessPurpose = AccessPurpose.OTHER
    """Why the centrale's volunteers' records are read (the audit trail)."""


@dataclass(frozen=True)
class Export:
    """A table: its column names and its rows (values as they are; the file writer formats them)."""

    headers: tuple[str, ...]
    rows: list[list[Any]]


async def export_records(query: ExportRecords, uow: RegistryUnitOfWork) -> Export:
    """The centrale's records of one kind in the columns an import reads; NotFound for no such centrale."""
    if not await uow.centrales.exists(query.centrale_id):
        raise NotFound(f"centrale {query.centrale_id} not found")
    exporters = {
        Kind.VOLUNTEERS: _volunteers,
        Kind.ORGANISATIONS: _organisations,
        Kind.TASKS: _tasks,
        Kind.HOURS: _hours,
    }
    return Export(EXPORT_COLUMNS[query.kind], await exporters[query.kind](query, uow))


def _origin(link: ImportLink | None) -> list[Any]:
    return [link.source, link.external_id] if link is not None else [None, None]


def _slots(stored: Sequence[dict[str, Any]]) -> str:
    return write_slots([WeeklySlot.model_validate(slot) for slot in stored])


def _consent_cells(consents: dict[str, Consent]) -> list[Any]:
    cells: list[Any] = []
    for kind in _CONSENT_COLUMNS:
        consent = consents.get(kind.value)
        if consent is None:
            cells.append(None)
        else:
            cells.append(consent.recorded_at.astimezone(_DUTCH_TIME).date() if consent.granted else "nee")
    # One version column: the version of the bemiddeling consent, else of the newest consent.
    chosen = consents.get(ConsentKind.MATCHING.value) or max(
        consents.values(), key=lambda c: c.recorded_at, default=None
    )
    return [*cells, chosen.text_version if chosen else None]


async def _volunteers(query: ExportRecords, uow: RegistryUnitOfWork) -> list[list[Any]]:
    volunteers = await uow.exports.volunteers(query.centrale_id)
    consents = await uow.exports.consents(query.centrale_id)
    links = await uow.imports.of_records([v.id for v in volunteers])
    await uow.imports.add_accesses(
        [access_by(uow, v.id, query.centrale_id, "export", "export", query.purpose) for v in volunteers]
    )
    return [
        [
            v.id, v.name, v.email, v.phone, v.postcode, v.birth_date, v.skills, v.interests, v.languages,
            _slots(v.availability), v.max_distance_km, v.commitment, v.needs_support, v.target_groups,
            v.registered_at, *_consent_cells(consents.get(v.id, {})), *_origin(links.get(v.id)),
        ]
        for v in volunteers
    ]  # fmt: skip


async def _organisations(query: ExportRecords, uow: RegistryUnitOfWork) -> list[list[Any]]:
    organisations = await uow.organisations.of_centrale(query.centrale_id)
    links = await uow.imports.of_records([o.id for o in organisations])
    return [
        [
            o.id, o.name, o.formal, o.kvk_number, o.postcode, o.contact_name, o.contact_email, o.contact_phone,
            o.liability_insured, o.free_vog_scheme, o.registered_at, o.status, *_origin(links.get(o.id)),
        ]
        for o in organisations
    ]  # fmt: skip


async def _tasks(query: ExportRecords, uow: RegistryUnitOfWork) -> list[list[Any]]:
    tasks = await uow.tasks.of_centrale(query.centrale_id)
    links = await uow.imports.of_records([t.id for t in tasks])
    return [
        [
            t.id, t.organisation_id, t.title, t.description, t.theme, t.skills, t.postcode, t.hours_per_week,
            t.capacity, t.vog_required, _slots(t.shifts), t.one_off_start, t.one_off_end, t.closing_date,
            _TASK_STATUS.get(t.status, "gesloten"), t.team_suitable, t.support_accessible, t.offer,
            *_origin(links.get(t.id)),
        ]
        for t in tasks
    ]  # fmt: skip


async def _hours(query: ExportRecords, uow: RegistryUnitOfWork) -> list[list[Any]]:
    rows: list[list[Any]] = [
        [h.id, h.volunteer_id, h.organisation_id, h.task_id, h.worked_on, h.hours, h.theme, "platform", None, None]
        for h in await uow.exports.hours(query.centrale_id)
    ]
    rows += [
        [h.id, h.volunteer_id, h.organisation_id, h.task_id, h.worked_on, h.hours, h.theme, "historisch", h.source,
         h.external_id]
        for h in await uow.historic_hours.of_centrale(query.centrale_id)
    ]  # fmt: skip
    return rows
