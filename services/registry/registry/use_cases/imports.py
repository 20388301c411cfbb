"""Imports: a centrale brings its volunteers, organisations, tasks and historic hours in from another system.

One use case, ``import_file``, for every kind of file. It maps the file's columns onto ours, checks every
row (every problem of every row, by line and field, never echoing a value), and either reports what it
would do (a dry run) or does it for the rows without problems:

- **idempotent**: each row carries the other system's id; the record it became is linked to it
  (``import_links``; hours keep it themselves), so a re-run finds its rows again. A row that says what it
  said before changes nothing; a corrected row updates its record (and publishes what changed);
- **marked**: every event about an imported record says ``imported`` and names the ``import_source``;
- **history**: hours worked before the platform need no match (an organisation, perhaps a task); they are
  published as ``HistoricHoursImported``, a volunteer's entries together, which appreciation and reporting
  count as history (no thank-you for the past, counted in their own months);
- **consents** come over with where they came from: recorded by ``import:<source>``, at the day given in
  the other system, with the version of the text it showed.

Imports of one centrale from one source take turns (an advisory lock). References between files are the
other system's ids: tasks name their organisation's id, hours their volunteer's (and organisation's or
task's), each imported before from the same source.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time
from typing import Any, Literal, TypeVar
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

from common.errors import NotFound, Rejected
from common.uow import Encoded, Outgoing
from contracts.events import (
    HISTORIC_ENTRIES_PER_EVENT,
    Event,
    HistoricHoursImported,
    OrganisationAdmitted,
    OrganisationRegistered,
    TaskClosed,
    TaskPosted,
    TaskUpdated,
    VolunteerConsentChanged,
    VolunteerProfileUpdated,
    VolunteerRegistered,
)
from registry import domain
from registry.bulk import (
    UNKNOWN_THEME,
    HoursChecker,
    HoursRow,
    Kind,
    Layout,
    OrganisationRow,
    Problem,
    RowRules,
    Sheet,
    TaskRow,
    VolunteerRow,
    check_organisation,
    check_task,
    check_volunteer,
    fingerprint,
    new_ids,
    resolve_layout,
)
from registry.domain import AccessPurpose, ConsentKind
from registry.repositories import (
    Access,
    Consent,
    HistoricHours,
    ImportLink,
    Organisation,
    Task,
    TaskReference,
    Volunteer,
)
from registry.unit_of_work import RegistryUnitOfWork
from registry.use_cases.audit import access_by
from registry.use_cases.tasks import _facts as task_facts
from registry.use_cases.volunteers import _profile as volunteer_profile

__all__ = ["ImportFile", "ImportProgress", "ImportReport", "import_file"]

Row = TypeVar("Row", VolunteerRow, OrganisationRow, TaskRow)
_DUTCH_TIME = ZoneInfo("Europe/Amsterdam")
_SOURCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,62}$")
# How often (in rows) an import reports how far it got.
PROGRESS_EVERY = 50_000
# Events queued per COPY into the outbox: each COPY has the statement timeout, and a million historic hours
# make a few hundred megabytes of events.
EVENTS_PER_COPY = 10_000


@dataclass(frozen=True)
class ImportProgress:
    """How far an import got: the stage and the rows read so far."""

    stage: Literal["checking", "writing", "done"]
    rows: int
    problems: int


Progress = Callable[[ImportProgress], Awaitable[None]]


@dataclass(frozen=True)
class ImportFile:
    """Bring the rows of another system's file into the centrale (or, as a dry run, say what that would do)."""

    centrale_id: str
    kind: Kind
    source: str
    """The other system, as the centrale names it (``vrijwilligersbank``): its ids are unique within it."""
    sheet: Sheet
    mapping: Mapping[str, str | None] = field(default_factory=dict)
    """The file's column names → our field names (None: ignore the column); the rest by their known names."""
    dry_run: bool = True
    consent_text_version: str | None = None
    """The version of the consent texts the other system showed, for rows that do not say."""
    purpose: AccessPurpose = AccessPurpose.INTAKE
    """Why volunteers' records are created or changed (the audit trail)."""
    progress: Progress | None = None


