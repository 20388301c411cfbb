"""PersonalDataRepository: erasure derived from PERSONAL_DATA, the same on the fake and on PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from uuid import UUID

from registry.repositories import Consent
from registry.repositories.personal_data import PERSONAL_DATA
from registry.unit_of_work import RegistryUnitOfWork
from tests.registry.builders import NOW, a_centrale, a_credential, a_message, a_volunteer


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
