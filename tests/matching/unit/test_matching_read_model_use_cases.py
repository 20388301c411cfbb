"""The read model's use cases on fakes: volunteers and tasks stored (and proposed for), erasure, closing, PC4 areas."""

from __future__ import annotations

from uuid import uuid4

import pytest

from common.errors import ContractViolation
from contracts.events import MatchEnded, MatchExpired, MatchProposed
from matching.commands import (
    AcceptProposal,
    AgreeToProposal,
    CloseTask,
    EraseVolunteer,
    LoadPostcodeAreas,
    RecordTaskUpdate,
    RecordVolunteer,
)
from matching.domain.geo import Centroid
from matching.domain.mediation import GateOverride
from matching.domain.model import TaskStatus
from matching.domain.proposals import ProposalStatus
from matching.domain.scoring import Gate
from matching.use_cases import (
    accept_proposal,
    agree_to_proposal,
    close_task,
    erase_volunteer,
    load_postcode_areas,
    record_task_update,
    record_volunteer,
)
from tests.matching.builders import CENTRALE, task_facts
from tests.matching.fakes import FakeMatchingUnitOfWork
from tests.matching.unit.steps import emitted, posted_task, registered_volunteer


async def test_a_registered_volunteer_is_stored_and_proposed_for_an_open_task_that_fits(
    uow: FakeMatchingUnitOfWork,
) -> None:
    task = await posted_task(uow)
    assert uow.proposals.rows == {}

    volunteer = await registered_volunteer(uow)

    assert await uow.volunteers.get(volunteer.volunteer_id) is not None
    [proposed] = emitted(uow, MatchProposed)
    assert (proposed.volunteer_id, proposed.task_id, proposed.via) == (volunteer.volunteer_id, task.task_id, "matching")
    # The reasons describe the volunteer: matching keeps them (table, API), its topic does not (issue 16).
    assert (proposed.reasons, proposed.needs_consulent) == ([], False)
    assert uow.proposals.rows[proposed.match_id].reasons[:2] == ("vaardigheden 1/1: koken", "interesse in thema zorg")
    assert uow.emitted[-1].tenant == CENTRALE
    # Both took the centrale's turn before writing and reading, so they could not miss each other.
    assert uow.locked == [CENTRALE, CENTRALE, CENTRALE]


async def test_a_replayed_profile_is_stored_with_its_live_commitments_and_proposed_for_nothing(
    uow: FakeMatchingUnitOfWork,
) -> None:
    volunteer = await registered_volunteer(uow)
    await posted_task(uow)
    await posted_task(uow)
    proposed = len(emitted(uow, MatchProposed))
    uow.volunteers.rows.clear()  # the replay emptied the read model

    await record_volunteer(RecordVolunteer(volunteer, replayed=True), uow)

    assert len(emitted(uow, MatchProposed)) == proposed == 2, "history proposes nobody again"
    stored = await uow.volunteers.get(volunteer.volunteer_id)
    assert stored is not None
    assert stored.open_commitments == 2, "its live proposals, counted again"


async def test_a_posted_task_proposes_its_best_candidates_of_its_own_centrale_only(
    uow: FakeMatchingUnitOfWork,
) -> None:
    cook = await registered_volunteer(uow)
    no_skill = await registered_volunteer(uow, skills=())
    await registered_volunteer(uow, centrale_id="vc-zeist", regional_consent=True)
    await registered_volunteer(uow, matching_consent=False)
    await registered_volunteer(uow, postcode_area="3811", max_distance_km=10)

    task = await posted_task(uow)

    proposed = emitted(uow, MatchProposed)
    assert [(p.volunteer_id, p.task_id) for p in proposed] == [
        (cook.volunteer_id, task.task_id),
        (no_skill.volunteer_id, task.task_id),
    ]
    assert proposed[0].score > proposed[1].score
    assert uow.locked[-1] == CENTRALE


async def test_a_posted_task_proposes_no_more_than_the_policy_allows(uow: FakeMatchingUnitOfWork) -> None:
    for _ in range(7):
        await registered_volunteer(uow)

    task = await posted_task(uow)

    assert len(await uow.proposals.of_task(task.task_id)) == uow.policy.proposals_per_task == 5


