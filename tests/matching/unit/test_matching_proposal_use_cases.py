"""Proposal use cases on fakes: re-evaluation, responding, approval, both yeses, declining, ending, expiry, listing."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID, uuid4

import pytest

from common.errors import Conflict, NotFound, Rejected
from common.uow import Origin
from contracts.events import (
    MatchAccepted,
    MatchAgreed,
    MatchApproved,
    MatchDeclined,
    MatchEnded,
    MatchExpired,
    MatchMade,
    MatchProposed,
)
from matching.commands import (
    AcceptProposal,
    AgreeToProposal,
    ApproveProposal,
    DeclineProposal,
    EndMatch,
    ExpireStaleProposals,
    ExpressInterest,
    GetMediation,
    ListCentraleProposals,
    ListTaskProposals,
    ListVolunteerProposals,
    OfferOverflow,
    ReevaluateVolunteer,
    RespondForVolunteer,
)
from matching.domain.mediation import AgreementHow, AgreementSubject
from matching.domain.model import TaskStatus
from matching.domain.policy import MatchingPolicy
from matching.domain.proposals import Decliner, Ender, EndReason, ProposalStatus, ProposalVia, RefusedTransition
from matching.domain.scoring import Gate
from matching.use_cases import (
    accept_proposal,
    agree_to_proposal,
    approve_proposal,
    decline_proposal,
    end_match,
    expire_stale_proposals,
    express_interest,
    get_mediation,
    list_centrale_proposals,
    list_task_proposals,
    list_volunteer_proposals,
    offer_overflow,
    reevaluate_volunteer,
    respond_for_volunteer,
)
from matching.use_cases._gates import GatesFailed
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


async def _both_say_yes(uow: FakeMatchingUnitOfWork, match_id: UUID) -> None:
    """The organisation's yes (staff of the task's centrale for it), then the volunteer's."""
    volunteer_id = (await proposal(uow, match_id)).volunteer_id
    await accept_proposal(AcceptProposal(match_id, CENTRALE), uow)
    await agree_to_proposal(AgreeToProposal(match_id, volunteer_id=volunteer_id), uow)


CONSULENT = "credential:00000000-0000-4000-8000-00000000c0c0"


def _as_consulent(uow: FakeMatchingUnitOfWork) -> None:
    uow.renew(Origin(source="/regions/test/matching", region="test", correlation_id=uuid4(), actor=CONSULENT))


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

    with pytest.raises(GatesFailed) as refused:
        await express_interest(ExpressInterest(volunteer.volunteer_id, CENTRALE, task.task_id), uow)

    assert refused.value.field == "task_id"
    assert [(d["gate"], d["overridable"], d["loc"]) for d in refused.value.detail()] == [
        ("vog", False, ["body", "task_id"]),
        ("distance", True, ["body", "task_id"]),
    ]
    assert any("VOG" in reason for reason in refused.value.reasons)
    assert any("je wilt maximaal 10 km reizen" in reason for reason in refused.value.reasons)


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
    filled_task = await posted_task(uow, skills=("zwemmen",))
    await uow.tasks.set_status(closed_task.task_id, TaskStatus.CLOSED)
    await uow.tasks.set_status(filled_task.task_id, TaskStatus.FILLED)

    with pytest.raises(Conflict, match="Er loopt al een reactie of voorstel voor deze taak"):
        await express_interest(ExpressInterest(volunteer.volunteer_id, CENTRALE, proposed_task.task_id), uow)
    with pytest.raises(Conflict, match="Deze taak is gesloten"):
        await express_interest(ExpressInterest(volunteer.volunteer_id, CENTRALE, closed_task.task_id), uow)
    with pytest.raises(Conflict, match="Deze taak is al vervuld"):
        await express_interest(ExpressInterest(volunteer.volunteer_id, CENTRALE, filled_task.task_id), uow)
    with pytest.raises(Conflict, match="nog niet helemaal verwerkt"):
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
    with pytest.raises(Conflict, match="consulent approves first"):
        await agree_to_proposal(AgreeToProposal(match_id, volunteer_id=volunteer.volunteer_id), uow)
    with pytest.raises(NotFound):
        await approve_proposal(ApproveProposal(match_id, "vc-zeist"), uow)
    await approve_proposal(ApproveProposal(match_id, CENTRALE), uow)
    await accept_proposal(AcceptProposal(match_id, CENTRALE, task.organisation_id), uow)
    await agree_to_proposal(AgreeToProposal(match_id, volunteer_id=volunteer.volunteer_id), uow)

    made = await proposal(uow, match_id)
    assert made.status is ProposalStatus.MADE
    assert made.approved_at is not None
    [approved] = emitted(uow, MatchApproved)
    assert approved.match_id == match_id
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

    await _both_say_yes(uow, by_volunteer[first.volunteer_id])

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

    with pytest.raises(Conflict, match="geen plaats meer"):
        await accept_proposal(AcceptProposal(await _only_proposal(uow, task.task_id), CENTRALE), uow)
    assert emitted(uow, MatchMade) == []
    assert emitted(uow, MatchAccepted) == []


