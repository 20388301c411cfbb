"""Centrales (tenants) of the region."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from common.db import Connection
from registry.use_cases._shared import Conflict, NotFound

__all__ = ["CreateCentrale", "create_centrale", "ensure_centrale", "list_centrales"]


@dataclass(frozen=True)
class CreateCentrale:
    """Add a centrale (tenant) to the region."""

    centrale_id: str
    name: str
    municipality_code: str


async def create_centrale(conn: Connection, cmd: CreateCentrale) -> None:
    """Insert the centrale; Conflict when the id is taken."""
    try:
        await conn.execute(
            "INSERT INTO centrales (id, name, municipality_code) VALUES ($1, $2, $3)",
            cmd.centrale_id,
            cmd.name,
            cmd.municipality_code,
        )
    except asyncpg.UniqueViolationError as error:
        raise Conflict(f"centrale {cmd.centrale_id} already exists") from error


async def ensure_centrale(conn: Connection, centrale_id: str) -> None:
    """NotFound unless the centrale exists."""
    if await conn.fetchval("SELECT 1 FROM centrales WHERE id = $1", centrale_id) is None:
        raise NotFound(f"centrale {centrale_id} not found")


async def list_centrales(conn: Connection) -> list[dict[str, str]]:
    """Every centrale of the region."""
    rows = await conn.fetch("SELECT id, name, municipality_code FROM centrales ORDER BY id")
    return [dict(row) for row in rows]
