"""Issuing credentials, on the fakes: one per role, only for what exists, the token never stored."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest

from common.auth import Caller, Role, hash_token
from common.errors import Forbidden, NotFound
from contracts.events import CredentialIssued, CredentialRevoked
from registry.use_cases.credentials import (
    IssueCredential,
    ListCredentials,
    RevokeCredential,
    RotateCredential,
    issue_credential,
    list_credentials,
    revoke_credential,
    rotate_credential,
)
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


async def test_a_lifetime_gives_an_api_credential_its_expiry_in_the_event_too(uow: FakeRegistryUnitOfWork) -> None:
    centrale = a_centrale()
    await uow.centrales.add(centrale)
    issued = await issue_credential(
        IssueCredential(Role.CENTRALE_STAFF, centrale.id, "script", lifetime=timedelta(days=90)), uow
    )
    assert (issued.kind, issued.expires_at) == ("api", NOW + timedelta(days=90))
    [event] = uow.events(CredentialIssued)
    assert isinstance(event, CredentialIssued)
    assert (event.kind, event.expires_at, event.account_id) == ("api", NOW + timedelta(days=90), None)


async def test_rotating_gives_a_new_token_with_the_same_binding_and_stops_the_old_one(
    uow: FakeRegistryUnitOfWork,
) -> None:
    partner = a_partner()
    await uow.partners.add(partner)
    old = await issue_credential(IssueCredential(Role.BUSINESS_PARTNER, None, "HR-systeem", partner.id), uow)
    itself = Caller(old.id, Role.BUSINESS_PARTNER, None, partner.id)
    uow.emitted.clear()

    new = await rotate_credential(RotateCredential(old.id, itself, timedelta(days=30)), uow)

    assert new.token != old.token
    assert (new.role, new.subject_id, new.expires_at) == (Role.BUSINESS_PARTNER, partner.id, NOW + timedelta(days=30))
    assert uow.tables.credentials[new.id].label == "HR-systeem"
    assert uow.tables.credentials[old.id].revoked_at == NOW
    assert [type(e.event) for e in uow.emitted] == [CredentialIssued, CredentialRevoked]
    with pytest.raises(NotFound):  # rotated already
        await rotate_credential(RotateCredential(old.id, itself, timedelta(days=30)), uow)


async def test_who_may_rotate_revoke_and_list_which_api_credentials(uow: FakeRegistryUnitOfWork) -> None:
    centrale, other = a_centrale(), a_centrale()
    for c in (centrale, other):
        await uow.centrales.add(c)
    organisation = an_organisation(centrale.id)
    await uow.organisations.add(organisation)
    desk = await issue_credential(IssueCredential(Role.CENTRALE_STAFF, centrale.id, "desk"), uow)
    coordinator = await issue_credential(IssueCredential(Role.ORGANISATION, centrale.id, "co", organisation.id), uow)
    reader = await issue_credential(IssueCredential(Role.MUNICIPALITY_READER, centrale.id, "gemeente"), uow)
    staff = Caller(uuid4(), Role.CENTRALE_STAFF, centrale.id, account_id=uuid4(), kind="session")
    stranger = Caller(uuid4(), Role.CENTRALE_STAFF, other.id)
    as_coordinator = Caller(coordinator.id, Role.ORGANISATION, centrale.id, organisation.id)

    with pytest.raises(NotFound):
        await revoke_credential(RevokeCredential(desk.id, stranger), uow)
    with pytest.raises(Forbidden, match="municipality readers"):
        await revoke_credential(RevokeCredential(reader.id, staff), uow)
    with pytest.raises(Forbidden):
        await revoke_credential(RevokeCredential(desk.id, as_coordinator), uow)
    await revoke_credential(RevokeCredential(coordinator.id, staff), uow)
    await revoke_credential(RevokeCredential(reader.id, Caller(None, Role.REGION_OPS, None)), uow)
    with pytest.raises(NotFound):
        await revoke_credential(RevokeCredential(uuid4(), staff), uow)

    listed = await list_credentials(ListCredentials(staff, centrale_id=centrale.id), uow)
    assert {(c["label"], c["revoked_at"]) for c in listed} == {("desk", None), ("co", NOW), ("gemeente", NOW)}
    with pytest.raises(NotFound):
        await list_credentials(ListCredentials(stranger, centrale_id=centrale.id), uow)
    with pytest.raises(Forbidden):
        await list_credentials(ListCredentials(as_coordinator, centrale_id=centrale.id), uow)
    partner = a_partner()
    await uow.partners.add(partner)
    own = await issue_credential(IssueCredential(Role.BUSINESS_PARTNER, None, "HR", partner.id), uow)
    as_partner = Caller(own.id, Role.BUSINESS_PARTNER, None, partner.id)
    assert [c["id"] for c in await list_credentials(ListCredentials(as_partner, partner_id=partner.id), uow)] == [
        own.id
    ]
    with pytest.raises(NotFound):
        await list_credentials(ListCredentials(as_partner, partner_id=uuid4()), uow)
