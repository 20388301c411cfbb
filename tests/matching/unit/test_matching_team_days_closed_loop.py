"""Team days that close the loop, on fakes: days in the past, open days re-matched, staff brokering by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from uuid import uuid4

import pytest

from common.errors import Conflict, NotFound, Rejected
from contracts.events import VolunteerDayMatched, WeeklySlot
from matching.commands import (
    AcceptProposal,
    AgreeToProposal,
    AssignTeamDay,
    ListOpenTeamDays,
    MatchTeamDay,
    RecordPartner,
    RecordTaskUpdate,
)
from matching.domain.model import TeamDayVia, VolunteerDayStatus
from matching.use_cases import (
    accept_proposal,
    agree_to_proposal,
    assign_team_day,
    list_open_team_days,
    match_team_day,
    record_partner,
    record_task_update,
)
from tests.matching.builders import CENTRALE, task_facts, team_day
from tests.matching.fakes import START, FakeMatchingUnitOfWork
from tests.matching.unit.steps import emitted, posted_task, registered_volunteer

# The fake clock starts on Tuesday 1 December 2026; a Wednesday a week later, and one a week before.
NEXT_WEDNESDAY = date(2026, 12, 9)
LAST_WEDNESDAY = date(2026, 11, 25)


def _one_off(day: date) -> dict[str, object]:
    start = datetime(day.year, day.month, day.day, 9, 0, tzinfo=UTC)
    return {"one_off_start": start, "one_off_end": start + timedelta(hours=6), "shifts": ()}


def _wednesdays() -> dict[str, object]:
    return {"shifts": (WeeklySlot(weekday=3, start=time(9), end=time(16)),)}


def _later(uow: FakeMatchingUnitOfWork, days: int) -> None:
    uow.clock.advance(timedelta(days=days))
    uow.renew()


async def test_a_past_day_goes_to_a_task_that_existed_then(uow: FakeMatchingUnitOfWork) -> None:
    weekly = await posted_task(uow, team_suitable=True, capacity=10, theme="natuur", **_wednesdays())
    _later(uow, 14)  # the HR system records a day that lay a week after the task's publication
    day = team_day(on_date=NEXT_WEDNESDAY, posted_at=uow.now())

    assert await match_team_day(MatchTeamDay(day), uow) == weekly.task_id

    [event] = emitted(uow, VolunteerDayMatched)
    assert (event.day_id, event.task_id, event.via) == (day.day_id, weekly.task_id, "matching")


async def test_a_past_day_never_goes_to_a_task_published_after_it(uow: FakeMatchingUnitOfWork) -> None:
    await posted_task(uow, team_suitable=True, capacity=10, theme="natuur", **_wednesdays())
    day = team_day(on_date=LAST_WEDNESDAY, posted_at=uow.now())

    assert await match_team_day(MatchTeamDay(day), uow) is None

    kept = await uow.volunteer_days.get(day.day_id)
    assert kept is not None
    assert kept.status is VolunteerDayStatus.OPEN
    assert uow.team_day_turns == 2  # the team task's posting took the region's turn, and so did the day


async def test_an_open_day_is_matched_when_a_fitting_team_task_is_posted_later(uow: FakeMatchingUnitOfWork) -> None:
    day = team_day(on_date=NEXT_WEDNESDAY, posted_at=uow.now())
    assert await match_team_day(MatchTeamDay(day), uow) is None
    await posted_task(uow, team_suitable=True, capacity=10, theme="zorg", **_one_off(NEXT_WEDNESDAY))  # theme
    await posted_task(uow, team_suitable=False, capacity=10, theme="natuur", **_one_off(NEXT_WEDNESDAY))
    assert emitted(uow, VolunteerDayMatched) == []

    fitting = await posted_task(uow, team_suitable=True, capacity=10, theme="natuur", **_one_off(NEXT_WEDNESDAY))

    [event] = emitted(uow, VolunteerDayMatched)
    assert (event.day_id, event.task_id, event.via) == (day.day_id, fitting.task_id, "matching")
    task = await uow.tasks.get(fitting.task_id)
    assert task is not None
    assert task.team_reserved == 8


async def test_a_task_with_room_for_one_team_takes_the_day_posted_first(uow: FakeMatchingUnitOfWork) -> None:
    second = team_day(on_date=NEXT_WEDNESDAY, posted_at=START + timedelta(minutes=2))
    first = team_day(on_date=NEXT_WEDNESDAY, posted_at=START + timedelta(minutes=1))
    for day in (second, first):
        await match_team_day(MatchTeamDay(day), uow)

    task = await posted_task(uow, team_suitable=True, capacity=12, theme="natuur", **_one_off(NEXT_WEDNESDAY))

    [event] = emitted(uow, VolunteerDayMatched)
    assert (event.day_id, event.task_id) == (first.day_id, task.task_id)
    left = await uow.volunteer_days.get(second.day_id)
    assert left is not None
    assert left.status is VolunteerDayStatus.OPEN


async def test_a_task_changed_to_suit_teams_takes_the_open_days_that_fit(uow: FakeMatchingUnitOfWork) -> None:
    facts = await posted_task(uow, team_suitable=False, capacity=20, theme="natuur", **_wednesdays())
    day = team_day(on_date=NEXT_WEDNESDAY, posted_at=uow.now())
    assert await match_team_day(MatchTeamDay(day), uow) is None

    await record_task_update(RecordTaskUpdate(task_facts(**{**facts.__dict__, "team_suitable": True})), uow)

    [event] = emitted(uow, VolunteerDayMatched)
    assert (event.day_id, event.task_id) == (day.day_id, facts.task_id)


async def test_an_open_day_far_away_is_left_open(uow: FakeMatchingUnitOfWork) -> None:
    day = team_day(on_date=NEXT_WEDNESDAY, postcode_area="3511", posted_at=uow.now())
    await match_team_day(MatchTeamDay(day), uow)

    await posted_task(uow, team_suitable=True, capacity=10, theme="natuur", postcode_area="3811", **_wednesdays())

    assert emitted(uow, VolunteerDayMatched) == []


async def test_staff_see_open_days_of_their_centrale_or_none_with_the_company_name(
    uow: FakeMatchingUnitOfWork,
) -> None:
    partner = uuid4()
    await record_partner(RecordPartner(partner, "Rabobank Utrecht"), uow)
    anyone = team_day(partner_id=partner, on_date=NEXT_WEDNESDAY, centrale_id=None)
    ours = team_day(on_date=date(2026, 12, 16), centrale_id=CENTRALE)
    theirs = team_day(on_date=NEXT_WEDNESDAY, centrale_id="vc-zeist")
    for day in (ours, anyone, theirs):
        await match_team_day(MatchTeamDay(day), uow)

    listed = await list_open_team_days(ListOpenTeamDays(CENTRALE), uow)

    assert [(item.day.day_id, item.partner_name) for item in listed] == [
        (anyone.day_id, "Rabobank Utrecht"),
        (ours.day_id, None),
    ]


async def test_staff_broker_a_day_to_a_task_of_another_theme_by_hand(uow: FakeMatchingUnitOfWork) -> None:
    partner = uuid4()
    await record_partner(RecordPartner(partner, "Bouwbedrijf De Vries"), uow)
    day = team_day(partner_id=partner, on_date=NEXT_WEDNESDAY, themes=("natuur",), posted_at=uow.now())
    await match_team_day(MatchTeamDay(day), uow)
    task = await posted_task(uow, team_suitable=True, capacity=10, theme="ouderen", **_wednesdays())
    assert emitted(uow, VolunteerDayMatched) == []  # not the partner's theme: matching leaves it to staff

    assigned = await assign_team_day(AssignTeamDay(day.day_id, task.task_id, CENTRALE), uow)

    assert (assigned.day.status, assigned.day.task_id, assigned.day.matched_via) == (
        VolunteerDayStatus.MATCHED,
        task.task_id,
        TeamDayVia.STAFF,
    )
    assert assigned.partner_name == "Bouwbedrijf De Vries"
    [event] = emitted(uow, VolunteerDayMatched)
    assert (event.day_id, event.task_id, event.via, event.organisation_id) == (
        day.day_id,
        task.task_id,
        "staff",
        task.organisation_id,
    )
    with pytest.raises(Conflict, match="matched already"):
        await assign_team_day(AssignTeamDay(day.day_id, task.task_id, CENTRALE), uow)


async def test_staff_brokering_keeps_the_rules_and_names_every_one_broken(uow: FakeMatchingUnitOfWork) -> None:
    volunteer = await registered_volunteer(uow)
    task = await posted_task(uow, team_suitable=False, capacity=8, theme="natuur", skills=("koken",))  # Tuesdays
    [proposal] = await uow.proposals.of_task(task.task_id)
    assert proposal.volunteer_id == volunteer.volunteer_id
    # One place taken: the organisation accepts and the volunteer agrees (a match needs both yeses).
    await accept_proposal(AcceptProposal(proposal.match_id, CENTRALE), uow)
    await agree_to_proposal(AgreeToProposal(proposal.match_id, volunteer_id=volunteer.volunteer_id), uow)
    day = team_day(on_date=LAST_WEDNESDAY, posted_at=uow.now())
    await match_team_day(MatchTeamDay(day), uow)

    with pytest.raises(Rejected) as refused:
        await assign_team_day(AssignTeamDay(day.day_id, task.task_id, CENTRALE), uow)

    assert refused.value.field == "task_id"
    assert refused.value.reasons == [
        "the task is not marked suitable for a team",
        "the task has room for 7; the team is 8",
        "the task does not take place on 2026-11-25",
        "the task was published on 2026-12-01, after the day: it did not exist then",
    ]
    assert emitted(uow, VolunteerDayMatched) == []


async def test_staff_broker_only_their_own_centrales_tasks_and_the_days_open_to_them(
    uow: FakeMatchingUnitOfWork,
) -> None:
    ours = await posted_task(uow, team_suitable=True, capacity=10, theme="natuur", **_wednesdays())
    theirs = await posted_task(
        uow, centrale_id="vc-zeist", team_suitable=True, capacity=10, theme="natuur", **_wednesdays()
    )
    zeist_day = team_day(on_date=date(2026, 11, 4), centrale_id="vc-zeist")  # before both tasks: stays open
    await match_team_day(MatchTeamDay(zeist_day), uow)

    with pytest.raises(NotFound):
        await assign_team_day(AssignTeamDay(zeist_day.day_id, ours.task_id, CENTRALE), uow)
    with pytest.raises(NotFound):
        await assign_team_day(AssignTeamDay(zeist_day.day_id, theirs.task_id, CENTRALE), uow)
    with pytest.raises(NotFound):
        await assign_team_day(AssignTeamDay(uuid4(), ours.task_id, CENTRALE), uow)


def test_a_one_off_task_takes_place_on_its_dutch_date() -> None:
    from matching.domain.model import Task, TaskProfile, TaskStatus

    # 00:30 in Amsterdam on 13 March is still the 12th in UTC.
    start = datetime(2030, 3, 12, 23, 30, tzinfo=UTC)
    profile = TaskProfile(
        task_id=uuid4(), organisation_id=uuid4(), centrale_id=CENTRALE, theme="natuur", one_off_start=start
    )
    task = Task(profile=profile, status=TaskStatus.OPEN, team_reserved=0, posted_at=START)

    assert task.happens_on(date(2030, 3, 13)) is True
    assert task.happens_on(date(2030, 3, 12)) is False
