"""Dated shifts on the fakes: rules read and bounded, shifts across DST, parts, sign-ups with a waiting list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from common.clock import ManualClock
from common.errors import Conflict, NotFound, Rejected
from contracts.events import TaskUpdated
from registry.shift_rules import HORIZON, parse_rule, shift_times
from registry.use_cases import shifts
from registry.use_cases.calendar import RecordMatchEnded, record_match_ended
from registry.use_cases.shifts import (
    add_shift_pattern,
    add_task_part,
    cancel_signup,
    extend_shifts,
    list_shifts,
    sign_up,
)
from tests.registry.builders import NOW, a_centrale, a_match, a_task, a_volunteer, an_organisation
from tests.registry.fakes import FakeRegistryUnitOfWork


def _utc(rule: str, starts_on: date, start: time, end: time, now: datetime) -> list[tuple[datetime, datetime]]:
    parsed = parse_rule(rule, starts_on, start)
    return [
        (s.starts_at.astimezone(UTC), s.ends_at.astimezone(UTC))
        for s in shift_times(parsed, start, end, now, now + HORIZON)
    ]


def test_the_first_saturday_at_nine_stays_nine_dutch_time_across_the_autumn_clock_change() -> None:
    before = datetime(2026, 9, 20, tzinfo=UTC)
    got = _utc("FREQ=MONTHLY;BYDAY=1SA;COUNT=2", date(2026, 10, 1), time(9), time(12), before)
    assert got == [
        (datetime(2026, 10, 3, 7, tzinfo=UTC), datetime(2026, 10, 3, 10, tzinfo=UTC)),  # CEST, UTC+2
        (datetime(2026, 11, 7, 8, tzinfo=UTC), datetime(2026, 11, 7, 11, tzinfo=UTC)),  # CET, UTC+1
    ]


def test_every_other_tuesday_with_until_in_utc_and_a_night_shift_into_the_next_day() -> None:
    got = _utc(
        "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;UNTIL=20261110T230000Z",
        date(2026, 10, 1),
        time(22),
        time(6),
        datetime(2026, 9, 20, tzinfo=UTC),
    )
    # RFC 5545 counts the INTERVAL in weeks from the start's week (1 October's): the 13th, not the 6th.
    assert got == [
        (datetime(2026, 10, 13, 20, tzinfo=UTC), datetime(2026, 10, 14, 4, tzinfo=UTC)),
        (datetime(2026, 10, 27, 21, tzinfo=UTC), datetime(2026, 10, 28, 5, tzinfo=UTC)),
        (datetime(2026, 11, 10, 21, tzinfo=UTC), datetime(2026, 11, 11, 5, tzinfo=UTC)),
    ]


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=SOMETIMES",
        "BYDAY=2MO",
        "hello there",
        "FREQ=HOURLY",
        "FREQ=WEEKLY\nRDATE:20261001",
        "DTSTART:20261001T090000\nRRULE:FREQ=WEEKLY",
        "FREQ=WEEKLY;BYDAY=XX",
        "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=31",  # never fires: refused at once, not after reading to the year 9999
        "FREQ=DAILY;INTERVAL=0",  # dateutil would read the same day forever
        "FREQ=DAILY;BYHOUR=9,10,11",  # many shifts a day: the start and end fields say the time
    ],
)
def test_a_bad_rule_is_rejected_at_its_field_without_repeating_it(rule: str) -> None:
    with pytest.raises(Rejected) as refused:
        parse_rule(rule, date(2026, 10, 1), time(9))
    assert refused.value.fields == ["rule"]
    assert all(rule not in reason and "XX" not in reason for reason in refused.value.reasons)


@dataclass
class Task:
    """A centrale's published task with a matched volunteer and two more volunteers."""

    centrale_id: str
    organisation_id: UUID
    task_id: UUID
    volunteers: list[UUID]


@pytest.fixture
async def task(uow: FakeRegistryUnitOfWork) -> Task:
    centrale = a_centrale()
    await uow.centrales.add(centrale)
    organisation = an_organisation(centrale.id)
    await uow.organisations.add(organisation)
    record = a_task(centrale.id, organisation.id, status="published")
    await uow.tasks.add(record)
    people = [a_volunteer(centrale.id) for _ in range(3)]
    for person in people:
        await uow.volunteers.add(person)
        await uow.matches.add(a_match(record, person.id))
    return Task(centrale.id, organisation.id, record.id, [p.id for p in people])


def _pattern(task: Task, **overrides: Any) -> shifts.AddShiftPattern:
    values: dict[str, Any] = {
        "centrale_id": task.centrale_id,
        "task_id": task.task_id,
        "organisation_id": task.organisation_id,
        "rule": "FREQ=MONTHLY;BYDAY=1SA",
        "starts_on": date(2027, 3, 1),
        "start": time(9),
        "end": time(12),
        "capacity": 1,
        "part_id": None,
        "by": "organisation",
    }
    return shifts.AddShiftPattern(**(values | overrides))