@dataclass
class ImportReport:
    """What an import found and did (or, as a dry run, would do); problems by line and field, no values."""

    kind: str
    source: str
    dry_run: bool
    rows: int = 0
    """Data rows read."""
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    skipped: int = 0
    """Rows with problems: not imported."""
    events: int = 0
    problems: list[Problem] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)
    """Each of the file's columns used, and our field it filled."""
    ignored_columns: list[str] = field(default_factory=list)

    def refuse(self, line: int, field_name: str, message: str) -> None:
        """A row found wanting after its own check (a reference, a rule across records): skipped."""
        self.problems.append(Problem(line, field_name, message))
        self.skipped += 1


async def import_file(cmd: ImportFile, uow: RegistryUnitOfWork) -> ImportReport:
    """Check every row of the file; unless a dry run, store the rows without problems; what was found and done."""
    if _SOURCE.match(cmd.source) is None:
        raise Rejected(
            ["name the other system in letters, digits, spaces, dots or dashes (at most 63)"], field="source"
        )
    if not await uow.centrales.exists(cmd.centrale_id):
        raise NotFound(f"centrale {cmd.centrale_id} not found")
    layout, header_problems = resolve_layout(cmd.kind, cmd.sheet.headers, cmd.mapping)
    report = ImportReport(
        kind=cmd.kind.value,
        source=cmd.source,
        dry_run=cmd.dry_run,
        columns=dict(layout.claimed),
        ignored_columns=list(layout.ignored),
    )
    if header_problems:
        # Without the columns every row needs, the rows are not read: each would fail alike.
        report.problems = header_problems
        return report
    await uow.imports.lock(cmd.centrale_id, cmd.source)
    rules = RowRules(today=domain.dutch_date(uow.now()), consent_text_version=cmd.consent_text_version)
    importers = {
        Kind.VOLUNTEERS: _import_volunteers,
        Kind.ORGANISATIONS: _import_organisations,
        Kind.TASKS: _import_tasks,
        Kind.HOURS: _import_hours,
    }
    await importers[cmd.kind](cmd, uow, layout, rules, report)
    await _progress(cmd, "done", report)
    return report


async def _progress(cmd: ImportFile, stage: Literal["checking", "writing", "done"], report: ImportReport) -> None:
    if cmd.progress is not None:
        await cmd.progress(ImportProgress(stage, report.rows, len(report.problems)))


async def _checked_rows(
    cmd: ImportFile,
    layout: Layout,
    rules: RowRules,
    report: ImportReport,
    check: Callable[[int, Sequence[str], Layout, RowRules], Row | list[Problem]],
) -> list[Row]:
    """Every row checked, each external id once: the good rows; problems (and the rows skipped) in the report."""
    rows: list[Row] = []
    first_line: dict[str, int] = {}
    for line, cells in cmd.sheet.rows:
        report.rows += 1
        checked = check(line, cells, layout, rules)
        if isinstance(checked, list):
            report.problems.extend(checked)
            report.skipped += 1
        elif checked.external_id in first_line:
            report.refuse(line, "external_id", f"the same id as line {first_line[checked.external_id]}")
        else:
            first_line[checked.external_id] = line
            rows.append(checked)
        if report.rows % PROGRESS_EVERY == 0:
            await _progress(cmd, "checking", report)
    return rows


def _key(external_id: str) -> bytes:
    return hashlib.sha256(external_id.encode()).digest()


def _at(day: date | None, default: datetime) -> datetime:
    """Midnight of a Dutch day, as the moment something given that day is recorded at."""
    if day is None:
        return default
    return datetime.combine(day, time(0), tzinfo=_DUTCH_TIME).astimezone(UTC)


