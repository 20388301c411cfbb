"""The match conversation on the fakes: steps from matching, who is told, what each side sees, the message."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

import pytest

from common.errors import Conflict, NotFound
from registry.repositories import Consent, Proposal, Task, Volunteer
from registry.use_cases.conversation import (
    GetCentraleContact,
    GetMatchContact,
    GetVolunteerProposal,
    ListOrganisationResponses,
    ListVolunteerProposals,
    MatchFacts,
    MatchStep,
    PutResponseMessage,
    RecordMatchStep,
    SetCentraleContact,
    get_centrale_contact,
    get_match_contact,
    get_volunteer_proposal,
    list_organisation_responses,
    list_volunteer_proposals,
    put_response_message,
    record_match_step,
    set_centrale_contact,
)
from registry.use_cases.notices import SetNoticePreferences, set_notice_preferences
from registry.use_cases.volunteers import ExportVolunteer, export_volunteer
from tests.registry.builders import NOW, a_centrale, a_check_in, a_task, a_volunteer, an_organisation
from tests.registry.fakes import FakeRegistryUnitOfWork


async def _scene(uow: FakeRegistryUnitOfWork, **volunteer: Any) -> tuple[Task, Volunteer]:
    """A published task of an organisation with a contact person, and a volunteer consenting to matching."""
    centrale = a_centrale()
    await uow.centrales.add(centrale)
    organisation = an_organisation(centrale.id, contact_phone="030 123 45 67")
    await uow.organisations.add(organisation)
    task = a_task(centrale.id, organisation.id, status="published", capacity=3)
    await uow.tasks.add(task)
    person = a_volunteer(centrale.id, **volunteer)
    await uow.volunteers.add(person)
    await _consent(uow, person.id, "matching")
    return task, person


async def _consent(uow: FakeRegistryUnitOfWork, volunteer_id: UUID, kind: str, granted: bool = True) -> None:
    await uow.volunteers.add_consent(Consent(volunteer_id, kind, granted, "2026-01", "self", NOW))


def _facts(task: Task, volunteer: Volunteer, match_id: UUID) -> MatchFacts:
    return MatchFacts(match_id, task.id, volunteer.id, task.organisation_id, task.centrale_id, volunteer.centrale_id)


async def _step(
    uow: FakeRegistryUnitOfWork, step: MatchStep, task: Task, volunteer: Volunteer, match_id: UUID, **extra: Any
) -> Proposal:
    command = RecordMatchStep(step, _facts(task, volunteer, match_id), NOW, uuid4(), **extra)
    return await record_match_step(command, uow)


def _told(uow: FakeRegistryUnitOfWork) -> list[tuple[str, str, str]]:
    """(recipient kind, notice kind, status) of every notice queued, in order."""
    ordered = sorted(uow.tables.notices.values(), key=lambda n: n.recorded_at)
    return [(n.recipient_kind, n.kind, n.status) for n in ordered]


# -- steps and who is told ----------------------------------------------------------------------------------


async def test_a_response_tells_the_organisation_and_both_yeses_tell_both(uow: FakeRegistryUnitOfWork) -> None:
    task, volunteer = await _scene(uow)
    match_id = uuid4()

    await _step(uow, MatchStep.PROPOSED, task, volunteer, match_id, via="interest", needs_consulent=False)
    await _step(uow, MatchStep.ACCEPTED, task, volunteer, match_id, by="organisation")
    await _step(uow, MatchStep.AGREED, task, volunteer, match_id, by="volunteer")
    made = await _step(uow, MatchStep.MADE, task, volunteer, match_id)

    assert made.status == "made"
    assert _told(uow) == [
        ("organisation", "response_new", "pending"),
        ("volunteer", "accepted", "pending"),
        ("volunteer", "match_made", "pending"),
        ("organisation", "match_made", "pending"),
    ]
    assert match_id in uow.tables.matches  # hours can be logged for it now


async def test_a_proposal_to_the_volunteer_and_their_yes_first_tell_the_other_side(uow: FakeRegistryUnitOfWork) -> None:
    task, volunteer = await _scene(uow)
    match_id = uuid4()

    await _step(uow, MatchStep.PROPOSED, task, volunteer, match_id, via="matching", needs_consulent=False)
    agreed = await _step(uow, MatchStep.AGREED, task, volunteer, match_id, by="volunteer")
    await _step(uow, MatchStep.ACCEPTED, task, volunteer, match_id, by="organisation")

    assert agreed.status == "agreed"
    # The organisation's yes came second: no "accepted" to the volunteer, MatchMade tells both.
    assert _told(uow) == [("volunteer", "proposal_new", "pending"), ("organisation", "response_new", "pending")]


async def test_where_a_consulent_mediates_the_organisation_hears_once_they_approved(
    uow: FakeRegistryUnitOfWork,
) -> None:
    task, volunteer = await _scene(uow)
    match_id = uuid4()

    await _step(uow, MatchStep.PROPOSED, task, volunteer, match_id, via="interest", needs_consulent=True)
    assert _told(uow) == []
    approved = await _step(uow, MatchStep.APPROVED, task, volunteer, match_id)

    assert approved.status == "approved"
    assert _told(uow) == [("organisation", "response_new", "pending")]


@pytest.mark.parametrize(
    ("by", "accepted_first", "told"),
    [
        ("organisation", False, [("volunteer", "declined", "pending")]),
        ("consulent", False, [("volunteer", "declined", "pending")]),
        ("volunteer", True, [("organisation", "declined", "pending")]),
        ("volunteer", False, []),
    ],
)
async def test_a_decline_tells_the_side_that_waited(
    uow: FakeRegistryUnitOfWork, by: str, accepted_first: bool, told: list[tuple[str, str, str]]
) -> None:
    task, volunteer = await _scene(uow)
    match_id = uuid4()
    await _step(uow, MatchStep.PROPOSED, task, volunteer, match_id, via="interest", needs_consulent=False)
    if accepted_first:
        await _step(uow, MatchStep.ACCEPTED, task, volunteer, match_id, by="organisation")
    uow.tables.notices.clear()

    declined = await _step(uow, MatchStep.DECLINED, task, volunteer, match_id, by=by)

    assert (declined.status, declined.declined_by) == ("declined", by)
    assert _told(uow) == told


async def test_a_volunteer_without_e_mail_goes_on_the_call_list_and_without_consent_is_not_told(
    uow: FakeRegistryUnitOfWork,
) -> None:
    task, no_email = await _scene(uow, email=None)
    withdrawn = a_volunteer(task.centrale_id)
    await uow.volunteers.add(withdrawn)
    await _consent(uow, withdrawn.id, "matching", granted=False)

    await _step(uow, MatchStep.PROPOSED, task, no_email, uuid4(), via="matching")
    await _step(uow, MatchStep.PROPOSED, task, withdrawn, uuid4(), via="matching")

    reasons = sorted((n.status, n.reason) for n in uow.tables.notices.values())
    assert reasons == [("call", "no_email"), ("not_sent", "no_consent")]


async def test_an_ended_match_keeps_who_ended_it_and_why(uow: FakeRegistryUnitOfWork) -> None:
    task, volunteer = await _scene(uow)
    match_id = uuid4()
    await _step(uow, MatchStep.MADE, task, volunteer, match_id)  # a match from before proposals were kept

    ended = await _step(uow, MatchStep.ENDED, task, volunteer, match_id, by="organisation", reason="task_ended")

    assert (ended.status, ended.end_reason, ended.ended_by, ended.via) == (
        "ended",
        "task_ended",
        "organisation",
        "matching",
    )


# -- what each side sees ------------------------------------------------------------------------------------


async def test_the_volunteer_sees_the_task_and_whom_to_contact_from_the_proposal_on(
    uow: FakeRegistryUnitOfWork,
) -> None:
    task, volunteer = await _scene(uow)
    live, gone = uuid4(), uuid4()
    await _step(uow, MatchStep.PROPOSED, task, volunteer, live, via="matching")
    await _step(uow, MatchStep.PROPOSED, task, volunteer, gone, via="matching")
    await _step(uow, MatchStep.EXPIRED, task, volunteer, gone)

    views = await list_volunteer_proposals(ListVolunteerProposals(volunteer.id, volunteer.centrale_id), uow)
    one = await get_volunteer_proposal(GetVolunteerProposal(volunteer.id, volunteer.centrale_id, live), uow)

    by_id = {view.proposal.match_id: view for view in views}
    assert by_id[live].task.title == "Boodschappenbus rijden"
    assert by_id[live].organisation_name == "Voedselbank"
    contact = by_id[live].contact
    assert contact is not None
    assert (contact.kind, contact.name, contact.phone) == (
        "organisation",
        "Anna de Boer",
        "030 123 45 67",
    )
    assert by_id[gone].contact is None  # expired: nothing to arrange any more
    assert one.proposal.match_id == live
    with pytest.raises(NotFound):
        await get_volunteer_proposal(GetVolunteerProposal(uuid4(), volunteer.centrale_id, live), uow)


@pytest.mark.parametrize("consents", [True, False])
async def test_the_organisation_sees_the_volunteer_only_with_both_yeses_and_their_consent(
    uow: FakeRegistryUnitOfWork, consents: bool
) -> None:
    task, volunteer = await _scene(uow)
    if consents:
        await _consent(uow, volunteer.id, "contact_by_organisations")
    await set_centrale_contact(
        SetCentraleContact(task.centrale_id, "Bemiddeling", "bemiddeling@vc.example", "030 765 43 21"), uow
    )
    match_id = uuid4()
    await _step(uow, MatchStep.PROPOSED, task, volunteer, match_id, via="interest")
    await _step(uow, MatchStep.ACCEPTED, task, volunteer, match_id, by="organisation")
    query = GetMatchContact(match_id, task.organisation_id, task.centrale_id)

    with pytest.raises(Conflict, match="Nog geen match"):
        await get_match_contact(query, uow)
    [before] = await list_organisation_responses(ListOrganisationResponses(task.organisation_id, task.centrale_id), uow)
    await _step(uow, MatchStep.AGREED, task, volunteer, match_id, by="volunteer")
    await _step(uow, MatchStep.MADE, task, volunteer, match_id)
    contact = await get_match_contact(query, uow)
    [after] = await list_organisation_responses(ListOrganisationResponses(task.organisation_id, task.centrale_id), uow)

    assert before.contact is None
    expected = (
        ("volunteer", volunteer.name, volunteer.email, volunteer.phone)
        if consents
        else ("centrale", "Bemiddeling", "bemiddeling@vc.example", "030 765 43 21")
    )
    assert (contact.kind, contact.name, contact.email, contact.phone) == expected
    assert after.contact is not None
    assert after.contact.kind == expected[0]


async def test_a_stranger_organisation_never_learns_of_a_match(uow: FakeRegistryUnitOfWork) -> None:
    task, volunteer = await _scene(uow)
    match_id = uuid4()
    await _step(uow, MatchStep.MADE, task, volunteer, match_id)

    for query in (
        GetMatchContact(match_id, uuid4(), task.centrale_id),
        GetMatchContact(match_id, task.organisation_id, "vc-elders"),
        GetMatchContact(uuid4(), task.organisation_id, task.centrale_id),
    ):
        with pytest.raises(NotFound):
            await get_match_contact(query, uow)
    with pytest.raises(NotFound):
        await list_organisation_responses(ListOrganisationResponses(uuid4(), task.centrale_id), uow)


async def test_an_erased_volunteer_is_reached_through_the_centrale_only(uow: FakeRegistryUnitOfWork) -> None:
    task, volunteer = await _scene(uow)
    await _consent(uow, volunteer.id, "contact_by_organisations")
    match_id = uuid4()
    await _step(uow, MatchStep.MADE, task, volunteer, match_id)
    await uow.personal_data.erase(volunteer.id)
    await uow.volunteers.mark_erased(volunteer.id, NOW)

    contact = await get_match_contact(GetMatchContact(match_id, task.organisation_id, task.centrale_id), uow)

    assert (contact.kind, contact.email) == ("centrale", None)  # no contact of the centrale stored: its name


# -- the message, the centrale's contact --------------------------------------------------------------------


async def test_the_message_with_a_response_is_shown_to_the_organisation_and_the_volunteer(
    uow: FakeRegistryUnitOfWork,
) -> None:
    task, volunteer = await _scene(uow)
    match_id = uuid4()
    # The message may arrive before matching's report of the response does.
    await put_response_message(
        PutResponseMessage(match_id, volunteer.id, volunteer.centrale_id, "Ik kook graag!", "volunteer"), uow
    )
    await _step(uow, MatchStep.PROPOSED, task, volunteer, match_id, via="interest")
    await put_response_message(
        PutResponseMessage(match_id, volunteer.id, volunteer.centrale_id, "Ik kook heel graag!", "volunteer"), uow
    )

    [seen] = await list_organisation_responses(ListOrganisationResponses(task.organisation_id, task.centrale_id), uow)
    mine = await get_volunteer_proposal(GetVolunteerProposal(volunteer.id, volunteer.centrale_id, match_id), uow)

    assert seen.message == mine.message == "Ik kook heel graag!"
    someone_else = a_volunteer(task.centrale_id)
    await uow.volunteers.add(someone_else)
    with pytest.raises(NotFound):
        await put_response_message(
            PutResponseMessage(match_id, someone_else.id, someone_else.centrale_id, "Ik ook", "volunteer"), uow
        )
    with pytest.raises(NotFound):  # a volunteer of another centrale, for a consulent of this one
        await put_response_message(PutResponseMessage(match_id, volunteer.id, "vc-elders", "Hoi", "consulent"), uow)
    await _step(uow, MatchStep.DECLINED, task, volunteer, match_id, by="organisation")
    with pytest.raises(Conflict, match="loopt niet meer"):
        await put_response_message(
            PutResponseMessage(match_id, volunteer.id, volunteer.centrale_id, "Toch?", "volunteer"), uow
        )


async def test_a_message_stored_by_another_volunteer_first_is_not_shown_for_the_real_one(
    uow: FakeRegistryUnitOfWork,
) -> None:
    task, volunteer = await _scene(uow)
    intruder = a_volunteer(task.centrale_id)
    await uow.volunteers.add(intruder)
    match_id = uuid4()
    await put_response_message(
        PutResponseMessage(match_id, intruder.id, intruder.centrale_id, "Niet van mij", "volunteer"), uow
    )
    await _step(uow, MatchStep.PROPOSED, task, volunteer, match_id, via="interest")

    [seen] = await list_organisation_responses(ListOrganisationResponses(task.organisation_id, task.centrale_id), uow)

    assert seen.message is None


async def test_a_centrale_says_how_to_reach_it(uow: FakeRegistryUnitOfWork) -> None:
    centrale = a_centrale()
    await uow.centrales.add(centrale)

    before = await get_centrale_contact(GetCentraleContact(centrale.id), uow)
    await set_centrale_contact(SetCentraleContact(centrale.id, "Balie", "balie@vc.example", None), uow)
    after = await get_centrale_contact(GetCentraleContact(centrale.id), uow)

    assert (before.name, before.email) == (centrale.name, None)
    assert (after.kind, after.name, after.email) == ("centrale", "Balie", "balie@vc.example")
    with pytest.raises(NotFound):
        await set_centrale_contact(SetCentraleContact("vc-nergens", "Balie", None, None), uow)
    with pytest.raises(NotFound):
        await get_centrale_contact(GetCentraleContact("vc-nergens"), uow)


async def test_the_volunteers_export_holds_their_proposals_messages_check_ins_and_preferences(
    uow: FakeRegistryUnitOfWork,
) -> None:
    task, volunteer = await _scene(uow)
    match_id = uuid4()
    await _step(uow, MatchStep.PROPOSED, task, volunteer, match_id, via="interest")
    await put_response_message(
        PutResponseMessage(match_id, volunteer.id, volunteer.centrale_id, "Ik kook graag!", "volunteer"), uow
    )
    await _step(uow, MatchStep.MADE, task, volunteer, match_id)
    uow.tables.check_ins[uuid4()] = a_check_in(uow.tables.proposals[match_id], answer="good", note="Leuk werk")
    await set_notice_preferences(SetNoticePreferences("volunteer", volunteer.id, {"check_in": "digest"}), uow)

    exported = await export_volunteer(ExportVolunteer(volunteer.id, volunteer.centrale_id), uow)

    assert [(p["match_id"], p["status"], p["via"]) for p in exported["proposals"]] == [(match_id, "made", "interest")]
    assert [m["body"] for m in exported["messages"]] == ["Ik kook graag!"]
    assert [(c["answer"], c["note"]) for c in exported["check_ins"]] == [("good", "Leuk werk")]
    assert exported["notice_preferences"] == {"check_in": "digest"}
