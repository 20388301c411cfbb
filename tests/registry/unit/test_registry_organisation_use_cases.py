"""Organisations' registration and vetting, on the fakes."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest

from common.clock import ManualClock
from common.errors import Conflict, NotFound, Rejected
from contracts.events import OrganisationAdmitted, OrganisationRefused, OrganisationRegistered
from registry.use_cases.organisations import (
    AdmitOrganisation,
    GetOrganisation,
    ListOrganisations,
    RefuseOrganisation,
    RegisterOrganisation,
    admit_organisation,
    get_organisation,
    list_organisations,
    refuse_organisation,
    register_organisation,
)
from tests.registry.builders import NOW, a_centrale
from tests.registry.fakes import FakeRegistryUnitOfWork


def _registration(centrale_id: str, **overrides: object) -> RegisterOrganisation:
    values: dict[str, object] = {
        "centrale_id": centrale_id,
        "name": "Voedselbank Utrecht",
        "formal": True,
        "kvk_number": "12345678",
        "postcode": "3511 AB",
        "contact_name": "Anna de Boer",
        "contact_email": "anna@voedselbank.example",
        "contact_phone": None,
        "liability_insured": True,
        "free_vog_scheme": False,
        "for_profit": False,
    }
    return RegisterOrganisation(**(values | overrides))  # type: ignore[arg-type]


async def _centrale(uow: FakeRegistryUnitOfWork) -> str:
    centrale = a_centrale()
    await uow.centrales.add(centrale)
    return centrale.id


async def test_a_registered_organisation_is_pending_and_published_without_its_contact_person(
    uow: FakeRegistryUnitOfWork,
) -> None:
    centrale_id = await _centrale(uow)
    organisation_id = await register_organisation(_registration(centrale_id), uow)

    record = await get_organisation(GetOrganisation(organisation_id, centrale_id), uow)
    assert (record["status"], record["postcode_area"], record["contact_name"]) == ("pending", "3511", "Anna de Boer")
    [event] = uow.events()
    assert isinstance(event, OrganisationRegistered)
    assert (event.organisation_id, event.postcode_area, event.registered_at) == (organisation_id, "3511", NOW)
    assert "Anna" not in event.model_dump_json()


@pytest.mark.parametrize(
    ("formal", "kvk", "reason"),
    [(True, None, "a formal organisation needs its KvK number"), (False, "12345678", "an informal initiative")],
)
async def test_the_kvk_number_must_fit_the_kind_of_organisation(
    uow: FakeRegistryUnitOfWork, formal: bool, kvk: str | None, reason: str
) -> None:
    centrale_id = await _centrale(uow)
    with pytest.raises(Rejected, match=reason) as refused:
        await register_organisation(_registration(centrale_id, formal=formal, kvk_number=kvk), uow)
    assert refused.value.field == "kvk_number"
    assert uow.tables.organisations == {}


async def test_an_organisation_registers_only_with_a_centrale_that_exists(uow: FakeRegistryUnitOfWork) -> None:
    with pytest.raises(NotFound, match="centrale vc-nowhere"):
        await register_organisation(_registration("vc-nowhere"), uow)


async def test_vetting_decides_once_and_publishes_the_decision(uow: FakeRegistryUnitOfWork, clock: ManualClock) -> None:
    centrale_id = await _centrale(uow)
    admitted = await register_organisation(_registration(centrale_id), uow)
    clock.advance(timedelta(minutes=1))
    uow.renew()
    refused = await register_organisation(_registration(centrale_id, name="Winkel BV"), uow)

    await admit_organisation(AdmitOrganisation(admitted, centrale_id), uow)
    await refuse_organisation(RefuseOrganisation(refused, centrale_id, "winst als doel"), uow)

    with pytest.raises(Conflict, match="already admitted"):
        await refuse_organisation(RefuseOrganisation(admitted, centrale_id, "toch niet"), uow)
    with pytest.raises(Conflict, match="already refused"):
        await admit_organisation(AdmitOrganisation(refused, centrale_id), uow)
    with pytest.raises(NotFound):
        await admit_organisation(AdmitOrganisation(admitted, await _centrale(uow)), uow)  # another centrale's
    decisions = uow.events()[2:]
    assert [type(e) for e in decisions] == [OrganisationAdmitted, OrganisationRefused]
    assert isinstance(decisions[1], OrganisationRefused)
    assert decisions[1].reason == "winst als doel"
    listed = await list_organisations(ListOrganisations(centrale_id), uow)
    assert [(o["id"], o["status"]) for o in listed] == [(admitted, "admitted"), (refused, "refused")]
    assert [o["id"] for o in await list_organisations(ListOrganisations(centrale_id, "refused"), uow)] == [refused]
    record = await get_organisation(GetOrganisation(refused, centrale_id), uow)
    assert (record["status_reason"], record["vetted_at"]) == ("winst als doel", NOW + timedelta(minutes=1))


async def test_another_centrales_organisation_is_not_found(uow: FakeRegistryUnitOfWork) -> None:
    centrale_id = await _centrale(uow)
    organisation_id = await register_organisation(_registration(centrale_id), uow)
    with pytest.raises(NotFound):
        await get_organisation(GetOrganisation(organisation_id, await _centrale(uow)), uow)
    with pytest.raises(NotFound):
        await get_organisation(GetOrganisation(uuid4(), centrale_id), uow)