async def test_only_the_tasks_organisation_or_its_centrale_accepts(uow: FakeMatchingUnitOfWork) -> None:
    await registered_volunteer(uow)
    task = await posted_task(uow)
    match_id = await _only_proposal(uow, task.task_id)

    with pytest.raises(NotFound):
        await accept_proposal(AcceptProposal(match_id, CENTRALE, organisation_id=uuid4()), uow)
    with pytest.raises(NotFound):
        await accept_proposal(AcceptProposal(match_id, "vc-zeist"), uow)
    assert await accept_proposal(AcceptProposal(match_id, CENTRALE), uow) is ProposalStatus.ACCEPTED
    assert (await proposal(uow, match_id)).status is ProposalStatus.ACCEPTED
    [accepted] = emitted(uow, MatchAccepted)
    assert (accepted.match_id, accepted.accepted_by) == (match_id, "consulent")


@pytest.mark.parametrize("first", ["organisation", "volunteer"])
async def test_a_match_takes_both_yeses_in_either_order(uow: FakeMatchingUnitOfWork, first: str) -> None:
    volunteer = await registered_volunteer(uow)
    task = await posted_task(uow)
    match_id = await _only_proposal(uow, task.task_id)

    async def organisation() -> ProposalStatus:
        return await accept_proposal(AcceptProposal(match_id, CENTRALE, task.organisation_id), uow)

    async def the_volunteer() -> ProposalStatus:
        return await agree_to_proposal(AgreeToProposal(match_id, volunteer_id=volunteer.volunteer_id), uow)

    one, other = (organisation, the_volunteer) if first == "organisation" else (the_volunteer, organisation)
    halfway = await one()
    assert emitted(uow, MatchMade) == []
    assert await other() is ProposalStatus.MADE

    assert halfway is (ProposalStatus.ACCEPTED if first == "organisation" else ProposalStatus.AGREED)
    kinds = [type(event).__name__ for event in uow.events() if event.match_id == match_id]  # type: ignore[attr-defined]
    said = ["MatchAccepted", "MatchAgreed"] if first == "organisation" else ["MatchAgreed", "MatchAccepted"]
    assert kinds == ["MatchProposed", *said, "MatchMade"]
    [accepted], [agreed] = emitted(uow, MatchAccepted), emitted(uow, MatchAgreed)
    assert (accepted.accepted_by, agreed.agreed_by) == ("organisation", "volunteer")
    made = await proposal(uow, match_id)
    assert made.accepted_at is not None
    assert made.agreed_at is not None
    assert made.decided_at is not None


