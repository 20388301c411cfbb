"""Imports and exports on the fakes: dry runs, idempotent re-runs, corrections, consents with their source,
historic hours as history, the NOV check, erased volunteers, and exports that import again."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from common.errors import NotFound, Rejected
from contracts.events import (
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
from registry.bulk import Kind, Problem, read_sheet, write_csv
from registry.domain import dutch_date
from registry.use_cases.exports import ExportRecords, export_records
from registry.use_cases.imports import ImportFile, ImportProgress, ImportReport, import_file
from registry.use_cases.volunteers import EraseVolunteer, ExportVolunteer, erase_volunteer, export_volunteer
from tests.registry.builders import a_centrale
from tests.registry.fakes import FakeRegistryUnitOfWork

SOURCE = "vrijwilligersbank"
VOLUNTEERS = [
    [
        "id",
        "voornaam",
        "achternaam",
        "e-mail",
        "postcode",
        "geboortedatum",
        "ingeschreven op",
        "toestemming bemiddeling",
        "toestemming waardering",
        "toestemming versie",
    ],
    [
        "V1",
        "Fatima",
        "el Amrani",
        "fatima@example.nl",
        "3511 AB",
        "17-05-1994",
        "01-02-2015",
        "01-02-2015",
        "ja",
        "vb-2015",
    ],
    ["V2", "Jan", "de Vries", "jan@example.nl", "3512 JK", "1960-01-01", "2019-06-01", "2019-06-01", "", "vb-2019"],
]
ORGANISATIONS = [
    ["id", "naam", "kvk", "postcode", "contactpersoon", "e-mail", "verzekerd"],
    ["O1", "Voedselbank Utrecht", "12345678", "3511 AB", "Anna de Boer", "anna@voedselbank.example", "ja"],
    ["O2", "Buurthuis De Linde", "", "3512 JK", "Kees", "kees@linde.example", "ja"],
]
TASKS = [
    ["id", "organisatie", "titel", "omschrijving", "thema", "uren per week", "diensten", "status"],
    [
        "T1",
        "O1",
        "Voedselpakketten inpakken",
        "Pak op dinsdagochtend de voedselpakketten in voor de uitgifte in de middag.",
        "voedselhulp",
        "3",
        "di 09:00-12:00",
        "open",
    ],
    [
        "T2",
        "O2",
        "Bardienst",
        "Achter de bar in het buurthuis op vrijdagavond, gezellig met de buren.",
        "buurt",
        "2",
        "",
        "gesloten",
    ],
]


def file_of(rows: Sequence[Sequence[Any]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=";").writerows(rows)
    return out.getvalue().encode()


async def run(
    uow: FakeRegistryUnitOfWork,
    centrale_id: str,
    kind: Kind,
    rows: Sequence[Sequence[Any]],
    *,
    dry_run: bool = False,
    **options: Any,
) -> ImportReport:
    uow.renew()
    command = ImportFile(centrale_id, kind, SOURCE, read_sheet(file_of(rows)), dry_run=dry_run, **options)
    return await import_file(command, uow)


@pytest.fixture
def centrale_id(uow: FakeRegistryUnitOfWork) -> str:
    centrale = a_centrale()
    uow.tables.centrales[centrale.id] = centrale
    return centrale.id


async def imported_base(uow: FakeRegistryUnitOfWork, centrale_id: str) -> None:
    for kind, rows in ((Kind.VOLUNTEERS, VOLUNTEERS), (Kind.ORGANISATIONS, ORGANISATIONS), (Kind.TASKS, TASKS)):
        report = await run(uow, centrale_id, kind, rows)
        assert report.problems == [], report.problems


def hours_file(*rows: Sequence[str]) -> list[Sequence[str]]:
    return [["id", "vrijwilliger", "organisatie", "taak", "datum", "uren", "thema"], *rows]


async def test_a_dry_run_reports_every_problem_by_line_and_field_and_stores_nothing(
    uow: FakeRegistryUnitOfWork, centrale_id: str
) -> None:
    rows = [
        *VOLUNTEERS,
        ["V3", "", "", "geen mail", "", "", "", "", "", ""],
        ["V1", "Dubbel", "", "", "", "", "", "", "", ""],
    ]
    report = await run(uow, centrale_id, Kind.VOLUNTEERS, rows, dry_run=True)
    assert report.problems == [
        Problem(4, "name", "is empty"),
        Problem(4, "email", "not an e-mail address"),
        Problem(5, "external_id", "the same id as line 2"),
    ]
    assert (report.rows, report.added, report.changed, report.skipped, report.events) == (4, 2, 0, 2, 0)
    assert uow.tables.volunteers == {}
    assert uow.emitted == []


async def test_volunteers_come_in_with_their_consents_source_and_an_imported_registration(
    uow: FakeRegistryUnitOfWork, centrale_id: str
) -> None:
    report = await run(uow, centrale_id, Kind.VOLUNTEERS, VOLUNTEERS)
    assert (report.added, report.events, report.problems) == (2, 2, [])
    registered = uow.events(VolunteerRegistered)
    assert all(isinstance(e, VolunteerRegistered) and e.imported and e.import_source == SOURCE for e in registered)
    fatima = next(v for v in uow.tables.volunteers.values() if v.name == "Fatima el Amrani")
    assert fatima.registered_at == datetime(2015, 1, 31, 23, 0, tzinfo=UTC)
    event = next(e for e in registered if isinstance(e, VolunteerRegistered) and e.volunteer_id == fatima.id)
    assert (event.registered_at, event.matching_consent, event.appreciation_messages_consent) == (
        fatima.registered_at,
        True,
        True,
    )
    consents = {c.kind: c for c in uow.tables.volunteer_consents if c.volunteer_id == fatima.id}
    assert {k: (c.recorded_by, c.text_version, dutch_date(c.recorded_at)) for k, c in consents.items()} == {
        "matching": ("import:vrijwilligersbank", "vb-2015", date(2015, 2, 1)),
        "appreciation_messages": ("import:vrijwilligersbank", "vb-2015", date(2015, 2, 1)),
    }
    trail = list(uow.tables.personal_data_access.values())
    assert sorted((a.action, a.what, a.purpose) for a in trail) == [("create", "record", "intake")] * 2
    assert {a.volunteer_id for a in trail} == set(uow.tables.volunteers)


async def test_a_re_run_changes_nothing_and_a_corrected_row_updates_its_volunteer(
    uow: FakeRegistryUnitOfWork, centrale_id: str
) -> None:
    await run(uow, centrale_id, Kind.VOLUNTEERS, VOLUNTEERS)
    volunteers, consents, emitted = dict(uow.tables.volunteers), list(uow.tables.volunteer_consents), len(uow.emitted)
    again = await run(uow, centrale_id, Kind.VOLUNTEERS, VOLUNTEERS)
    assert (again.added, again.changed, again.unchanged, again.events) == (0, 0, 2, 0)
    assert (uow.tables.volunteers, uow.tables.volunteer_consents, len(uow.emitted)) == (volunteers, consents, emitted)

    corrected = [
        VOLUNTEERS[0],
        VOLUNTEERS[1],
        [*VOLUNTEERS[2][:3], "jan.devries@example.nl", *VOLUNTEERS[2][4:8], "2020-01-01", "vb-2019"],
    ]
    report = await run(uow, centrale_id, Kind.VOLUNTEERS, corrected)
    assert (report.added, report.changed, report.unchanged) == (0, 1, 1)
    jan = next(v for v in uow.tables.volunteers.values() if v.name == "Jan de Vries")
    assert jan.email == "jan.devries@example.nl"
    assert len(uow.tables.volunteers) == 2
    changed = uow.emitted[emitted:]
    assert [type(e.event) for e in changed] == [VolunteerConsentChanged, VolunteerProfileUpdated]
    consent = changed[0].event
    assert isinstance(consent, VolunteerConsentChanged)
    assert (consent.consent, consent.granted, consent.imported, consent.import_source) == (
        "appreciation_messages",
        True,
        True,
        SOURCE,
    )


async def test_an_erased_volunteer_is_not_imported_again(uow: FakeRegistryUnitOfWork, centrale_id: str) -> None:
    await run(uow, centrale_id, Kind.VOLUNTEERS, VOLUNTEERS)
    fatima = next(v for v in uow.tables.volunteers.values() if v.name == "Fatima el Amrani")
    uow.renew()
    await erase_volunteer(EraseVolunteer(fatima.id, centrale_id), uow)
    assert [link.external_id for link in uow.tables.import_links.values() if link.record_id == fatima.id] == [None]
    report = await run(uow, centrale_id, Kind.VOLUNTEERS, VOLUNTEERS)
    assert report.problems == [
        Problem(2, "external_id", "this volunteer was erased at their own request: they are not imported again")
    ]
    assert (report.added, report.unchanged, len(uow.tables.volunteers)) == (0, 1, 2)


async def test_organisations_come_in_admitted_and_tasks_open_after_the_nov_check(
    uow: FakeRegistryUnitOfWork, centrale_id: str
) -> None:
    report = await run(uow, centrale_id, Kind.ORGANISATIONS, ORGANISATIONS)
    assert (report.added, report.events) == (2, 4)
    assert {o.status for o in uow.tables.organisations.values()} == {"admitted"}
    assert [type(e) for e in uow.events()] == [OrganisationRegistered, OrganisationAdmitted] * 2
    assert all(getattr(e, "imported", False) for e in uow.events())
    too_much = [
        *TASKS[:2],
        [
            "T3",
            "O1",
            "Chauffeur",
            "Rijd de bus van de voedselbank op maandag en donderdag rond.",
            "voedselhulp",
            "30",
            "ma 09:00-17:00",
            "open",
        ],
        TASKS[2],
        [
            "T4",
            "O9",
            "Onbekend",
            "Een organisatie die niet is ingelezen vraagt om hulp bij alles.",
            "zorg",
            "2",
            "",
            "concept",
        ],
    ]
    report = await run(uow, centrale_id, Kind.TASKS, too_much)
    assert report.problems == [
        Problem(3, "status", "cannot be published: asks 30 hours a week; the NOV criteria allow at most 20"),
        Problem(5, "organisation", "no organisation with this id was imported from vrijwilligersbank"),
    ]
    assert (report.added, report.skipped) == (2, 2)
    statuses = sorted(t.status for t in uow.tables.tasks.values())
    assert statuses == ["closed", "published"]
    posted = uow.events(TaskPosted)
    assert len(posted) == 1
    assert isinstance(posted[0], TaskPosted)
    assert (posted[0].imported, posted[0].import_source, posted[0].theme) == (True, SOURCE, "voedselhulp")


async def test_a_corrected_task_row_updates_a_published_task_and_may_close_it_but_not_reopen_it(
    uow: FakeRegistryUnitOfWork, centrale_id: str
) -> None:
    await imported_base(uow, centrale_id)
    start = len(uow.emitted)
    longer = [TASKS[0], [*TASKS[1][:5], "4", *TASKS[1][6:]], TASKS[2]]
    report = await run(uow, centrale_id, Kind.TASKS, longer)
    assert (report.changed, report.unchanged) == (1, 1)
    updated = uow.emitted[start:]
    assert [type(e.event) for e in updated] == [TaskUpdated]
    assert updated[0].event.hours_per_week == 4.0  # type: ignore[attr-defined]
    closing = [TASKS[0], [*TASKS[1][:5], "4", TASKS[1][6], "gesloten"], [*TASKS[2][:6], "vr 19:00-23:00", "open"]]
    report = await run(uow, centrale_id, Kind.TASKS, closing)
    assert report.problems == [Problem(3, "status", "the task is closed on the platform: it cannot be opened again")]
    closed = [e.event for e in uow.emitted[start + 1 :]]
    assert [type(e) for e in closed] == [TaskClosed]
    assert isinstance(closed[0], TaskClosed)
    assert (closed[0].reason, closed[0].imported) == ("closed", True)


async def test_historic_hours_need_no_match_and_go_out_per_volunteer_as_history(
    uow: FakeRegistryUnitOfWork, centrale_id: str
) -> None:
    await imported_base(uow, centrale_id)
    start = len(uow.emitted)
    rows = hours_file(
        ["U1", "V1", "O1", "T1", "04-03-2016", "3", ""],
        ["U2", "V1", "", "T1", "2016-03-11", "2,5", ""],
        ["U3", "V1", "O2", "", "2017-01-07", "4", "Buurt"],
        ["U4", "V2", "O2", "", "2018-05-01", "1", ""],
        ["U5", "V9", "O1", "", "2018-05-01", "1", ""],
        ["U6", "V2", "O2", "T1", "2018-05-02", "1", ""],
        ["U7", "V2", "O7", "", "2018-05-03", "1", ""],
    )
    report = await run(uow, centrale_id, Kind.HOURS, rows)
    assert report.problems == [
        Problem(6, "volunteer", "no volunteer with this id was imported from vrijwilligersbank"),
        Problem(7, "task", "belongs to another organisation than the row names"),
        Problem(8, "organisation", "no organisation with this id was imported from vrijwilligersbank"),
    ]
    assert (report.added, report.skipped, report.events) == (4, 3, 2)
    events = [e.event for e in uow.emitted[start:]]
    assert all(isinstance(e, HistoricHoursImported) for e in events)
    by_volunteer = {e.volunteer_id: e for e in events if isinstance(e, HistoricHoursImported)}
    fatima = next(v.id for v in uow.tables.volunteers.values() if v.name == "Fatima el Amrani")
    entries = by_volunteer[fatima].entries
    assert [(e.worked_on, e.hours, e.theme, e.task_id is not None) for e in entries] == [
        (date(2016, 3, 4), Decimal("3"), "voedselhulp", True),
        (date(2016, 3, 11), Decimal("2.5"), "voedselhulp", True),
        (date(2017, 1, 7), Decimal("4"), "buurt", False),
    ]
    assert by_volunteer[fatima].import_source == SOURCE
    organisations = {o.name: o.id for o in uow.tables.organisations.values()}
    assert entries[1].organisation_id == organisations["Voedselbank Utrecht"]  # from its task


async def test_a_re_run_of_hours_changes_nothing_and_a_corrected_entry_goes_out_alone_under_its_id(
    uow: FakeRegistryUnitOfWork, centrale_id: str
) -> None:
    await imported_base(uow, centrale_id)
    rows = hours_file(["U1", "V1", "O1", "", "04-03-2016", "3", ""], ["U2", "V1", "O1", "", "05-03-2016", "2", ""])
    await run(uow, centrale_id, Kind.HOURS, rows)
    stored, emitted = dict(uow.tables.historic_hours), len(uow.emitted)
    again = await run(uow, centrale_id, Kind.HOURS, rows)
    assert (again.added, again.changed, again.unchanged, again.events) == (0, 0, 2, 0)
    assert (uow.tables.historic_hours, len(uow.emitted)) == (stored, emitted)
    corrected = hours_file(rows[1], ["U2", "V1", "O1", "", "05-03-2016", "2,75", ""])
    report = await run(uow, centrale_id, Kind.HOURS, corrected)
    assert (report.changed, report.unchanged, report.events) == (1, 1, 1)
    event = uow.emitted[-1].event
    assert isinstance(event, HistoricHoursImported)
    key = (centrale_id, SOURCE, "U2")
    assert [(e.hours_id, e.hours) for e in event.entries] == [(stored[key].id, Decimal("2.75"))]
    assert uow.tables.historic_hours[key].hours == Decimal("2.75")


async def test_a_volunteers_many_hours_go_out_in_events_of_at_most_two_hundred_entries(
    uow: FakeRegistryUnitOfWork, centrale_id: str
) -> None:
    await imported_base(uow, centrale_id)
    rows = hours_file(
        *[[f"U{n}", "V2", "O2", "", f"2018-{1 + n % 12:02d}-{1 + n % 28:02d}", "1", ""] for n in range(450)]
    )
    seen: list[ImportProgress] = []

    async def progress(step: ImportProgress) -> None:
        seen.append(step)

    report = await run(uow, centrale_id, Kind.HOURS, rows, progress=progress)
    assert (report.added, report.events) == (450, 3)
    events = [e for e in uow.events(HistoricHoursImported) if isinstance(e, HistoricHoursImported)]
    assert [len(e.entries) for e in events] == [200, 200, 50]
    days = [entry.worked_on for e in events for entry in e.entries]
    assert days == sorted(days)
    assert [step.stage for step in seen] == ["writing", "done"]
    assert seen[-1].rows == 450


async def test_a_volunteers_export_holds_their_historic_hours(uow: FakeRegistryUnitOfWork, centrale_id: str) -> None:
    await imported_base(uow, centrale_id)
    await run(uow, centrale_id, Kind.HOURS, hours_file(["U1", "V1", "O1", "", "04-03-2016", "3", ""]))
    fatima = next(v.id for v in uow.tables.volunteers.values() if v.name == "Fatima el Amrani")
    exported = await export_volunteer(ExportVolunteer(fatima, centrale_id), uow)
    assert [(h["worked_on"], h["hours"], h["source"]) for h in exported["historic_hours"]] == [
        (date(2016, 3, 4), Decimal("3.00"), SOURCE)
    ]


async def test_an_unnamed_source_or_centrale_is_refused(uow: FakeRegistryUnitOfWork, centrale_id: str) -> None:
    with pytest.raises(Rejected) as refused:
        await import_file(ImportFile(centrale_id, Kind.HOURS, "<script>", read_sheet(b"id\n1\n")), uow)
    assert refused.value.field == "source"
    with pytest.raises(NotFound):
        await import_file(ImportFile("vc-nergens", Kind.HOURS, SOURCE, read_sheet(b"id\n1\n")), uow)


async def test_an_export_of_every_kind_imports_again_into_another_centrale_as_the_same_records(
    uow: FakeRegistryUnitOfWork, centrale_id: str
) -> None:
    await imported_base(uow, centrale_id)
    await run(uow, centrale_id, Kind.HOURS, hours_file(["U1", "V1", "O1", "T1", "04-03-2016", "3", ""]))
    other = a_centrale()
    uow.tables.centrales[other.id] = other
    exports = {}
    for kind in (Kind.VOLUNTEERS, Kind.ORGANISATIONS, Kind.TASKS, Kind.HOURS):
        export = await export_records(ExportRecords(centrale_id, kind), uow)
        exports[kind] = b"".join(write_csv(export.headers, export.rows))
    assert len([a for a in uow.tables.personal_data_access.values() if a.action == "export"]) == 2
    for kind, content in exports.items():
        uow.renew()
        report = await import_file(ImportFile(other.id, kind, "regio-oud", read_sheet(content), dry_run=False), uow)
        assert report.problems == [], (kind, report.problems)
        assert report.added == {Kind.VOLUNTEERS: 2, Kind.ORGANISATIONS: 2, Kind.TASKS: 2, Kind.HOURS: 1}[kind]

    def described(centrale: str) -> Any:
        volunteers = sorted(
            (v.name, v.email, v.postcode, v.birth_date, v.registered_at)
            for v in uow.tables.volunteers.values()
            if v.centrale_id == centrale
        )
        tasks = sorted(
            (t.title, t.status, t.shifts, t.hours_per_week)
            for t in uow.tables.tasks.values()
            if t.centrale_id == centrale
        )
        hours = sorted(
            (h.worked_on, h.hours, h.theme) for h in uow.tables.historic_hours.values() if h.centrale_id == centrale
        )
        consents = sorted(
            (c.kind, c.granted, c.text_version, c.recorded_at.date())
            for c in uow.tables.volunteer_consents
            if uow.tables.volunteers[c.volunteer_id].centrale_id == centrale
        )
        return volunteers, tasks, hours, consents

    assert described(other.id) == described(centrale_id)
    links: dict[UUID, Any] = {link.record_id: link for link in uow.tables.import_links.values()}
    moved = [v for v in uow.tables.volunteers.values() if v.centrale_id == other.id]
    assert all(links[v.id].source == "regio-oud" for v in moved)
