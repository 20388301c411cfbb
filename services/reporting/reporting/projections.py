"""Projections: one function per consumed event, writing fact rows in the inbox transaction.

Events that come in bursts (HoursLogged on the NLdoet weekend) also have a run projection: the live
consumer hands it a run of consecutive events and it writes them in one statement. The per-event function
is that run projection of one event, so the rebuild and the live consumer share one statement.

Every write is an idempotent upsert keyed by the fact's own id, and where two events set the same
columns the later event time wins; so applying an event twice, or events of different topics in
another order, gives the same rows. The rebuild (``reporting.rebuild``) relies on that.

Personal data: the volunteer id is kept only as the key of the facts a KPI needs per person (active
volunteers, MDT hours, waiting volunteers). ``VolunteerErased`` replaces it by a random surrogate in
every table, so the figures stay and the id is gone, and records a SHA-256 of the id so that an event
still carrying it (a replay, hours logged after the erasure, matching's MatchEnded) never re-attaches it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Sequence
from typing import Any
from uuid import UUID, uuid4

import asyncpg

from common.auth import register_credential_projection
from common.consumer import BatchContext, EventConsumer
from common.db import Connection
from common.locks import Lock
from common.uow import PostgresUnitOfWork
from contracts import Event
from contracts.events import (
    BusinessPartnerRegistered,
    HistoricHoursImported,
    HoursCorrected,
    HoursLogged,
    HoursRejected,
    MatchEnded,
    MatchMade,
    OrganisationAdmitted,
    OrganisationRefused,
    OrganisationRegistered,
    TaskClosed,
    TaskPosted,
    TaskUpdated,
    VolunteerConsentChanged,
    VolunteerDayHoursLogged,
    VolunteerDayMatched,
    VolunteerDayPosted,
    VolunteerErased,
    VolunteerProfileUpdated,
    VolunteerRegistered,
)
from reporting.periods import Closure, book, horizon_of, month_of

__all__ = [
    "ERASURE_GATE",
    "PROJECTIONS",
    "RUN_PROJECTIONS",
    "SWITCH_GATE",
    "Projection",
    "RunProjection",
    "register_projections",
]

Projection = Callable[[Any, PostgresUnitOfWork], Awaitable[None]]
RunProjection = Callable[[Sequence[Any], BatchContext], Awaitable[None]]

# A fact's person key is NULL when its volunteer id was erased (the CASE in the statements below).

# Live projections hold it shared for their transaction; the rebuild's switch-over takes it exclusively,
# so no live write lands between its last catch-up and the table swap.
SWITCH_GATE = Lock.REPORTING_SWITCH_GATE

# A projection that may write a volunteer id holds it shared from before it looks the id up in
# ``erased_volunteers``; an erasure holds it exclusively. Without it, under READ COMMITTED, hours written in
# a batch whose erased-id check ran before an erasure committed would keep the real id: the erasure's
# surrogate update cannot see rows of a transaction still open. Erasures are rare, so the wait is too.
ERASURE_GATE = Lock.REPORTING_ERASURE_GATE


def _id_hash(volunteer_id: UUID) -> bytes:
    return hashlib.sha256(volunteer_id.bytes).digest()


async def _hold_erasures_off(conn: Connection) -> None:
    """Keep erasures waiting until this transaction ends; called before a statement checks ``erased_volunteers``.

    It waits for an erasure in progress, and the check after it (a new statement, so a new snapshot) sees it.
    """
    await conn.execute("SELECT pg_advisory_xact_lock_shared($1)", ERASURE_GATE)


async def _profile(conn: Connection, event: VolunteerRegistered | VolunteerProfileUpdated, at: Any) -> None:
    """Upsert the profile attributes unless a later profile is already there or the id was erased."""
    await conn.execute(
        """
        INSERT INTO volunteer_facts
            (person_key, centrale_id, postcode_area, age_band, target_groups, interests, matching_consent, profile_at)
        SELECT $1::uuid, $2::text, $3::text, $4::text, $5::text[], $6::text[], $7::boolean, $8::timestamptz
        WHERE NOT EXISTS (SELECT 1 FROM erased_volunteers WHERE id_hash = $9::bytea)
        ON CONFLICT (person_key) DO UPDATE SET
            centrale_id = EXCLUDED.centrale_id, postcode_area = EXCLUDED.postcode_area,
            age_band = EXCLUDED.age_band, target_groups = EXCLUDED.target_groups,
            interests = EXCLUDED.interests, matching_consent = EXCLUDED.matching_consent,
            profile_at = EXCLUDED.profile_at
        WHERE volunteer_facts.profile_at <= EXCLUDED.profile_at
        """,
        event.volunteer_id, event.centrale_id, event.postcode_area, event.age_band, sorted(set(event.target_groups)),
        sorted(set(event.interests)), event.matching_consent, at, _id_hash(event.volunteer_id),
    )  # fmt: skip


async def on_volunteer_registered(event: VolunteerRegistered, uow: PostgresUnitOfWork) -> None:
    """A new volunteer: profile plus when they registered (and when the registry recorded it)."""
    await _profile(uow.conn, event, event.registered_at)
    await uow.conn.execute(
        "UPDATE volunteer_facts SET registered_at = $2, recorded_at = $3 WHERE person_key = $1",
        event.volunteer_id,
        event.registered_at,
        uow.envelope.time,
    )


async def on_volunteer_profile_updated(event: VolunteerProfileUpdated, uow: PostgresUnitOfWork) -> None:
    """New area, age band, labels (only consented ones travel), interests or matching consent."""
    await _profile(uow.conn, event, event.updated_at)


async def on_volunteer_consent_changed(event: VolunteerConsentChanged, uow: PostgresUnitOfWork) -> None:
    """A withdrawn label consent drops the labels at once; the matching consent decides who waits for a match."""
    if event.consent == "target_group_labels" and not event.granted:
        await uow.conn.execute(
            "UPDATE volunteer_facts SET target_groups = '{}' WHERE person_key = $1 AND profile_at <= $2",
            event.volunteer_id,
            event.changed_at,
        )
    elif event.consent == "matching":
        await uow.conn.execute(
            "UPDATE volunteer_facts SET matching_consent = $3 WHERE person_key = $1 AND profile_at <= $2",
            event.volunteer_id,
            event.changed_at,
            event.granted,
        )


async def on_volunteer_erased(event: VolunteerErased, uow: PostgresUnitOfWork) -> None:
    """Forget the id: a random surrogate takes its place in every fact, so every figure stays the same."""
    await uow.conn.execute("SELECT pg_advisory_xact_lock($1)", ERASURE_GATE)
    surrogate = uuid4()
    await uow.conn.execute(
        "INSERT INTO erased_volunteers (id_hash, erased_at) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        _id_hash(event.volunteer_id),
        event.erased_at,
    )
    await uow.conn.execute(
        "UPDATE volunteer_facts SET person_key = $2, erased_at = $3 WHERE person_key = $1",
        event.volunteer_id,
        surrogate,
        event.erased_at,
    )
    await uow.conn.execute(
        "UPDATE match_facts SET person_key = $2 WHERE person_key = $1", event.volunteer_id, surrogate
    )
    await uow.conn.execute(
        "UPDATE hours_facts SET person_key = $2 WHERE person_key = $1", event.volunteer_id, surrogate
    )


async def on_organisation_registered(event: OrganisationRegistered, uow: PostgresUnitOfWork) -> None:
    """An organisation registered with a centrale (not yet vetted)."""
    await uow.conn.execute(
        """
        INSERT INTO organisation_facts (organisation_id, centrale_id, postcode_area, formal, registered_at, recorded_at)
        VALUES ($1, $2, $3, $4, $5, $6)
        ON CONFLICT (organisation_id) DO UPDATE SET centrale_id = EXCLUDED.centrale_id,
            postcode_area = EXCLUDED.postcode_area, formal = EXCLUDED.formal,
            registered_at = EXCLUDED.registered_at, recorded_at = EXCLUDED.recorded_at
        """,
        event.organisation_id, event.centrale_id, event.postcode_area, event.formal, event.registered_at,
        uow.envelope.time,
    )  # fmt: skip


async def on_organisation_admitted(event: OrganisationAdmitted, uow: PostgresUnitOfWork) -> None:
    """Staff admitted the organisation after vetting."""
    await uow.conn.execute(
        "INSERT INTO organisation_facts (organisation_id, centrale_id, admitted_at) VALUES ($1, $2, $3)"
        " ON CONFLICT (organisation_id) DO UPDATE SET admitted_at = EXCLUDED.admitted_at",
        event.organisation_id,
        event.centrale_id,
        event.admitted_at,
    )


async def on_organisation_refused(event: OrganisationRefused, uow: PostgresUnitOfWork) -> None:
    """Staff refused the organisation."""
    await uow.conn.execute(
        "INSERT INTO organisation_facts (organisation_id, centrale_id, refused_at) VALUES ($1, $2, $3)"
        " ON CONFLICT (organisation_id) DO UPDATE SET refused_at = EXCLUDED.refused_at",
        event.organisation_id,
        event.centrale_id,
        event.refused_at,
    )


async def _task_attributes(conn: Connection, event: TaskPosted | TaskUpdated, at: Any) -> None:
    """Upsert theme, area and capacity unless a later version is already there."""
    await conn.execute(
        """
        INSERT INTO task_facts (task_id, organisation_id, centrale_id, theme, postcode_area, capacity, attributes_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7)
        ON CONFLICT (task_id) DO UPDATE SET organisation_id = EXCLUDED.organisation_id,
            centrale_id = EXCLUDED.centrale_id, theme = EXCLUDED.theme, postcode_area = EXCLUDED.postcode_area,
            capacity = EXCLUDED.capacity, attributes_at = EXCLUDED.attributes_at
        WHERE task_facts.attributes_at <= EXCLUDED.attributes_at
        """,
        event.task_id, event.organisation_id, event.centrale_id, event.theme, event.postcode_area, event.capacity, at,
    )  # fmt: skip


async def on_task_posted(event: TaskPosted, uow: PostgresUnitOfWork) -> None:
    """A task was published: it is open from now until it is closed."""
    await _task_attributes(uow.conn, event, event.posted_at)
    await uow.conn.execute(
        "UPDATE task_facts SET posted_at = $2, recorded_at = $3 WHERE task_id = $1",
        event.task_id,
        event.posted_at,
        uow.envelope.time,
    )


async def on_task_updated(event: TaskUpdated, uow: PostgresUnitOfWork) -> None:
    """A published task changed (theme, area, capacity)."""
    await _task_attributes(uow.conn, event, event.updated_at)


async def on_task_closed(event: TaskClosed, uow: PostgresUnitOfWork) -> None:
    """A task stopped taking volunteers: filled, closed or expired."""
    await uow.conn.execute(
        "UPDATE task_facts SET closed_at = $2, close_reason = $3, closed_recorded_at = $4 WHERE task_id = $1",
        event.task_id,
        event.closed_at,
        event.reason,
        uow.envelope.time,
    )


async def on_match_made(event: MatchMade, uow: PostgresUnitOfWork) -> None:
    """A volunteer was matched; both centrales are kept, since regional overflow credits both."""
    await _hold_erasures_off(uow.conn)
    await uow.conn.execute(
        """
        INSERT INTO match_facts
            (match_id, task_id, person_key, centrale_id, volunteer_centrale_id, made_at, recorded_at)
        VALUES ($1, $2,
            CASE WHEN EXISTS (SELECT 1 FROM erased_volunteers WHERE id_hash = $8) THEN NULL ELSE $3::uuid END,
            $4, $5, $6, $7)
        ON CONFLICT (match_id) DO UPDATE SET made_at = EXCLUDED.made_at, recorded_at = EXCLUDED.recorded_at
        """,
        event.match_id, event.task_id, event.volunteer_id, event.centrale_id, event.volunteer_centrale_id,
        event.made_at, uow.envelope.time, _id_hash(event.volunteer_id),
    )  # fmt: skip


async def on_match_ended(event: MatchEnded, uow: PostgresUnitOfWork) -> None:
    """A match ended: it no longer counts as still active at its 3, 6 or 12 month mark after this."""
    await _hold_erasures_off(uow.conn)
    await uow.conn.execute(
        """
        INSERT INTO match_facts
            (match_id, task_id, person_key, centrale_id, volunteer_centrale_id, ended_at, end_reason)
        VALUES ($1, $2,
            CASE WHEN EXISTS (SELECT 1 FROM erased_volunteers WHERE id_hash = $8) THEN NULL ELSE $3::uuid END,
            $4, $5, $6, $7)
        ON CONFLICT (match_id) DO UPDATE SET ended_at = EXCLUDED.ended_at, end_reason = EXCLUDED.end_reason
        """,
        event.match_id, event.task_id, event.volunteer_id, event.centrale_id, event.volunteer_centrale_id,
        event.ended_at, event.reason, _id_hash(event.volunteer_id),
    )  # fmt: skip


_HOURS_COLUMNS = (
    "hours_id", "match_id", "task_id", "person_key", "centrale_id", "theme", "worked_on", "hours", "recorded_at"
)  # fmt: skip


async def on_hours_logged_run(events: Sequence[HoursLogged], ctx: BatchContext) -> None:
    """Hours given for matches (confirmed by the organisation): a run of them written at once.

    The NLdoet weekend brings tens of thousands in a burst. The inbox already keeps each event to one
    application, so the rows are COPYed; only when an hours id is there already (the same hours in
    another event) the run is written again with ON CONFLICT DO NOTHING instead.
    """
    await _hold_erasures_off(ctx.conn)
    hashes = [_id_hash(event.volunteer_id) for event in events]
    erased = {
        row[0]
        for row in await ctx.conn.fetch(
            "SELECT id_hash FROM erased_volunteers WHERE id_hash = ANY($1::bytea[])", list(set(hashes))
        )
    }
    rows = [
        (e.hours_id, e.match_id, e.task_id, None if id_hash in erased else e.volunteer_id, e.centrale_id, e.theme,
         e.worked_on, e.hours, envelope.time)
        for e, envelope, id_hash in zip(events, ctx.envelopes, hashes, strict=True)
    ]  # fmt: skip
    try:
        async with ctx.conn.transaction():  # a savepoint: a failed COPY leaves the batch's transaction usable
            await ctx.conn.copy_records_to_table("hours_facts", records=rows, columns=_HOURS_COLUMNS)
    except asyncpg.UniqueViolationError:
        # One statement for the run (a column array each), as the COPY was.
        await ctx.conn.execute(
            """
            INSERT INTO hours_facts
                (hours_id, match_id, task_id, person_key, centrale_id, theme, worked_on, hours, recorded_at)
            SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::text[],
                                 $7::date[], $8::numeric[], $9::timestamptz[])
            ON CONFLICT (hours_id) DO NOTHING
            """,
            *(list(column) for column in zip(*rows, strict=True)),
        )


async def on_hours_logged(event: HoursLogged, uow: PostgresUnitOfWork) -> None:
    """Hours given for a match (confirmed by the organisation): the run projection of one event."""
    await on_hours_logged_run([event], BatchContext(envelopes=[uow.envelope], conn=uow.conn))


async def _frozen(conn: Connection, fact: asyncpg.Record, at: Any) -> bool:
    """Whether the month an hours fact was booked in had been closed by ``at`` (so its figures may not change).

    The same booking the queries do (``periods.book``): the fact's own month, or the first one open when it
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


