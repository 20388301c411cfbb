"""HTTP plumbing of the registry: use-case errors as 4xx, idempotency keys, the origin of a command."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from typing import Annotated, Any
from uuid import UUID

import asyncpg
from fastapi import Header, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from common.auth import Caller, Role
from common.db import Connection
from common.service import get_runtime
from registry.api.models import CredentialOut
from registry.auth import issue_credential
from registry.use_cases import Origin

__all__ = ["IdempotencyKey", "idempotent", "issue", "origin"]

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=200,
        description="Client-chosen key; a retry with the same key and body returns the first response.",
    ),
]


def origin(request: Request) -> Origin:
    """Where commands of this request come from: the registry of this region, the request's correlation id."""
    settings = get_runtime(request).settings
    return Origin(
        source=f"/regions/{settings.region}/registry",
        region=settings.region,
        correlation_id=request.state.correlation_id,
    )


async def idempotent(
    pool: asyncpg.Pool,
    caller: Caller,
    key: str | None,
    request: Request,
    body: Any,
    create: Callable[[Connection], Awaitable[tuple[int, Any]]],
) -> JSONResponse:
    """Run ``create`` once per (caller, key): a retry with the same key and body gets the stored response.

    The key row and the effects commit in one transaction, so a failure leaves the key free to retry;
    a concurrent retry waits on the key row and then returns the first response.
    """
    async with pool.acquire() as conn, conn.transaction():
        if key is None:
            status, payload = await create(conn)
            return JSONResponse(jsonable_encoder(payload), status_code=status)
        fingerprint = hashlib.sha256(
            json.dumps([request.method, request.url.path, jsonable_encoder(body)], sort_keys=True).encode()
        ).hexdigest()
        claimed = await conn.fetchval(
            "INSERT INTO idempotency_keys (caller, key, request_hash, status_code, response)"
            " VALUES ($1, $2, $3, 0, 'null') ON CONFLICT DO NOTHING RETURNING true",
            caller.key,
            key,
            fingerprint,
        )
        if not claimed:
            stored = await conn.fetchrow(
                "SELECT request_hash, status_code, response FROM idempotency_keys WHERE caller = $1 AND key = $2",
                caller.key,
                key,
            )
            assert stored is not None
            if stored["request_hash"] != fingerprint:
                detail = [{"loc": ["header", "Idempotency-Key"], "msg": "key was used for a different request",
                           "type": "idempotency_key_reused"}]  # fmt: skip
                return JSONResponse({"detail": detail}, status_code=422)
            return JSONResponse(
                json.loads(stored["response"]),
                status_code=stored["status_code"],
                headers={"Idempotent-Replayed": "true"},
            )
        status, payload = await create(conn)
        encoded = jsonable_encoder(payload)
        await conn.execute(
            "UPDATE idempotency_keys SET status_code = $3, response = $4::jsonb WHERE caller = $1 AND key = $2",
            caller.key,
            key,
            status,
            json.dumps(encoded),
        )
        return JSONResponse(encoded, status_code=status)


async def issue(
    conn: Connection,
    request: Request,
    *,
    role: Role,
    centrale_id: str | None,
    label: str,
    subject_id: UUID | None = None,
) -> CredentialOut:
    """Issue a credential (and its event) in the caller's transaction and return it with its one-time token."""
    credential_id, token = await issue_credential(
        conn, origin=origin(request), role=role, centrale_id=centrale_id, label=label, subject_id=subject_id
    )
    return CredentialOut(id=credential_id, role=role, centrale_id=centrale_id, subject_id=subject_id, token=token)
