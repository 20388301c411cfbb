"""The registry's entrypoints other than HTTP: each handler and job translates and calls one use case."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, time, timedelta
from typing import Any, cast
from uuid import uuid4

from common.jobs import DailyAt, JobContext
from contracts.events import AppreciationAwarded, MatchMade, TaskClosed, VolunteerDayMatched
from registry.handlers import on_match_made, on_volunteer_day_matched
from registry.jobs import JOBS, expire_overdue_tasks
from registry.notifications.subscriber import on_appreciation_awarded
from registry.unit_of_work import PostgresRegistryUnitOfWork
from tests.registry.builders import NOW, a_centrale, a_partner, a_task, a_volunteer_day, an_organisation
from tests.registry.fakes import FakeRegistryUnitOfWork


async def _published_task(uow: FakeRegistryUnitOfWork, **overrides: Any) -> Any:
    centrale = a_centrale()
    await uow.centrales.add(centrale)
    organisation = an_organisation(centrale.id)
    await uow.organisations.add(organisation)
    task = a_task(centrale.id, organisation.id, status="published", **overrides)
    await uow.tasks.add(task)
    return task


async def test_match_made_is_recorded_and_fills_the_task(uow: FakeRegistryUnitOfWork) -> None:
    task = await _published_task(uow, capacity=1)
    event = MatchMade(
        match_id=uuid4(),
        task_id=task.id,
        volunteer_id=uuid4(),
        organisation_id=task.organisation_id,
        centrale_id=task.centrale_id,
        volunteer_centrale_id=task.centrale_id,
        made_at=NOW,
    )
    await on_match_made(event, cast(PostgresRegistryUnitOfWork, uow))
    assert event.match_id in uow.tables.matches
    [closed] = uow.events(TaskClosed)
    assert isinstance(closed, TaskClosed)
    assert closed.reason == "filled"


async def test_volunteer_day_matched_shows_on_the_partners_day(uow: FakeRegistryUnitOfWork) -> None:
    partner = a_partner()
    await uow.partners.add(partner)
    day = a_volunteer_day(partner.id)
    await uow.volunteer_days.add_new(day)
    task_id = uuid4()
    event = VolunteerDayMatched(
        day_id=day.id,
        partner_id=partner.id,
        task_id=task_id,
        organisation_id=uuid4(),
        centrale_id="vc-u",
        matched_at=NOW,
    )
    await on_volunteer_day_matched(event, cast(PostgresRegistryUnitOfWork, uow))
    assert (uow.tables.volunteer_days[day.id].status, uow.tables.volunteer_days[day.id].matched_task_id) == (
        "matched",
        task_id,
    )


async def test_an_award_becomes_one_message_row(uow: FakeRegistryUnitOfWork) -> None:
    award = AppreciationAwarded(
        award_id=uuid4(),
        recipient_id=uuid4(),
        recipient_kind="volunteer",
        centrale_id="vc-u",
        rule_id="hours-10",
        rule_kind="hours_milestone",
        title="10 uur vrijwillige inzet",
        trigger_event_id=uuid4(),
        trigger_event_type="nl.vrijwilligerscentrale.hours.logged.v1",
        awarded_at=NOW,
    )
    await on_appreciation_awarded(award, cast(PostgresRegistryUnitOfWork, uow))
    await on_appreciation_awarded(award, cast(PostgresRegistryUnitOfWork, uow))
    assert [(m.award_id, m.reason) for m in uow.tables.appreciation_messages.values()] == [
        (award.award_id, "unknown_volunteer")
    ]


class _JobContext:
    """What the expire job uses of a JobContext: a unit of work (here the fake)."""

    def __init__(self, uow: FakeRegistryUnitOfWork) -> None:
        self._uow = uow

    @asynccontextmanager
    async def unit_of_work(self) -> AsyncIterator[FakeRegistryUnitOfWork]:
        async with self._uow.transaction():
            yield self._uow


async def test_the_daily_job_expires_overdue_tasks_and_counts_them(uow: FakeRegistryUnitOfWork) -> None:
    overdue = await _published_task(uow, closing_date=NOW.date() - timedelta(days=1))
    await _published_task(uow, closing_date=date(2030, 1, 1))

    counts = await expire_overdue_tasks(cast(JobContext, _JobContext(uow)))

    assert counts == {"expired": 1}
    assert uow.tables.tasks[overdue.id].status == "expired"
    [job] = [job for job in JOBS if job.run is expire_overdue_tasks]
    assert (job.name, job.schedule) == ("expire-tasks", DailyAt(time(0, 30)))
