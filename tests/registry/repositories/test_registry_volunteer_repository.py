"""VolunteerRepository (record, VOG, consents): the behaviour the fake and PostgreSQL share."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from registry.repositories import Consent
from registry.unit_of_work import RegistryUnitOfWork
from tests.registry.builders import NOW, a_centrale, a_volunteer


async def _centrale(uow: RegistryUnitOfWork) -> str:
    centrale = a_centrale()
    await uow.centrales.add(centrale)
    return centrale.id


async def test_every_field_of_a_volunteer_reads_back_as_stored(uow: RegistryUnitOfWork) -> None:
    volunteer = a_volunteer(await _centrale(uow))
    await uow.volunteers.add(volunteer)
    assert await uow.volunteers.get(volunteer.id) == volunteer


async def test_an_active_volunteer_is_found_in_their_own_centrale_only_and_not_once_erased(
    uow: RegistryUnitOfWork,
) -> None:
    centrale, other = await _centrale(uow), await _centrale(uow)
    volunteer = a_volunteer(centrale)
    await uow.volunteers.add(volunteer)

    assert await uow.volunteers.get_active(volunteer.id, centrale, lock=True) == volunteer
    assert await uow.volunteers.get_active(volunteer.id, other) is None

    await uow.volunteers.mark_erased(volunteer.id, NOW)

    assert await uow.volunteers.get_active(volunteer.id, centrale) is None
    erased = await uow.volunteers.get(volunteer.id)
    assert erased is not None
    assert (erased.erased_at, erased.updated_at) == (NOW, NOW)


async def test_save_writes_every_changed_field(uow: RegistryUnitOfWork) -> None:
    volunteer = a_volunteer(await _centrale(uow))
    await uow.volunteers.add(volunteer)
    changed = replace(
        volunteer,
        name="Nieuwe Naam",
        skills=["fietsen", "koken"],
        availability=[{"weekday": 5, "start": "13:00:00", "end": "17:00:00"}],
        one_off_dates=[date(2027, 3, 13)],
        target_groups=[],
        regional_matching_consent=False,
        vog_valid_until=date(2030, 1, 1),
        updated_at=NOW + timedelta(minutes=5),
    )
    await uow.volunteers.save(changed)
    assert await uow.volunteers.get(volunteer.id) == changed


async def test_a_page_of_volunteers_comes_in_order_of_registration_without_the_erased(uow: RegistryUnitOfWork) -> None:
    centrale = await _centrale(uow)
    volunteers = [a_volunteer(centrale, registered_at=NOW - timedelta(days=n)) for n in range(4)]
    for volunteer in volunteers:
        await uow.volunteers.add(volunteer)
    await uow.volunteers.add(a_volunteer(await _centrale(uow)))  # another centrale's
    await uow.volunteers.mark_erased(volunteers[1].id, NOW)

    oldest_first = [volunteers[3].id, volunteers[2].id, volunteers[0].id]
    assert [v.id for v in await uow.volunteers.page(centrale, limit=10, offset=0)] == oldest_first
    assert [v.id for v in await uow.volunteers.page(centrale, limit=1, offset=1)] == oldest_first[1:2]


async def test_the_latest_consent_per_kind_counts_and_the_history_keeps_every_one(uow: RegistryUnitOfWork) -> None:
    volunteer = a_volunteer(await _centrale(uow))
    await uow.volunteers.add(volunteer)
    given = Consent(volunteer.id, "matching", True, "2026-01", "self", NOW)
    withdrawn = Consent(volunteer.id, "matching", False, "2026-02", "staff:x", NOW + timedelta(seconds=1))
    labels = Consent(volunteer.id, "target_group_labels", True, "2026-01", "self", NOW)
    for consent in (given, labels, withdrawn):
        await uow.volunteers.add_consent(consent)

    assert await uow.volunteers.consents(volunteer.id) == {"matching": withdrawn, "target_group_labels": labels}
    assert await uow.volunteers.consent_history(volunteer.id) == [given, labels, withdrawn]
    assert await uow.volunteers.consents(a_volunteer("vc-x").id) == {}
