"""What region ops load into reporting and read back: centrales' municipalities, PC4 → wijk, NLdoet days, rebuilds.

The routes in ``reporting.api.ops`` call these. Most configuration is resolved when a report is read, but
some is written into the facts for the aggregates (migration 0003): the month a late fact is booked in
depends on the closures of the centrale's municipality, a person's activity is summed per municipality,
and NLdoet hours are marked. A change to these re-derives what it affects, holding the switch gate
exclusively so no projection, fold or rebuild switch-over interleaves.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

import asyncpg

from common.db import Connection
from reporting.projections import SWITCH_GATE

__all__ = [
    "add_nldoet_days",
    "centrale_municipalities",
    "hold_projections_off",
    "load_districts",
    "load_postcode_areas",
    "municipality_of",
    "past_rebuilds",
    "rebook",
    "set_centrale_municipality",
    "set_theme_skills",
    "theme_skills",
]

# Counting everyone's activity or supply again takes a while in a large region (an ops action, rarely).
_RECOUNT_TIMEOUT_S = 600

# Every booked month a fact carries: (table, column, the natural month, when it was recorded).
_BOOKED = (
    ("volunteer_facts", "booked_month", "reporting_month(registered_at)", "recorded_at"),
    ("organisation_facts", "booked_month", "reporting_month(registered_at)", "recorded_at"),
    ("task_facts", "posted_booked", "reporting_month(posted_at)", "recorded_at"),
    ("task_facts", "closed_booked", "reporting_month(closed_at)", "closed_recorded_at"),
    ("task_facts", "first_booked", "reporting_month(first_match_at)", "first_match_recorded_at"),
    ("match_facts", "booked_month", "reporting_month(made_at)", "recorded_at"),
    ("hours_facts", "booked_month", "date_trunc('month', worked_on)::date", "recorded_at"),
)


async def hold_projections_off(conn: Connection) -> None:
    """Take the switch gate exclusively until the transaction ends: projections and folds wait meanwhile."""
    await conn.execute("SELECT pg_advisory_xact_lock($1)", SWITCH_GATE)


async def rebook(conn: Connection, *, centrales: Sequence[str] | None = None, since: datetime | None = None) -> None:
    """Book facts again after closures or a centrale's municipality changed (``periods.book``).

    Only facts recorded after their own month can be booked elsewhere (a closure needs the month to be over);
    ``centrales`` and ``since`` narrow it to a centrale's facts or to those recorded from a moment on.
    """
    for table, column, natural, recorded in _BOOKED:
        booked = f"reporting_booked_month({natural}, {recorded}, centrale_id)"
        await conn.execute(
            f"UPDATE {table} SET {column} = {booked}"  # noqa: S608  (constants above)
            f" WHERE {recorded} >= (({natural} + interval '1 month')::timestamp AT TIME ZONE 'Europe/Amsterdam')"
            f" AND ($1::text[] IS NULL OR centrale_id = ANY($1)) AND ($2::timestamptz IS NULL OR {recorded} >= $2)"
            f" AND {column} IS DISTINCT FROM {booked}",
            list(centrales) if centrales is not None else None,
            since,
        )


async def set_centrale_municipality(
    pool: asyncpg.Pool, centrale_id: str, municipality_code: str, municipality_name: str, centrale_name: str | None
) -> None:
    """Say which municipality a centrale works for (and the name reports show for it).

    A new or different municipality re-books the centrale's late facts and counts everyone's activity again
    (the units hours count in follow the municipalities' centrales).
    """
    async with pool.acquire() as conn, conn.transaction():
        before = await conn.fetchval(
            "SELECT municipality_code FROM centrale_municipalities WHERE centrale_id = $1", centrale_id
        )
        if before != municipality_code:
            await hold_projections_off(conn)
        await conn.execute(
            "INSERT INTO centrale_municipalities (centrale_id, municipality_code, municipality_name, centrale_name)"
            " VALUES ($1, $2, $3, $4) ON CONFLICT (centrale_id) DO UPDATE SET"
            " municipality_code = EXCLUDED.municipality_code, municipality_name = EXCLUDED.municipality_name,"
            " centrale_name = EXCLUDED.centrale_name, updated_at = now()",
            centrale_id,
            municipality_code,
            municipality_name,
            centrale_name,
        )
        if before != municipality_code:
            await rebook(conn, centrales=[centrale_id])
            await conn.execute("SELECT reporting_recount_people()", timeout=_RECOUNT_TIMEOUT_S)


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


async def _reach_again(conn: Connection) -> None:
    """Which wijken each volunteer reaches and which themes fit them, after the places or skills changed."""
    await conn.execute("SELECT reporting_refresh_reach()", timeout=_RECOUNT_TIMEOUT_S)
    await conn.execute("SELECT reporting_refresh_supply(NULL)", timeout=_RECOUNT_TIMEOUT_S)


async def load_districts(pool: asyncpg.Pool, districts: Sequence[tuple[str, str, str]]) -> int:
    """Load (PC4 area, wijk code, wijk name) rows, overwriting known areas; return how many areas are mapped now."""
    async with pool.acquire() as conn, conn.transaction():
        await hold_projections_off(conn)
        before = await conn.fetch("SELECT postcode_area, district_code FROM districts ORDER BY 1")
        await conn.executemany(
            "INSERT INTO districts (postcode_area, district_code, district_name) VALUES ($1, $2, $3)"
            " ON CONFLICT (postcode_area) DO UPDATE SET district_code = EXCLUDED.district_code,"
            " district_name = EXCLUDED.district_name, updated_at = now()",
            districts,
        )
        if before != await conn.fetch("SELECT postcode_area, district_code FROM districts ORDER BY 1"):
            await _reach_again(conn)
        total: int = await conn.fetchval("SELECT count(*) FROM districts")
    return total


async def load_postcode_areas(pool: asyncpg.Pool, areas: Sequence[tuple[str, float, float]]) -> int:
    """Load PC4 centroids (area, latitude, longitude), overwriting known areas; how many are known now."""
    async with pool.acquire() as conn, conn.transaction():
        await hold_projections_off(conn)
        await conn.executemany(
            "INSERT INTO postcode_areas (postcode_area, lat, lon) VALUES ($1, $2, $3) ON CONFLICT (postcode_area)"
            " DO UPDATE SET lat = EXCLUDED.lat, lon = EXCLUDED.lon, updated_at = now()",
            areas,
        )
        await _reach_again(conn)
        total: int = await conn.fetchval("SELECT count(*) FROM postcode_areas")
    return total


async def set_theme_skills(pool: asyncpg.Pool, themes: dict[str, list[str]]) -> None:
    """Say which skills fit each theme (a volunteer with one of them fits it); themes not named keep theirs."""
    async with pool.acquire() as conn, conn.transaction():
        await hold_projections_off(conn)
        await conn.execute("DELETE FROM theme_skills WHERE theme = ANY($1::text[])", list(themes))
        await conn.executemany(
            "INSERT INTO theme_skills (theme, skill) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            [(theme, skill) for theme, skills in themes.items() for skill in skills],
        )
        await _reach_again(conn)


async def theme_skills(pool: asyncpg.Pool) -> dict[str, list[str]]:
    """Every theme with the skills that fit it."""
    rows = await pool.fetch("SELECT theme, array_agg(skill ORDER BY skill) AS skills FROM theme_skills GROUP BY theme")
    return {row["theme"]: list(row["skills"]) for row in sorted(rows, key=lambda row: row["theme"])}


async def add_nldoet_days(pool: asyncpg.Pool, days: Iterable[date]) -> list[date]:
    """Add NLdoet dates (hours already worked on them count as NLdoet hours from now on); every one known."""
    new = sorted(set(days))
    async with pool.acquire() as conn, conn.transaction():
        await hold_projections_off(conn)
        await conn.executemany("INSERT INTO nldoet_days (day) VALUES ($1) ON CONFLICT DO NOTHING", [(d,) for d in new])
        await conn.execute("UPDATE hours_facts SET nldoet = true WHERE worked_on = ANY($1::date[]) AND NOT nldoet", new)
        return [row["day"] for row in await conn.fetch("SELECT day FROM nldoet_days ORDER BY day")]


async def past_rebuilds(pool: asyncpg.Pool, limit: int = 50) -> list[dict[str, Any]]:
    """The latest rebuilds: when they started and switched over, how many events they applied."""
    rows = await pool.fetch(
        "SELECT id, started_at, switched_at, events_applied FROM projection_rebuilds ORDER BY id DESC LIMIT $1", limit
    )
    return [dict(row) for row in rows]
