"""HTTP plumbing of the registry: the request's unit of work, idempotency keys, issued credentials."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from common.auth import Caller
from common.http import request_unit_of_work
from registry.api.models import CredentialOut
from registry.unit_of_work import RegistryUnitOfWork
from registry.use_cases.credentials import IssuedCredential
from registry.use_cases.idempotency import (
    ClaimIdempotencyKey,
    KeyReused,
    RememberResponse,
    Replay,
    claim_idempotency_key,
    remember_response,
)

__all__ = ["IdempotencyKey", "RegistryUowDep", "credential_out", "idempotent"]

# The registry's unit of work for one request: committed when the route returns, rolled back when it raises
# (scope="function": before the response is sent, so a 201 always means "stored").
RegistryUowDep = Annotated[RegistryUnitOfWork, Depends(request_unit_of_work, scope="function")]

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=200,
        description="Client-chosen key; a retry with the same key and body returns the first response.",
    ),
]


async def idempotent(
    uow: RegistryUnitOfWork,
    caller: Caller,
    key: str | None,
    request: Request,
    body: Any,
    create: Callable[[], Awaitable[tuple[int, Any]]],
) -> JSONResponse:
    """Run ``create`` once per (caller, key): a retry with the same key and body gets the stored response.

    The key and the effects commit in the request's one transaction, so a failure leaves the key free to
    retry; a concurrent retry waits on the key and then returns the first response.
    """
    if key is None:
        status, payload = await create()
        return JSONResponse(jsonable_encoder(payload), status_code=status)
    fingerprint = hashlib.sha256(
        json.dumps([request.method, request.url.path, jsonable_encoder(body)], sort_keys=True).encode()
    ).hexdigest()
    claim = await claim_idempotency_key(ClaimIdempotencyKey(caller.key, key, fingerprint), uow)
    if isinstance(claim, KeyReused):
        detail = [
            {
                "loc": ["header", "Idempotency-Key"],
                "msg": "key was used for a different request",
                "type": "idempotency_key_reused",
            }
        ]
        return JSONResponse({"detail": detail}, status_code=422)
    if isinstance(claim, Replay):
        return JSONResponse(claim.body, status_code=claim.status_code, headers={"Idempotent-Replayed": "true"})
    status, payload = await create()
    encoded = jsonable_encoder(payload)
    await remember_response(RememberResponse(caller.key, key, status, encoded), uow)
    return JSONResponse(encoded, status_code=status)


def credential_out(issued: IssuedCredential) -> CredentialOut:
    """An issued credential as the API shows it (with its token, this once)."""
    return CredentialOut(
        id=issued.id,
        role=issued.role,
        centrale_id=issued.centrale_id,
        subject_id=issued.subject_id,
        token=issued.token,
        kind="session" if issued.kind == "session" else "api",
        expires_at=issued.expires_at,
    )