async def _change_hours(event: HoursCorrected | HoursRejected, uow: PostgresUnitOfWork, delta: Any) -> bool:
    """Book ``delta`` as a fact of its own when the entry's month is closed (it counts in the first open month,
    as a late event does); True when it did. False: the month is open, the caller changes the fact itself."""
    await _hold_erasures_off(uow.conn)  # the fact's person key is copied below: no erasure may run meanwhile
    fact = await uow.conn.fetchrow(
        "SELECT match_id, task_id, person_key, centrale_id, theme, worked_on, recorded_at FROM hours_facts"
        " WHERE hours_id = $1",
        event.hours_id,
    )
    if fact is None or not await _frozen(uow.conn, fact, uow.envelope.time):
        return False
    await uow.conn.execute(
        """
        INSERT INTO hours_facts
            (hours_id, match_id, task_id, person_key, centrale_id, theme, worked_on, hours, recorded_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
        ON CONFLICT (hours_id) DO NOTHING
        """,
        uow.envelope.id, fact["match_id"], fact["task_id"], fact["person_key"], fact["centrale_id"], fact["theme"],
        fact["worked_on"], delta, uow.envelope.time,
    )  # fmt: skip
    return True


async def on_hours_corrected(event: HoursCorrected, uow: PostgresUnitOfWork) -> None:
    """An entry's amount corrected: the fact gets the new amount; in a closed month the difference is booked
    in the first open one instead (keyed by the event's id). An entry that never counted is not here."""
    if event.counted and not await _change_hours(event, uow, event.hours - event.previous_hours):
        await uow.conn.execute("UPDATE hours_facts SET hours = $2 WHERE hours_id = $1", event.hours_id, event.hours)


