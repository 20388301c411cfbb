"""Rate limits every instance of a service shares: counters in PostgreSQL, one statement per check, 429 + Retry-After.

A ``RateLimit`` allows ``limit`` hits per ``window_s`` seconds for one subject (a client address, an account).
The window starts at the subject's first hit and is never extended by later ones, so a refused client (or an
attacker trying to lock somebody out) gets its turn back at most ``window_s`` after that first hit. Counters
live in the service's database (``rate_limit_counters``), so several instances count together; keys are
SHA-256 digests of the limit's name and the subject, so no address or e-mail is stored.

Use it in a route as a dependency (``Depends(limit_per_client(...))``), or call ``RateLimiter.hit`` where the
subject is known only inside the route (the registry's login: per address and per account). A refusal is a
``RateLimited`` exception, answered 429 with ``Retry-After`` by the service runner's error handlers.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import asyncpg
from fastapi import Request

from common.clock import Clock
from common.logging import get_logger

if TYPE_CHECKING:
    from common.settings import ServiceSettings

__all__ = [
    "RateLimit",
    "RateLimited",
    "RateLimiter",
    "Verdict",
    "client_address",
    "limit_per_client",
    "parse_rate_limit",
]

log = get_logger(__name__)

_SPEC = re.compile(r"^\s*(\d+)\s*/\s*(\d+(?:\.\d+)?)\s*$")
# Counters whose window ended long ago are deleted now and then (at most this often per process).
_SWEEP_EVERY = timedelta(minutes=10)


@dataclass(frozen=True)
class RateLimit:
    """At most ``limit`` hits per ``window_s`` seconds per subject; ``limit`` 0 switches the limit off."""

    name: str
    limit: int
    window_s: float

    @property
    def enabled(self) -> bool:
        """Whether the limit applies at all (0 in the settings turns it off)."""
        return self.limit > 0


def parse_rate_limit(name: str, spec: str) -> RateLimit:
    """``"20/300"`` (20 hits per 300 seconds) as a ``RateLimit``; ``"0/..."`` is off."""
    match = _SPEC.match(spec)
    if match is None or float(match.group(2)) <= 0:
        raise ValueError(f"a rate limit is '<hits>/<seconds>' such as '20/300', not {spec!r}")
    return RateLimit(name=name, limit=int(match.group(1)), window_s=float(match.group(2)))


@dataclass(frozen=True)
class Verdict:
    """The outcome of one hit: allowed or not, the hits counted in the window, and when to try again."""

    allowed: bool
    hits: int
    retry_after_s: int


class RateLimited(Exception):
    """A client went over a rate limit: answered 429 with ``Retry-After``."""

    def __init__(self, limit: RateLimit, retry_after_s: int) -> None:
        super().__init__(f"too many requests ({limit.name}); try again in {retry_after_s} s")
        self.limit = limit
        self.retry_after_s = retry_after_s


# One statement per check: count the hit in the subject's current window, or start a new window when the
# last one has ended; return the window's start and its hits.
_HIT = """
INSERT INTO rate_limit_counters AS c (key, window_start, hits) VALUES ($1, $2, 1)
ON CONFLICT (key) DO UPDATE SET
    window_start = CASE WHEN c.window_start <= $2 - $3::interval THEN $2 ELSE c.window_start END,
    hits = CASE WHEN c.window_start <= $2 - $3::interval THEN 1 ELSE c.hits + 1 END
RETURNING window_start, hits
"""


class RateLimiter:
    """Counts hits per limit and subject in the service's database, by the service's clock."""

    def __init__(self, pool: asyncpg.Pool, clock: Clock) -> None:
        self._pool = pool
        self._clock = clock
        self._swept_at = clock.now()

    @staticmethod
    def key(limit: RateLimit, subject: str) -> str:
        """The stored key: a digest, so the table holds no address or account name."""
        return hashlib.sha256(f"{limit.name}\x1f{subject}".encode()).hexdigest()

    async def hit(self, limit: RateLimit, subject: str) -> Verdict:
        """Count one hit of ``subject`` against ``limit``; allowed while the window's hits stay within it."""
        if not limit.enabled:
            return Verdict(allowed=True, hits=0, retry_after_s=0)
        now = self._clock.now()
        window = timedelta(seconds=limit.window_s)
        row = await self._pool.fetchrow(_HIT, self.key(limit, subject), now, window)
        assert row is not None
        hits: int = row["hits"]
        retry_after = (row["window_start"] + window - now).total_seconds()
        await self._sweep_now_and_then(now)
        return Verdict(allowed=hits <= limit.limit, hits=hits, retry_after_s=max(1, math.ceil(retry_after)))

    async def check(self, limit: RateLimit, subject: str) -> None:
        """``hit``, raising ``RateLimited`` when the subject went over the limit."""
        verdict = await self.hit(limit, subject)
        if not verdict.allowed:
            log.warning("rate_limited", limit=limit.name, hits=verdict.hits, retry_after_s=verdict.retry_after_s)
            raise RateLimited(limit, verdict.retry_after_s)

    async def _sweep_now_and_then(self, now: datetime) -> None:
        # Windows longer than a day are not expected; a counter idle for a day is over in any case.
        if now - self._swept_at < _SWEEP_EVERY:
            return
        self._swept_at = now
        await self._pool.execute("DELETE FROM rate_limit_counters WHERE window_start < $1", now - timedelta(days=1))


def client_address(request: Request) -> str:
    """The client's address as the server sees it (uvicorn takes it from X-Forwarded-For of trusted proxies)."""
    return request.client.host if request.client else "unknown"


def limit_per_client(
    choose: Callable[[ServiceSettings], RateLimit],
) -> Callable[[Request], Coroutine[Any, Any, None]]:
    """A route dependency counting each request against the limit ``choose(settings)`` per client address."""

    async def dependency(request: Request) -> None:
        runtime = request.app.state.runtime
        assert runtime.limiter is not None, "the limiter is made in the lifespan before requests are served"
        await runtime.limiter.check(choose(runtime.settings), client_address(request))

    # Marks the dependency, so the OpenAPI document lists 429 for the routes that use it.
    dependency.rate_limited = True  # type: ignore[attr-defined]
    return dependency
