"""TaskRepository: the behaviour the fake and PostgreSQL share."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from registry.repositories import Task
from registry.unit_of_work import RegistryUnitOfWork
from tests.registry.builders import NOW, a_centrale, a_task, an_organisation


async def _organisation(uow: RegistryUnitOfWork) -> tuple[str, UUID]:
    centrale = a_centrale()
    await uow.centrales.add(centrale)
    organisation = an_organisation(centrale.id)
    await uow.organisations.add(organisation)
    return centrale.id, organisation.id


async def _task(uow: RegistryUnitOfWork, **overrides: Any) -> Task:
    centrale_id, organisation_id = await _organisation(uow)
    task = a_task(centrale_id, organisation_id, **overrides)
    await uow.tasks.add(task)
    return task


async def test_a_task_reads_back_with_hours_per_week_rounded_as_the_column_holds_them(uow: RegistryUnitOfWork) -> None:
    task = await _task(uow, hours_per_week=Decimal("30"), closing_date=date(2026, 12, 31))
    stored = await uow.tasks.get_by_id(task.id)
    assert stored == task
    assert stored is not None
    assert str(stored.hours_per_week) == "30.00"  # the NOV check quotes it: "asks 30.00 hours a week"


async def test_a_task_is_found_within_its_centrale_and_organisation_only(uow: RegistryUnitOfWork) -> None:
    task = await _task(uow)
    other_centrale, other_organisation = await _organisation(uow)
    assert await uow.tasks.get(task.id, task.centrale_id) == task
    assert await uow.tasks.get(task.id, task.centrale_id, task.organisation_id, lock=True) == task
    assert await uow.tasks.get(task.id, task.centrale_id, other_organisation) is None
    assert await uow.tasks.get(task.id, other_centrale) is None


async def test_save_writes_every_changed_field(uow: RegistryUnitOfWork) -> None:
    task = await _task(uow)
    published = replace(
        task,
        title="Chauffeur",
        shifts=[],
        one_off_start=NOW + timedelta(days=3),
        one_off_end=NOW + timedelta(days=3, hours=4),
        status="published",
        published_at=NOW,
        hours_per_week=Decimal("2.50"),
    )
    await uow.tasks.save(published)
    assert await uow.tasks.get_by_id(task.id) == published


async def test_a_centrales_tasks_come_oldest_first_by_organisation_and_status(uow: RegistryUnitOfWork) -> None:
    centrale_id, organisation_id = await _organisation(uow)
    other = an_organisation(centrale_id)
    await uow.organisations.add(other)
    newer = a_task(centrale_id, organisation_id, created_at=NOW, status="published")
    older = a_task(centrale_id, other.id, created_at=NOW - timedelta(days=1))
    for task in (newer, older):
        await uow.tasks.add(task)

    assert [t.id for t in await uow.tasks.of_centrale(centrale_id)] == [older.id, newer.id]
    assert [t.id for t in await uow.tasks.of_centrale(centrale_id, other.id)] == [older.id]
    assert [t.id for t in await uow.tasks.of_centrale(centrale_id, status="published")] == [newer.id]


async def test_published_tasks_closing_before_a_day_are_the_overdue_ones(uow: RegistryUnitOfWork) -> None:
    day = date(2026, 11, 22)
    overdue = await _task(uow, status="published", closing_date=day - timedelta(days=1))
    await _task(uow, status="published", closing_date=day)  # closes today: not yet
    await _task(uow, status="draft", closing_date=day - timedelta(days=5))  # never published
    await _task(uow, status="published", closing_date=None)  # open-ended
    assert [t.id for t in await uow.tasks.published_closing_before(day, lock=True)] == [overdue.id]
