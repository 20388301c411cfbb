"""Import files, pure: reading CSV and Excel as other systems write them, mapping their columns, checking rows."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from openpyxl import Workbook  # type: ignore[import-untyped]

from contracts.events import WeeklySlot
from registry.bulk import (
    HoursChecker,
    HoursRow,
    Kind,
    Problem,
    RowRules,
    VolunteerRow,
    check_hours,
    check_organisation,
    check_task,
    check_volunteer,
    read_sheet,
    resolve_layout,
    write_csv,
    write_xlsx,
)
from registry.bulk.files import FileError
from registry.bulk.values import CellError, read_date, read_decimal, read_languages, read_moment, read_slots
from registry.domain import ConsentKind

RULES = RowRules(today=date(2026, 11, 22), consent_text_version="vb-2019")


def rows_of(content: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    sheet = read_sheet(content)
    return sheet.headers, list(sheet.rows)


def test_dutch_excel_csv_with_semicolons_a_byte_order_mark_and_windows_1252_is_read() -> None:
    content = "Naam;Woonplaats\r\nJosé;Ümmingen\r\n".encode("cp1252")
    headers, rows = rows_of(content)
    assert headers == ["Naam", "Woonplaats"]
    assert rows == [(2, ["José", "Ümmingen"])]
    headers, rows = rows_of("\ufeffid,naam\n1,Anna\n".encode())
    assert headers == ["id", "naam"]
    assert rows == [(2, ["1", "Anna"])]


def test_each_row_keeps_the_line_it_starts_on_past_blank_lines_and_fields_spanning_lines() -> None:
    content = b'id;omschrijving\n1;"twee\nregels"\n\n2;een\n'
    _, rows = rows_of(content)
    assert rows == [(2, ["1", "twee\nregels"]), (5, ["2", "een"])]


def test_a_file_without_a_header_or_not_a_table_is_refused() -> None:
    with pytest.raises(FileError, match="empty"):
        read_sheet(b"")
    with pytest.raises(FileError, match="neither CSV"):
        read_sheet(b"\x00\x01\x02binary")
    with pytest.raises(FileError, match="Excel"):
        read_sheet(b"PK\x03\x04 not really a zip")


def test_an_excel_workbook_is_read_with_dates_and_numbers_as_a_csv_would_hold_them() -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["id", "datum", "uren", "naam"])
    sheet.append([17, datetime(2019, 3, 4), 2.5, "Anna"])
    sheet.append([None, None, None, None])
    sheet.append([18, date(2019, 3, 5), 3, None])
    out = io.BytesIO()
    workbook.save(out)
    headers, rows = rows_of(out.getvalue())
    assert headers == ["id", "datum", "uren", "naam"]
    assert rows == [(2, ["17", "2019-03-04", "2.5", "Anna"]), (4, ["18", "2019-03-05", "3", ""])]


def test_what_an_export_writes_reads_back_in_both_formats() -> None:
    headers = ["external_id", "registered_at", "skills", "needs_support", "hours"]
    moment = datetime(2026, 3, 1, 13, 30, tzinfo=UTC)
    rows = [["a1", moment, ["koken", "taal"], True, Decimal("2.50")], ["a2", None, [], False, None]]
    expected = [
        (2, ["a1", "2026-03-01 14:30", "koken; taal", "ja", "2.50"]),
        (3, ["a2", "", "", "nee", ""]),
    ]
    assert rows_of(b"".join(write_csv(headers, rows))) == (headers, expected)
    read_headers, read_rows = rows_of(write_xlsx(headers, rows, "test"))
    assert read_headers == headers
    assert read_rows == [(2, ["a1", "2026-03-01 14:30", "koken; taal", "ja", "2.5"]), (3, ["a2", "", "", "nee", ""])]


def test_columns_are_found_by_their_dutch_or_english_names_whatever_the_case_or_spacing() -> None:
    layout, problems = resolve_layout(
        Kind.VOLUNTEERS, ["Vrijwilliger ID", "Voornaam", "Achternaam", "E-mail", "Geboorte datum", "Hobby"]
    )
    assert problems == []
    assert layout.claimed == {
        "Vrijwilliger ID": "external_id",
        "Voornaam": "first_name",
        "Achternaam": "last_name",
        "E-mail": "email",
        "Geboorte datum": "birth_date",
    }
    assert layout.ignored == ("Hobby",)
    assert layout.positions["birth_date"] == 4


def test_a_mapping_sent_with_the_file_claims_columns_first_and_can_ignore_one() -> None:
    layout, problems = resolve_layout(
        Kind.HOURS,
        ["Regel", "Persoon", "Club", "Wanneer", "Duur", "uren"],
        {"Regel": "external_id", "Persoon": "volunteer", "Club": "organisation", "Wanneer": "worked_on", "uren": None},
    )
    assert problems == []
    assert layout.claimed == {
        "Regel": "external_id",
        "Persoon": "volunteer",
        "Club": "organisation",
        "Wanneer": "worked_on",
        "Duur": "hours",
    }
    assert layout.ignored == ("uren",)


def test_header_problems_name_every_missing_field_a_bad_mapping_and_a_field_filled_twice() -> None:
    _, problems = resolve_layout(
        Kind.HOURS, ["id", "uren", "aantal uren", "Datum"], {"Vrijwilliger": "volunteer", "Datum": "colour"}
    )
    assert sorted(problems, key=lambda p: p.field) == [
        Problem(1, "colour", "is not a field of an import of hours"),
        Problem(1, "hours", "two columns of the file fill this field"),
        Problem(1, "organisation", "the file has no column for the organisation (or the task)"),
        Problem(1, "volunteer", "the mapping names a column the file does not have"),
        Problem(1, "volunteer", "the file has no column for this field (map one of its columns)"),
        Problem(1, "worked_on", "the file has no column for this field (map one of its columns)"),
    ]


def test_cells_are_read_as_other_systems_and_dutch_spreadsheets_write_them() -> None:
    assert read_date("2019-12-31") == read_date("31-12-2019") == read_date("31/12/2019") == date(2019, 12, 31)
    assert read_date("2019-12-31 00:00") == date(2019, 12, 31)
    assert read_moment("31-12-2019 14:30") == datetime(2019, 12, 31, 13, 30, tzinfo=UTC)
    assert read_decimal("2,5") == read_decimal("2.50") == Decimal("2.5")
    assert read_languages("Nederlands, Arabisch; en") == ["nl", "ar", "en"]
    assert read_slots("ma 09:00-12:00; Donderdag 13.30-16.00") == [
        WeeklySlot.model_validate({"weekday": 1, "start": "09:00", "end": "12:00"}),
        WeeklySlot.model_validate({"weekday": 4, "start": "13:30", "end": "16:00"}),
    ]
    for reader, text in [(read_date, "31-02-2019"), (read_decimal, "2.555"), (read_slots, "ma 12:00-09:00")]:
        with pytest.raises(CellError):
            reader(text)


VOLUNTEER_HEADERS = [
    "id",
    "naam",
    "e-mail",
    "telefoon",
    "postcode",
    "geboortedatum",
    "vaardigheden",
    "talen",
    "beschikbaarheid",
    "ingeschreven op",
    "toestemming bemiddeling",
    "toestemming waardering",
    "doelgroepen",
]


def volunteer(*cells: str) -> VolunteerRow | list[Problem]:
    layout, problems = resolve_layout(Kind.VOLUNTEERS, VOLUNTEER_HEADERS)
    assert problems == []
    return check_volunteer(7, list(cells), layout, RULES)


def test_a_volunteers_row_becomes_a_record_with_its_consents_and_their_version_and_day() -> None:
    row = volunteer(
        "V1",
        "Fatima el Amrani",
        "Fatima@Example.NL",
        "06 1234 5678",
        "3511 ab",
        "17-05-1994",
        "Koken; taal",
        "Nederlands, Arabisch",
        "di 09:00-12:00",
        "01-02-2015",
        "2015-02-01",
        "ja",
        "",
    )
    assert isinstance(row, VolunteerRow)
    assert (row.external_id, row.name, row.email, row.postcode, row.age_band) == (
        "V1",
        "Fatima el Amrani",
        "Fatima@example.nl",
        "3511 AB",
        "30-49",
    )
    assert row.skills == ("koken", "taal")
    assert row.languages == ("nl", "ar")
    assert row.registered_at == datetime(2015, 1, 31, 23, 0, tzinfo=UTC)
    kinds = {c.kind: (c.granted, c.on, c.text_version) for c in row.consents}
    assert kinds == {
        ConsentKind.MATCHING: (True, date(2015, 2, 1), "vb-2019"),
        ConsentKind.APPRECIATION_MESSAGES: (True, date(2015, 2, 1), "vb-2019"),
    }


def test_every_problem_of_a_volunteers_row_is_reported_by_field_without_its_value() -> None:
    problems = volunteer(
        "",
        "",
        "geen-mail",
        "bel me",
        "Utrecht",
        "2020-01-01",
        "",
        "Klingon",
        "maandag",
        "31-12-2099",
        "misschien",
        "",
        "statushouder",
    )
    assert isinstance(problems, list)
    assert [(p.line, p.field) for p in problems] == [
        (7, "external_id"),
        (7, "name"),
        (7, "email"),
        (7, "phone"),
        (7, "postcode"),
        (7, "birth_date"),
        (7, "languages"),
        (7, "availability"),
        (7, "registered_at"),
        (7, "consent_matching"),
        (7, "target_groups"),
    ]
    for value in ("geen-mail", "bel me", "Utrecht", "Klingon", "misschien", "statushouder"):
        assert all(value not in p.message for p in problems)


def test_an_organisations_row_and_a_tasks_row_are_checked_field_by_field() -> None:
    layout, _ = resolve_layout(Kind.ORGANISATIONS, ["id", "naam", "kvk", "contactpersoon", "e-mail", "verzekerd"])
    assert [p.field for p in check_organisation(3, ["O1", "B", "123", "", "x@", "soms"], layout, RULES)] == [  # type: ignore[union-attr]
        "name",
        "kvk_number",
        "contact_email",
        "liability_insured",
    ]
    organisation = check_organisation(4, ["O2", "Buurthuis", "", "Anna", "anna@buurthuis.nl", "ja"], layout, RULES)
    assert not isinstance(organisation, list)
    assert (organisation.formal, organisation.liability_insured, organisation.contact_name) == (False, True, "Anna")
    layout, _ = resolve_layout(
        Kind.TASKS,
        ["id", "organisatie", "titel", "omschrijving", "thema", "uren per week", "diensten", "start", "status"],
    )
    problems = check_task(5, ["T1", "O2", "Ko", "", "zorg", "-3", "elke dag", "2026-05-01 10:00", "weg"], layout, RULES)
    assert [p.field for p in problems] == [  # type: ignore[union-attr]
        "title",
        "description",
        "hours_per_week",
        "shifts",
        "one_off_end",
        "status",
    ]


HOURS_LAYOUT, _ = resolve_layout(Kind.HOURS, ["id", "vrijwilliger", "organisatie", "taak", "datum", "uren", "thema"])


def test_an_hours_row_becomes_a_tuple_and_a_bad_one_lists_every_problem() -> None:
    row = check_hours(9, ["U1", "V1", "O1", "", "04-03-2019", "2,5", "Zorg"], HOURS_LAYOUT, RULES)
    assert row == HoursRow(9, "U1", "V1", "O1", "", date(2019, 3, 4), Decimal("2.5"), "zorg")
    problems = check_hours(10, ["", "", "", "", "2099-01-01", "25", ""], HOURS_LAYOUT, RULES)
    assert problems == [
        Problem(10, "external_id", "is empty"),
        Problem(10, "volunteer", "is empty"),
        Problem(10, "organisation", "is empty (give the organisation, the task or both)"),
        Problem(10, "worked_on", "lies in the future"),
        Problem(10, "hours", "must be more than 0 and at most 24"),
    ]
    assert check_hours(11, ["U2", "V1", "", "T1", "1949-12-31", "1.234"], HOURS_LAYOUT, RULES) == [
        Problem(11, "worked_on", "lies before 1950"),
        Problem(11, "hours", "has more than 2 decimals"),
    ]


def test_the_hours_checker_for_big_files_gives_what_check_hours_gives_row_for_row() -> None:
    good = ["U1", "V1", "O1", "", "04-03-2019", "2,5", "Zorg"]
    rows = [
        good,
        ["U2", "V2", "", "T1", "04-03-2019", "2,5", "Zorg"],  # the texts seen: taken without a detour
        ["U3", "V1", "O1", "", " 04-03-2019 ", "2,5", " ZORG "],
        ["", "", "", "", "2099-01-01", "25", ""],
        ["U4", "V1", "", "T1", "1949-12-31", "1.234"],  # short row, before 1950, three decimals
        ["U5", "V1", "O1", "", "04-03-2019", "0", "zorg"],
        ["U6", "V1", "O1", "", "", "2,5", "zorg"],
        ["U7", "V1", "O1", "", "31-02-2019", "2,5", "zorg"],
        ["U8", "V1", "O1", "", "04-03-2019", "twee", "zorg"],
        ["U9", "V1", "O1", "", "04-03-2019", "2,5", "x" * 41],
        ["x" * 101, "V1", "O1", "", "04-03-2019", "2,5", "zorg"],
        ["U10", "", "O1", "", "04-03-2019", "2,5", "zorg"],
        ["U11", "V1", "", "", "04-03-2019", "2,5", "zorg"],
        ["U12", "V1", "O1", "", "04-03-2019", "2,5", ""],
        ["U13", "V1", "O1", "", "04-03-2019", "2,5", ""],  # an empty theme, now seen
        good,
    ]
    checker = HoursChecker(HOURS_LAYOUT, RULES)
    for line, row in enumerate(rows, start=2):
        assert checker.check(line, row) == check_hours(line, row, HOURS_LAYOUT, RULES), row