@dataclass
class _Plan:
    """Rows sorted by what an import does with them: new, changed (with their link), unchanged.

    ``keys`` and ``digests`` hold each row's link key and fingerprint by external id, made once (a row's
    fingerprint hashes every field; an import of 100,000 volunteers should not make it twice).
    """

    new: list[Any] = field(default_factory=list)
    changed: list[tuple[Any, ImportLink]] = field(default_factory=list)
    keys: dict[str, bytes] = field(default_factory=dict)
    digests: dict[str, bytes] = field(default_factory=dict)


async def _plan(
    cmd: ImportFile, uow: RegistryUnitOfWork, rows: Sequence[Row], report: ImportReport, erased_message: str
) -> _Plan:
    """Which rows are new, changed or the same as last time (by the digest of what they say)."""
    plan = _Plan()
    keys, digests = plan.keys, plan.digests
    for row in rows:
        keys[row.external_id] = _key(row.external_id)
        digests[row.external_id] = fingerprint(row)
    links = await uow.imports.links(cmd.centrale_id, cmd.source, cmd.kind.value, list(keys.values()))
    for row in rows:
        link = links.get(keys[row.external_id])
        if link is None:
            plan.new.append(row)
        elif link.external_id is None:
            report.refuse(row.line, "external_id", erased_message)
        elif link.row_digest == digests[row.external_id]:
            report.unchanged += 1
        else:
            plan.changed.append((row, link))
    return plan


def _link(
    cmd: ImportFile, plan: _Plan, row: Row, record_id: UUID, now: datetime, old: ImportLink | None = None
) -> ImportLink:
    return ImportLink(
        centrale_id=cmd.centrale_id,
        source=cmd.source,
        kind=cmd.kind.value,
        external_key=plan.keys[row.external_id],
        external_id=row.external_id,
        record_id=record_id,
        row_digest=plan.digests[row.external_id],
        imported_at=old.imported_at if old else now,
        updated_at=now,
    )


# --- volunteers ---------------------------------------------------------------------------------------------


async def _import_volunteers(
    cmd: ImportFile, uow: RegistryUnitOfWork, layout: Layout, rules: RowRules, report: ImportReport
) -> None:
    rows = await _checked_rows(cmd, layout, rules, report, check_volunteer)
    erased = "this volunteer was erased at their own request: they are not imported again"
    plan = await _plan(cmd, uow, rows, report, erased)
    report.added, report.changed = len(plan.new), len(plan.changed)
    if cmd.dry_run:
        return
    await _progress(cmd, "writing", report)
    now = uow.now()
    recorded_by = f"import:{cmd.source}"
    volunteers: list[Volunteer] = []
    consents: list[Consent] = []
    links: list[ImportLink] = []
    accesses: list[Access] = []
    encoded: list[Encoded] = []
    for row in plan.new:
        registered_at = row.registered_at or now
        volunteer = Volunteer(
            id=uuid4(),
            centrale_id=cmd.centrale_id,
            registered_by="staff",
            registered_at=registered_at,
            **_said_of_volunteer(row, regional_default=False),
        )
        given = [
            Consent(
                volunteer.id, cell.kind.value, cell.granted, cell.text_version, recorded_by, _at(cell.on, registered_at)
            )
            for cell in row.consents
        ]
        volunteers.append(volunteer)
        consents.extend(given)
        links.append(_link(cmd, plan, row, volunteer.id, now))
        accesses.append(access_by(uow, volunteer.id, cmd.centrale_id, "create", "record", cmd.purpose))
        profile = volunteer_profile(volunteer, {consent.kind: consent for consent in given})
        event = VolunteerRegistered(
            **profile, registered_at=registered_at, registered_by="staff", imported=True, import_source=cmd.source
        )
        # Rendered here, queued with one COPY (``emit_encoded``): an envelope per event cost more than the event.
        encoded.append(Encoded(event.subject(), event.model_dump_json().encode()))
    await uow.imports.add_volunteers(volunteers, consents)
    await uow.imports.add_accesses(accesses)
    await uow.emit_encoded(VolunteerRegistered, encoded, tenant=cmd.centrale_id)
    report.events += len(encoded)
    await uow.imports.add_links(links)
    links = []
    for row, link in plan.changed:
        report.events += await _change_volunteer(cmd, uow, row, link, now)
        links.append(_link(cmd, plan, row, link.record_id, now, link))
    await uow.imports.save_links(links)


