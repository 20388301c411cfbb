"""PostgreSQL pool and a small forward-only migration runner over numbered SQL files, checksummed once applied."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

import asyncpg

from common.locks import Lock
from common.logging import get_logger

__all__ = ["Connection", "MigrationChangedError", "apply_migrations", "create_pool", "migration_checksum"]

if TYPE_CHECKING:
    from asyncpg.pool import PoolConnectionProxy

    # What handlers and use cases get: a pooled connection or a plain one (tests, migrations).
    Connection: TypeAlias = asyncpg.Connection[asyncpg.Record] | PoolConnectionProxy[asyncpg.Record]
else:
    Connection = asyncpg.Connection

log = get_logger(__name__)

# The runtime's own tables (outbox, inbox) come first, then the service's numbered files.
RUNTIME_MIGRATIONS = Path(__file__).parent / "migrations"
# A migration may backfill derived data over every row of a large database (reporting's aggregates): it gets
# far longer than the pool's statement timeout.
_MIGRATION_TIMEOUT_S = 3_600.0
_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


async def create_pool(dsn: str, max_size: int) -> asyncpg.Pool:
    """Open a connection pool; fails fast when the database is unreachable."""
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=max_size, command_timeout=30)
    assert pool is not None
    return pool


class MigrationChangedError(RuntimeError):
    """A migration file differs from the one applied to this database: the service must not start."""


def migration_checksum(path: Path) -> str:
    """SHA-256 of a migration file's text, line endings normalised (a Windows checkout is the same file)."""
    return hashlib.sha256(path.read_bytes().replace(b"\r\n", b"\n")).hexdigest()


def _migration_files(directories: tuple[Path, ...]) -> list[tuple[str, Path]]:
    """``(name, path)`` of every migration in order; the name is ``<owner>/<file>``, as recorded."""
    files = []
    for directory in directories:
        for path in sorted(directory.glob("*.sql")):
            if not _MIGRATION_NAME.match(path.name):
                raise ValueError(f"migration file {path} is not named NNNN_name.sql")
            files.append((f"{directory.parent.name}/{path.name}", path))
    return files


async def apply_migrations(pool: asyncpg.Pool, *directories: Path) -> list[str]:
    """Apply the not-yet-applied ``NNNN_name.sql`` files of each directory, in order; return their names.

    An advisory lock serialises instances (and the deployment's migration job) starting at the same time;
    each file runs in its own transaction together with its bookkeeping row and checksum, so a failed file
    leaves nothing half-applied. Before applying anything, every applied file is checked against its
    recorded checksum: an edited one raises ``MigrationChangedError`` naming it. A database from before
    checksums gets the column and the checksums of the files as they are now, once.
    """
    files = _migration_files(directories)
    applied: list[str] = []
    async with pool.acquire() as conn:
        await conn.execute("SELECT pg_advisory_lock($1)", Lock.MIGRATIONS)
        try:
            await conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now(), checksum text)"
            )
            await conn.execute("ALTER TABLE schema_migrations ADD COLUMN IF NOT EXISTS checksum text")
            rows = await conn.fetch("SELECT name, checksum FROM schema_migrations")
            recorded = {row["name"]: row["checksum"] for row in rows}
            await _verify_applied(conn, files, recorded)
            for name, path in files:
                if name in recorded:
                    continue
                async with conn.transaction():
                    await conn.execute(path.read_text(), timeout=_MIGRATION_TIMEOUT_S)
                    await conn.execute(
                        "INSERT INTO schema_migrations (name, checksum) VALUES ($1, $2)", name, migration_checksum(path)
                    )
                log.info("migration_applied", migration=name)
                applied.append(name)
        finally:
            await conn.execute("SELECT pg_advisory_unlock($1)", Lock.MIGRATIONS)
    return applied


async def _verify_applied(conn: Connection, files: list[tuple[str, Path]], recorded: dict[str, str | None]) -> None:
    """Raise when an applied file changed since; record the checksum of files applied before checksums existed."""
    changed = []
    for name, path in files:
        if name not in recorded:
            continue
        checksum = migration_checksum(path)
        if recorded[name] is None:
            await conn.execute("UPDATE schema_migrations SET checksum = $2 WHERE name = $1", name, checksum)
            log.info("migration_checksum_recorded", migration=name)
        elif recorded[name] != checksum:
            changed.append(f"{path} (applied as {name}: sha256 {recorded[name]}, the file now {checksum})")
    if changed:
        raise MigrationChangedError(
            "applied migration changed after it ran: "
            + "; ".join(changed)
            + ". Restore the applied text and put the change in a new numbered file."
        )
