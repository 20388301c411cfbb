"""CredentialRepository: the behaviour the fake and PostgreSQL share."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from uuid import UUID, uuid4

from registry.repositories import Credential
from registry.unit_of_work import RegistryUnitOfWork
from tests.registry.builders import NOW, a_credential


async def test_revoking_a_subject_revokes_only_its_credentials_still_valid(uow: RegistryUnitOfWork) -> None:
    subject = uuid4()
    older = a_credential(subject, "vc-utrecht", created_at=NOW - timedelta(days=2))
    newer = a_credential(subject, "vc-utrecht")
    long_revoked = a_credential(subject, "vc-utrecht", revoked_at=NOW - timedelta(days=1))
    someone_else = a_credential(uuid4(), "vc-utrecht")
    for credential in (newer, older, long_revoked, someone_else):
        await uow.credentials.add(credential)

    revoked = await uow.credentials.revoke_all_of(subject, NOW)

    assert revoked == [older, newer]  # as they were, oldest first
    assert await uow.credentials.revoke_all_of(subject, NOW + timedelta(hours=1)) == []  # revoked: none left
    assert await uow.credentials.revoke_all_of(someone_else.subject_id, NOW) == [someone_else]  # type: ignore[arg-type]


async def test_one_credential_is_read_and_revoked_once(uow: RegistryUnitOfWork) -> None:
    credential = a_credential(uuid4(), "vc-utrecht", expires_at=NOW + timedelta(days=365))
    await uow.credentials.add(credential)
    assert await uow.credentials.get(credential.id) == credential
    assert await uow.credentials.get(uuid4()) is None
    assert await uow.credentials.revoke(credential.id, NOW)
    assert not await uow.credentials.revoke(credential.id, NOW + timedelta(hours=1))
    assert await uow.credentials.get(credential.id) == replace(credential, revoked_at=NOW)


def _session(account_id: UUID, membership_id: UUID, *, minutes: int = 0, **fields: object) -> Credential:
    values: dict[str, object] = {
        "role": "centrale_staff",
        "kind": "session",
        "account_id": account_id,
        "membership_id": membership_id,
        "created_at": NOW + timedelta(minutes=minutes),
        "last_used_at": NOW + timedelta(minutes=minutes),
        "expires_at": NOW + timedelta(hours=12, minutes=minutes),
    }
    return a_credential(None, "vc-utrecht", **(values | fields))


async def test_an_accounts_sessions_are_listed_and_revoked_by_account_or_membership(uow: RegistryUnitOfWork) -> None:
    account, membership, other_membership = uuid4(), uuid4(), uuid4()
    first, second = _session(account, membership), _session(account, other_membership, minutes=1)
    third = _session(account, membership, minutes=2)
    someone_elses = _session(uuid4(), uuid4())
    api = a_credential(uuid4(), "vc-utrecht", account_id=None)
    for credential in (first, second, third, someone_elses, api):
        await uow.credentials.add(credential)

    assert await uow.credentials.sessions_of(account) == [third, second, first]
    revoked = await uow.credentials.revoke_sessions(membership_id=membership, at=NOW)
    assert revoked == [first, third]
    assert await uow.credentials.sessions_of(account) == [second]
    assert await uow.credentials.revoke_sessions(account_id=account, at=NOW, keep=second.id) == []
    assert await uow.credentials.revoke_sessions(account_id=account, at=NOW) == [second]
    assert await uow.credentials.sessions_of(account) == []
    assert await uow.credentials.get(someone_elses.id) == someone_elses


async def test_a_centrales_and_a_partners_api_credentials_without_sessions(uow: RegistryUnitOfWork) -> None:
    partner = uuid4()
    desk = a_credential(None, "vc-utrecht", role="centrale_staff", created_at=NOW - timedelta(days=1))
    volunteer = a_credential(uuid4(), "vc-utrecht", revoked_at=NOW)
    elsewhere = a_credential(None, "vc-zeist", role="centrale_staff")
    hr = a_credential(partner, None, role="business_partner")
    session = _session(uuid4(), uuid4())
    for credential in (volunteer, desk, elsewhere, hr, session):
        await uow.credentials.add(credential)

    assert await uow.credentials.api_credentials(centrale_id="vc-utrecht") == [desk, volunteer]
    assert await uow.credentials.api_credentials(subject_id=partner) == [hr]


async def test_a_sessions_use_is_recorded_at_most_once_per_interval(uow: RegistryUnitOfWork) -> None:
    session = _session(uuid4(), uuid4())
    await uow.credentials.add(session)
    later = NOW + timedelta(seconds=30)
    await uow.credentials.touch(session.id, later, unless_after=later - timedelta(minutes=1))
    assert await uow.credentials.get(session.id) == session, "seen less than a minute ago"
    later = NOW + timedelta(minutes=2)
    await uow.credentials.touch(session.id, later, unless_after=later - timedelta(minutes=1))
    assert await uow.credentials.get(session.id) == replace(session, last_used_at=later)


async def test_what_is_due_for_revocation_idle_or_expired_oldest_first(uow: RegistryUnitOfWork) -> None:
    idle = _session(uuid4(), uuid4(), minutes=-40)
    busy = _session(uuid4(), uuid4(), minutes=-5)
    expired = _session(uuid4(), uuid4(), minutes=-20, expires_at=NOW - timedelta(minutes=1))
    expired_api = a_credential(None, "vc-utrecht", expires_at=NOW, created_at=NOW - timedelta(days=1))
    forever_api = a_credential(None, "vc-utrecht", created_at=NOW - timedelta(days=800))
    revoked = _session(uuid4(), uuid4(), minutes=-50, revoked_at=NOW - timedelta(minutes=45))
    for credential in (idle, busy, expired, expired_api, forever_api, revoked):
        await uow.credentials.add(credential)

    due = await uow.credentials.due_for_revocation(NOW, NOW - timedelta(minutes=30), 10)
    assert due == [expired_api, idle, expired]
    assert await uow.credentials.due_for_revocation(NOW, NOW - timedelta(minutes=30), 1) == [expired_api]
