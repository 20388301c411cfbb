"""VolunteerDayRepository and PartnerRepository behaviour, on the fake and on PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import uuid4

from matching.domain.model import TeamDayVia, VolunteerDayStatus
from matching.unit_of_work import MatchingUnitOfWork
from tests.matching.builders import NOW, task_facts, team_day


async def test_a_posted_day_is_kept_open_as_posted(uow: MatchingUnitOfWork) -> None:
    day = team_day(skills=("tuinieren",), centrale_id="vc-zeist", posted_at=NOW)

    await uow.volunteer_days.add(day)

    assert await uow.volunteer_days.get(day.day_id) == day
    assert await uow.volunteer_days.get(day.day_id, for_update=True) == day
    assert await uow.volunteer_days.get(uuid4()) is None


async def test_a_day_posted_twice_stays_as_first_kept(uow: MatchingUnitOfWork) -> None:
    day = team_day()
    await uow.volunteer_days.add(day)

    await uow.volunteer_days.add(team_day(day_id=day.day_id, team_size=20))

    kept = await uow.volunteer_days.get(day.day_id)
    assert kept is not None
    assert kept.team_size == day.team_size


async def test_a_matched_day_names_its_task_when_and_how(uow: MatchingUnitOfWork) -> None:
    day = team_day()
    await uow.volunteer_days.add(day)
    task = task_facts()
    await uow.tasks.upsert(task, posted_at=NOW)

    await uow.volunteer_days.mark_matched(day.day_id, task.task_id, NOW, TeamDayVia.STAFF)

    matched = await uow.volunteer_days.get(day.day_id)
    assert matched is not None
    assert (matched.status, matched.task_id, matched.matched_at, matched.matched_via) == (
        VolunteerDayStatus.MATCHED,
        task.task_id,
        NOW,
        TeamDayVia.STAFF,
    )


async def test_open_days_for_a_task_fit_its_room_date_theme_and_centrale_oldest_posted_first(
    uow: MatchingUnitOfWork,
) -> None:
    on = date(2030, 3, 13)
    centrale = f"vc-{uuid4().hex[:8]}"
    later = team_day(on_date=on, themes=("natuur",), centrale_id=centrale, posted_at=NOW + timedelta(hours=2))
    earlier = team_day(on_date=on, themes=(), posted_at=NOW + timedelta(hours=1))
    unknown_time = team_day(on_date=on, themes=("natuur", "sport"), centrale_id=centrale, posted_at=None)
    excluded = [
        team_day(on_date=on, themes=("natuur",), team_size=11, centrale_id=centrale),  # too big
        team_day(on_date=on - timedelta(days=1), centrale_id=centrale),  # before the task existed
        team_day(on_date=on, themes=("zorg",), centrale_id=centrale),  # another theme
        team_day(on_date=on, centrale_id="vc-elders"),  # another centrale
    ]
    taken = team_day(on_date=on, centrale_id=centrale)
    for day in (later, earlier, unknown_time, *excluded, taken):
        await uow.volunteer_days.add(day)
    await uow.tasks.upsert(task := task_facts(), posted_at=NOW)
    await uow.volunteer_days.mark_matched(taken.day_id, task.task_id, NOW, TeamDayVia.MATCHING)

    found = await uow.volunteer_days.open_for_task(theme="natuur", centrale_id=centrale, largest_team=10, not_before=on)

    assert [day.day_id for day in found] == [unknown_time.day_id, earlier.day_id, later.day_id]


async def test_staff_see_the_open_days_naming_their_centrale_or_none_earliest_date_first(
    uow: MatchingUnitOfWork,
) -> None:
    centrale = f"vc-{uuid4().hex[:8]}"
    named = team_day(on_date=date(2030, 4, 2), centrale_id=centrale, posted_at=NOW)
    anyone = team_day(on_date=date(2030, 3, 13), centrale_id=None, posted_at=NOW)
    elsewhere = team_day(on_date=date(2030, 3, 1), centrale_id="vc-elders", posted_at=NOW)
    matched = team_day(on_date=date(2030, 3, 2), centrale_id=centrale, posted_at=NOW)
    for day in (named, anyone, elsewhere, matched):
        await uow.volunteer_days.add(day)
    await uow.tasks.upsert(task := task_facts(), posted_at=NOW)
    await uow.volunteer_days.mark_matched(matched.day_id, task.task_id, NOW, TeamDayVia.MATCHING)

    found = [day.day_id for day in await uow.volunteer_days.open_for_centrale(centrale)]

    assert found == [anyone.day_id, named.day_id]


async def test_a_partner_is_known_by_its_latest_name(uow: MatchingUnitOfWork) -> None:
    partner, other = uuid4(), uuid4()
    await uow.partners.record(partner, "Bouwbedrijf")
    await uow.partners.record(partner, "Bouwbedrijf De Vries")

    assert await uow.partners.names([partner, other]) == {partner: "Bouwbedrijf De Vries"}
    assert await uow.partners.names([]) == {}
