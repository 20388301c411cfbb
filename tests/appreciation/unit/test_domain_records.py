"""A volunteer's record summed from matches and hours: most hours first, unknown names tolerated."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import uuid4

from appreciation.domain import Organisation, Task, summarise_record
from tests.appreciation.builders import hours_entry, match_of


def test_organisations_and_tasks_are_listed_with_their_hours_most_first() -> None:
    volunteer_id = uuid4()
    food_bank, library, club = uuid4(), uuid4(), uuid4()
    driving, reading, refereeing = uuid4(), uuid4(), uuid4()
    matches = [
        match_of(volunteer_id, organisation_id=food_bank, task_id=driving),
        match_of(volunteer_id, organisation_id=library, task_id=reading),
        match_of(volunteer_id, organisation_id=club, task_id=refereeing),  # matched, no hours yet
    ]
    hours = [
        hours_entry(volunteer_id, "8", date(2026, 2, 3), organisation_id=food_bank, task_id=driving),
        hours_entry(volunteer_id, "4.5", date(2026, 2, 10), organisation_id=food_bank, task_id=driving),
        hours_entry(volunteer_id, "2.25", date(2026, 3, 1), organisation_id=library, task_id=reading),
    ]
    organisations = {
        food_bank: Organisation(food_bank, "vc-test", "Voedselbank Utrecht"),
        library: Organisation(library, "vc-test", "Bibliotheek Oost"),
        club: Organisation(club, "vc-test", "Atletiekclub"),
    }
    tasks = {
        driving: Task(driving, food_bank, "vc-test", "ouderen", ("rijbewijs-b", "koken")),
        reading: Task(reading, library, "vc-test", "taal", ("taalles",)),
        refereeing: Task(refereeing, club, "vc-test", "sport", ("fluiten",)),
    }

    record = summarise_record(matches, hours, organisations, tasks)

    assert record.total_hours == Decimal("14.75")
    assert (record.first_day, record.last_day) == (date(2026, 2, 3), date(2026, 3, 1))
    assert [(o.name, o.hours, o.first_day, o.last_day) for o in record.organisations] == [
        ("Voedselbank Utrecht", Decimal("12.5"), date(2026, 2, 3), date(2026, 2, 10)),
        ("Bibliotheek Oost", Decimal("2.25"), date(2026, 3, 1), date(2026, 3, 1)),
        ("Atletiekclub", Decimal(0), None, None),
    ]
    assert [(t.organisation_name, t.theme, t.skills, t.hours) for t in record.tasks] == [
        ("Voedselbank Utrecht", "ouderen", ("rijbewijs-b", "koken"), Decimal("12.5")),
        ("Bibliotheek Oost", "taal", ("taalles",), Decimal("2.25")),
        ("Atletiekclub", "sport", ("fluiten",), Decimal(0)),
    ]
    # Only skills used in tasks with hours count.
    assert record.skills_used == ["koken", "rijbewijs-b", "taalles"]


def test_organisations_with_equal_hours_go_by_name_and_unknown_ones_last() -> None:
    volunteer_id = uuid4()
    zeist, amersfoort, unknown = uuid4(), uuid4(), uuid4()
    hours = [hours_entry(volunteer_id, "2", organisation_id=o) for o in (unknown, zeist, amersfoort)]
    organisations = {
        zeist: Organisation(zeist, "vc-test", "Zorgboerderij"),
        amersfoort: Organisation(amersfoort, "vc-test", "Buurthuis"),
    }

    record = summarise_record([], hours, organisations, {})

    assert [o.name for o in record.organisations] == ["Buurthuis", "Zorgboerderij", None]


def test_a_task_not_seen_yet_takes_the_theme_its_hours_named() -> None:
    volunteer_id, task_id, organisation_id = uuid4(), uuid4(), uuid4()
    hours = [hours_entry(volunteer_id, "3", task_id=task_id, organisation_id=organisation_id, theme="natuur")]

    record = summarise_record([], hours, {}, {})

    [task] = record.tasks
    assert (task.theme, task.skills, task.organisation_name, task.hours) == ("natuur", (), None, Decimal(3))
    assert record.skills_used == []


def test_an_empty_record_has_no_hours_and_no_days() -> None:
    record = summarise_record([], [], {}, {})
    assert (record.total_hours, record.first_day, record.last_day) == (Decimal(0), None, None)
    assert (record.organisations, record.tasks, record.skills_used) == ([], [], [])
