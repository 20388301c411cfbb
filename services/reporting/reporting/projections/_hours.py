"""Hours given for matches: the NLdoet weekend brings tens of thousands of them in a burst."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

import asyncpg

from common.consumer import BatchContext
from common.db import Connection
from contracts.events import HoursLogged
from reporting.periods import month_of
from reporting.projections._common import hold_erasures_off, id_hash, lock_entities

__all__ = ["on_hours_logged"]

_HOURS_COLUMNS = (
    "hours_id", "match_id", "task_id", "person_key", "centrale_id", "theme", "worked_on", "hours", "recorded_at",
    "booked_month", "task_area", "nldoet",
)  # fmt: skip
_TYPES = (
    "uuid", "uuid", "uuid", "uuid", "text", "text", "date", "numeric", "timestamptz", "date", "text", "boolean"
)  # fmt: skip
# What a run of hours needs to know besides its events, in one round trip.
_HOURS_CONTEXT = """
    SELECT (SELECT coalesce(array_agg(id_hash), '{}') FROM erased_volunteers WHERE id_hash = ANY($1::bytea[])),
           (SELECT coalesce(array_agg(task_id), '{}') FROM task_facts WHERE task_id = ANY($2::uuid[])),
           (SELECT coalesce(array_agg(postcode_area), '{}') FROM task_facts WHERE task_id = ANY($2::uuid[])),
           (SELECT coalesce(array_agg(day), '{}') FROM nldoet_days WHERE day = ANY($3::date[]))
"""
_AMSTERDAM = ZoneInfo("Europe/Amsterdam")


async def _booked_months(conn: Connection, events: Sequence[HoursLogged], recorded: Sequence[datetime]) -> list[date]:
    """The month each entry is reported in: its own, unless recorded after its month (then closures decide)."""
    natural = [month_of(event.worked_on) for event in events]
    late = [i for i, (month, moment) in enumerate(zip(natural, recorded, strict=True))
            if month_of(moment.astimezone(_AMSTERDAM)) > month]  # fmt: skip
    if late:
        booked = await conn.fetch(
            "SELECT reporting_booked_month(n, r, c)"
            " FROM unnest($1::date[], $2::timestamptz[], $3::text[]) WITH ORDINALITY AS t(n, r, c, i) ORDER BY i",
            [natural[i] for i in late],
            [recorded[i] for i in late],
            [events[i].centrale_id for i in late],
        )
        for i, row in zip(late, booked, strict=True):
            natural[i] = row[0]
    return natural


async def on_hours_logged(events: Sequence[HoursLogged], ctx: BatchContext) -> None:
    """Hours given for matches (confirmed by the organisation): a run of them written at once.

    The NLdoet weekend brings tens of thousands in a burst. The inbox already keeps each event to one
    application, so the rows are COPYed; only when an hours id is there already (the same hours in
    another event) the run is written again with ON CONFLICT DO NOTHING instead. Each row carries what
    the aggregates need: its booked month, its task's area and whether it was worked on an NLdoet day.
    """
    await hold_erasures_off(ctx.conn)
    # Shared: hours only read their task's area; a TaskUpdated moving it waits for them, and they for it.
    await lock_entities(ctx.conn, tasks=[event.task_id for event in events], shared=True)
    hashes = [id_hash(event.volunteer_id) for event in events]
    context = await ctx.conn.fetchrow(
        _HOURS_CONTEXT,
        list(set(hashes)),
        list({event.task_id for event in events}),
        list({event.worked_on for event in events}),
    )
    assert context is not None
    erased, nldoet = set(context[0]), set(context[3])
    areas = dict(zip(context[1], context[2], strict=True))
    recorded = [envelope.time for envelope in ctx.envelopes]
    booked = await _booked_months(ctx.conn, events, recorded)
    rows = [
        (e.hours_id, e.match_id, e.task_id, None if id_hash in erased else e.volunteer_id, e.centrale_id, e.theme,
         e.worked_on, e.hours, moment, month, areas.get(e.task_id), e.worked_on in nldoet)
        for e, moment, id_hash, month in zip(events, recorded, hashes, booked, strict=True)
    ]  # fmt: skip
    try:
        async with ctx.conn.transaction():  # a savepoint: a failed COPY leaves the batch's transaction usable
            await ctx.conn.copy_records_to_table("hours_facts", records=rows, columns=_HOURS_COLUMNS)
    except asyncpg.UniqueViolationError:
        # One statement for the run (a column array each), as the COPY was.
        arrays = ", ".join(f"${i}::{kind}[]" for i, kind in enumerate(_TYPES, start=1))
        await ctx.conn.execute(
            f"INSERT INTO hours_facts ({', '.join(_HOURS_COLUMNS)}) SELECT * FROM unnest({arrays})"  # noqa: S608
            " ON CONFLICT (hours_id) DO NOTHING",
            *(list(column) for column in zip(*rows, strict=True)),
        )
