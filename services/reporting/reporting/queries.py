"""Read side: the period's cube for the whole region, assembled from the aggregates, and the configuration.

Months, districts and municipalities are resolved at read time, as they always were: a PC4 area becomes
a CBS wijk through the loaded mapping and a centrale its municipality through the loaded configuration,
so a mapping loaded later applies to history without a replay. The aggregates (migration 0003) are kept
up to date by the projections' writes, so a read groups a few thousand rows at most (``reporting.cells``)
instead of every fact; nothing depends on the order in which the consumer saw the events.
"""

from __future__ import annotations

from uuid import UUID

import asyncpg

from common.db import Connection
from reporting.cells import Config, assemble_cube
from reporting.cube import Cube
from reporting.periods import Period

__all__ = [
    "TIMEZONE",
    "Config",
    "build_cube",
    "load_config",
    "municipality_of",
    "partner_name",
    "registered_volunteers",
]

# Months and days are those of the Dutch calendar, whatever the server's time zone.
TIMEZONE = "Europe/Amsterdam"


async def registered_volunteers(pool: asyncpg.Pool, centrale_id: str) -> int:
    """How many volunteers the centrale registered (erased ones included: they were registered)."""
    count = await pool.fetchval("SELECT count(*) FROM volunteer_facts WHERE centrale_id = $1", centrale_id)
    return int(count or 0)


async def partner_name(pool: asyncpg.Pool, partner_id: UUID) -> str | None:
    """The company's name (``BusinessPartnerRegistered``), or None before that event was applied."""
    name = await pool.fetchval("SELECT partner_name FROM partner_facts WHERE partner_id = $1", partner_id)
    return str(name) if name is not None else None


async def municipality_of(pool: asyncpg.Pool, centrale_id: str | None) -> tuple[str, str] | None:
    """The CBS code and name of the municipality a centrale works for, as ops loaded it (None: not linked)."""
    row = await pool.fetchrow(
        "SELECT municipality_code, municipality_name FROM centrale_municipalities WHERE centrale_id = $1", centrale_id
    )
    return (row["municipality_code"], row["municipality_name"]) if row else None


async def load_config(conn: Connection) -> Config:
    """Read the configuration tables (and the partners' names)."""
    config = Config()
    for row in await conn.fetch("SELECT * FROM centrale_municipalities"):
        config.centrales[row["centrale_id"]] = (row["municipality_code"], row["municipality_name"])
        config.centrale_names[row["centrale_id"]] = row["centrale_name"] or row["centrale_id"]
    for row in await conn.fetch("SELECT postcode_area, district_code, district_name FROM districts"):
        config.districts[row["postcode_area"]] = (row["district_code"], row["district_name"])
    for row in await conn.fetch("SELECT partner_id, partner_name FROM partner_facts"):
        config.partners[str(row["partner_id"])] = row["partner_name"]
    return config


async def build_cube(conn: Connection, period: Period, *helpers: Connection) -> Cube:
    """The period's cube for the whole region; call inside one repeatable-read transaction (helpers: its snapshot)."""
    return await assemble_cube(conn, period, await load_config(conn), *helpers)