async def on_hours_rejected(event: HoursRejected, uow: PostgresUnitOfWork) -> None:
    """A counted entry rejected: its fact goes; in a closed month its amount is taken off in the first open one."""
    if event.counted and not await _change_hours(event, uow, -event.hours):
        await uow.conn.execute("DELETE FROM hours_facts WHERE hours_id = $1", event.hours_id)


async def on_historic_hours_imported(event: HistoricHoursImported, uow: PostgresUnitOfWork) -> None:
    """Hours a volunteer worked before the platform (an import): counted in the months they were worked, like
    any hours; an entry sent again (corrected) takes its new figures under its id."""
    await _hold_erasures_off(uow.conn)
    entries = event.entries
    await uow.conn.execute(
        """
        INSERT INTO hours_facts
            (hours_id, match_id, task_id, person_key, centrale_id, theme, worked_on, hours, recorded_at)
        SELECT e.hours_id, NULL, e.task_id,
            CASE WHEN EXISTS (SELECT 1 FROM erased_volunteers WHERE id_hash = $6) THEN NULL ELSE $7::uuid END,
            $8, e.theme, e.worked_on, e.hours, $9
        FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::date[], $5::numeric[])
            AS e (hours_id, task_id, theme, worked_on, hours)
        ON CONFLICT (hours_id) DO UPDATE SET task_id = EXCLUDED.task_id, theme = EXCLUDED.theme,
            worked_on = EXCLUDED.worked_on, hours = EXCLUDED.hours, recorded_at = EXCLUDED.recorded_at
        """,
        [e.hours_id for e in entries], [e.task_id for e in entries], [e.theme for e in entries],
        [e.worked_on for e in entries], [e.hours for e in entries], _id_hash(event.volunteer_id), event.volunteer_id,
        event.centrale_id, uow.envelope.time,
    )  # fmt: skip


