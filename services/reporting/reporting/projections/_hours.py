"""Hours given for matches (the NLdoet weekend brings tens of thousands of them in a burst), corrected or rejected;
and hours an import brought in from before the platform."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import asyncpg

from common.consumer import BatchContext
from common.db import Connection
from contracts.events import HistoricHoursImported, HoursCorrected, HoursLogged, HoursRejected
from reporting.periods import Closure, book, horizon_of, month_of
from reporting.projections._common import each, hold_erasures_off, id_hash, lock_entities

__all__ = ["on_historic_hours_imported", "on_hours_corrected", "on_hours_logged", "on_hours_rejected"]

_HOURS_COLUMNS = (
    "hours_id", "match_id", "task_id", "person_key", "centrale_id", "theme", "worked_on", "hours", "recorded_at",
    "booked_month", "task_area", "nldoet", "home_centrale_id",
)  # fmt: skip
_TYPES = (
    "uuid", "uuid", "uuid", "uuid", "text", "text", "date", "numeric", "timestamptz", "date", "text", "boolean", "text"
)  # fmt: skip
# What a run of hours needs to know besides its events, in one round trip. Arrays read as pairs (a task and its
# area, a match and its centrale) are each ordered by the same key: two subqueries need not read in the same
# order. Unordered, the tasks' ids came from an index-only scan (id order) and their areas from a heap scan
# (physical order) once the table was vacuumed, and hours were given other tasks' areas.
_HOURS_CONTEXT = """
    SELECT (SELECT coalesce(array_agg(id_hash), '{}') FROM erased_volunteers WHERE id_hash = ANY($1::bytea[])),
           (SELECT coalesce(array_agg(task_id ORDER BY task_id), '{}') FROM task_facts
            WHERE task_id = ANY($2::uuid[])),
           (SELECT coalesce(array_agg(postcode_area ORDER BY task_id), '{}') FROM task_facts
            WHERE task_id = ANY($2::uuid[])),
           (SELECT coalesce(array_agg(day), '{}') FROM nldoet_days WHERE day = ANY($3::date[])),
           (SELECT coalesce(array_agg(match_id ORDER BY match_id), '{}') FROM match_facts
            WHERE match_id = ANY($4::uuid[])),
           (SELECT coalesce(array_agg(volunteer_centrale_id ORDER BY match_id), '{}') FROM match_facts
            WHERE match_id = ANY($4::uuid[]))
