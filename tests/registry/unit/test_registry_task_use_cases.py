"""Tasks: drafts, the NOV check, publishing, changing, closing and expiring, on the fakes."""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest

from common.clock import ManualClock
from common.errors import Conflict, NotFound, Rejected
from contracts.events import TaskClosed, TaskPosted, TaskUpdated, WeeklySlot
from registry.repositories import Organisation
from registry.use_cases.tasks import (
    CloseTask,
    CreateTask,
    ExpireTasks,
    GetTask,
    ListTasks,
    PublishTask,
    TaskFields,
    UpdateTask,
    close_task,
    create_task,
    expire_tasks,
    get_task,
    list_tasks,
    publish_task,
    update_task,
)
from tests.registry.builders import NOW, a_centrale, an_organisation
from tests.registry.fakes import FakeRegistryUnitOfWork


def _fields(**overrides: Any) -> TaskFields:
    values: dict[str, Any] = {
        "title": "Boodschappenbus rijden",
        "description": "Rijd op dinsdagochtend de boodschappenbus voor ouderen uit de wijk naar de markt.",
        "theme": "ouderen",
        "capacity": 2,
        "hours_per_week": Decimal("3"),
        "vog_required": True,
        "postcode": "3511 AB",
        "shifts": [WeeklySlot(weekday=2, start=time(9), end=time(12))],
    }
    return TaskFields(**(values | overrides))


async def _organisation(uow: FakeRegistryUnitOfWork, **overrides: Any) -> Organisation:
    centrale = a_centrale()
    await uow.centrales.add(centrale)
    organisation = an_organisation(centrale.id, **overrides)
    await uow.organisations.add(organisation)
    return organisation


async def _draft(uow: FakeRegistryUnitOfWork, **overrides: Any) -> tuple[Organisation, UUID]:
    organisation = await _organisation(uow)
    task_id = await create_task(CreateTask(organisation.centrale_id, organisation.id, _fields(**overrides)), uow)
    return organisation, task_id


async def test_a_draft_is_private_until_published(uow: FakeRegistryUnitOfWork) -> None:
    organisation, task_id = await _draft(uow)
    task = await get_task(GetTask(task_id, organisation.centrale_id, organisation.id), uow)
    assert (task["status"], task["postcode_area"], task["created_at"]) == ("draft", "3511", NOW)
    assert task["shifts"] == [{"weekday": 2, "start": "09:00:00", "end": "12:00:00"}]
    assert uow.emitted == []


async def test_a_draft_is_only_saved_for_an_organisation_of_the_centrale(uow: FakeRegistryUnitOfWork) -> None:
    organisation = await _organisation(uow)
    with pytest.raises(NotFound):
        await create_task(CreateTask("vc-elsewhere", organisation.id, _fields()), uow)


async def test_publishing_refuses_with_every_failing_nov_criterion_and_leaves_the_draft(
    uow: FakeRegistryUnitOfWork,
) -> None:
    organisation = await _organisation(
        uow, status="pending", contact_name=None, liability_insured=False, formal=False, kvk_number=None
    )
    fields = _fields(description="Helpen.", hours_per_week=Decimal("30"), replaces_paid_work=True, shifts=[])
    task_id = await create_task(CreateTask(organisation.centrale_id, organisation.id, fields), uow)

    with pytest.raises(Rejected) as refused:
        await publish_task(PublishTask(task_id, organisation.centrale_id, organisation.id), uow)

    assert refused.value.reasons == [
        "the organisation has not been admitted by the centrale",
        "asks 30.00 hours a week; the NOV criteria allow at most 20",
        "the description must say clearly what the task is (at least 40 characters)",
        "volunteer work may not replace paid work",
        "the organisation has no contact person",
        "the organisation has no liability insurance for volunteers",
        "the task needs a schedule: a one-off date or recurring shifts",
    ]
    # Each at the field to change; what is about the organisation at the task as a whole.
    assert refused.value.fields == [
        "task",
        "hours_per_week",
        "description",
        "replaces_paid_work",
        "task",
        "task",
        "shifts",
    ]
    assert (await get_task(GetTask(task_id, organisation.centrale_id), uow))["status"] == "draft"
    assert uow.emitted == []


