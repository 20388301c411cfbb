"""What region ops load into reporting and read back: centrales' municipalities, PC4 → wijk, NLdoet days, rebuilds.

The routes in ``reporting.api.ops`` call these; none of them touches a projection table.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

import asyncpg

__all__ = [
    "add_nldoet_days",
    "centrale_municipalities",
    "load_districts",
    "municipality_of",
    "past_rebuilds",
    "set_centrale_municipality",
]


async def set_centrale_municipality(
    pool: asyncpg.Pool, centrale_id: str, municipality_code: str, municipality_name: str, centrale_name: str | None
) -> None:
    """Say which municipality a centrale works for (and the name reports show for it)."""
    await pool.execute(
        "INSERT INTO centrale_municipalities (centrale_id, municipality_code, municipality_name, centrale_name)"
        " VALUES ($1, $2, $3, $4) ON CONFLICT (centrale_id) DO UPDATE SET"
        " municipality_code = EXCLUDED.municipality_code, municipality_name = EXCLUDED.municipality_name,"
        " centrale_name = EXCLUDED.centrale_name, updated_at = now()",
        centrale_id,
        municipality_code,
        municipality_name,
        centrale_name,
    )


async def centrale_municipalities(pool: asyncpg.Pool) -> list[dict[str, Any]]:
    """Every centrale with its municipality, by centrale id."""
    rows = await pool.fetch(
        "SELECT centrale_id, municipality_code, municipality_name, centrale_name FROM centrale_municipalities"
        " ORDER BY centrale_id"
    )
    return [dict(row) for row in rows]


async def municipality_of(pool: asyncpg.Pool, centrale_id: str | None) -> str | None:
    """The municipality code ops gave the centrale, or None."""
    if centrale_id is None:
        return None
    code: str | None = await pool.fetchval(
        "SELECT municipality_code FROM centrale_municipalities WHERE centrale_id = $1", centrale_id
    )
    return code


async def load_districts(pool: asyncpg.Pool, districts: Sequence[tuple[str, str, str]]) -> int:
    """Load (PC4 area, wijk code, wijk name) rows, overwriting known areas; return how many areas are mapped now."""
    async with pool.acquire() as conn, conn.transaction():
        await conn.executemany(
            "INSERT INTO districts (postcode_area, district_code, district_name) VALUES ($1, $2, $3)"
            " ON CONFLICT (postcode_area) DO UPDATE SET district_code = EXCLUDED.district_code,"
            " district_name = EXCLUDED.district_name, updated_at = now()",
            districts,
        )
        total: int = await conn.fetchval("SELECT count(*) FROM districts")
    return total


async def add_nldoet_days(pool: asyncpg.Pool, days: Iterable[date]) -> list[date]:
    """Add NLdoet dates; return every one known, in order."""
    await pool.executemany("INSERT INTO nldoet_days (day) VALUES ($1) ON CONFLICT DO NOTHING", [(d,) for d in days])
    return [row["day"] for row in await pool.fetch("SELECT day FROM nldoet_days ORDER BY day")]


async def past_rebuilds(pool: asyncpg.Pool, limit: int = 50) -> list[dict[str, Any]]:
    """The latest rebuilds: when they started and switched over, how many events they applied."""
    rows = await pool.fetch(
        "SELECT id, started_at, switched_at, events_applied FROM projection_rebuilds ORDER BY id DESC LIMIT $1", limit
    )
    return [dict(row) for row in rows]
