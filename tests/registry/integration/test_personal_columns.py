"""The declaration erasure is derived from covers the registry's real tables: no column is forgotten."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
import pytest_asyncio

from common.db import RUNTIME_MIGRATIONS, apply_migrations, create_pool
from registry.repositories.personal_data import NOT_PERSONAL, PERSONAL_DATA

pytestmark = pytest.mark.integration

REGISTRY_MIGRATIONS = Path(__file__).parents[3] / "services" / "registry" / "migrations"

# Column types that can hold what a person typed, a date (of birth) or a document.
_TEXT_LIKE = ("text", "character varying", "character", "date", "json", "jsonb", "ARRAY", "USER-DEFINED")


async def undeclared_columns(conn: asyncpg.Connection) -> list[str]:
    """Every text-like ``table.column`` of the database that is neither declared personal nor not personal."""
    rows = await conn.fetch(
        "SELECT table_name, column_name FROM information_schema.columns"
        " WHERE table_schema = 'public' AND data_type = ANY($1::text[]) ORDER BY table_name, ordinal_position",
        list(_TEXT_LIKE),
    )
    personal = {(t.table, column) for t in PERSONAL_DATA for column in t.columns}
    not_personal = {(table, column) for table, columns in NOT_PERSONAL.items() for column in columns}
    return [
        f"{row['table_name']}.{row['column_name']}"
        for row in rows
        if (row["table_name"], row["column_name"]) not in personal | not_personal
    ]


@pytest_asyncio.fixture(loop_scope="session")
async def registry_db(fresh_database: str) -> AsyncIterator[asyncpg.Connection]:
    """A connection to a database with every migration the registry applies at start-up."""
    pool = await create_pool(fresh_database, 2)
    await apply_migrations(pool, RUNTIME_MIGRATIONS, REGISTRY_MIGRATIONS)
    await pool.close()
    conn = await asyncpg.connect(fresh_database)
    try:
        yield conn
    finally:
        await conn.close()


async def test_every_text_date_or_json_column_of_the_registry_is_declared_personal_or_not(
    registry_db: asyncpg.Connection,
) -> None:
    assert await undeclared_columns(registry_db) == []


async def test_a_column_added_later_without_a_declaration_is_caught(registry_db: asyncpg.Connection) -> None:
    await registry_db.execute(
        "ALTER TABLE volunteers ADD COLUMN nickname varchar(80), ADD COLUMN notes jsonb;"
        " ALTER TABLE organisations ADD COLUMN founded_on date"
    )
    assert await undeclared_columns(registry_db) == [
        "organisations.founded_on",
        "volunteers.nickname",
        "volunteers.notes",
    ]


async def test_no_declaration_names_a_column_the_registry_does_not_have(registry_db: asyncpg.Connection) -> None:
    rows = await registry_db.fetch(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'"
    )
    existing = {(row["table_name"], row["column_name"]) for row in rows}
    declared = {(t.table, column) for t in PERSONAL_DATA for column in (*t.columns, *([t.person] if t.person else []))}
    declared |= {(table, column) for table, columns in NOT_PERSONAL.items() for column in columns}
    assert sorted(declared - existing) == []