async def on_business_partner_registered(event: BusinessPartnerRegistered, uow: PostgresUnitOfWork) -> None:
    """A business partner's name, for its row in the reports."""
    await uow.conn.execute(
        "INSERT INTO partner_facts (partner_id, partner_name) VALUES ($1, $2)"
        " ON CONFLICT (partner_id) DO UPDATE SET partner_name = EXCLUDED.partner_name",
        event.partner_id,
        event.partner_name,
    )


async def on_volunteer_day_posted(event: VolunteerDayPosted, uow: PostgresUnitOfWork) -> None:
    """A partner's team day: its date, size and preferred area."""
    await uow.conn.execute(
        """
        INSERT INTO volunteer_day_facts (day_id, partner_id, team_size, on_date, postcode_area, posted_centrale_id)
        VALUES ($1, $2, $3, $4, $5, $6)
        ON CONFLICT (day_id) DO UPDATE SET partner_id = EXCLUDED.partner_id, team_size = EXCLUDED.team_size,
            on_date = EXCLUDED.on_date, postcode_area = EXCLUDED.postcode_area,
            posted_centrale_id = EXCLUDED.posted_centrale_id
        """,
        event.day_id, event.partner_id, event.team_size, event.on_date, event.postcode_area, event.centrale_id,
    )  # fmt: skip


