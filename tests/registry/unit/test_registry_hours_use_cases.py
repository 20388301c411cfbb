"""Matches from matching and the hours logged for them, on the fakes."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from uuid import uuid4

import pytest

from common.errors import Conflict, ContractViolation, NotFound, Rejected
from contracts.events import HoursLogged, TaskClosed
from registry.repositories import Match, Task
from registry.use_cases.hours import (
    ConfirmHours,
    ListOrganisationHours,
    LogHours,
    RecordMatch,
    confirm_hours,
    list_organisation_hours,
    log_hours,
    record_match,
)
from tests.registry.builders import NOW, a_centrale, a_task, an_organisation
from tests.registry.fakes import FakeRegistryUnitOfWork

YESTERDAY = (NOW - timedelta(days=1)).date()


async def _published_task(uow: FakeRegistryUnitOfWork, capacity: int = 2) -> Task:
    centrale = a_centrale()
    await uow.centrales.add(centrale)
    organisation = an_organisation(centrale.id)
    await uow.organisations.add(organisation)
    task = a_task(centrale.id, organisation.id, capacity=capacity, status="published", published_at=NOW)
    await uow.tasks.add(task)
    return task


def _made(task: Task, **overrides: object) -> RecordMatch:
    values: dict[str, object] = {
        "match_id": uuid4(),
        "task_id": task.id,
        "volunteer_id": uuid4(),
        "organisation_id": task.organisation_id,
        "centrale_id": task.centrale_id,
        "volunteer_centrale_id": task.centrale_id,
        "made_at": NOW - timedelta(days=3),
    }
    return RecordMatch(**(values | overrides))  # type: ignore[arg-type]


async def _match(uow: FakeRegistryUnitOfWork) -> Match:
    task = await _published_task(uow)
    made = _made(task)
    await record_match(made, uow)
    match = await uow.matches.find(made.match_id, task.centrale_id)
    assert match is not None
    return match


async def test_a_task_is_filled_when_its_matches_reach_its_capacity_and_a_redelivery_changes_nothing(
    uow: FakeRegistryUnitOfWork,
) -> None:
    task = await _published_task(uow, capacity=2)
    first = _made(task)
    await record_match(first, uow)
    await record_match(first, uow)  # redelivered
    assert uow.tables.tasks[task.id].status == "published"

    await record_match(_made(task), uow)

    assert uow.tables.tasks[task.id].status == "filled"
    [closed] = uow.events()
    assert isinstance(closed, TaskClosed)
    assert (closed.task_id, closed.reason) == (task.id, "filled")
    await record_match(_made(task), uow)  # a match beyond capacity is kept, the task closes once
    assert len(uow.events()) == 1
    assert len(uow.tables.matches) == 3


async def test_a_match_on_a_task_the_registry_does_not_know_is_a_contract_violation(
    uow: FakeRegistryUnitOfWork,
) -> None:
    task = await _published_task(uow)
    with pytest.raises(ContractViolation, match="does not know"):
        await record_match(_made(task, task_id=uuid4()), uow)


async def test_an_organisations_hours_count_at_once(uow: FakeRegistryUnitOfWork) -> None:
    match = await _match(uow)
    hours_id = await log_hours(
        LogHours(
            match.id,
            YESTERDAY,
            Decimal("3"),
            by="organisation",
            centrale_id=match.centrale_id,
            organisation_id=match.organisation_id,
        ),
        uow,
    )

    assert uow.hours.serialised == [match.volunteer_id]  # the 24-hour check is serialised per volunteer
    stored = uow.tables.hours[hours_id]
    assert (stored.status, stored.confirmed_at, str(stored.hours)) == ("confirmed", NOW, "3.00")
    [event] = uow.events(HoursLogged)
    assert isinstance(event, HoursLogged)
    assert (event.hours_id, event.hours, event.theme, event.logged_by) == (
        hours_id,
        Decimal("3.00"),
        "ouderen",
        "organisation",
    )


async def test_a_volunteers_hours_count_once_the_organisation_confirms_them(uow: FakeRegistryUnitOfWork) -> None:
    match = await _match(uow)
    hours_id = await log_hours(
        LogHours(
            match.id,
            YESTERDAY,
            Decimal("4"),
            by="volunteer",
            centrale_id=match.centrale_id,
            volunteer_id=match.volunteer_id,
        ),
        uow,
    )
    assert uow.events(HoursLogged) == []

    await confirm_hours(ConfirmHours(hours_id, match.organisation_id, match.centrale_id), uow)

    [event] = uow.events(HoursLogged)
    assert isinstance(event, HoursLogged)
    assert (event.hours_id, event.logged_by) == (hours_id, "volunteer")
    with pytest.raises(Conflict, match="already confirmed"):
        await confirm_hours(ConfirmHours(hours_id, match.organisation_id, match.centrale_id), uow)
    with pytest.raises(NotFound):
        await confirm_hours(ConfirmHours(hours_id, uuid4(), match.centrale_id), uow)


async def test_an_organisation_sees_the_hours_to_confirm_first_and_only_its_own(uow: FakeRegistryUnitOfWork) -> None:
    match = await _match(uow)
    by_volunteer = LogHours(
        match.id,
        YESTERDAY,
        Decimal("4"),
        by="volunteer",
        centrale_id=match.centrale_id,
        volunteer_id=match.volunteer_id,
    )
    waiting = await log_hours(by_volunteer, uow)
    counted = await log_hours(
        LogHours(
            match.id,
            YESTERDAY - timedelta(days=1),
            Decimal("2"),
            by="organisation",
            centrale_id=match.centrale_id,
            organisation_id=match.organisation_id,
        ),
        uow,
    )

    listed = await list_organisation_hours(ListOrganisationHours(match.organisation_id, match.centrale_id), uow)

    assert [(entry["id"], entry["status"]) for entry in listed] == [(waiting, "pending"), (counted, "confirmed")]
    assert "name" not in listed[0]
    assert await list_organisation_hours(ListOrganisationHours(uuid4(), match.centrale_id), uow) == []


@pytest.mark.parametrize(
    ("days_ago", "hours", "reason"),
    [
        (-1, "2", "hours cannot be logged for a future date"),
        (1, "5", "at most 24 hours per day: 20.00 already logged on"),
        (5, "1", "hours cannot be logged for a day before the match was made"),
    ],
)
async def test_hours_are_refused_for_the_future_past_24_a_day_and_before_the_match(
    uow: FakeRegistryUnitOfWork, days_ago: int, hours: str, reason: str
) -> None:
    match = await _match(uow)
    await log_hours(LogHours(match.id, YESTERDAY, Decimal("20"), by="organisation", centrale_id=match.centrale_id), uow)
    day = (NOW - timedelta(days=days_ago)).date()
    with pytest.raises(Rejected, match=reason):
        await log_hours(LogHours(match.id, day, Decimal(hours), by="organisation", centrale_id=match.centrale_id), uow)
    assert len(uow.tables.hours) == 1


async def test_hours_need_a_match_of_the_caller(uow: FakeRegistryUnitOfWork) -> None:
    match = await _match(uow)
    for cmd in (
        LogHours(uuid4(), YESTERDAY, Decimal(1), by="organisation", centrale_id=match.centrale_id),
        LogHours(match.id, YESTERDAY, Decimal(1), by="organisation", centrale_id="vc-other"),
        LogHours(
            match.id, YESTERDAY, Decimal(1), by="organisation", centrale_id=match.centrale_id, organisation_id=uuid4()
        ),
        LogHours(match.id, YESTERDAY, Decimal(1), by="volunteer", centrale_id=match.centrale_id, volunteer_id=uuid4()),
    ):
        with pytest.raises(NotFound):
            await log_hours(cmd, uow)


async def test_a_volunteer_of_another_centrale_logs_hours_on_an_overflow_match(uow: FakeRegistryUnitOfWork) -> None:
    task = await _published_task(uow)
    made = _made(task, volunteer_centrale_id="vc-elders")
    await record_match(made, uow)
    hours_id = await log_hours(
        LogHours(
            made.match_id,
            YESTERDAY,
            Decimal(2),
            by="volunteer",
            centrale_id="vc-elders",
            volunteer_id=made.volunteer_id,
        ),
        uow,
    )
    assert uow.tables.hours[hours_id].centrale_id == task.centrale_id  # counted for the task's centrale