def _said_of_volunteer(row: VolunteerRow, *, regional_default: bool) -> dict[str, Any]:
    """The fields of a volunteer's record that the row says (the regional consent: its last cell, if any)."""
    regional = [cell.granted for cell in row.consents if cell.kind is ConsentKind.REGIONAL_MATCHING]
    return {
        "name": row.name,
        "email": row.email,
        "phone": row.phone,
        "postcode": row.postcode,
        "birth_date": row.birth_date,
        "postcode_area": domain.postcode_area(row.postcode) if row.postcode else None,
        "age_band": row.age_band,
        "skills": list(row.skills),
        "interests": list(row.interests),
        "languages": list(row.languages),
        "availability": [slot.model_dump(mode="json") for slot in row.availability],
        "max_distance_km": row.max_distance_km,
        "commitment": row.commitment,
        "needs_support": row.needs_support,
        "target_groups": list(row.target_groups),
        "regional_matching_consent": regional[-1] if regional else regional_default,
    }


def _volunteer_of(row: VolunteerRow, volunteer: Volunteer) -> Volunteer:
    """The volunteer's record with what the row says."""
    return replace(volunteer, **_said_of_volunteer(row, regional_default=volunteer.regional_matching_consent))


async def _change_volunteer(
    cmd: ImportFile, uow: RegistryUnitOfWork, row: VolunteerRow, link: ImportLink, now: datetime
) -> int:
    """Apply a corrected row to the volunteer it became; the events it publishes."""
    volunteer = await uow.volunteers.get_active(link.record_id, cmd.centrale_id, lock=True)
    if volunteer is None:
        return 0  # erased since (the link's id is blanked in the same transaction as the erasure)
    recorded_by = f"import:{cmd.source}"
    current = await uow.volunteers.consents(volunteer.id)
    emitted = 0
    for cell in row.consents:
        have = current.get(cell.kind.value)
        if have is not None and have.granted == cell.granted:
            continue
        at = _at(cell.on, now)
        await uow.volunteers.add_consent(
            Consent(volunteer.id, cell.kind.value, cell.granted, cell.text_version, recorded_by, at)
        )
        await uow.emit(
            VolunteerConsentChanged(
                volunteer_id=volunteer.id,
                centrale_id=cmd.centrale_id,
                consent=cell.kind.value,
                granted=cell.granted,
                text_version=cell.text_version,
                changed_at=at,
                imported=True,
                import_source=cmd.source,
            ),
            tenant=cmd.centrale_id,
        )
        emitted += 1
    consents = await uow.volunteers.consents(volunteer.id)
    updated = replace(_volunteer_of(row, volunteer), updated_at=now)
    labels = consents.get(ConsentKind.TARGET_GROUP_LABELS.value)
    if not (labels and labels.granted):
        updated = replace(updated, target_groups=[])
    await uow.volunteers.save(updated)
    await uow.access_log.add(access_by(uow, volunteer.id, cmd.centrale_id, "change", "profile", cmd.purpose))
    await uow.emit(
        VolunteerProfileUpdated(
            **volunteer_profile(updated, consents), updated_at=now, imported=True, import_source=cmd.source
        ),
        tenant=cmd.centrale_id,
    )
    return emitted + 1


async def _emit(uow: RegistryUnitOfWork, centrale_id: str, events: Iterable[Event]) -> None:
    await uow.emit_all([Outgoing(event, centrale_id) for event in events])