async def on_volunteer_day_matched(event: VolunteerDayMatched, uow: PostgresUnitOfWork) -> None:
    """The task (and so the centrale and area) a team day was matched to."""
    await uow.conn.execute(
        "INSERT INTO volunteer_day_facts (day_id, partner_id, task_id, task_centrale_id) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT (day_id) DO UPDATE SET task_id = EXCLUDED.task_id, task_centrale_id = EXCLUDED.task_centrale_id",
        event.day_id,
        event.partner_id,
        event.task_id,
        event.centrale_id,
    )


async def on_volunteer_day_hours_logged(event: VolunteerDayHoursLogged, uow: PostgresUnitOfWork) -> None:
    """What the team gave: participants and hours (a later log for the same day replaces an earlier one)."""
    await uow.conn.execute(
        """
        INSERT INTO volunteer_day_facts (day_id, partner_id, task_id, participants, hours_total, hours_centrale_id,
            hours_logged_at, hours_recorded_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
        ON CONFLICT (day_id) DO UPDATE SET task_id = coalesce(volunteer_day_facts.task_id, EXCLUDED.task_id),
            participants = EXCLUDED.participants, hours_total = EXCLUDED.hours_total,
            hours_centrale_id = EXCLUDED.hours_centrale_id, hours_logged_at = EXCLUDED.hours_logged_at,
            hours_recorded_at = EXCLUDED.hours_recorded_at
        WHERE volunteer_day_facts.hours_logged_at IS NULL
            OR volunteer_day_facts.hours_logged_at <= EXCLUDED.hours_logged_at
        """,
        event.day_id, event.partner_id, event.task_id, event.participants, event.hours_total, event.centrale_id,
        event.logged_at, uow.envelope.time,
    )  # fmt: skip