async def test_only_the_volunteer_or_their_consulent_says_the_volunteers_yes(uow: FakeMatchingUnitOfWork) -> None:
    volunteer = await registered_volunteer(uow, centrale_id="vc-zeist", regional_consent=True)
    task = await posted_task(uow)
    match_id = await express_interest(ExpressInterest(volunteer.volunteer_id, "vc-zeist", task.task_id), uow)
    await accept_proposal(AcceptProposal(match_id, CENTRALE, task.organisation_id), uow)

    for stranger in (
        AgreeToProposal(match_id, volunteer_id=uuid4()),
        AgreeToProposal(match_id, consulent_centrale_id=CENTRALE, how=AgreementHow.PHONE),  # the task's centrale
        AgreeToProposal(match_id, consulent_centrale_id="vc-zeist"),  # without saying how the volunteer agreed
    ):
        with pytest.raises(NotFound):
            await agree_to_proposal(stranger, uow)
    _as_consulent(uow)
    done = await agree_to_proposal(
        AgreeToProposal(match_id, consulent_centrale_id="vc-zeist", how=AgreementHow.PHONE), uow
    )

    assert done is ProposalStatus.MADE
    [agreed] = emitted(uow, MatchAgreed)
    assert agreed.agreed_by == "consulent"
    [recorded] = uow.mediation.agreements
    assert (recorded.subject, recorded.how, recorded.recorded_by) == (
        AgreementSubject.MATCH,
        AgreementHow.PHONE,
        CONSULENT,
    )


# -- a consulent responds for a volunteer, or puts them forward -------------------------------------------


async def test_a_consulent_responds_for_a_volunteer_with_their_agreement_recorded(uow: FakeMatchingUnitOfWork) -> None:
    uow.policy = MatchingPolicy(proposals_per_task=1)
    await registered_volunteer(uow)
    task = await posted_task(uow)  # proposes the one above: the shortlist is full
    volunteer = await registered_volunteer(uow, skills=())
    _as_consulent(uow)

    match_id = await respond_for_volunteer(
        RespondForVolunteer(
            volunteer.volunteer_id, CENTRALE, task.task_id, ProposalVia.ON_BEHALF, AgreementHow.IN_PERSON
        ),
        uow,
    )

    made = await proposal(uow, match_id)
    assert (made.via, made.status) == (ProposalVia.ON_BEHALF, ProposalStatus.PROPOSED)
    assert emitted(uow, MatchProposed)[-1].via == "on_behalf"
    overrides, agreements = await get_mediation(GetMediation(match_id, CENTRALE), uow)
    assert overrides == []
    assert [(a.subject, a.how, a.recorded_by) for a in agreements] == [
        (AgreementSubject.ON_BEHALF, AgreementHow.IN_PERSON, CONSULENT)
    ]
    with pytest.raises(NotFound):
        await get_mediation(GetMediation(match_id, "vc-zeist"), uow)


async def test_a_consulent_overrides_a_soft_gate_and_who_and_why_are_recorded(uow: FakeMatchingUnitOfWork) -> None:
    task = await posted_task(uow)
    far = await registered_volunteer(uow, postcode_area="3811", max_distance_km=10, skills=("koken",))
    forward = RespondForVolunteer(far.volunteer_id, CENTRALE, task.task_id, ProposalVia.PUT_FORWARD, AgreementHow.PHONE)
    _as_consulent(uow)

    with pytest.raises(GatesFailed) as without_override:
        await respond_for_volunteer(forward, uow)
    reason = "Wordt door haar zoon gebracht; besproken met de organisatie."
    match_id = await respond_for_volunteer(
        RespondForVolunteer(
            far.volunteer_id, CENTRALE, task.task_id, ProposalVia.PUT_FORWARD, AgreementHow.PHONE,
            overrides={Gate.DISTANCE: reason, Gate.AVAILABILITY: "not failing: not recorded"},
        ),
        uow,
    )  # fmt: skip

    assert [(d["gate"], d["overridable"]) for d in without_override.value.detail()] == [("distance", True)]
    overrides, agreements = await get_mediation(GetMediation(match_id, CENTRALE), uow)
    assert [(o.gate, o.reason, o.overridden_by) for o in overrides] == [(Gate.DISTANCE, reason, CONSULENT)]
    assert [a.subject for a in agreements] == [AgreementSubject.PUT_FORWARD]
    assert (await proposal(uow, match_id)).via is ProposalVia.PUT_FORWARD


