"""Attempt counters for login and password reset, shared by every registry instance through PostgreSQL.

A window opens at a key's first attempt and lasts its length; attempts inside it only add to the count, so
they never push its end further out (an attacker cannot keep a person locked out by trying on). One
statement per attempt. The storage is this repository alone: a general limiter in ``common`` can replace it
behind the same two calls.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from common.db import Connection

__all__ = ["PostgresRateLimitRepository", "RateLimitRepository", "Window"]


@dataclass(frozen=True)
class Window:
    """A key's current window: when it opened and how many attempts it counted (this one included)."""

    start: datetime
    hits: int


class RateLimitRepository(Protocol):
    """Attempt counters keyed by a digest of what they count."""

    async def hit(self, key: str, at: datetime, window: timedelta) -> Window:
        """Count an attempt at ``at``: in the key's open window, or in a new one when it has passed."""
        ...

    async def clear(self, key: str) -> None:
        """Forget a key's attempts (a successful login clears its account's count)."""
        ...

    async def purge(self, before: datetime) -> int:
        """Delete windows that opened before ``before`` (long over); how many."""
        ...


class PostgresRateLimitRepository:
    """Attempt counters in PostgreSQL."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def hit(self, key: str, at: datetime, window: timedelta) -> Window:
        """Count an attempt in one statement (concurrent attempts on one key queue on its row)."""
        row = await self._conn.fetchrow(
            "INSERT INTO rate_limits AS r (key, window_start, hits) VALUES ($1, $2, 1)"
            " ON CONFLICT (key) DO UPDATE SET"
            " window_start = CASE WHEN r.window_start <= $2 - $3::interval THEN $2 ELSE r.window_start END,"
            " hits = CASE WHEN r.window_start <= $2 - $3::interval THEN 1 ELSE r.hits + 1 END"
            " RETURNING window_start, hits",
            key,
            at,
            window,
        )
        assert row is not None
        return Window(row["window_start"], row["hits"])

    async def clear(self, key: str) -> None:
        """Forget a key's attempts."""
        await self._conn.execute("DELETE FROM rate_limits WHERE key = $1", key)

    async def purge(self, before: datetime) -> int:
        """Delete windows that opened before ``before``."""
        status = await self._conn.execute("DELETE FROM rate_limits WHERE window_start < $1", before)
        return int(status.split()[-1])