"""
_AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def _other_than(home: str | None, centrale_id: str) -> str | None:
    """The volunteer's home centrale when it is another than the task's (only then is it credited besides)."""
    return home if home is not None and home != centrale_id else None


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
        list({event.match_id for event in events}),
    )
    assert context is not None
    erased, nldoet = set(context[0]), set(context[3])
    areas = dict(zip(context[1], context[2], strict=True))
    # The volunteer's home centrale, where regional overflow placed them with another centrale's task (hours
    # before their match is known here get it from on_match_made).
    homes = dict(zip(context[4], context[5], strict=True))
    recorded = [envelope.time for envelope in ctx.envelopes]
    booked = await _booked_months(ctx.conn, events, recorded)
    rows = [
        (e.hours_id, e.match_id, e.task_id, None if id_hash in erased else e.volunteer_id, e.centrale_id, e.theme,
         e.worked_on, e.hours, moment, month, areas.get(e.task_id), e.worked_on in nldoet,
         _other_than(homes.get(e.match_id), e.centrale_id))
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


async def _frozen(conn: Connection, fact: asyncpg.Record, at: datetime) -> bool:
    """Whether the month an hours fact was booked in had been closed by ``at`` (so its figures may not change).

    The same booking the reads do (``periods.book``): the fact's own month, or the first one open when it
    was recorded. Decided by the event's recorded time, never by when it is applied, so a rebuild agrees.
    """
    rows = await conn.fetch(
        "SELECT c.closed_at, c.last_month FROM period_closures c"
        " JOIN centrale_municipalities m ON m.municipality_code = c.municipality_code"
        " WHERE m.centrale_id = $1 AND c.closed_at <= $2",
        fact["centrale_id"],
        at,
    )
    closures = [Closure(row["closed_at"], row["last_month"]) for row in rows]
    horizon = horizon_of(closures)
    return horizon is not None and book(month_of(fact["worked_on"]), fact["recorded_at"], closures) <= horizon


async def _change_hours(event: HoursCorrected | HoursRejected, ctx: BatchContext, index: int, delta: Decimal) -> bool:
    """Book ``delta`` as a fact of its own when the entry's month is closed (it counts in the first open month,
    as a late event does); True when it did. False: the month is open, the caller changes the fact itself."""
    await hold_erasures_off(ctx.conn)  # the fact's person key is copied below: no erasure may run meanwhile
    # The entry's task and volunteer: a TaskUpdated moving the area, or a fold of the volunteer's hours, takes turns.
    await lock_entities(ctx.conn, tasks=[event.task_id], persons=[event.volunteer_id])
    fact = await ctx.conn.fetchrow(
        "SELECT match_id, task_id, person_key, centrale_id, theme, worked_on, recorded_at, task_area, nldoet,"
        " home_centrale_id FROM hours_facts WHERE hours_id = $1",
        event.hours_id,
    )
    recorded = ctx.envelopes[index].time
    if fact is None or not await _frozen(ctx.conn, fact, recorded):
        return False
    await ctx.conn.execute(
        """
        INSERT INTO hours_facts (hours_id, match_id, task_id, person_key, centrale_id, theme, worked_on, hours,
                                 recorded_at, booked_month, task_area, nldoet, home_centrale_id)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, reporting_booked_month($10, $9, $5), $11, $12, $13)
        ON CONFLICT (hours_id) DO NOTHING
        """,
        ctx.envelopes[index].id, fact["match_id"], fact["task_id"], fact["person_key"], fact["centrale_id"],
        fact["theme"], fact["worked_on"], delta, recorded, month_of(fact["worked_on"]), fact["task_area"],
        fact["nldoet"], fact["home_centrale_id"],
    )  # fmt: skip
    return True


@each
async def on_hours_corrected(event: HoursCorrected, ctx: BatchContext, index: int) -> None:
    """An entry's amount corrected: the fact gets the new amount; in a closed month the difference is booked
    in the first open one instead (keyed by the event's id). An entry that never counted is not here."""
    if event.counted and not await _change_hours(event, ctx, index, event.hours - event.previous_hours):
        await ctx.conn.execute("UPDATE hours_facts SET hours = $2 WHERE hours_id = $1", event.hours_id, event.hours)


@each
async def on_hours_rejected(event: HoursRejected, ctx: BatchContext, index: int) -> None:
    """A counted entry rejected: its fact goes; in a closed month its amount is taken off in the first open one."""
    if event.counted and not await _change_hours(event, ctx, index, -event.hours):
        await ctx.conn.execute("DELETE FROM hours_facts WHERE hours_id = $1", event.hours_id)


@each
async def on_historic_hours_imported(event: HistoricHoursImported, ctx: BatchContext, index: int) -> None:
    """Hours a volunteer worked before the platform (an import): counted in the months they were worked, like
    any hours (no match, perhaps no task); an entry sent again (corrected) takes its new figures under its id."""
    await hold_erasures_off(ctx.conn)
    entries = event.entries
    tasks = [entry.task_id for entry in entries if entry.task_id is not None]
    # The volunteer's activity and the tasks' areas are derived here too: writers of either take turns.
    await lock_entities(ctx.conn, tasks=tasks, persons=[event.volunteer_id])
    await ctx.conn.execute(
        """
        INSERT INTO hours_facts AS h (hours_id, match_id, task_id, person_key, centrale_id, theme, worked_on, hours,
                                      recorded_at, booked_month, task_area, nldoet)
        SELECT e.hours_id, NULL, e.task_id,
            CASE WHEN EXISTS (SELECT 1 FROM erased_volunteers WHERE id_hash = $6) THEN NULL ELSE $7::uuid END,
            $8, e.theme, e.worked_on, e.hours, $9,
            reporting_booked_month(date_trunc('month', e.worked_on)::date, $9, $8),
            (SELECT t.postcode_area FROM task_facts t WHERE t.task_id = e.task_id),
            EXISTS (SELECT 1 FROM nldoet_days d WHERE d.day = e.worked_on)
        FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::date[], $5::numeric[])
            AS e (hours_id, task_id, theme, worked_on, hours)
        ON CONFLICT (hours_id) DO UPDATE SET task_id = EXCLUDED.task_id, theme = EXCLUDED.theme,
            worked_on = EXCLUDED.worked_on, hours = EXCLUDED.hours, recorded_at = EXCLUDED.recorded_at,
            booked_month = EXCLUDED.booked_month, task_area = EXCLUDED.task_area, nldoet = EXCLUDED.nldoet
        """,
        [e.hours_id for e in entries], [e.task_id for e in entries], [e.theme for e in entries],
        [e.worked_on for e in entries], [e.hours for e in entries], id_hash(event.volunteer_id), event.volunteer_id,
        event.centrale_id, ctx.envelopes[index].time,
    )  # fmt: skip
