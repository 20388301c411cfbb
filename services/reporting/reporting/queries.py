"""Read side of reporting: aggregate queries only."""

from __future__ import annotations

import asyncpg

__all__ = ["registered_volunteers"]


async def registered_volunteers(pool: asyncpg.Pool, centrale_id: str) -> int:
    """How many volunteers the centrale registered (0 when none yet)."""
    count = await pool.fetchval("SELECT registered FROM volunteer_counts WHERE centrale_id = $1", centrale_id)
    return int(count or 0)
