"""PostgreSQL pool and a small forward-only migration runner over numbered SQL files."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

import asyncpg

from common.locks import Lock
from common.logging import get_logger

__all__ = ["Connection", "apply_migrations", "create_pool"]

if TYPE_CHECKING:
    from asyncpg.pool import PoolConnectionProxy

    # What handlers and use cases get: a pooled connection or a plain one (tests, migrations).
    Connection: TypeAlias = asyncpg.Connection[asyncpg.Record] | PoolConnectionProxy[asyncpg.Record]
else:
    Connection = asyncpg.Connection

log = get_logger(__name__)

# The runtime's own tables (outbox, inbox) come first, then the service's numbered files.
RUNTIME_MIGRATIONS = Path(__file__).parent / "migrations"
_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


async def create_pool(dsn: str, max_size: int) -> asyncpg.Pool:
    """Open a connection pool; fails fast when the database is unreachable."""
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=max_size, command_timeout=30)
    assert pool is not None
    return pool


async def apply_migrations(pool: asyncpg.Pool, *directories: Path) -> list[str]:
    """Apply the not-yet-applied ``NNNN_name.sql`` files of each directory, in order; return their names.

    An advisory lock serialises instances starting at the same time; each file runs in its own
    transaction together with its bookkeeping row, so a failed file leaves nothing half-applied.
    """
    applied: list[str] = []
    async with pool.acquire() as conn:
        await conn.execute("SELECT pg_advisory_lock($1)", Lock.MIGRATIONS)
        try:
            await conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
            )
            done = {row["name"] for row in await conn.fetch("SELECT name FROM schema_migrations")}
            for directory in directories:
                for path in sorted(directory.glob("*.sql")):
                    if not _MIGRATION_NAME.match(path.name):
                        raise ValueError(f"migration file {path} is not named NNNN_name.sql")
                    name = f"{directory.parent.name}/{path.name}"
                    if name in done:
                        continue
                    async with conn.transaction():
                        await conn.execute(path.read_text())
                        await conn.execute("INSERT INTO schema_migrations (name) VALUES ($1)", name)
                    log.info("migration_applied", migration=name)
                    applied.append(name)
        finally:
            await conn.execute("SELECT pg_advisory_unlock($1)", Lock.MIGRATIONS)
    return applied