async def test_a_pattern_gives_its_shifts_within_the_horizon_in_dutch_time_across_the_spring_change(
    uow: FakeRegistryUnitOfWork, task: Task
) -> None:
    added = await add_shift_pattern(_pattern(task), uow)
    assert added["shifts"] == 3  # 6 March, 3 April and 1 May 2027; 5 June lies beyond NOW + 183 days (24 May)
    listed = await list_shifts(shifts.ListShifts(task.centrale_id, task.task_id, task.organisation_id), uow)
    assert [s["starts_at"].astimezone(UTC) for s in listed["shifts"]] == [
        datetime(2027, 3, 6, 8, tzinfo=UTC),
        datetime(2027, 4, 3, 7, tzinfo=UTC),
        datetime(2027, 5, 1, 7, tzinfo=UTC),
    ]
    assert [(s["capacity"], s["taken"], s["left"], s["waiting"]) for s in listed["shifts"]] == [(1, 0, 1, 0)] * 3
    # The published task's TaskUpdated carries its dated shifts in the coming eight weeks (none before March).
    [updated] = uow.events(TaskUpdated)
    assert isinstance(updated, TaskUpdated)
    assert updated.dated_shifts == []


async def test_a_published_task_tells_matching_its_dated_shifts_of_the_coming_weeks(
    uow: FakeRegistryUnitOfWork, task: Task
) -> None:
    await add_shift_pattern(_pattern(task, rule="FREQ=WEEKLY;BYDAY=SA;COUNT=3", starts_on=date(2026, 12, 1)), uow)
    [updated] = uow.events(TaskUpdated)
    assert isinstance(updated, TaskUpdated)
    assert [(s.starts_at.astimezone(UTC), s.capacity) for s in updated.dated_shifts] == [
        (datetime(2026, 12, day, 8, tzinfo=UTC), 1) for day in (5, 12, 19)
    ]


@pytest.mark.parametrize(
    ("overrides", "field", "reason"),
    [
        ({"rule": "FREQ=YEARLY;BYMONTH=8;BYMONTHDAY=1", "starts_on": date(2027, 6, 1)}, "rule", "COUNT or UNTIL"),
        ({"rule": "FREQ=WEEKLY;BYDAY=MO;UNTIL=20261101"}, "rule", "no shift"),
        ({"end": time(9)}, "end", "ends at another time"),
    ],
)
async def test_a_pattern_that_gives_no_shift_is_rejected_at_its_field(
    uow: FakeRegistryUnitOfWork, task: Task, overrides: dict[str, Any], field: str, reason: str
) -> None:
    with pytest.raises(Rejected) as refused:
        await add_shift_pattern(_pattern(task, **overrides), uow)
    assert refused.value.fields == [field]
    assert reason in refused.value.reasons[0]
    assert uow.tables.shift_patterns == {}


async def test_a_bounded_rule_starting_beyond_the_horizon_is_kept_and_the_daily_job_generates_it_later(
    uow: FakeRegistryUnitOfWork, task: Task, clock: ManualClock
) -> None:
    cmd = _pattern(task, rule="FREQ=WEEKLY;BYDAY=SA;COUNT=2", starts_on=date(2027, 6, 1))
    assert (await add_shift_pattern(cmd, uow))["shifts"] == 0
    clock.set(NOW + timedelta(days=30))
    uow.renew()
    assert await extend_shifts(shifts.ExtendShifts(), uow) == {"patterns": 1, "shifts": 2, "tasks_updated": 1}
    uow.renew()
    assert await extend_shifts(shifts.ExtendShifts(), uow) == {"patterns": 0, "shifts": 0, "tasks_updated": 0}
    assert sorted(s.starts_at.date() for s in uow.tables.shifts.values()) == [date(2027, 6, 5), date(2027, 6, 12)]


async def test_a_part_has_its_own_capacity_for_its_shifts(uow: FakeRegistryUnitOfWork, task: Task) -> None:
    part_id = await add_task_part(
        shifts.AddTaskPart(task.centrale_id, task.task_id, task.organisation_id, "Kassa", 3), uow
    )
    await add_shift_pattern(_pattern(task, capacity=None, part_id=part_id), uow)
    listed = await list_shifts(shifts.ListShifts(task.centrale_id, task.task_id, None), uow)
    assert listed["parts"] == [{"id": part_id, "title": "Kassa", "capacity": 3}]
    assert {(s["part_id"], s["capacity"]) for s in listed["shifts"]} == {(part_id, 3)}
    with pytest.raises(Rejected) as refused:
        await add_shift_pattern(_pattern(task, part_id=uuid4()), uow)
    assert refused.value.fields == ["part_id"]


