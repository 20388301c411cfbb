"""Proposal use cases on fakes: re-evaluation, interest, approval, acceptance, declining, ending, expiry, listing."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID, uuid4

import pytest

from common.errors import Conflict, NotFound, Rejected
from contracts.events import MatchDeclined, MatchEnded, MatchExpired, MatchMade, MatchProposed
from matching.commands import (
    AcceptProposal,
    ApproveProposal,
    DeclineProposal,
    EndMatch,
    ExpireStaleProposals,
    ExpressInterest,
    ListTaskProposals,
    ListVolunteerProposals,
    OfferOverflow,
    ReevaluateVolunteer,
)
from matching.domain.model import TaskStatus
from matching.domain.policy import MatchingPolicy
from matching.domain.proposals import Decliner, ProposalStatus, ProposalVia, RefusedTransition
from matching.use_cases import (
    accept_proposal,
    approve_proposal,
    decline_proposal,
    end_match,
    expire_stale_proposals,
    express_interest,
    list_task_proposals,
    list_volunteer_proposals,
    offer_overflow,
    reevaluate_volunteer,
)
from tests.matching.builders import CENTRALE
from tests.matching.fakes import FakeMatchingUnitOfWork
from tests.matching.unit.steps import emitted, posted_task, proposal, registered_volunteer


async def _open_commitments(uow: FakeMatchingUnitOfWork, volunteer_id: UUID) -> int:
    profile = await uow.volunteers.get(volunteer_id)
    assert profile is not None
    return profile.open_commitments


async def _only_proposal(uow: FakeMatchingUnitOfWork, task_id: UUID) -> UUID:
    [found] = await uow.proposals.of_task(task_id)
    return found.match_id


# -- re-evaluation ------------------------------------------------------------------------------------


async def test_re_evaluation_withdraws_a_proposal_the_volunteer_no_longer_fits(uow: FakeMatchingUnitOfWork) -> None:
    volunteer = await registered_volunteer(uow)
    task = await posted_task(uow)
    assert await _open_commitments(uow, volunteer.volunteer_id) == 1

    await registered_volunteer(uow, volunteer_id=volunteer.volunteer_id, matching_consent=False)

    [expired] = emitted(uow, MatchExpired)
    assert (expired.volunteer_id, expired.task_id) == (volunteer.volunteer_id, task.task_id)
    assert await _open_commitments(uow, volunteer.volunteer_id) == 0


async def test_re_evaluation_proposes_for_no_more_open_tasks_than_the_spreading_limit(
    uow: FakeMatchingUnitOfWork,
) -> None:
    volunteer = await registered_volunteer(uow, availability=())
    for _ in range(5):
        await posted_task(uow)
    assert emitted(uow, MatchProposed) == []

    proposed = await registered_volunteer(uow, volunteer_id=volunteer.volunteer_id)

    assert len(emitted(uow, MatchProposed)) == uow.policy.max_open_commitments == 3
    assert await _open_commitments(uow, volunteer.volunteer_id) == 3
    assert proposed.volunteer_id == volunteer.volunteer_id


async def test_re_evaluation_never_proposes_again_for_a_task_the_volunteer_declined(
    uow: FakeMatchingUnitOfWork,
) -> None:
    volunteer = await registered_volunteer(uow)
    task = await posted_task(uow)
    match_id = await _only_proposal(uow, task.task_id)
    await decline_proposal(DeclineProposal(match_id, Decliner.VOLUNTEER, volunteer_id=volunteer.volunteer_id), uow)

    proposed = await reevaluate_volunteer(ReevaluateVolunteer(volunteer.volunteer_id, CENTRALE), uow)

    assert proposed == []
    assert uow.locked[-1] == CENTRALE


async def test_re_evaluating_a_volunteer_matching_does_not_have_proposes_nothing(uow: FakeMatchingUnitOfWork) -> None:
    await posted_task(uow)

    assert await reevaluate_volunteer(ReevaluateVolunteer(uuid4(), CENTRALE), uow) == []
    assert emitted(uow, MatchProposed) == []


async def test_an_overflow_proposal_stands_while_the_neighbour_still_fits(uow: FakeMatchingUnitOfWork) -> None:
    neighbour = await registered_volunteer(uow, centrale_id="vc-zeist", regional_consent=True)
    task = await posted_task(uow)
    uow.clock.advance(timedelta(days=15))
    uow.renew()
    await offer_overflow(OfferOverflow(), uow)
    offered = await _only_proposal(uow, task.task_id)

    await registered_volunteer(
        uow,
        volunteer_id=neighbour.volunteer_id,
        centrale_id="vc-zeist",
        regional_consent=True,
        vog_valid_until=date(2030, 1, 1),
    )

    assert (await proposal(uow, offered)).status is ProposalStatus.PROPOSED
    assert uow.locked[-1] == "vc-zeist"


# -- interest -----------------------------------------------------------------------------------------


async def test_interest_that_passes_the_gates_is_a_proposal(uow: FakeMatchingUnitOfWork) -> None:
    uow.policy = MatchingPolicy(proposals_per_task=1)
    await registered_volunteer(uow)
    task = await posted_task(uow)  # proposes the one above: the shortlist is full
    volunteer = await registered_volunteer(uow, skills=())

    match_id = await express_interest(ExpressInterest(volunteer.volunteer_id, CENTRALE, task.task_id), uow)

    made = await proposal(uow, match_id)
    assert (made.via, made.status, made.volunteer_id) == (
        ProposalVia.INTEREST,
        ProposalStatus.PROPOSED,
        volunteer.volunteer_id,
    )
    assert emitted(uow, MatchProposed)[-1].via == "interest"
    assert await _open_commitments(uow, volunteer.volunteer_id) == 1


async def test_interest_the_gates_refuse_lists_every_reason(uow: FakeMatchingUnitOfWork) -> None:
    task = await posted_task(uow, vog_required=True)
    volunteer = await registered_volunteer(uow, postcode_area="3811", max_distance_km=10)

    with pytest.raises(Rejected) as refused:
        await express_interest(ExpressInterest(volunteer.volunteer_id, CENTRALE, task.task_id), uow)

    assert refused.value.field == "task_id"
    assert len(refused.value.reasons) == 2
    assert any("VOG" in reason for reason in refused.value.reasons)
    assert any(reason.startswith("te ver weg") for reason in refused.value.reasons)


async def test_interest_in_another_centrales_task_needs_regional_consent(uow: FakeMatchingUnitOfWork) -> None:
    task = await posted_task(uow, centrale_id="vc-zeist")
    local = await registered_volunteer(uow)
    regional = await registered_volunteer(uow, regional_consent=True)

    with pytest.raises(NotFound):
        await express_interest(ExpressInterest(local.volunteer_id, CENTRALE, task.task_id), uow)
    match_id = await express_interest(ExpressInterest(regional.volunteer_id, CENTRALE, task.task_id), uow)

    made = await proposal(uow, match_id)
    assert (made.centrale_id, made.volunteer_centrale_id) == ("vc-zeist", CENTRALE)


async def test_interest_conflicts_with_what_is_already_so(uow: FakeMatchingUnitOfWork) -> None:
    volunteer = await registered_volunteer(uow)
    proposed_task = await posted_task(uow)
    closed_task = await posted_task(uow, skills=("vliegen",))
    await uow.tasks.set_status(closed_task.task_id, TaskStatus.CLOSED)

    with pytest.raises(Conflict, match="already have a proposal"):
        await express_interest(ExpressInterest(volunteer.volunteer_id, CENTRALE, proposed_task.task_id), uow)
    with pytest.raises(Conflict, match="task is closed"):
        await express_interest(ExpressInterest(volunteer.volunteer_id, CENTRALE, closed_task.task_id), uow)
    with pytest.raises(Conflict, match="not reached matching yet"):
        await express_interest(ExpressInterest(uuid4(), CENTRALE, proposed_task.task_id), uow)
    with pytest.raises(NotFound):
        await express_interest(ExpressInterest(volunteer.volunteer_id, CENTRALE, uuid4()), uow)


# -- the consulent, the organisation --------------------------------------------------------------------


async def test_the_volunteers_consulent_approves_then_the_organisation_accepts(uow: FakeMatchingUnitOfWork) -> None:
    volunteer = await registered_volunteer(uow, needs_support=True)
    task = await posted_task(uow, support_accessible=True)
    match_id = await _only_proposal(uow, task.task_id)

    with pytest.raises(Conflict, match="consulent approves first"):
        await accept_proposal(AcceptProposal(match_id, CENTRALE, task.organisation_id), uow)
    with pytest.raises(NotFound):
        await approve_proposal(ApproveProposal(match_id, "vc-zeist"), uow)
    await approve_proposal(ApproveProposal(match_id, CENTRALE), uow)
    await accept_proposal(AcceptProposal(match_id, CENTRALE, task.organisation_id), uow)

    made = await proposal(uow, match_id)
    assert made.status is ProposalStatus.MADE
    assert made.approved_at is not None
    [event] = emitted(uow, MatchMade)
    assert (event.match_id, event.volunteer_id, event.centrale_id) == (match_id, volunteer.volunteer_id, CENTRALE)


async def test_a_proposal_without_a_consulent_is_not_approved(uow: FakeMatchingUnitOfWork) -> None:
    await registered_volunteer(uow)
    task = await posted_task(uow)

    with pytest.raises(Conflict, match="does not wait for a consulent"):
        await approve_proposal(ApproveProposal(await _only_proposal(uow, task.task_id), CENTRALE), uow)
    with pytest.raises(NotFound):
        await approve_proposal(ApproveProposal(uuid4(), CENTRALE), uow)


async def test_the_last_place_taken_fills_the_task_and_the_other_proposals_expire(uow: FakeMatchingUnitOfWork) -> None:
    first, second = await registered_volunteer(uow), await registered_volunteer(uow)
    task = await posted_task(uow, capacity=1)
    by_volunteer = {p.volunteer_id: p.match_id for p in await uow.proposals.of_task(task.task_id)}

    await accept_proposal(AcceptProposal(by_volunteer[first.volunteer_id], CENTRALE), uow)

    stored = await uow.tasks.get(task.task_id)
    assert stored is not None
    assert stored.status is TaskStatus.FILLED
    [expired] = emitted(uow, MatchExpired)
    assert expired.volunteer_id == second.volunteer_id
    with pytest.raises(RefusedTransition):
        await accept_proposal(AcceptProposal(by_volunteer[first.volunteer_id], CENTRALE), uow)
    with pytest.raises(RefusedTransition):
        await accept_proposal(AcceptProposal(by_volunteer[second.volunteer_id], CENTRALE), uow)


async def test_no_match_is_made_for_a_task_without_room(uow: FakeMatchingUnitOfWork) -> None:
    await registered_volunteer(uow)
    task = await posted_task(uow, capacity=8)
    await uow.tasks.reserve_for_team(task.task_id, 8)

    with pytest.raises(Conflict, match="no room left"):
        await accept_proposal(AcceptProposal(await _only_proposal(uow, task.task_id), CENTRALE), uow)
    assert emitted(uow, MatchMade) == []


async def test_only_the_tasks_organisation_or_its_centrale_accepts(uow: FakeMatchingUnitOfWork) -> None:
    await registered_volunteer(uow)
    task = await posted_task(uow)
    match_id = await _only_proposal(uow, task.task_id)

    with pytest.raises(NotFound):
        await accept_proposal(AcceptProposal(match_id, CENTRALE, organisation_id=uuid4()), uow)
    with pytest.raises(NotFound):
        await accept_proposal(AcceptProposal(match_id, "vc-zeist"), uow)
    await accept_proposal(AcceptProposal(match_id, CENTRALE), uow)
    assert (await proposal(uow, match_id)).status is ProposalStatus.MADE


# -- declining and ending -----------------------------------------------------------------------------


@pytest.mark.parametrize("by", list(Decliner))
async def test_a_pending_proposal_is_declined_by_whoever_has_a_say(uow: FakeMatchingUnitOfWork, by: Decliner) -> None:
    volunteer = await registered_volunteer(uow, centrale_id="vc-zeist", regional_consent=True)
    task = await posted_task(uow)
    match_id = await express_interest(ExpressInterest(volunteer.volunteer_id, "vc-zeist", task.task_id), uow)
    callers = {
        Decliner.ORGANISATION: DeclineProposal(
            match_id, by, centrale_id=CENTRALE, organisation_id=task.organisation_id
        ),
        Decliner.CONSULENT: DeclineProposal(match_id, by, centrale_id="vc-zeist"),  # the volunteer's centrale
        Decliner.VOLUNTEER: DeclineProposal(match_id, by, volunteer_id=volunteer.volunteer_id),
    }

    await decline_proposal(callers[by], uow)

    [declined] = emitted(uow, MatchDeclined)
    assert (declined.match_id, declined.declined_by) == (match_id, by.value)
    assert (await proposal(uow, match_id)).status is ProposalStatus.DECLINED
    assert await _open_commitments(uow, volunteer.volunteer_id) == 0


async def test_strangers_do_not_even_learn_a_proposal_exists(uow: FakeMatchingUnitOfWork) -> None:
    await registered_volunteer(uow)
    task = await posted_task(uow)
    match_id = await _only_proposal(uow, task.task_id)
    strangers = [
        DeclineProposal(match_id, Decliner.ORGANISATION, centrale_id=CENTRALE, organisation_id=uuid4()),
        DeclineProposal(match_id, Decliner.ORGANISATION, centrale_id="vc-zeist", organisation_id=task.organisation_id),
        DeclineProposal(match_id, Decliner.CONSULENT, centrale_id="vc-zeist"),
        DeclineProposal(match_id, Decliner.VOLUNTEER, volunteer_id=uuid4()),
        DeclineProposal(uuid4(), Decliner.CONSULENT, centrale_id=CENTRALE),
    ]

    for command in strangers:
        with pytest.raises(NotFound):
            await decline_proposal(command, uow)
    assert (await proposal(uow, match_id)).status is ProposalStatus.PROPOSED


async def test_a_made_match_is_ended_not_declined(uow: FakeMatchingUnitOfWork) -> None:
    volunteer = await registered_volunteer(uow)
    task = await posted_task(uow)
    match_id = await _only_proposal(uow, task.task_id)
    with pytest.raises(RefusedTransition):
        await end_match(EndMatch(match_id, CENTRALE), uow)
    await accept_proposal(AcceptProposal(match_id, CENTRALE), uow)

    with pytest.raises(RefusedTransition, match="proposal is made: it can become ended, not declined"):
        await decline_proposal(DeclineProposal(match_id, Decliner.CONSULENT, centrale_id=CENTRALE), uow)
    with pytest.raises(NotFound):
        await end_match(EndMatch(match_id, CENTRALE, organisation_id=uuid4()), uow)
    with pytest.raises(NotFound):
        await end_match(EndMatch(match_id, "vc-zeist"), uow)
    await end_match(EndMatch(match_id, CENTRALE, organisation_id=task.organisation_id), uow)

    [ended] = emitted(uow, MatchEnded)
    assert (ended.match_id, ended.reason) == (match_id, "ended")
    assert await _open_commitments(uow, volunteer.volunteer_id) == 0


# -- expiry -------------------------------------------------------------------------------------------


async def test_proposals_unanswered_for_longer_than_the_time_to_live_expire(uow: FakeMatchingUnitOfWork) -> None:
    stale_volunteer = await registered_volunteer(uow)
    old_task = await posted_task(uow)
    uow.clock.advance(timedelta(days=10))
    uow.renew()
    fresh_task = await posted_task(uow, skills=("tillen",))
    uow.clock.advance(timedelta(days=5))
    uow.renew()

    expired = await expire_stale_proposals(ExpireStaleProposals(), uow)

    assert expired == 1
    [event] = emitted(uow, MatchExpired)
    assert (event.task_id, event.volunteer_id) == (old_task.task_id, stale_volunteer.volunteer_id)
    assert [p.status for p in await uow.proposals.of_task(fresh_task.task_id)] == [ProposalStatus.PROPOSED]


# -- reading ------------------------------------------------------------------------------------------


async def test_a_tasks_proposals_are_shown_to_its_centrale_and_organisation_only(uow: FakeMatchingUnitOfWork) -> None:
    await registered_volunteer(uow)
    await registered_volunteer(uow, skills=())
    task = await posted_task(uow)

    shown = await list_task_proposals(ListTaskProposals(task.task_id, CENTRALE, task.organisation_id), uow)

    assert len(shown) == 2
    assert shown[0].score >= shown[1].score
    for stranger in (
        ListTaskProposals(task.task_id, "vc-zeist"),
        ListTaskProposals(task.task_id, CENTRALE, organisation_id=uuid4()),
        ListTaskProposals(uuid4(), CENTRALE),
    ):
        with pytest.raises(NotFound):
            await list_task_proposals(stranger, uow)


async def test_a_volunteers_open_proposals_are_shown_to_them_and_their_centrale(uow: FakeMatchingUnitOfWork) -> None:
    volunteer = await registered_volunteer(uow)
    open_task, declined_task = await posted_task(uow), await posted_task(uow)
    declined = await _only_proposal(uow, declined_task.task_id)
    await decline_proposal(DeclineProposal(declined, Decliner.VOLUNTEER, volunteer_id=volunteer.volunteer_id), uow)

    mine = await list_volunteer_proposals(ListVolunteerProposals(volunteer.volunteer_id), uow)
    for_staff = await list_volunteer_proposals(ListVolunteerProposals(volunteer.volunteer_id, CENTRALE), uow)

    assert [p.task_id for p in mine] == [p.task_id for p in for_staff] == [open_task.task_id]


async def test_another_centrales_volunteer_is_not_found_rather_than_without_proposals(
    uow: FakeMatchingUnitOfWork,
) -> None:
    # Issue 13: staff of vc-zeist asking for a vc-utrecht volunteer's proposals got 200 [] (an existence oracle).
    volunteer = await registered_volunteer(uow)
    await posted_task(uow)
    for stranger in (
        ListVolunteerProposals(volunteer.volunteer_id, "vc-zeist"),
        ListVolunteerProposals(uuid4(), CENTRALE),
    ):
        with pytest.raises(NotFound):
            await list_volunteer_proposals(stranger, uow)
