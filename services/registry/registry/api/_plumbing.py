"""HTTP plumbing of the registry: the request's unit of work, idempotency keys, issued credentials.

The registry's unit of work for a request also records a session's use (the idle timeout counts from the
last one) and refuses a session gone idle at once; every registry route takes it (``RegistryUowDep``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Annotated, Any, cast

from fastapi import Depends, Header, HTTPException, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from common.auth import Caller, CredentialKind, identify
from common.http import request_unit_of_work
from common.runtime import get_runtime
from registry.api.models import CredentialOut
from registry.authn import AccountPolicy
from registry.config import Settings
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
from registry.use_cases.sessions import TouchSession, touch_session

__all__ = ["AccountPolicyDep", "IdempotencyKey", "RegistryUowDep", "credential_out", "idempotent", "settings_of"]


def settings_of(request: Request) -> Settings:
    """The registry's settings."""
    return cast(Settings, get_runtime(request).settings)


def _policy(request: Request) -> AccountPolicy:
    """The account policy of the running registry, built once from its settings."""
    extras = get_runtime(request).extras
    policy = extras.get("account_policy")
    if policy is None:
        policy = extras["account_policy"] = AccountPolicy.from_settings(settings_of(request))
    return cast(AccountPolicy, policy)


AccountPolicyDep = Annotated[AccountPolicy, Depends(_policy)]
_request_unit_of_work = asynccontextmanager(request_unit_of_work)


async def registry_unit_of_work(
    request: Request, caller: Annotated[Caller | None, Depends(identify)], policy: AccountPolicyDep
) -> AsyncIterator[RegistryUnitOfWork]:
    """The request's unit of work; with a person's session, its use recorded first (or 401 when it went idle)."""
    async with _request_unit_of_work(request, caller) as uow:
        registry_uow = cast(RegistryUnitOfWork, uow)
        session_id = caller.credential_id if caller is not None and caller.kind == CredentialKind.SESSION else None
        if session_id is not None and not await touch_session(TouchSession(session_id, policy), registry_uow):
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, "session ended (idle)", {"WWW-Authenticate": "Bearer"})
        yield registry_uow


# The registry's unit of work for one request: committed when the route returns, rolled back when it raises
# (scope="function": before the response is sent, so a 201 always means "stored").
RegistryUowDep = Annotated[RegistryUnitOfWork, Depends(registry_unit_of_work, scope="function")]

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
