"""Idempotency keys, on the fakes: first use, a replay of the same request, a key reused for another."""

from __future__ import annotations

import pytest

from registry.use_cases.idempotency import (
    ClaimIdempotencyKey,
    FirstUse,
    KeyReused,
    RememberResponse,
    Replay,
    claim_idempotency_key,
    remember_response,
)
from tests.registry.fakes import FakeRegistryUnitOfWork


async def test_a_key_replays_the_first_response_to_the_same_request_and_refuses_another(
    uow: FakeRegistryUnitOfWork,
) -> None:
    assert await claim_idempotency_key(ClaimIdempotencyKey("cred-1", "intake-42", "hash-a"), uow) == FirstUse()
    await remember_response(RememberResponse("cred-1", "intake-42", 201, {"id": "v-1"}), uow)

    assert await claim_idempotency_key(ClaimIdempotencyKey("cred-1", "intake-42", "hash-a"), uow) == Replay(
        201, {"id": "v-1"}
    )
    assert await claim_idempotency_key(ClaimIdempotencyKey("cred-1", "intake-42", "hash-b"), uow) == KeyReused()
    # Keys are per caller: another credential may use the same words.
    assert await claim_idempotency_key(ClaimIdempotencyKey("cred-2", "intake-42", "hash-b"), uow) == FirstUse()


async def test_a_request_that_fails_leaves_its_key_free(uow: FakeRegistryUnitOfWork) -> None:
    async def claim_then_fail() -> None:
        async with uow.transaction():
            assert await claim_idempotency_key(ClaimIdempotencyKey("cred-1", "k", "hash-a"), uow) == FirstUse()
            raise RuntimeError("the use case refused")

    with pytest.raises(RuntimeError):
        await claim_then_fail()
    assert await claim_idempotency_key(ClaimIdempotencyKey("cred-1", "k", "hash-b"), uow) == FirstUse()