async def test_a_task_update_keeps_the_facts_current_and_its_proposals_standing(uow: FakeMatchingUnitOfWork) -> None:
    await registered_volunteer(uow)
    task = await posted_task(uow)

    await record_task_update(RecordTaskUpdate(task_facts(task_id=task.task_id, theme="sport", skills=())), uow)

    stored = await uow.tasks.get(task.task_id)
    assert stored is not None
    assert (stored.profile.theme, stored.profile.skills) == ("sport", frozenset())
    assert [p.status for p in await uow.proposals.of_task(task.task_id)] == [ProposalStatus.PROPOSED]


@pytest.mark.parametrize(("reason", "status"), [("filled", TaskStatus.FILLED), ("expired", TaskStatus.CLOSED)])
async def test_a_closed_task_lets_its_pending_proposals_expire(
    uow: FakeMatchingUnitOfWork, reason: str, status: TaskStatus
) -> None:
    volunteer = await registered_volunteer(uow)
    task = await posted_task(uow)

    expired = await close_task(CloseTask(task.task_id, reason), uow)

    stored = await uow.tasks.get(task.task_id)
    assert stored is not None
    assert (expired, stored.status) == (1, status)
    assert [e.volunteer_id for e in emitted(uow, MatchExpired)] == [volunteer.volunteer_id]
    profile = await uow.volunteers.get(volunteer.volunteer_id)
    assert profile is not None
    assert profile.open_commitments == 0


async def test_closing_a_task_matching_never_saw_is_a_contract_violation(uow: FakeMatchingUnitOfWork) -> None:
    with pytest.raises(ContractViolation, match="never saw it posted"):
        await close_task(CloseTask(uuid4(), "closed"), uow)


async def test_an_erased_volunteer_leaves_every_proposal_and_is_never_proposed_again(
    uow: FakeMatchingUnitOfWork,
) -> None:
    volunteer = await registered_volunteer(uow)
    pending_task, matched_task = await posted_task(uow), await posted_task(uow)
    [matched] = await uow.proposals.of_task(matched_task.task_id)
    await accept_proposal(AcceptProposal(matched.match_id, CENTRALE), uow)
    await agree_to_proposal(AgreeToProposal(matched.match_id, volunteer_id=volunteer.volunteer_id), uow)

    await erase_volunteer(EraseVolunteer(volunteer.volunteer_id), uow)

    assert await uow.volunteers.get(volunteer.volunteer_id) is None
    [expired] = emitted(uow, MatchExpired)
    [ended] = emitted(uow, MatchEnded)
    assert (expired.task_id, ended.task_id, ended.reason, ended.ended_by) == (
        pending_task.task_id,
        matched_task.task_id,
        "volunteer_erased",
        "matching",
    )
    left = {(p.status, p.reasons) for p in await uow.proposals.of_volunteer(volunteer.volunteer_id)}
    assert left == {(ProposalStatus.EXPIRED, ()), (ProposalStatus.ENDED, ())}
    another = await posted_task(uow)
    assert await uow.proposals.of_task(another.task_id) == []


async def test_loaded_centroids_bring_distance_into_the_gates(uow: FakeMatchingUnitOfWork) -> None:
    uow.postcode_areas.areas.clear()
    far = await registered_volunteer(uow, postcode_area="3811", max_distance_km=10)
    await posted_task(uow)
    assert [p.volunteer_id for p in emitted(uow, MatchProposed)] == [far.volunteer_id]  # distance unknown: no gate

    loaded = await load_postcode_areas(
        LoadPostcodeAreas((Centroid("3511", 52.0907, 5.1214), Centroid("3811", 52.1561, 5.3878))), uow
    )
    task = await posted_task(uow)

    assert loaded == 2
    assert await uow.proposals.of_task(task.task_id) == []


async def test_an_erasure_wipes_the_consulents_reasons_about_the_volunteer(uow: FakeMatchingUnitOfWork) -> None:
    volunteer = await registered_volunteer(uow)
    task = await posted_task(uow)
    [proposal] = await uow.proposals.of_task(task.task_id)
    await uow.mediation.add_override(
        GateOverride(proposal.match_id, Gate.SUPPORT, "Over haar begeleiding", "credential:c", uow.now())
    )

    await erase_volunteer(EraseVolunteer(volunteer.volunteer_id), uow)

    [override] = await uow.mediation.overrides_of(proposal.match_id)
    assert (override.gate, override.reason, override.overridden_by) == (Gate.SUPPORT, "", "credential:c")
