"""Counting login and password-reset attempts, and refusing them past a limit until the window ends.

Each check names a scope (``login:address``, ``login:account``, ...), what it counts (a client address, an
e-mail address) and its limit. Attempts are counted before anything is checked, so attempts at the same
moment cannot slip past a limit together; the first check over its limit refuses, and later checks are not
counted then (an attacker throttled by address cannot also run up a person's account count). A window lasts
its length from its first attempt and is never extended, so a lockout ends at the latest one window after
it began. Keys are SHA-256 digests: the table holds no address or e-mail.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from registry.unit_of_work import RegistryUnitOfWork

__all__ = ["PurgeAttemptCounters", "Throttled", "clear_throttle", "purge_attempt_counters", "throttle"]


@dataclass(frozen=True)
class Throttled:
    """Too many attempts: try again after ``retry_after_s`` seconds (the HTTP ``Retry-After``)."""

    retry_after_s: int


def _key(scope: str, subject: str) -> str:
    return hashlib.sha256(f"{scope}\x00{subject}".encode()).hexdigest()


async def throttle(
    uow: RegistryUnitOfWork, checks: Sequence[tuple[str, str, int]], window: timedelta
) -> Throttled | None:
    """Count an attempt against each ``(scope, subject, limit)`` in turn; Throttled at the first one over its limit."""
    now = uow.now()
    for scope, subject, limit in checks:
        current = await uow.rate_limits.hit(_key(scope, subject), now, window)
        if current.hits > limit:
            remaining = (current.start + window - now).total_seconds()
            return Throttled(max(1, math.ceil(remaining)))
    return None


async def clear_throttle(uow: RegistryUnitOfWork, scope: str, subject: str) -> None:
    """Forget the attempts counted for ``subject`` in ``scope`` (after a successful login)."""
    await uow.rate_limits.clear(_key(scope, subject))


@dataclass(frozen=True)
class PurgeAttemptCounters:
    """Forget counters whose window opened longer ago than ``longest_window`` (they count nothing any more)."""

    longest_window: timedelta


async def purge_attempt_counters(cmd: PurgeAttemptCounters, uow: RegistryUnitOfWork) -> int:
    """Delete the counters of windows long over; how many."""
    return await uow.rate_limits.purge(uow.now() - cmd.longest_window)
