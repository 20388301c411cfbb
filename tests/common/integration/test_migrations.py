"""The migration runner on real PostgreSQL: checksums recorded, an edited applied file stops start-up."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import asyncpg
import pytest

from common.db import MigrationChangedError, apply_migrations, create_pool, migration_checksum

pytestmark = pytest.mark.integration


def _service(tmp_path: Path, *files: tuple[str, str]) -> Path:
    """A ``<tmp>/demo/migrations`` directory holding the given files (recorded as ``demo/<file>``)."""
    directory = tmp_path / "demo" / "migrations"
    directory.mkdir(parents=True, exist_ok=True)
    for name, sql in files:
        (directory / name).write_text(sql)
    return directory


async def _recorded(dsn: str) -> dict[str, str | None]:
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch("SELECT name, checksum FROM schema_migrations")
        return {row["name"]: row["checksum"] for row in rows}
    finally:
        await conn.close()


async def test_applied_migrations_are_recorded_with_their_checksum(fresh_database: str, tmp_path: Path) -> None:
    migrations = _service(tmp_path, ("0001_things.sql", "CREATE TABLE things (id int);\n"))
    pool = await create_pool(fresh_database, 2)
    try:
        assert await apply_migrations(pool, migrations) == ["demo/0001_things.sql"]
        assert await apply_migrations(pool, migrations) == []
    finally:
        await pool.close()
    checksum = migration_checksum(migrations / "0001_things.sql")
    assert await _recorded(fresh_database) == {"demo/0001_things.sql": checksum}


async def test_an_edited_applied_migration_stops_start_up_naming_the_file(fresh_database: str, tmp_path: Path) -> None:
    migrations = _service(tmp_path, ("0001_things.sql", "CREATE TABLE things (id int);\n"))
    pool = await create_pool(fresh_database, 2)
    try:
        await apply_migrations(pool, migrations)
        (migrations / "0001_things.sql").write_text("CREATE TABLE things (id int, name text);\n")
        _service(tmp_path, ("0002_more.sql", "CREATE TABLE more_things (id int);\n"))
        with pytest.raises(MigrationChangedError, match=r"0001_things\.sql .*applied as demo/0001_things\.sql"):
            await apply_migrations(pool, migrations)
        # Nothing after the check ran: the new file waits until the edited one is restored.
        assert await pool.fetchval("SELECT to_regclass('more_things')") is None
    finally:
        await pool.close()


async def test_a_database_from_before_checksums_is_upgraded_in_place(fresh_database: str, tmp_path: Path) -> None:
    migrations = _service(tmp_path, ("0001_things.sql", "CREATE TABLE things (id int);\n"))
    conn = await asyncpg.connect(fresh_database)
    try:
        # What the runner left behind before checksums: the table without the column, the file applied.
        await conn.execute(
            "CREATE TABLE schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());"
            "CREATE TABLE things (id int);"
            "INSERT INTO schema_migrations (name) VALUES ('demo/0001_things.sql');"
        )
    finally:
        await conn.close()
    pool = await create_pool(fresh_database, 2)
    try:
        assert await apply_migrations(pool, migrations) == [], "an applied file is not run again"
        assert await _recorded(fresh_database) == {
            "demo/0001_things.sql": migration_checksum(migrations / "0001_things.sql")
        }
        (migrations / "0001_things.sql").write_text("DROP TABLE things;\n")
        with pytest.raises(MigrationChangedError):
            await apply_migrations(pool, migrations)
    finally:
        await pool.close()


def test_the_migration_job_command_applies_a_services_pending_files_once(fresh_database: str) -> None:
    """``python -m common.migrate registry`` as the Helm hook runs it; a second run (the pods' start) applies none."""
    env = {**os.environ, "REGISTRY_DATABASE_URL": fresh_database}
    command = [sys.executable, "-m", "common.migrate", "registry"]
    first = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=True).stdout
    assert "common/0001_outbox_inbox.sql" in first
    assert "registry/0001_centrales_volunteers.sql" in first
    again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=True).stdout
    assert again.splitlines()[-1] == "registry: 0 migration(s) applied"
