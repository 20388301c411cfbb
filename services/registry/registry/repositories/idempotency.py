"""Idempotency keys of creating requests: the first response, kept for a retry with the same key."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from common.db import Connection
from registry.repositories._table import Table

__all__ = ["IdempotencyKey", "IdempotencyKeyRepository", "PostgresIdempotencyKeyRepository"]


@dataclass(frozen=True)
class IdempotencyKey:
    """A row of ``idempotency_keys``: a caller's key, the request it was first used for, and the answer."""

    caller: str
    key: str
    request_hash: str
    status_code: int
    """0 while the first request is still being handled (in the same transaction)."""
    response: Any
    """The first response's JSON body."""
    created_at: datetime


class IdempotencyKeyRepository(Protocol):
    """Idempotency keys."""

    async def claim(self, caller: str, key: str, request_hash: str, at: datetime) -> bool:
        """Take the key for a first request; False when the caller used it before (or a concurrent
        request holds it: then this waits until that one's transaction ends)."""
        ...

    async def get(self, caller: str, key: str) -> IdempotencyKey | None:
        """The caller's key, or None."""
        ...

    async def remember(self, caller: str, key: str, status_code: int, response: Any) -> None:
        """Keep the first request's response under its key."""
        ...


KEYS = Table("idempotency_keys", IdempotencyKey, key="caller", json_columns=["response"])


class PostgresIdempotencyKeyRepository:
    """Idempotency keys in PostgreSQL."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def claim(self, caller: str, key: str, request_hash: str, at: datetime) -> bool:
        """Take the key for a first request; False when it was taken."""
        claimed = await self._conn.fetchval(
            KEYS.insert(then="ON CONFLICT DO NOTHING RETURNING true"),
            *KEYS.values(IdempotencyKey(caller, key, request_hash, 0, None, at)),
        )
        return bool(claimed)

    async def get(self, caller: str, key: str) -> IdempotencyKey | None:
        """The caller's key, or None."""
        row = await self._conn.fetchrow(KEYS.select("caller = $1 AND key = $2"), caller, key)
        return KEYS.load(row) if row is not None else None

    async def remember(self, caller: str, key: str, status_code: int, response: Any) -> None:
        """Keep the first request's response under its key."""
        await self._conn.execute(
            "UPDATE idempotency_keys SET status_code = $3, response = $4 WHERE caller = $1 AND key = $2",
            caller,
            key,
            status_code,
            json.dumps(response),
        )