async def test_a_task_is_posted_changed_and_closed_once_each(uow: FakeRegistryUnitOfWork) -> None:
    organisation, task_id = await _draft(uow)
    centrale_id = organisation.centrale_id

    await publish_task(PublishTask(task_id, centrale_id, organisation.id), uow)
    with pytest.raises(Conflict, match="only a draft"):
        await publish_task(PublishTask(task_id, centrale_id, organisation.id), uow)
    await update_task(UpdateTask(task_id, centrale_id, organisation.id, _fields(capacity=5)), uow)
    await close_task(CloseTask(task_id, centrale_id, organisation.id), uow)
    with pytest.raises(Conflict, match="only a published task"):
        await close_task(CloseTask(task_id, centrale_id, organisation.id), uow)
    with pytest.raises(Conflict, match="can no longer change"):
        await update_task(UpdateTask(task_id, centrale_id, organisation.id, _fields()), uow)

    posted, updated, closed = uow.events()
    assert isinstance(posted, TaskPosted)
    assert (posted.capacity, posted.hours_per_week, posted.posted_at) == (2, 3.0, NOW)
    assert "description" not in posted.model_dump()  # free text stays in the registry
    assert isinstance(updated, TaskUpdated)
    assert updated.capacity == 5
    assert isinstance(closed, TaskClosed)
    assert (closed.reason, closed.closed_at) == ("closed", NOW)
    assert (await get_task(GetTask(task_id, centrale_id), uow))["status"] == "closed"


async def test_changing_a_published_task_checks_it_again(uow: FakeRegistryUnitOfWork) -> None:
    organisation, task_id = await _draft(uow)
    await publish_task(PublishTask(task_id, organisation.centrale_id, organisation.id), uow)
    with pytest.raises(Rejected, match="at most 20"):
        async with uow.transaction():
            await update_task(
                UpdateTask(task_id, organisation.centrale_id, None, _fields(hours_per_week=Decimal("25"))), uow
            )
    stored = await get_task(GetTask(task_id, organisation.centrale_id), uow)
    assert stored["hours_per_week"] == Decimal("3.00")  # rolled back with the refusal
    assert [type(e) for e in uow.events()] == [TaskPosted]


async def test_another_organisations_task_is_not_found(uow: FakeRegistryUnitOfWork) -> None:
    organisation, task_id = await _draft(uow)
    stranger = uuid4()
    for attempt in (
        get_task(GetTask(task_id, organisation.centrale_id, stranger), uow),
        update_task(UpdateTask(task_id, organisation.centrale_id, stranger, _fields()), uow),
        publish_task(PublishTask(task_id, organisation.centrale_id, stranger), uow),
        close_task(CloseTask(task_id, "vc-elsewhere", None), uow),
    ):
        with pytest.raises(NotFound):
            await attempt


async def test_tasks_are_listed_per_organisation_and_status(uow: FakeRegistryUnitOfWork, clock: ManualClock) -> None:
    organisation, draft = await _draft(uow)
    clock.advance(timedelta(minutes=1))
    uow.renew()
    published = await create_task(CreateTask(organisation.centrale_id, organisation.id, _fields(title="Later")), uow)
    await publish_task(PublishTask(published, organisation.centrale_id, organisation.id), uow)

    listed = await list_tasks(ListTasks(organisation.centrale_id), uow)
    assert [(t["id"], t["status"]) for t in listed] == [(draft, "draft"), (published, "published")]
    assert set(listed[0]) == {"id", "organisation_id", "title", "theme", "status", "capacity", "closing_date"}
    assert [t["id"] for t in await list_tasks(ListTasks(organisation.centrale_id, status="published"), uow)] == [
        published
    ]
    mine = await list_tasks(ListTasks(organisation.centrale_id, organisation.id), uow)
    assert [t["id"] for t in mine] == [draft, published]
    # Another centrale's (or no) organisation is not found rather than listed empty: no existence oracle.
    for centrale_id, organisation_id in ((organisation.centrale_id, uuid4()), ("vc-elders", organisation.id)):
        with pytest.raises(NotFound):
            await list_tasks(ListTasks(centrale_id, organisation_id), uow)


async def test_tasks_whose_closing_date_passed_expire_on_the_dutch_date(
    uow: FakeRegistryUnitOfWork, clock: ManualClock
) -> None:
    _, expiring = await _draft(uow, closing_date=date(2026, 11, 23))
    _, lasting = await _draft(uow, closing_date=date(2026, 11, 24))
    for task_id in (expiring, lasting):
        task = uow.tables.tasks[task_id]
        await publish_task(PublishTask(task_id, task.centrale_id, None), uow)

    # 23:30 UTC on the 23rd is already the 24th in the Netherlands: the task closing on the 23rd expires.
    clock.set(NOW.replace(day=23, hour=23, minute=30))
    uow.renew()
    assert await expire_tasks(ExpireTasks(), uow) == [expiring]
    assert await expire_tasks(ExpireTasks(), uow) == []  # once
    assert await expire_tasks(ExpireTasks(today=date(2026, 12, 1)), uow) == [lasting]
    closed = uow.events(TaskClosed)
    assert [(e.task_id, e.reason) for e in closed if isinstance(e, TaskClosed)] == [
        (expiring, "expired"),
        (lasting, "expired"),
    ]
