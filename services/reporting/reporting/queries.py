"""Read side: the period's cube for the whole region, assembled from the aggregates, and the configuration.

Months, districts and municipalities are resolved at read time, as they always were: a PC4 area becomes
a CBS wijk through the loaded mapping and a centrale its municipality through the loaded configuration,
so a mapping loaded later applies to history without a replay. The aggregates (migration 0003) are kept
up to date by the projections' writes, so a read groups a few thousand rows at most (``reporting.cells``)
instead of every fact; nothing depends on the order in which the consumer saw the events.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
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
    "snapshot_helper",
]

# Months and days are those of the Dutch calendar, whatever the server's time zone.
TIMEZONE = "Europe/Amsterdam"
# How long a read waits for a second connection before it reads on its one alone.
_HELPER_WAIT_S = 0.05
# How long giving the second connection back may take (asyncpg resets it first). Its own bound: by default a
# release gets the acquire's timeout, 50 ms, and a reset on a busy server took longer (a 500 in CI's fuzzing).
_HELPER_RELEASE_S = 30.0


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


@asynccontextmanager
async def snapshot_helper(pool: asyncpg.Pool, conn: Connection) -> AsyncIterator[list[Connection]]:
    """Another pooled connection reading ``conn``'s snapshot, when one is free at once (else none).

    It takes no switch gate of its own: where ``conn`` holds it shared, it does until both are done, and asking
    for it again could queue behind a waiting switch-over that waits for ``conn``. Not waiting for the pool keeps
    a busy pool from deadlocking reads that each hold one connection and want a second.
    """
    try:
        helper = await pool.acquire(timeout=_HELPER_WAIT_S)
    except TimeoutError:
        yield []
        return
    try:
        snapshot = await conn.fetchval("SELECT pg_export_snapshot()")
        async with helper.transaction(isolation="repeatable_read", readonly=True):
            await helper.execute(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
            yield [helper]
    finally:
        await pool.release(helper, timeout=_HELPER_RELEASE_S)


async def build_cube(conn: Connection, period: Period, *helpers: Connection, now: datetime | None = None) -> Cube:
    """The period's cube for the whole region; call inside one repeatable-read transaction (helpers: its snapshot).

    ``now``: the transaction's moment on the Dutch wall clock (``cells.dutch_now``), when the caller read it.
    """
    return await assemble_cube(conn, period, await load_config(conn), *helpers, now=now)
