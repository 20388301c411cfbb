"""IdempotencyKeyRepository: the behaviour the fake and PostgreSQL share."""

from __future__ import annotations

from uuid import uuid4

from registry.repositories import IdempotencyKey
from registry.unit_of_work import RegistryUnitOfWork
from tests.registry.builders import NOW


async def test_a_key_is_claimed_once_per_caller_and_keeps_the_first_response(uow: RegistryUnitOfWork) -> None:
    assert await uow.idempotency_keys.claim("credential-a", "intake-0042", "hash-1", NOW) is True
    assert await uow.idempotency_keys.claim("credential-a", "intake-0042", "hash-2", NOW) is False
    assert await uow.idempotency_keys.claim("credential-b", "intake-0042", "hash-3", NOW) is True
    assert await uow.idempotency_keys.get("credential-a", "intake-0042") == IdempotencyKey(
        "credential-a", "intake-0042", "hash-1", 0, None, NOW
    )

    body = {"id": str(uuid4())}
    await uow.idempotency_keys.remember("credential-a", "intake-0042", 201, body)

    stored = await uow.idempotency_keys.get("credential-a", "intake-0042")
    assert stored is not None
    assert (stored.request_hash, stored.status_code, stored.response) == ("hash-1", 201, body)
    assert await uow.idempotency_keys.get("credential-a", "intake-0043") is None
