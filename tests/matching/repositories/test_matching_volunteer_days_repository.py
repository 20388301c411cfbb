"""VolunteerDayRepository behaviour, on the fake and on PostgreSQL."""

from __future__ import annotations

from uuid import uuid4

from matching.domain.model import VolunteerDayStatus
from matching.unit_of_work import MatchingUnitOfWork
from tests.matching.builders import NOW, task_facts, team_day


async def test_a_posted_day_is_kept_open_as_posted(uow: MatchingUnitOfWork) -> None:
    day = team_day(skills=("tuinieren",), centrale_id="vc-zeist")

    await uow.volunteer_days.add(day)

    assert await uow.volunteer_days.get(day.day_id) == day
    assert await uow.volunteer_days.get(uuid4()) is None


async def test_a_day_posted_twice_stays_as_first_kept(uow: MatchingUnitOfWork) -> None:
    day = team_day()
    await uow.volunteer_days.add(day)

    await uow.volunteer_days.add(team_day(day_id=day.day_id, team_size=20))

    kept = await uow.volunteer_days.get(day.day_id)
    assert kept is not None
    assert kept.team_size == day.team_size


async def test_a_matched_day_names_its_task_and_when(uow: MatchingUnitOfWork) -> None:
    day = team_day()
    await uow.volunteer_days.add(day)
    task = task_facts()
    await uow.tasks.upsert(task, posted_at=NOW)

    await uow.volunteer_days.mark_matched(day.day_id, task.task_id, NOW)

    matched = await uow.volunteer_days.get(day.day_id)
    assert matched is not None
    assert (matched.status, matched.task_id, matched.matched_at) == (VolunteerDayStatus.MATCHED, task.task_id, NOW)
