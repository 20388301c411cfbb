"""Hours repository: one entry per id, per volunteer, forgotten with the volunteer."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from uuid import uuid4

from appreciation.unit_of_work import AppreciationUnitOfWork
from tests.appreciation.builders import hours_entry


async def test_an_hours_entry_counts_once_whatever_comes_again_with_its_id(uow: AppreciationUnitOfWork) -> None:
    volunteer_id, other = uuid4(), uuid4()
    entry = hours_entry(volunteer_id, "3.5")
    republished = replace(entry, hours=Decimal("9"), event_id=uuid4())

    await uow.hours.add([entry, republished, hours_entry(other, "1")])
    await uow.hours.add([republished])
    await uow.hours.add([])

    assert await uow.hours.of_volunteers([volunteer_id]) == [entry]
    assert len(await uow.hours.of_volunteers([volunteer_id, other])) == 2
    assert await uow.hours.volunteers_with_hours([volunteer_id, other, uuid4()]) == {volunteer_id, other}
    assert sorted(await uow.hours.worked([volunteer_id, other])) == sorted(
        (e.volunteer_id, e.id, e.worked_on, e.hours) for e in await uow.hours.of_volunteers([volunteer_id, other])
    )


async def test_a_volunteers_hours_are_forgotten_and_nobody_elses(uow: AppreciationUnitOfWork) -> None:
    volunteer_id, other = uuid4(), uuid4()
    await uow.hours.add([hours_entry(volunteer_id), hours_entry(volunteer_id), hours_entry(other)])

    await uow.hours.forget_volunteer(volunteer_id)

    assert await uow.hours.of_volunteers([volunteer_id]) == []
    assert [e.volunteer_id for e in await uow.hours.of_volunteers([other])] == [other]


async def test_put_keeps_an_imported_entry_without_match_or_task_and_a_corrected_one_replaces_it(
    uow: AppreciationUnitOfWork,
) -> None:
    volunteer_id, other = uuid4(), uuid4()
    imported = replace(hours_entry(volunteer_id, "3"), match_id=None, task_id=None)
    await uow.hours.put([imported])
    assert await uow.hours.of_volunteers([volunteer_id]) == [imported]

    corrected = replace(imported, volunteer_id=other, hours=Decimal("1.25"), theme="buurt", task_id=uuid4())
    await uow.hours.put([corrected])

    assert await uow.hours.of_volunteers([volunteer_id]) == []
    assert await uow.hours.of_volunteers([other]) == [corrected]


async def test_an_entry_is_corrected_or_withdrawn_only_as_its_own_volunteers(uow: AppreciationUnitOfWork) -> None:
    volunteer_id, other = uuid4(), uuid4()
    entry, untouched = hours_entry(volunteer_id, "8"), hours_entry(volunteer_id, "2")
    await uow.hours.add([entry, untouched])

    assert await uow.hours.correct(entry.id, volunteer_id, Decimal("3.25")) is True
    assert await uow.hours.correct(entry.id, other, Decimal("9")) is False
    assert await uow.hours.correct(uuid4(), volunteer_id, Decimal("9")) is False
    assert sorted(e.hours for e in await uow.hours.of_volunteers([volunteer_id])) == [Decimal("2"), Decimal("3.25")]

    assert await uow.hours.withdraw(entry.id, other) is False
    assert await uow.hours.withdraw(entry.id, volunteer_id) is True
    assert await uow.hours.withdraw(entry.id, volunteer_id) is False
    assert await uow.hours.of_volunteers([volunteer_id]) == [untouched]