async def test_another_organisation_does_not_find_the_task(uow: FakeRegistryUnitOfWork, task: Task) -> None:
    with pytest.raises(NotFound):
        await add_task_part(shifts.AddTaskPart(task.centrale_id, task.task_id, uuid4(), "Kassa", 3), uow)


async def test_sign_ups_fill_the_shift_then_wait_and_a_cancellation_places_the_first_waiting(
    uow: FakeRegistryUnitOfWork, task: Task, clock: ManualClock
) -> None:
    await add_shift_pattern(_pattern(task), uow)
    shift_id = min(uow.tables.shifts.values(), key=lambda s: s.starts_at).id
    made = []
    for volunteer in task.volunteers:
        clock.set(clock.now() + timedelta(minutes=1))  # one after the other: the waiting list keeps that order
        uow.renew()
        made.append(await sign_up(shifts.SignUp(task.centrale_id, task.task_id, shift_id, volunteer, "v"), uow))
    anna, ben, cor = made
    assert [anna.status, ben.status, cor.status] == ["signed_up", "waiting", "waiting"]
    with pytest.raises(Conflict):
        await sign_up(shifts.SignUp(task.centrale_id, task.task_id, shift_id, task.volunteers[1], "v"), uow)
    with pytest.raises(NotFound):  # only its own sign-up
        await cancel_signup(
            shifts.CancelSignup(task.centrale_id, task.task_id, shift_id, anna.id, task.volunteers[1], "v"), uow
        )
    placed = await cancel_signup(
        shifts.CancelSignup(task.centrale_id, task.task_id, shift_id, anna.id, task.volunteers[0], "v"), uow
    )
    assert placed == [ben.id]
    statuses = {s.id: s.status for s in uow.tables.shift_signups.values()}
    assert statuses == {anna.id: "cancelled", ben.id: "signed_up", cor.id: "waiting"}
    held = await uow.shifts.signed_up_shifts_of_volunteer(task.volunteers[1])
    assert [h.signup_id for h in held] == [ben.id]
    # Ben waited: he hears that the place is his (a sign-up rests on itself, no consent to bemiddeling needed).
    [notice] = uow.tables.notices.values()
    assert (notice.kind, notice.recipient_id, notice.shift_id, notice.task_id, notice.status) == (
        "shift_place",
        task.volunteers[1],
        shift_id,
        task.task_id,
        "pending",
    )


async def test_only_a_volunteer_with_a_running_match_signs_up(uow: FakeRegistryUnitOfWork, task: Task) -> None:
    await add_shift_pattern(_pattern(task), uow)
    shift_id = next(iter(uow.tables.shifts))
    stranger = a_volunteer(task.centrale_id)
    await uow.volunteers.add(stranger)
    with pytest.raises(Conflict):
        await sign_up(shifts.SignUp(task.centrale_id, task.task_id, shift_id, stranger.id, "v"), uow)
    match = next(m for m in uow.tables.matches.values() if m.volunteer_id == task.volunteers[0])
    await uow.matches.end(match.id, NOW)
    with pytest.raises(Conflict):
        await sign_up(shifts.SignUp(task.centrale_id, task.task_id, shift_id, task.volunteers[0], "v"), uow)


async def test_a_match_that_ends_gives_its_places_in_shifts_ahead_to_the_first_waiting(
    uow: FakeRegistryUnitOfWork, task: Task, clock: ManualClock
) -> None:
    await add_shift_pattern(_pattern(task), uow)
    first, second = sorted(uow.tables.shifts.values(), key=lambda s: s.starts_at)[:2]
    made = []
    for shift_id, volunteer in ((first.id, 0), (first.id, 1), (second.id, 0)):
        clock.set(clock.now() + timedelta(minutes=1))
        uow.renew()
        cmd = shifts.SignUp(task.centrale_id, task.task_id, shift_id, task.volunteers[volunteer], "v")
        made.append(await sign_up(cmd, uow))
    assert [s.status for s in made] == ["signed_up", "waiting", "signed_up"]

    match = next(m for m in uow.tables.matches.values() if m.volunteer_id == task.volunteers[0])
    await record_match_ended(RecordMatchEnded(match.id, clock.now()), uow)
    statuses = {s.id: (s.status, s.cancelled_by) for s in uow.tables.shift_signups.values()}
    assert statuses == {
        made[0].id: ("cancelled", "match-ended"),
        made[1].id: ("signed_up", None),  # moved up
        made[2].id: ("cancelled", "match-ended"),
    }
    await record_match_ended(RecordMatchEnded(match.id, clock.now()), uow)  # redelivered: nothing more
    assert {s.id: (s.status, s.cancelled_by) for s in uow.tables.shift_signups.values()} == statuses