# --- organisations ------------------------------------------------------------------------------------------


async def _import_organisations(
    cmd: ImportFile, uow: RegistryUnitOfWork, layout: Layout, rules: RowRules, report: ImportReport
) -> None:
    rows = await _checked_rows(cmd, layout, rules, report, check_organisation)
    plan = await _plan(cmd, uow, rows, report, "this organisation's import link was removed: it is not imported again")
    report.added, report.changed = len(plan.new), len(plan.changed)
    if cmd.dry_run:
        return
    await _progress(cmd, "writing", report)
    now = uow.now()
    organisations: list[Organisation] = []
    links: list[ImportLink] = []
    events: list[Event] = []
    for row in plan.new:
        # An organisation the other system worked with was vetted there: it comes in admitted.
        organisation = _organisation_of(
            row,
            Organisation(
                id=uuid4(),
                centrale_id=cmd.centrale_id,
                name=row.name,
                formal=row.formal,
                kvk_number=None,
                postcode=None,
                postcode_area=None,
                contact_name=None,
                contact_email=None,
                contact_phone=None,
                liability_insured=False,
                free_vog_scheme=False,
                for_profit=False,
                status="admitted",
                status_reason=None,
                registered_at=row.registered_at or now,
                vetted_at=now,
            ),
        )
        organisations.append(organisation)
        links.append(_link(cmd, plan, row, organisation.id, now))
        events += [
            OrganisationRegistered(
                organisation_id=organisation.id,
                centrale_id=cmd.centrale_id,
                organisation_name=organisation.name,
                formal=organisation.formal,
                postcode_area=organisation.postcode_area,
                liability_insured=organisation.liability_insured,
                free_vog_scheme=organisation.free_vog_scheme,
                registered_at=organisation.registered_at,
                imported=True,
                import_source=cmd.source,
            ),
            OrganisationAdmitted(
                organisation_id=organisation.id,
                centrale_id=cmd.centrale_id,
                admitted_at=now,
                imported=True,
                import_source=cmd.source,
            ),
        ]
    await uow.imports.add_organisations(organisations)
    await _emit(uow, cmd.centrale_id, events)
    report.events += len(events)
    for row, link in plan.changed:
        stored = await uow.organisations.get(link.record_id, cmd.centrale_id, lock=True)
        if stored is not None:
            # No event: the platform has none for an organisation's details changing.
            await uow.imports.update_organisation(_organisation_of(row, stored))
        links.append(_link(cmd, plan, row, link.record_id, now, link))
    await uow.imports.save_links(links)


def _organisation_of(row: OrganisationRow, organisation: Organisation) -> Organisation:
    """The organisation's record with what the row says."""
    return replace(
        organisation,
        name=row.name,
        formal=row.formal,
        kvk_number=row.kvk_number,
        postcode=row.postcode,
        postcode_area=domain.postcode_area(row.postcode) if row.postcode else None,
        contact_name=row.contact_name,
        contact_email=row.contact_email,
        contact_phone=row.contact_phone,
        liability_insured=row.liability_insured,
        free_vog_scheme=row.free_vog_scheme,
    )


# --- tasks --------------------------------------------------------------------------------------------------


