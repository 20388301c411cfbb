"""MediationRepository behaviour (gate overrides, recorded agreements), on the fake and on PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import asyncpg
import pytest

from matching.domain.mediation import AgreementHow, AgreementSubject, GateOverride, VolunteerAgreement
from matching.domain.model import TaskFacts
from matching.domain.proposals import Proposal
from matching.domain.scoring import Gate
from matching.unit_of_work import MatchingUnitOfWork
from tests.matching.builders import NOW, proposal_for, task_facts, volunteer_facts

CONSULENT = "credential:5f1b8f7e-0000-4000-8000-000000000001"


async def _proposal(uow: MatchingUnitOfWork, task: TaskFacts | None = None) -> Proposal:
    if task is None:
        task = task_facts()
        await uow.tasks.upsert(task, posted_at=NOW)
    proposal = proposal_for(task, volunteer_facts())
    await uow.proposals.add(proposal)
    return proposal


async def test_overrides_read_back_by_gate_with_who_and_why(uow: MatchingUnitOfWork) -> None:
    proposal, other = await _proposal(uow), await _proposal(uow)
    distance = GateOverride(proposal.match_id, Gate.DISTANCE, "Wordt gebracht door haar zoon", CONSULENT, NOW)
    availability = GateOverride(proposal.match_id, Gate.AVAILABILITY, "Kan ook op woensdag", CONSULENT, NOW)

    await uow.mediation.add_override(distance)
    await uow.mediation.add_override(availability)

    assert await uow.mediation.overrides_of(proposal.match_id) == [availability, distance]
    assert await uow.mediation.overrides_of(other.match_id) == []


async def test_a_gate_is_overridden_once_per_proposal(uow: MatchingUnitOfWork) -> None:
    proposal = await _proposal(uow)
    await uow.mediation.add_override(GateOverride(proposal.match_id, Gate.DISTANCE, "Eerste reden", CONSULENT, NOW))

    with pytest.raises(asyncpg.UniqueViolationError):
        await uow.mediation.add_override(GateOverride(proposal.match_id, Gate.DISTANCE, "Tweede", CONSULENT, NOW))


async def test_agreements_keep_the_first_record_per_subject_in_order(uow: MatchingUnitOfWork) -> None:
    proposal = await _proposal(uow)
    put_forward = VolunteerAgreement(
        proposal.match_id, AgreementSubject.PUT_FORWARD, AgreementHow.PHONE, CONSULENT, NOW
    )
    later = NOW + timedelta(days=2)
    match = VolunteerAgreement(proposal.match_id, AgreementSubject.MATCH, AgreementHow.IN_PERSON, CONSULENT, later)
    again = VolunteerAgreement(proposal.match_id, AgreementSubject.MATCH, AgreementHow.LETTER, "someone else", later)

    await uow.mediation.add_agreement(put_forward)
    await uow.mediation.add_agreement(match)
    await uow.mediation.add_agreement(again)

    assert await uow.mediation.agreements_of(proposal.match_id) == [put_forward, match]
    assert await uow.mediation.agreements_of(uuid4()) == []


async def test_an_erased_volunteers_override_reasons_are_wiped_and_the_facts_stay(uow: MatchingUnitOfWork) -> None:
    erased, kept = await _proposal(uow), await _proposal(uow)
    await uow.mediation.add_override(
        GateOverride(erased.match_id, Gate.SUPPORT, "Over haar begeleiding", CONSULENT, NOW)
    )
    await uow.mediation.add_override(GateOverride(kept.match_id, Gate.SUPPORT, "Blijft staan", CONSULENT, NOW))

    await uow.mediation.forget_reasons(erased.volunteer_id)

    [wiped] = await uow.mediation.overrides_of(erased.match_id)
    assert (wiped.gate, wiped.reason, wiped.overridden_by) == (Gate.SUPPORT, "", CONSULENT)
    assert [o.reason for o in await uow.mediation.overrides_of(kept.match_id)] == ["Blijft staan"]
