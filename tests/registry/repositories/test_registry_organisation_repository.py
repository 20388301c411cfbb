"""OrganisationRepository: the behaviour the fake and PostgreSQL share."""

from __future__ import annotations

from datetime import timedelta

from registry.unit_of_work import RegistryUnitOfWork
from tests.registry.builders import NOW, a_centrale, an_organisation


async def test_an_organisation_reads_back_within_its_own_centrale_only(uow: RegistryUnitOfWork) -> None:
    centrale, other = a_centrale(), a_centrale()
    for c in (centrale, other):
        await uow.centrales.add(c)
    organisation = an_organisation(centrale.id, kvk_number=None, formal=False, contact_phone="030 123 4567")
    await uow.organisations.add(organisation)

    assert await uow.organisations.get(organisation.id, centrale.id) == organisation
    assert await uow.organisations.get(organisation.id, centrale.id, lock=True) == organisation
    assert await uow.organisations.get(organisation.id, other.id) is None


async def test_a_centrales_organisations_come_oldest_first_and_filter_by_status(uow: RegistryUnitOfWork) -> None:
    centrale, other = a_centrale(), a_centrale()
    for c in (centrale, other):
        await uow.centrales.add(c)
    newer = an_organisation(centrale.id, status="pending", registered_at=NOW)
    older = an_organisation(centrale.id, status="admitted", registered_at=NOW - timedelta(days=1))
    elsewhere = an_organisation(other.id)
    for o in (newer, older, elsewhere):
        await uow.organisations.add(o)

    assert [o.id for o in await uow.organisations.of_centrale(centrale.id)] == [older.id, newer.id]
    assert [o.id for o in await uow.organisations.of_centrale(centrale.id, "pending")] == [newer.id]
    assert await uow.organisations.of_centrale(centrale.id, "refused") == []


async def test_a_vetting_decision_is_recorded_with_its_reason(uow: RegistryUnitOfWork) -> None:
    centrale = a_centrale()
    await uow.centrales.add(centrale)
    organisation = an_organisation(centrale.id, status="pending", vetted_at=None)
    await uow.organisations.add(organisation)

    await uow.organisations.set_status(organisation.id, "refused", "geen doel", NOW + timedelta(hours=1))

    stored = await uow.organisations.get(organisation.id, centrale.id)
    assert stored is not None
    assert (stored.status, stored.status_reason, stored.vetted_at) == ("refused", "geen doel", NOW + timedelta(hours=1))