async def _import_tasks(
    cmd: ImportFile, uow: RegistryUnitOfWork, layout: Layout, rules: RowRules, report: ImportReport
) -> None:
    checked = await _checked_rows(cmd, layout, rules, report, check_task)
    references = await uow.imports.references(cmd.centrale_id, cmd.source, Kind.ORGANISATIONS.value)
    organisations = {o.id: o for o in await uow.organisations.of_centrale(cmd.centrale_id)}
    rows: list[TaskRow] = []
    for row in checked:
        organisation_id = references.get(row.organisation)
        if organisation_id is None or organisation_id not in organisations:
            report.refuse(row.line, "organisation", f"no organisation with this id was imported from {cmd.source}")
        elif row.status == "published" and (reasons := _nov_reasons(row, organisations[organisation_id], rules)):
            for reason in reasons:
                report.problems.append(Problem(row.line, "status", f"cannot be published: {reason}"))
            report.skipped += 1
        else:
            rows.append(row)
    plan = await _plan(cmd, uow, rows, report, "this task's import link was removed: it is not imported again")
    now = uow.now()
    changes: list[tuple[TaskRow, ImportLink, Task]] = []
    for row, link in plan.changed:
        task = await uow.tasks.get(link.record_id, cmd.centrale_id, lock=not cmd.dry_run)
        if task is None:
            continue
        if (why := _status_change_refused(task.status, row.status)) is not None:
            report.refuse(row.line, "status", why)
        else:
            changes.append((row, link, task))
    report.added, report.changed = len(plan.new), len(changes)
    if cmd.dry_run:
        return
    await _progress(cmd, "writing", report)
    tasks: list[Task] = []
    links: list[ImportLink] = []
    events: list[Event] = []
    for row in plan.new:
        organisation_id = references[row.organisation]
        task = _task_of(
            row,
            Task(
                id=uuid4(),
                centrale_id=cmd.centrale_id,
                organisation_id=organisation_id,
                title=row.title,
                description=row.description,
                theme=row.theme,
                capacity=row.capacity,
                hours_per_week=row.hours_per_week,
                vog_required=row.vog_required,
                created_at=now,
            ),
            now,
        )
        tasks.append(task)
        links.append(_link(cmd, plan, row, task.id, now))
        if task.status == "published":
            events.append(TaskPosted(**task_facts(task), posted_at=now, imported=True, import_source=cmd.source))
    await uow.imports.add_tasks(tasks)
    for row, link, task in changes:
        updated = _task_of(row, task, now)
        await uow.tasks.save(replace(updated, updated_at=now))
        links.append(_link(cmd, plan, row, task.id, now, link))
        facts = task_facts(updated)
        marker: dict[str, Any] = {"imported": True, "import_source": cmd.source}
        if task.status == "published" and updated.status == "published":
            events.append(TaskUpdated(**facts, updated_at=now, **marker))
        elif task.status == "draft" and updated.status == "published":
            events.append(TaskPosted(**facts, posted_at=now, **marker))
        elif task.status == "published" and updated.status == "closed":
            events.append(
                TaskClosed(
                    task_id=task.id,
                    organisation_id=task.organisation_id,
                    centrale_id=task.centrale_id,
                    reason="closed",
                    closed_at=now,
                    **marker,
                )
            )
    await _emit(uow, cmd.centrale_id, events)
    report.events += len(events)
    await uow.imports.save_links(links)


def _nov_reasons(row: TaskRow, organisation: Organisation, rules: RowRules) -> list[str]:
    """Why the task may not be published under the NOV criteria, as the platform checks every task."""
    return domain.check_task_quality(
        domain.TaskDraft(
            description=row.description,
            hours_per_week=row.hours_per_week,
            capacity=row.capacity,
            has_schedule=row.one_off_start is not None or bool(row.shifts),
            one_off_start=row.one_off_start,
            closing_date=row.closing_date,
            replaces_paid_work=False,
            for_profit=organisation.for_profit,
            organisation_admitted=organisation.status == "admitted",
            organisation_has_contact_person=bool(
                organisation.contact_name and (organisation.contact_email or organisation.contact_phone)
            ),
            organisation_liability_insured=organisation.liability_insured,
        ),
        rules.today,
    )


def _status_change_refused(stored: str, said: str) -> str | None:
    """Why a corrected row may not move its task from ``stored`` to ``said``; None when it may."""
    if stored == said or (stored, said) in {("draft", "published"), ("draft", "closed"), ("published", "closed")}:
        return None
    if stored == "published":
        return "a published task cannot go back to draft"
    return f"the task is {stored} on the platform: it cannot be opened again"


