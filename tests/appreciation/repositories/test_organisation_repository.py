"""Organisation repository: names and tasks as their latest events say."""

from __future__ import annotations

from uuid import uuid4

from appreciation.domain import Organisation, Task
from appreciation.unit_of_work import AppreciationUnitOfWork


async def test_an_organisation_takes_its_latest_name_and_centrale(uow: AppreciationUnitOfWork) -> None:
    organisation_id, unknown = uuid4(), uuid4()
    await uow.organisations.save(Organisation(organisation_id, "vc-a", "Voedselbank"))
    await uow.organisations.save(Organisation(organisation_id, "vc-b", "Voedselbank Oost"))

    assert await uow.organisations.get(organisation_id) == Organisation(organisation_id, "vc-b", "Voedselbank Oost")
    assert await uow.organisations.get(unknown) is None
    assert list(await uow.organisations.of_ids([organisation_id, unknown])) == [organisation_id]


async def test_a_task_changes_theme_and_skills_but_stays_with_its_organisation(uow: AppreciationUnitOfWork) -> None:
    task_id, organisation_id = uuid4(), uuid4()
    await uow.organisations.save_task(Task(task_id, organisation_id, "vc-a", "ouderen", ("koken", "rijbewijs-b")))
    await uow.organisations.save_task(Task(task_id, uuid4(), "vc-b", "sport", ("fluiten",)))

    tasks = await uow.organisations.tasks([task_id, uuid4()])

    assert tasks == {task_id: Task(task_id, organisation_id, "vc-a", "sport", ("fluiten",))}
