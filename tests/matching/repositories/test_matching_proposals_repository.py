"""ProposalRepository behaviour, on the fake and on PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import asyncpg
import pytest

from matching.domain.model import TaskFacts
from matching.domain.proposals import LIVE, PENDING, Ender, EndReason, Proposal, ProposalStatus, ProposalVia
from matching.unit_of_work import MatchingUnitOfWork
from tests.matching.builders import NOW, proposal_for, task_facts, volunteer_facts


async def _task(uow: MatchingUnitOfWork) -> TaskFacts:
    facts = task_facts()
    await uow.tasks.upsert(facts, posted_at=NOW)
    return facts


def _same(found: Proposal | None, expected: Proposal) -> None:
    """Equal, the score as a 4-byte real holds it."""
    assert found is not None
    assert found.score == pytest.approx(expected.score, rel=1e-6)
    assert found == Proposal(**{**expected.__dict__, "score": found.score})


async def test_a_proposal_reads_back_as_stored(uow: MatchingUnitOfWork) -> None:
    task, volunteer = await _task(uow), volunteer_facts(centrale_id="vc-zeist")
    proposal = proposal_for(
        task,
        volunteer,
        score=0.731,
        reasons=("vaardigheden 1/1: koken", "afstand 0.4 km"),
        via=ProposalVia.OVERFLOW,
        needs_consulent=True,
    )

    await uow.proposals.add(proposal)

    _same(await uow.proposals.lock(proposal.match_id), proposal)
    assert await uow.proposals.lock(uuid4()) is None


async def test_a_move_through_the_lifecycle_is_kept_with_its_moments(uow: MatchingUnitOfWork) -> None:
    task = await _task(uow)
    proposal = proposal_for(task, volunteer_facts(), needs_consulent=True)
    await uow.proposals.add(proposal)

    approved = proposal.approve(NOW + timedelta(hours=1))
    await uow.proposals.save(approved)
    agreed = approved.agree(NOW + timedelta(hours=2))
    await uow.proposals.save(agreed)
    _same(await uow.proposals.get(proposal.match_id), agreed)
    made = agreed.accept(NOW + timedelta(hours=3))
    await uow.proposals.save(made)
    ended = made.end(NOW + timedelta(days=30), EndReason.NO_TIME, Ender.VOLUNTEER)
    await uow.proposals.save(ended)

    _same(await uow.proposals.lock(proposal.match_id), ended)
    assert (ended.approved_at, ended.agreed_at, ended.accepted_at, ended.decided_at, ended.ended_at) == (
        NOW + timedelta(hours=1),
        NOW + timedelta(hours=2),
        NOW + timedelta(hours=3),
        NOW + timedelta(hours=3),
        NOW + timedelta(days=30),
    )
    assert (ended.end_reason, ended.ended_by) == (EndReason.NO_TIME, Ender.VOLUNTEER)
    assert await uow.proposals.get(uuid4()) is None


async def test_a_task_and_a_volunteer_list_their_proposals_best_first(uow: MatchingUnitOfWork) -> None:
    task, other_task = await _task(uow), await _task(uow)
    fatima, jan = volunteer_facts(), volunteer_facts()
    good = proposal_for(task, fatima, score=0.9)
    better_but_declined = proposal_for(task, jan, score=0.95, status=ProposalStatus.DECLINED)
    elsewhere = proposal_for(other_task, fatima, score=0.5, status=ProposalStatus.APPROVED)
    for proposal in (good, better_but_declined, elsewhere):
        await uow.proposals.add(proposal)

    of_task = await uow.proposals.of_task(task.task_id)
    pending_of_task = await uow.proposals.of_task(task.task_id, PENDING)
    of_fatima = await uow.proposals.of_volunteer(fatima.volunteer_id)
    fatima_approved = await uow.proposals.of_volunteer(fatima.volunteer_id, {ProposalStatus.APPROVED})

    assert [p.match_id for p in of_task] == [better_but_declined.match_id, good.match_id]
    assert [p.match_id for p in pending_of_task] == [good.match_id]
    assert [p.match_id for p in of_fatima] == [good.match_id, elsewhere.match_id]
    assert [p.match_id for p in fatima_approved] == [elsewhere.match_id]


async def test_everyone_ever_proposed_for_a_task_is_known_and_only_live_ones_count(uow: MatchingUnitOfWork) -> None:
    task = await _task(uow)
    live, declined, made = volunteer_facts(), volunteer_facts(), volunteer_facts()
    accepted, agreed = volunteer_facts(), volunteer_facts()
    await uow.proposals.add(proposal_for(task, live))
    await uow.proposals.add(proposal_for(task, declined, status=ProposalStatus.DECLINED))
    await uow.proposals.add(proposal_for(task, made, status=ProposalStatus.MADE))
    await uow.proposals.add(proposal_for(task, accepted, status=ProposalStatus.ACCEPTED))
    await uow.proposals.add(proposal_for(task, agreed, status=ProposalStatus.AGREED))

    assert await uow.proposals.volunteers_proposed_for(task.task_id) == {
        live.volunteer_id,
        declined.volunteer_id,
        made.volunteer_id,
        accepted.volunteer_id,
        agreed.volunteer_id,
    }
    assert await uow.proposals.has_live(task.task_id, live.volunteer_id)
    assert await uow.proposals.has_live(task.task_id, made.volunteer_id)
    assert await uow.proposals.has_live(task.task_id, accepted.volunteer_id)
    assert await uow.proposals.has_live(task.task_id, agreed.volunteer_id)
    assert not await uow.proposals.has_live(task.task_id, declined.volunteer_id)
    assert await uow.proposals.count(task.task_id, LIVE) == 4
    assert await uow.proposals.count(task.task_id, {ProposalStatus.MADE}) == 1


async def test_a_second_live_proposal_for_the_same_volunteer_and_task_is_refused(uow: MatchingUnitOfWork) -> None:
    task, volunteer = await _task(uow), volunteer_facts()
    await uow.proposals.add(proposal_for(task, volunteer))

    with pytest.raises(asyncpg.UniqueViolationError):
        await uow.proposals.add(proposal_for(task, volunteer))


async def test_a_new_proposal_may_follow_one_that_ended(uow: MatchingUnitOfWork) -> None:
    task, volunteer = await _task(uow), volunteer_facts()
    first = proposal_for(task, volunteer)
    await uow.proposals.add(first)
    await uow.proposals.save(first.expire(NOW))

    again = proposal_for(task, volunteer, via=ProposalVia.INTEREST)
    await uow.proposals.add(again)

    assert [p.match_id for p in await uow.proposals.of_task(task.task_id, LIVE)] == [again.match_id]


async def test_unanswered_proposals_are_the_pending_ones_made_before_a_moment(uow: MatchingUnitOfWork) -> None:
    task = await _task(uow)
    oldest = proposal_for(task, volunteer_facts(), proposed_at=NOW - timedelta(days=20))
    old_approved = proposal_for(
        task, volunteer_facts(), proposed_at=NOW - timedelta(days=15), status=ProposalStatus.APPROVED
    )
    waiting_for_the_volunteer = proposal_for(
        task, volunteer_facts(), proposed_at=NOW - timedelta(days=16), status=ProposalStatus.ACCEPTED
    )
    recent = proposal_for(task, volunteer_facts(), proposed_at=NOW - timedelta(days=2))
    old_match = proposal_for(task, volunteer_facts(), proposed_at=NOW - timedelta(days=30), status=ProposalStatus.MADE)
    for proposal in (recent, old_approved, old_match, oldest, waiting_for_the_volunteer):
        await uow.proposals.add(proposal)

    stale = await uow.proposals.unanswered_before(NOW - timedelta(days=14))

    assert [p.match_id for p in stale] == [oldest.match_id, waiting_for_the_volunteer.match_id, old_approved.match_id]
    assert recent.match_id not in {p.match_id for p in stale}


async def test_an_erased_volunteers_reasons_are_forgotten_everywhere(uow: MatchingUnitOfWork) -> None:
    task, other_task = await _task(uow), await _task(uow)
    erased, kept = volunteer_facts(), volunteer_facts()
    await uow.proposals.add(proposal_for(task, erased, status=ProposalStatus.EXPIRED))
    await uow.proposals.add(proposal_for(other_task, erased))
    await uow.proposals.add(proposal_for(task, kept))

    await uow.proposals.forget_reasons(erased.volunteer_id)

    assert [p.reasons for p in await uow.proposals.of_volunteer(erased.volunteer_id)] == [(), ()]
    assert [p.reasons for p in await uow.proposals.of_volunteer(kept.volunteer_id)] == [("vaardigheden 1/1: koken",)]


async def test_proposals_of_one_volunteer_do_not_show_up_for_another(uow: MatchingUnitOfWork) -> None:
    task = await _task(uow)
    await uow.proposals.add(proposal_for(task, volunteer_facts()))

    assert await uow.proposals.of_volunteer(uuid4()) == []
    assert await uow.proposals.of_task(uuid4()) == []


async def test_a_centrales_work_queue_lists_its_own_volunteers_pending_proposals_oldest_first(
    uow: MatchingUnitOfWork,
) -> None:
    task = await _task(uow)
    centrale = f"vc-{uuid4().hex[:6]}"
    supported = proposal_for(task, volunteer_facts(centrale_id=centrale), needs_consulent=True)
    old = proposal_for(task, volunteer_facts(centrale_id=centrale), proposed_at=NOW - timedelta(days=10))
    made = proposal_for(task, volunteer_facts(centrale_id=centrale), status=ProposalStatus.MADE)
    elsewhere = proposal_for(task, volunteer_facts(centrale_id="vc-elders"), needs_consulent=True)
    for proposal in (supported, old, made, elsewhere):
        await uow.proposals.add(proposal)

    pending = await uow.proposals.of_centrale_volunteers(centrale, PENDING)
    to_approve = await uow.proposals.of_centrale_volunteers(centrale, PENDING, needs_consulent=True)
    waiting = await uow.proposals.of_centrale_volunteers(centrale, PENDING, proposed_before=NOW - timedelta(days=7))

    assert [p.match_id for p in pending] == [old.match_id, supported.match_id]
    assert [p.match_id for p in to_approve] == [supported.match_id]
    assert [p.match_id for p in waiting] == [old.match_id]
    assert await uow.proposals.of_centrale_volunteers(centrale, PENDING, limit=1) == pending[:1]
