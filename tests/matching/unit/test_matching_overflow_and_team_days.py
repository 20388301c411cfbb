"""Regional overflow and business partners' team days, on fakes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from contracts.events import MatchProposed, VolunteerDayMatched
from matching.commands import AcceptProposal, AgreeToProposal, MatchTeamDay, OfferOverflow
from matching.domain.model import VolunteerDayStatus
from matching.domain.proposals import ProposalVia
from matching.domain.team_days import best_task_for_team
from matching.use_cases import accept_proposal, agree_to_proposal, match_team_day, offer_overflow
from tests.matching.builders import CENTRALE, team_day
from tests.matching.fakes import FakeMatchingUnitOfWork
from tests.matching.unit.steps import emitted, posted_task, registered_volunteer

WEDNESDAY = datetime(2030, 3, 13, 9, 0, tzinfo=UTC)
ONE_OFF = {"one_off_start": WEDNESDAY, "one_off_end": WEDNESDAY + timedelta(hours=6), "shifts": ()}


def _later(uow: FakeMatchingUnitOfWork, days: int) -> None:
    uow.clock.advance(timedelta(days=days))
    uow.renew()


async def test_a_task_nobody_took_is_offered_to_consenting_neighbours_once(uow: FakeMatchingUnitOfWork) -> None:
    consenting = await registered_volunteer(uow, centrale_id="vc-zeist", regional_consent=True)
    await registered_volunteer(uow, centrale_id="vc-zeist")
    task = await posted_task(uow)
    assert emitted(uow, MatchProposed) == []
    _later(uow, 13)
    assert await offer_overflow(OfferOverflow(), uow) == {}

    _later(uow, 2)
    offered = await offer_overflow(OfferOverflow(), uow)
    again = await offer_overflow(OfferOverflow(), uow)

    [proposed] = emitted(uow, MatchProposed)
    assert offered == {task.task_id: [proposed.match_id]}
    assert (proposed.volunteer_id, proposed.via) == (consenting.volunteer_id, ProposalVia.OVERFLOW.value)
    # Credited to both: the task's centrale and the volunteer's.
    assert (proposed.centrale_id, proposed.volunteer_centrale_id) == (CENTRALE, "vc-zeist")
    assert uow.emitted[-1].tenant == CENTRALE
    assert again == {}


async def test_overflow_leaves_tasks_that_found_a_match_and_the_own_centrale_alone(
    uow: FakeMatchingUnitOfWork,
) -> None:
    await registered_volunteer(uow)
    await registered_volunteer(uow, centrale_id="vc-zeist", regional_consent=True)
    matched = await posted_task(uow)
    [own] = await uow.proposals.of_task(matched.task_id)
    await accept_proposal(AcceptProposal(own.match_id, CENTRALE), uow)
    await agree_to_proposal(AgreeToProposal(own.match_id, volunteer_id=own.volunteer_id), uow)
    unanswered = await posted_task(uow, capacity=3)  # its own volunteer is proposed, not accepted
    _later(uow, 15)

    offered = await offer_overflow(OfferOverflow(), uow)

    assert list(offered) == [unanswered.task_id]
    [neighbour] = offered[unanswered.task_id]
    stored = uow.proposals.rows[neighbour]
    assert (stored.volunteer_centrale_id, stored.via) == ("vc-zeist", ProposalVia.OVERFLOW)


async def test_a_team_day_goes_to_the_task_with_room_for_the_whole_team(uow: FakeMatchingUnitOfWork) -> None:
    await posted_task(uow, team_suitable=True, capacity=5, theme="natuur", **ONE_OFF)
    roomy = await posted_task(uow, team_suitable=True, capacity=12, theme="natuur", **ONE_OFF)
    await posted_task(uow, team_suitable=True, capacity=20, theme="sport", **ONE_OFF)
    day = team_day()

    matched = await match_team_day(MatchTeamDay(day), uow)

    assert matched == roomy.task_id
    [event] = emitted(uow, VolunteerDayMatched)
    assert (event.day_id, event.task_id, event.partner_id, event.centrale_id) == (
        day.day_id,
        roomy.task_id,
        day.partner_id,
        CENTRALE,
    )
    kept = await uow.volunteer_days.get(day.day_id)
    assert kept is not None
    assert (kept.status, kept.task_id) == (VolunteerDayStatus.MATCHED, roomy.task_id)
    task = await uow.tasks.get(roomy.task_id)
    assert task is not None
    assert task.team_reserved == 8


async def test_a_team_day_without_a_fitting_task_stays_open(uow: FakeMatchingUnitOfWork) -> None:
    await posted_task(uow, team_suitable=True, capacity=12, theme="natuur", postcode_area="3811", **ONE_OFF)
    other_day = WEDNESDAY + timedelta(days=1)
    await posted_task(
        uow,
        team_suitable=True,
        capacity=12,
        theme="natuur",
        one_off_start=other_day,
        one_off_end=other_day + timedelta(hours=6),
        shifts=(),
    )
    day = team_day()

    assert await match_team_day(MatchTeamDay(day), uow) is None

    kept = await uow.volunteer_days.get(day.day_id)
    assert kept is not None
    assert kept.status is VolunteerDayStatus.OPEN
    assert emitted(uow, VolunteerDayMatched) == []


async def test_the_team_goes_where_its_skills_are_wanted_most(uow: FakeMatchingUnitOfWork) -> None:
    await posted_task(uow, team_suitable=True, capacity=12, theme="natuur", skills=("zagen",), **ONE_OFF)
    skilled = await posted_task(uow, team_suitable=True, capacity=12, theme="natuur", skills=("tuinieren",), **ONE_OFF)
    tasks = await uow.tasks.with_room_for_team(8, ["natuur"], None)

    best = best_task_for_team(
        tasks, on_date=date(2030, 3, 13), skills=["tuinieren"], area=(52.0907, 5.1214), radius_km=15.0
    )
    weekly = best_task_for_team(tasks, on_date=date(2030, 3, 14), skills=[], area=None, radius_km=15.0)

    assert best is not None
    assert best.task_id == skilled.task_id
    assert weekly is None
