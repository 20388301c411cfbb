"""TaskRepository behaviour, on the fake and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

from matching.domain import schedule
from matching.domain.model import TaskFacts, TaskStatus
from matching.domain.proposals import ProposalStatus
from matching.unit_of_work import MatchingUnitOfWork
from tests.matching.builders import AREAS, NOW, TUESDAY_MORNING, proposal_for, task_facts, volunteer_facts


async def _posted(uow: MatchingUnitOfWork, *, days_ago: int = 0, **changes: object) -> TaskFacts:
    facts = task_facts(**changes)
    await uow.tasks.upsert(facts, posted_at=NOW - timedelta(days=days_ago))
    return facts


async def test_a_stored_task_reads_back_as_the_domain_sees_it(uow: MatchingUnitOfWork) -> None:
    await uow.postcode_areas.load(AREAS)
    start = datetime(2027, 3, 12, 9, tzinfo=UTC)
    facts = await _posted(
        uow,
        skills=("koken", "tillen"),
        one_off_start=start,
        one_off_end=start + timedelta(hours=4),
        capacity=3,
        vog_required=True,
        team_suitable=True,
        support_accessible=True,
    )

    task = await uow.tasks.get(facts.task_id)

    assert task is not None
    profile = task.profile
    assert (profile.task_id, profile.organisation_id, profile.centrale_id) == (
        facts.task_id,
        facts.organisation_id,
        facts.centrale_id,
    )
    assert (profile.theme, profile.skills, profile.shift_mask) == (
        "zorg",
        frozenset({"koken", "tillen"}),
        schedule.slots_mask(TUESDAY_MORNING),
    )
    assert (profile.one_off_start, profile.one_off_end, profile.capacity) == (start, start + timedelta(hours=4), 3)
    assert (profile.vog_required, profile.team_suitable, profile.support_accessible) == (True, True, True)
    assert profile.coordinates == (52.0907, 5.1214)
    assert (task.status, task.team_reserved, task.posted_at) == (TaskStatus.OPEN, 0, NOW)


async def test_a_task_first_seen_in_an_update_is_stored_as_posted_now(uow: MatchingUnitOfWork) -> None:
    facts = task_facts()

    await uow.tasks.upsert(facts, posted_at=None)

    task = await uow.tasks.get(facts.task_id)
    assert task is not None
    assert task.posted_at is not None


async def test_an_update_changes_the_facts_but_not_whose_task_it_is_or_when_it_was_posted(
    uow: MatchingUnitOfWork,
) -> None:
    facts = await _posted(uow, days_ago=3)

    changed = task_facts(task_id=facts.task_id, organisation_id=uuid4(), centrale_id="vc-zeist", theme="sport")
    await uow.tasks.upsert(changed, posted_at=None)

    task = await uow.tasks.get(facts.task_id)
    assert task is not None
    assert (task.profile.theme, task.profile.organisation_id, task.centrale_id) == (
        "sport",
        facts.organisation_id,
        facts.centrale_id,
    )
    assert task.posted_at == NOW - timedelta(days=3)


async def test_unknown_tasks_are_not_found(uow: MatchingUnitOfWork) -> None:
    known = await _posted(uow)

    assert await uow.tasks.get(uuid4()) is None
    assert set(await uow.tasks.get_many([known.task_id, uuid4()])) == {known.task_id}
    assert not await uow.tasks.set_status(uuid4(), TaskStatus.CLOSED)


async def test_a_status_change_is_kept(uow: MatchingUnitOfWork) -> None:
    facts = await _posted(uow)

    assert await uow.tasks.set_status(facts.task_id, TaskStatus.FILLED)

    task = await uow.tasks.get(facts.task_id, for_update=True)
    assert task is not None
    assert task.status is TaskStatus.FILLED


async def test_open_tasks_for_a_volunteer_leave_out_what_they_were_proposed_for_and_full_shortlists(
    uow: MatchingUnitOfWork,
) -> None:
    volunteer, other = volunteer_facts(), volunteer_facts()
    oldest = await _posted(uow, days_ago=5)
    newer = await _posted(uow, days_ago=1)
    await _posted(uow, centrale_id="vc-zeist")
    closed = await _posted(uow)
    await uow.tasks.set_status(closed.task_id, TaskStatus.CLOSED)
    declined_before = await _posted(uow)
    await uow.proposals.add(proposal_for(declined_before, volunteer, status=ProposalStatus.DECLINED))
    shortlist_full = await _posted(uow)
    await uow.proposals.add(proposal_for(shortlist_full, other))
    await uow.proposals.add(proposal_for(newer, other, status=ProposalStatus.EXPIRED))

    found = await uow.tasks.open_for_volunteer(volunteer.centrale_id, volunteer.volunteer_id, fewer_live_than=1)

    assert [task.task_id for task in found] == [oldest.task_id, newer.task_id]


async def test_overflow_is_due_for_old_open_tasks_without_a_match_once(uow: MatchingUnitOfWork) -> None:
    due = await _posted(uow, days_ago=20)
    also_due = await _posted(uow, days_ago=15)
    await _posted(uow, days_ago=2)
    matched = await _posted(uow, days_ago=20)
    await uow.proposals.add(proposal_for(matched, volunteer_facts(), status=ProposalStatus.MADE))
    filled = await _posted(uow, days_ago=20)
    await uow.tasks.set_status(filled.task_id, TaskStatus.FILLED)

    found = await uow.tasks.due_for_overflow(NOW - timedelta(days=14))
    await uow.tasks.mark_overflow_offered(due.task_id, NOW)
    after = await uow.tasks.due_for_overflow(NOW - timedelta(days=14))

    assert [task.task_id for task in found] == [due.task_id, also_due.task_id]
    assert [task.task_id for task in after] == [also_due.task_id]


async def test_team_tasks_need_room_for_the_whole_team_in_its_themes_and_centrale(uow: MatchingUnitOfWork) -> None:
    roomy = await _posted(uow, days_ago=2, team_suitable=True, capacity=12, theme="natuur")
    half_taken = await _posted(uow, days_ago=1, team_suitable=True, capacity=9, theme="natuur")
    await uow.proposals.add(proposal_for(half_taken, volunteer_facts(), status=ProposalStatus.MADE))
    await _posted(uow, team_suitable=False, capacity=20, theme="natuur")
    await _posted(uow, team_suitable=True, capacity=20, theme="sport")
    zeist = await _posted(uow, team_suitable=True, capacity=20, theme="natuur", centrale_id="vc-zeist")

    natuur = await uow.tasks.with_room_for_team(8, ["natuur"], None)
    in_utrecht = await uow.tasks.with_room_for_team(8, ["natuur"], "vc-utrecht")
    await uow.tasks.reserve_for_team(roomy.task_id, 8)
    after_reserving = await uow.tasks.with_room_for_team(8, [], "vc-utrecht")

    assert [task.task_id for task in natuur] == [roomy.task_id, half_taken.task_id, zeist.task_id]
    assert [task.task_id for task in in_utrecht] == [roomy.task_id, half_taken.task_id]
    assert half_taken.task_id in {task.task_id for task in after_reserving}
    assert roomy.task_id not in {task.task_id for task in after_reserving}
    reserved = await uow.tasks.get(roomy.task_id)
    assert reserved is not None
    assert reserved.team_reserved == 8