@pytest.mark.parametrize("gate", [Gate.VOG, Gate.CONSENT, Gate.REGIONAL_CONSENT])
async def test_consent_and_the_vog_can_never_be_overridden(uow: FakeMatchingUnitOfWork, gate: Gate) -> None:
    task = await posted_task(uow, vog_required=gate is Gate.VOG)
    volunteer = await registered_volunteer(uow, matching_consent=gate is not Gate.CONSENT)
    command = RespondForVolunteer(
        volunteer.volunteer_id, CENTRALE, task.task_id, ProposalVia.PUT_FORWARD, AgreementHow.IN_PERSON,
        overrides={gate: "Ik weet zeker dat het goed is."},
    )  # fmt: skip

    with pytest.raises(Rejected) as refused:
        await respond_for_volunteer(command, uow)

    assert refused.value.reasons == ["toestemming en VOG kunnen nooit worden overschreven"]
    assert refused.value.loc == ["body", "overrides", gate.value]
    assert all(p.via is not ProposalVia.PUT_FORWARD for p in await uow.proposals.of_volunteer(volunteer.volunteer_id))
    assert uow.mediation.overrides == []


async def test_a_failing_hard_gate_is_refused_as_not_overridable(uow: FakeMatchingUnitOfWork) -> None:
    task = await posted_task(uow, vog_required=True)
    volunteer = await registered_volunteer(uow, postcode_area="3811", max_distance_km=10)
    command = RespondForVolunteer(
        volunteer.volunteer_id, CENTRALE, task.task_id, ProposalVia.PUT_FORWARD, AgreementHow.IN_PERSON,
        overrides={Gate.DISTANCE: "Wordt gebracht."},
    )  # fmt: skip

    with pytest.raises(GatesFailed) as refused:
        await respond_for_volunteer(command, uow)

    assert [(d["gate"], d["overridable"]) for d in refused.value.detail()] == [("vog", False)]
    assert await uow.proposals.of_volunteer(volunteer.volunteer_id) == []


async def test_putting_forward_someone_who_needs_support_is_their_consulents_approval(
    uow: FakeMatchingUnitOfWork,
) -> None:
    uow.policy = MatchingPolicy(proposals_per_task=1)
    await registered_volunteer(uow)
    task = await posted_task(uow, support_accessible=True)  # the shortlist is full
    volunteer = await registered_volunteer(uow, needs_support=True)
    _as_consulent(uow)

    match_id = await respond_for_volunteer(
        RespondForVolunteer(
            volunteer.volunteer_id, CENTRALE, task.task_id, ProposalVia.PUT_FORWARD, AgreementHow.IN_PERSON
        ),
        uow,
    )

    assert (await proposal(uow, match_id)).status is ProposalStatus.APPROVED
    assert [e.match_id for e in emitted(uow, MatchApproved)] == [match_id]
    assert (
        await accept_proposal(AcceptProposal(match_id, CENTRALE, task.organisation_id), uow) is ProposalStatus.ACCEPTED
    )


