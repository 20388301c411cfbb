"""Issuing credentials, on the fakes: one per role, only for what exists, the token never stored."""

from __future__ import annotations

from uuid import uuid4

import pytest

from common.auth import Role, hash_token
from common.errors import NotFound
from contracts.events import CredentialIssued
from registry.use_cases.credentials import IssueCredential, issue_credential
from tests.registry.builders import NOW, a_centrale, a_partner, a_volunteer, an_organisation
from tests.registry.fakes import FakeRegistryUnitOfWork


async def test_a_staff_credential_is_stored_as_a_hash_and_published_under_its_centrale(
    uow: FakeRegistryUnitOfWork,
) -> None:
    centrale = a_centrale()
    await uow.centrales.add(centrale)

    issued = await issue_credential(IssueCredential(Role.CENTRALE_STAFF, centrale.id, "intake desk"), uow)

    assert issued.token.startswith("rp_")
    [stored] = uow.tables.credentials.values()
    assert (stored.id, stored.token_hash, stored.role, stored.label) == (
        issued.id,
        hash_token(issued.token),
        "centrale_staff",
        "intake desk",
    )
    assert issued.token not in repr(uow.tables)
    [event] = uow.emitted
    assert isinstance(event.event, CredentialIssued)
    assert (event.tenant, event.event.token_hash, event.event.issued_at) == (centrale.id, stored.token_hash, NOW)


async def test_a_partners_credential_is_regional(uow: FakeRegistryUnitOfWork) -> None:
    partner = a_partner()
    await uow.partners.add(partner)
    issued = await issue_credential(IssueCredential(Role.BUSINESS_PARTNER, None, "HR", partner.id), uow)
    assert (issued.role, issued.centrale_id, issued.subject_id) == (Role.BUSINESS_PARTNER, None, partner.id)
    assert uow.emitted[0].tenant == "region"


@pytest.mark.parametrize(
    ("role", "subject", "message"),
    [
        (Role.CENTRALE_STAFF, None, "centrale vc-nowhere not found"),
        (Role.ORGANISATION, "other-centrales-organisation", "organisation"),
        (Role.VOLUNTEER, "erased-volunteer", "volunteer"),
        (Role.VOLUNTEER, "unknown", "volunteer"),
        (Role.BUSINESS_PARTNER, "unknown", "business partner"),
    ],
)
async def test_nothing_is_issued_for_what_does_not_exist_there(
    uow: FakeRegistryUnitOfWork, role: Role, subject: str | None, message: str
) -> None:
    centrale, other = a_centrale(), a_centrale()
    for c in (centrale, other):
        await uow.centrales.add(c)
    elsewhere = an_organisation(other.id)
    await uow.organisations.add(elsewhere)
    erased = a_volunteer(centrale.id, erased_at=NOW)
    await uow.volunteers.add(erased)
    subjects = {
        None: None,
        "other-centrales-organisation": elsewhere.id,
        "erased-volunteer": erased.id,
        "unknown": uuid4(),
    }
    centrale_id = "vc-nowhere" if role is Role.CENTRALE_STAFF else centrale.id

    with pytest.raises(NotFound, match=message):
        await issue_credential(IssueCredential(role, centrale_id, "x", subjects[subject]), uow)
    assert uow.tables.credentials == {}
    assert uow.emitted == []
