"""ProposalRepository, ResponseMessageRepository and CentraleContactRepository: what the fake and PostgreSQL share."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from uuid import uuid4

from registry.repositories import CentraleContact, ResponseMessage, Task
from registry.unit_of_work import RegistryUnitOfWork
from tests.registry.builders import NOW, a_centrale, a_proposal, a_task, an_organisation


async def _task(uow: RegistryUnitOfWork) -> Task:
    centrale = a_centrale()
    await uow.centrales.add(centrale)
    organisation = an_organisation(centrale.id)
    await uow.organisations.add(organisation)
    task = a_task(centrale.id, organisation.id)
    await uow.tasks.add(task)
    return task


async def test_a_proposal_reads_back_as_put_and_a_later_put_replaces_it(uow: RegistryUnitOfWork) -> None:
    task = await _task(uow)
    proposal = a_proposal(task, uuid4(), via="on_behalf", needs_consulent=True, volunteer_centrale_id="vc-zeist")

    await uow.proposals.put(proposal)
    stored = await uow.proposals.get(proposal.match_id)
    made = replace(proposal, status="made", accepted_at=NOW, agreed_at=NOW, made_at=NOW)
    await uow.proposals.put(made)

    assert stored == proposal
    assert await uow.proposals.get(proposal.match_id, lock=True) == made
    assert await uow.proposals.get(uuid4()) is None


async def test_each_side_lists_its_own_proposals_newest_first(uow: RegistryUnitOfWork) -> None:
    task, other = await _task(uow), await _task(uow)
    volunteer = uuid4()
    old = a_proposal(task, volunteer, proposed_at=NOW - timedelta(days=9))
    new = a_proposal(task, volunteer, proposed_at=NOW - timedelta(days=1), status="declined")
    unknown_moment = a_proposal(task, volunteer, proposed_at=None, status="made")
    elsewhere = a_proposal(other, uuid4())
    for proposal in (old, unknown_moment, elsewhere, new):
        await uow.proposals.put(proposal)

    mine = await uow.proposals.of_volunteer(volunteer)
    live = await uow.proposals.of_volunteer(volunteer, ["proposed", "made"])
    organisations = await uow.proposals.of_organisation(task.organisation_id, task.centrale_id)
    wrong_centrale = await uow.proposals.of_organisation(task.organisation_id, other.centrale_id)

    assert [p.match_id for p in mine] == [new.match_id, old.match_id, unknown_moment.match_id]
    assert [p.match_id for p in live] == [old.match_id, unknown_moment.match_id]
    assert [p.match_id for p in organisations] == [new.match_id, old.match_id, unknown_moment.match_id]
    assert wrong_centrale == []


async def test_made_matches_and_pending_proposals_before_a_moment_oldest_first(uow: RegistryUnitOfWork) -> None:
    task = await _task(uow)
    old_match = a_proposal(task, uuid4(), status="made", made_at=NOW - timedelta(days=20))
    new_match = a_proposal(task, uuid4(), status="made", made_at=NOW - timedelta(days=1))
    ended = a_proposal(task, uuid4(), status="ended", made_at=NOW - timedelta(days=30))
    waiting = a_proposal(task, uuid4(), status="accepted", proposed_at=NOW - timedelta(days=10))
    older_waiting = a_proposal(task, uuid4(), status="agreed", proposed_at=NOW - timedelta(days=12))
    declined = a_proposal(task, uuid4(), status="declined", proposed_at=NOW - timedelta(days=15))
    for proposal in (new_match, ended, waiting, old_match, declined, older_waiting):
        await uow.proposals.put(proposal)

    made = await uow.proposals.made(made_before=NOW - timedelta(days=2))
    pending = await uow.proposals.pending(proposed_before=NOW - timedelta(days=7))

    assert [p.match_id for p in made] == [old_match.match_id]
    assert [p.match_id for p in pending] == [older_waiting.match_id, waiting.match_id]


async def test_a_message_belongs_to_the_volunteer_who_wrote_it_first(uow: RegistryUnitOfWork) -> None:
    match_id, volunteer = uuid4(), uuid4()
    first = ResponseMessage(match_id, volunteer, "Ik kook graag.", "volunteer", NOW)
    rewritten = ResponseMessage(match_id, volunteer, "Ik kook heel graag.", "consulent", NOW + timedelta(minutes=1))
    intruder = ResponseMessage(match_id, uuid4(), "Niet van mij.", "volunteer", NOW)

    assert await uow.response_messages.put(first) is True
    assert await uow.response_messages.put(rewritten) is True
    assert await uow.response_messages.put(intruder) is False

    assert await uow.response_messages.of_matches([match_id, uuid4()]) == {match_id: rewritten}


async def test_a_centrales_contact_is_replaced_not_added(uow: RegistryUnitOfWork) -> None:
    centrale = a_centrale()
    await uow.centrales.add(centrale)
    first = CentraleContact(centrale.id, "Balie", "balie@vc.example", None, NOW)
    second = CentraleContact(centrale.id, "Bemiddeling", None, "030 123 45 67", NOW + timedelta(days=1))

    assert await uow.centrale_contacts.get(centrale.id) is None
    await uow.centrale_contacts.put(first)
    await uow.centrale_contacts.put(second)

    assert await uow.centrale_contacts.get(centrale.id) == second


async def test_a_volunteers_messages_come_oldest_first(uow: RegistryUnitOfWork) -> None:
    volunteer = uuid4()
    later = ResponseMessage(uuid4(), volunteer, "Tweede", "volunteer", NOW + timedelta(days=1))
    first = ResponseMessage(uuid4(), volunteer, "Eerste", "consulent", NOW)
    for message in (later, first, ResponseMessage(uuid4(), uuid4(), "Van een ander", "volunteer", NOW)):
        await uow.response_messages.put(message)

    assert await uow.response_messages.of_volunteer(volunteer) == [first, later]