def _task_of(row: TaskRow, task: Task, now: datetime) -> Task:
    """The task's record with what the row says (its status moved only as the row says)."""
    return replace(
        task,
        title=row.title,
        description=row.description,
        theme=row.theme,
        skills=list(row.skills),
        postcode=row.postcode,
        postcode_area=domain.postcode_area(row.postcode) if row.postcode else None,
        one_off_start=row.one_off_start,
        one_off_end=row.one_off_end,
        shifts=[slot.model_dump(mode="json") for slot in row.shifts],
        capacity=row.capacity,
        hours_per_week=row.hours_per_week,
        vog_required=row.vog_required,
        team_suitable=row.team_suitable,
        support_accessible=row.support_accessible,
        closing_date=row.closing_date,
        offer=row.offer,
        status=row.status if task.status in ("draft", "published") else task.status,
        published_at=task.published_at or (now if row.status == "published" else None),
        closed_at=task.closed_at or (now if row.status == "closed" else None),
    )


# --- historic hours -----------------------------------------------------------------------------------------


async def _import_hours(
    cmd: ImportFile, uow: RegistryUnitOfWork, layout: Layout, rules: RowRules, report: ImportReport
) -> None:
    """Hours worked before the platform, against an organisation and perhaps a task; no match needed.

    Written for a million rows (``bench.imports``): rows are checked by ``HoursChecker`` (the reference's answer
    for every cell text it has not seen, a lookup after), references resolve through dictionaries, entries are
    tuples, new ids are made in bulk, and the events are rendered straight to JSON (``_hours_events``; the fast
    tests parse each with the contract's model).
    """
    centrale, source = cmd.centrale_id, cmd.source
    volunteers = await uow.imports.references(centrale, source, Kind.VOLUNTEERS.value)
    organisations = await uow.imports.references(centrale, source, Kind.ORGANISATIONS.value)
    tasks = await uow.imports.task_references(centrale, source)
    stored = await uow.historic_hours.of_source(centrale, source)
    now = uow.now()
    checker = HoursChecker(layout, rules)
    ids = new_ids()
    new: list[HistoricHours] = []
    changed: list[HistoricHours] = []
    first_line: dict[str, int] = {}
    unknown = f"no {{}} with this id was imported from {source}"
    make = tuple.__new__  # a HistoricHours without NamedTuple's keyword handling: a million are made
    for line, cells in cmd.sheet.rows:
        report.rows += 1
        if report.rows % PROGRESS_EVERY == 0:
            await _progress(cmd, "checking", report)
        checked = checker.check(line, cells)
        if type(checked) is not HoursRow:
            assert isinstance(checked, list)
            report.problems.extend(checked)
            report.skipped += 1
            continue
        _, external_id, volunteer, organisation, task_ref, worked_on, hours, theme = checked
        if external_id in first_line:
            report.refuse(line, "external_id", f"the same id as line {first_line[external_id]}")
            continue
        first_line[external_id] = line
        # _resolve, inline for the usual row: the volunteer, task and organisation known, and agreeing.
        volunteer_id = volunteers.get(volunteer)
        task = tasks.get(task_ref) if task_ref else None
        organisation_id = organisations.get(organisation) if organisation else None
        if (
            volunteer_id is None
            or (task_ref and task is None)
            or (
                organisation
                and (organisation_id is None or (task is not None and task.organisation_id != organisation_id))
            )
        ):
            _refuse_reference(checked, volunteer_id, task, organisation_id, report, unknown)
            continue
        if organisation_id is None:
            assert task is not None, "the row's check asks for an organisation or a task"
            organisation_id = task.organisation_id
        task_id = task.task_id if task is not None else None
        theme = theme or (task.theme if task is not None else UNKNOWN_THEME)
        old = stored.get(external_id)
        if old is None:
            new.append(
                make(
                    HistoricHours,
                    (
                        centrale,
                        source,
                        external_id,
                        next(ids),
                        volunteer_id,
                        organisation_id,
                        task_id,
                        theme,
                        worked_on,
                        hours,
                        now,
                        now,
                    ),
                )
            )
        elif (old.volunteer_id, old.organisation_id, old.task_id, old.theme, old.worked_on, old.hours) != (
            volunteer_id,
            organisation_id,
            task_id,
            theme,
            worked_on,
            hours,
        ):
            changed.append(
                old._replace(
                    volunteer_id=volunteer_id,
                    organisation_id=organisation_id,
                    task_id=task_id,
                    theme=theme,
                    worked_on=worked_on,
                    hours=hours,
                    updated_at=now,
                )
            )
        else:
            report.unchanged += 1
    report.added, report.changed = len(new), len(changed)
    if cmd.dry_run:
        return
    await _progress(cmd, "writing", report)
    await uow.historic_hours.add(new)
    await uow.historic_hours.update(changed)
    events = _hours_events(centrale, source, [*new, *changed], now)
    for start in range(0, len(events), EVENTS_PER_COPY):
        await uow.emit_encoded(HistoricHoursImported, events[start : start + EVENTS_PER_COPY], tenant=centrale)
    report.events += len(events)