async def test_a_consulent_responds_only_for_their_own_centrales_volunteers(uow: FakeMatchingUnitOfWork) -> None:
    volunteer = await registered_volunteer(uow)
    task = await posted_task(uow, skills=("tillen",))

    for centrale, volunteer_id in (("vc-zeist", volunteer.volunteer_id), (CENTRALE, uuid4())):
        with pytest.raises(NotFound):
            await respond_for_volunteer(
                RespondForVolunteer(volunteer_id, centrale, task.task_id, ProposalVia.ON_BEHALF, AgreementHow.PHONE),
                uow,
            )


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
    by_staff = EndMatch(match_id, EndReason.NOT_A_FIT, Ender.CONSULENT, centrale_id=CENTRALE)
    with pytest.raises(RefusedTransition):
        await end_match(by_staff, uow)
    await _both_say_yes(uow, match_id)

    with pytest.raises(RefusedTransition, match="proposal is made: it can become ended, not declined"):
        await decline_proposal(DeclineProposal(match_id, Decliner.CONSULENT, centrale_id=CENTRALE), uow)
    for stranger in (
        EndMatch(match_id, EndReason.MOVED, Ender.ORGANISATION, centrale_id=CENTRALE, organisation_id=uuid4()),
        EndMatch(match_id, EndReason.MOVED, Ender.CONSULENT, centrale_id="vc-zeist"),
        EndMatch(match_id, EndReason.MOVED, Ender.VOLUNTEER, volunteer_id=uuid4()),
        EndMatch(match_id, EndReason.MOVED, Ender.MATCHING),
    ):
        with pytest.raises(NotFound):
            await end_match(stranger, uow)
    await end_match(
        EndMatch(
            match_id,
            EndReason.TASK_ENDED,
            Ender.ORGANISATION,
            centrale_id=CENTRALE,
            organisation_id=task.organisation_id,
        ),
        uow,
    )

    [ended] = emitted(uow, MatchEnded)
    assert (ended.match_id, ended.reason, ended.ended_by) == (match_id, "task_ended", "organisation")
    stored = await proposal(uow, match_id)
    assert (stored.end_reason, stored.ended_by) == (EndReason.TASK_ENDED, Ender.ORGANISATION)
    assert await _open_commitments(uow, volunteer.volunteer_id) == 0


async def test_a_volunteer_ends_their_own_match_saying_why(uow: FakeMatchingUnitOfWork) -> None:
    volunteer = await registered_volunteer(uow)
    task = await posted_task(uow)
    match_id = await _only_proposal(uow, task.task_id)
    await _both_say_yes(uow, match_id)

    await end_match(EndMatch(match_id, EndReason.MOVED, Ender.VOLUNTEER, volunteer_id=volunteer.volunteer_id), uow)

    [ended] = emitted(uow, MatchEnded)
    assert (ended.reason, ended.ended_by) == ("moved", "volunteer")


# -- expiry -------------------------------------------------------------------------------------------


async def test_proposals_unanswered_for_longer_than_the_time_to_live_expire(uow: FakeMatchingUnitOfWork) -> None:
    stale_volunteer = await registered_volunteer(uow)
    old_task = await posted_task(uow)
    # The organisation said yes, the volunteer never did: it waits no longer than any other proposal.
    await accept_proposal(AcceptProposal(await _only_proposal(uow, old_task.task_id), CENTRALE), uow)
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


async def test_the_work_queue_holds_supported_proposals_to_approve_and_those_long_unanswered(
    uow: FakeMatchingUnitOfWork,
) -> None:
    supported = await registered_volunteer(uow, needs_support=True)
    other = await registered_volunteer(uow)
    await posted_task(uow, support_accessible=True)

    to_approve = await list_centrale_proposals(ListCentraleProposals(CENTRALE, needs_consulent=True), uow)
    waiting_now = await list_centrale_proposals(ListCentraleProposals(CENTRALE, waiting_days=7), uow)
    uow.clock.advance(timedelta(days=8))
    uow.renew()  # a new unit of work, at the moved clock
    waiting_later = await list_centrale_proposals(ListCentraleProposals(CENTRALE, waiting_days=7), uow)
    elsewhere = await list_centrale_proposals(ListCentraleProposals("vc-zeist", needs_consulent=True), uow)

    assert [p.volunteer_id for p in to_approve] == [supported.volunteer_id]
    assert waiting_now == []
    assert {p.volunteer_id for p in waiting_later} == {supported.volunteer_id, other.volunteer_id}
    assert elsewhere == []


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
