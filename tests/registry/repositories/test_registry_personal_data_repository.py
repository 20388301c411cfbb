"""PersonalDataRepository: erasure derived from PERSONAL_DATA, the same on the fake and on PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from uuid import UUID

from registry.repositories import Consent, ResponseMessage
from registry.repositories.personal_data import PERSONAL_DATA
from registry.unit_of_work import RegistryUnitOfWork
from tests.registry.builders import (
    NOW,
    a_centrale,
    a_check_in,
    a_credential,
    a_message,
    a_notice,
    a_proposal,
    a_task,
    a_volunteer,
    an_organisation,
)


def _blanks(table: str) -> dict[str, Any]:
    [declared] = [t for t in PERSONAL_DATA if t.table == table]
    return {column: blank.value() for column, blank in declared.blanks.items()}


async def _everything_about(uow: RegistryUnitOfWork, centrale_id: str) -> UUID:
    """A volunteer with data in every table that holds a volunteer's personal data."""
    volunteer = a_volunteer(centrale_id)
    await uow.volunteers.add(volunteer)
    await uow.volunteers.add_consent(Consent(volunteer.id, "matching", True, "2026-01", "self", NOW))
    await uow.volunteers.add_consent(Consent(volunteer.id, "appreciation_messages", True, "2026-01", "self", NOW))
    await uow.credentials.add(a_credential(volunteer.id, centrale_id, label=f"telefoon van {volunteer.name}"))
    await uow.messages.add_once(
        a_message(centrale_id, volunteer.id, status="failed", last_error=f"550 <{volunteer.email}> rejected")
    )
    return volunteer.id


async def test_erasure_blanks_every_declared_personal_column_and_deletes_the_consents(uow: RegistryUnitOfWork) -> None:
    centrale = a_centrale()
    await uow.centrales.add(centrale)
    erased_id = await _everything_about(uow, centrale.id)
    kept_id = await _everything_about(uow, centrale.id)
    kept_before = await uow.volunteers.get(kept_id)

    await uow.personal_data.erase(erased_id)

    erased = await uow.volunteers.get(erased_id)
    assert erased is not None
    assert {column: getattr(erased, column) for column in _blanks("volunteers")} == _blanks("volunteers")
    assert (erased.id, erased.centrale_id, erased.registered_by) == (erased_id, centrale.id, "staff")  # the facts stay
    assert await uow.volunteers.consent_history(erased_id) == []
    [credential] = await uow.credentials.revoke_all_of(erased_id, NOW)
    assert credential.label is None
    message = [m for m in await uow.messages.of_centrale(centrale.id, None, 10) if m.recipient_id == erased_id]
    assert [(m.last_error, m.status, m.title) for m in message] == [(None, "failed", "10 uur vrijwillige inzet")]

    # The other volunteer is untouched.
    assert await uow.volunteers.get(kept_id) == kept_before
    assert len(await uow.volunteers.consent_history(kept_id)) == 2
    [kept_credential] = await uow.credentials.revoke_all_of(kept_id, NOW)
    assert kept_credential.label is not None


async def test_a_volunteer_already_blank_is_erased_again_without_complaint(uow: RegistryUnitOfWork) -> None:
    centrale = a_centrale()
    await uow.centrales.add(centrale)
    volunteer = a_volunteer(centrale.id)
    await uow.volunteers.add(replace(volunteer, **_blanks("volunteers")))
    await uow.personal_data.erase(volunteer.id)
    await uow.personal_data.erase(volunteer.id)
    assert await uow.volunteers.get(volunteer.id) == replace(volunteer, **_blanks("volunteers"))


async def test_erasure_reaches_the_conversation_message_check_in_notes_and_notice_errors(
    uow: RegistryUnitOfWork,
) -> None:
    centrale = a_centrale()
    await uow.centrales.add(centrale)
    organisation = an_organisation(centrale.id)
    await uow.organisations.add(organisation)
    task = a_task(centrale.id, organisation.id)
    await uow.tasks.add(task)
    erased, kept = a_volunteer(centrale.id), a_volunteer(centrale.id)
    notes = {}
    for volunteer in (erased, kept):
        await uow.volunteers.add(volunteer)
        match = a_proposal(task, volunteer.id, status="made")
        await uow.proposals.put(match)
        await uow.response_messages.put(
            ResponseMessage(match.match_id, volunteer.id, "Ik heet Fatima", "volunteer", NOW)
        )
        check_in = a_check_in(match, status="answered", answer="doubts", note=f"Zorgen om {volunteer.name}")
        await uow.follow_up.add(check_in)
        notes[volunteer.id] = check_in.id
        await uow.notices.add_once(
            a_notice(centrale.id, volunteer.id, status="failed", last_error=f"550 <{volunteer.email}> rejected")
        )

    await uow.personal_data.erase(erased.id)

    assert [m.volunteer_id for m in await uow.response_messages.of_volunteer(erased.id)] == []
    assert len(await uow.response_messages.of_volunteer(kept.id)) == 1
    erased_check_in = await uow.follow_up.get(notes[erased.id])
    kept_check_in = await uow.follow_up.get(notes[kept.id])
    assert erased_check_in is not None
    assert (erased_check_in.note, erased_check_in.answer) == (None, "doubts")  # the answer stays as a fact
    assert kept_check_in is not None
    assert kept_check_in.note == f"Zorgen om {kept.name}"
    errors = {n.recipient_id: n.last_error for n in await uow.notices.of_centrale(centrale.id, None, None, 10)}
    assert errors[erased.id] is None
    assert errors[kept.id] is not None