def _refuse_reference(
    row: HoursRow,
    volunteer_id: UUID | None,
    task: TaskReference | None,
    organisation_id: UUID | None,
    report: ImportReport,
    unknown: str,
) -> None:
    """The one reference problem of a row, in the order they are checked: volunteer, task, organisation, both."""
    if volunteer_id is None:
        report.refuse(row.line, "volunteer", unknown.format("volunteer"))
    elif row.task and task is None:
        report.refuse(row.line, "task", unknown.format("task"))
    elif organisation_id is None:
        report.refuse(row.line, "organisation", unknown.format("organisation"))
    else:
        report.refuse(row.line, "task", "belongs to another organisation than the row names")


def _hours_events(centrale: str, source: str, entries: Sequence[HistoricHours], now: datetime) -> list[Encoded]:
    """``HistoricHoursImported`` per volunteer (per ``HISTORIC_ENTRIES_PER_EVENT`` entries), rendered as JSON.

    The JSON a ``HistoricHoursImported`` would dump (``tests/registry/unit`` parses each with the model); each
    id, day, amount and theme is turned into text once.
    """
    by_volunteer: dict[Any, list[HistoricHours]] = defaultdict(list)
    for entry in entries:
        by_volunteer[entry.volunteer_id].append(entry)
    head = (
        f',"centrale_id":{json.dumps(centrale)},"import_source":{json.dumps(source)},'
        f'"imported_at":"{now.isoformat()}","entries":['
    )
    texts: dict[Any, str] = {None: "null"}
    get = texts.get

    def text(value: Any) -> str:
        texts[value] = found = json.dumps(value if isinstance(value, str) else str(value))
        return found

    events = []
    for volunteer_id, own in by_volunteer.items():
        own.sort(key=_by_day)
        subject = str(volunteer_id)
        for start in range(0, len(own), HISTORIC_ENTRIES_PER_EVENT):
            # Each value looked up with a dictionary's get (no Python call per value): a million entries.
            rendered = ",".join(
                f'{{"hours_id":"{entry[3]}","organisation_id":{get(entry[5]) or text(entry[5])},'
                f'"task_id":{get(entry[6]) or text(entry[6])},"theme":{get(entry[7]) or text(entry[7])},'
                f'"worked_on":{get(entry[8]) or text(entry[8])},"hours":{get(entry[9]) or text(entry[9])}}}'
                for entry in own[start : start + HISTORIC_ENTRIES_PER_EVENT]
            )
            payload = f'{{"volunteer_id":"{subject}"{head}{rendered}]}}'
            events.append(Encoded(subject, payload.encode()))
    return events


def _by_day(entry: HistoricHours) -> tuple[date, str]:
    return entry.worked_on, entry.external_id
