"""CredentialRepository: the behaviour the fake and PostgreSQL share."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

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