# Every projected event and its function; the live consumer and the rebuild use the same table.
PROJECTIONS: dict[type[Event], Projection] = {
    VolunteerRegistered: on_volunteer_registered,
    VolunteerProfileUpdated: on_volunteer_profile_updated,
    VolunteerConsentChanged: on_volunteer_consent_changed,
    VolunteerErased: on_volunteer_erased,
    OrganisationRegistered: on_organisation_registered,
    OrganisationAdmitted: on_organisation_admitted,
    OrganisationRefused: on_organisation_refused,
    TaskPosted: on_task_posted,
    TaskUpdated: on_task_updated,
    TaskClosed: on_task_closed,
    MatchMade: on_match_made,
    MatchEnded: on_match_ended,
    HoursLogged: on_hours_logged,
    HistoricHoursImported: on_historic_hours_imported,
    HoursCorrected: on_hours_corrected,
    HoursRejected: on_hours_rejected,
    BusinessPartnerRegistered: on_business_partner_registered,
    VolunteerDayPosted: on_volunteer_day_posted,
    VolunteerDayMatched: on_volunteer_day_matched,
    VolunteerDayHoursLogged: on_volunteer_day_hours_logged,
}


# Projections the live consumer applies per run of consecutive events (``EventConsumer.on_batch``).
RUN_PROJECTIONS: dict[type[Event], RunProjection] = {HoursLogged: on_hours_logged_run}


def _gated(projection: Projection) -> Projection:
    """The projection behind the switch gate: it waits while a rebuild swaps the tables."""

    async def gated(event: Any, uow: PostgresUnitOfWork) -> None:
        await uow.conn.execute("SELECT pg_advisory_xact_lock_shared($1)", SWITCH_GATE)
        await projection(event, uow)

    gated.__name__ = projection.__name__
    gated.__doc__ = projection.__doc__
    return gated


def _gated_run(projection: RunProjection) -> RunProjection:
    """A run projection behind the switch gate, like ``_gated``."""

    async def gated(events: Sequence[Any], ctx: BatchContext) -> None:
        await ctx.conn.execute("SELECT pg_advisory_xact_lock_shared($1)", SWITCH_GATE)
        await projection(events, ctx)

    gated.__name__ = projection.__name__
    gated.__doc__ = projection.__doc__
    return gated


def register_projections(consumer: EventConsumer) -> None:
    """Attach every projection (and the shared credential projection) to the reporting consumer."""
    for event_class, projection in PROJECTIONS.items():
        run_projection = RUN_PROJECTIONS.get(event_class)
        if run_projection is not None:
            consumer.on_batch(event_class)(_gated_run(run_projection))
        else:
            consumer.on(event_class)(_gated(projection))
    register_credential_projection(consumer)
