"""Projections: per event type, a function writing the fact rows of a run of consecutive events.

The live consumer hands each projection a run of consecutive events of its type (``EventConsumer.on_batch``)
inside the batch's inbox transaction; the rebuild does the same with its own runs. Every projection writes a
run with a few set-based statements, because every statement also maintains the aggregates (migration
0003: statement-level triggers), and a statement per event would cost that per event. Rare events are
applied one by one within their run.

Every write is an idempotent upsert keyed by the fact's own id, and where two events set the same
columns the later event time wins; so applying an event twice, or events of different topics in
another order, gives the same rows. The rebuild (``reporting.rebuild``) relies on that.

Personal data: the volunteer id is kept only as the key of the facts a KPI needs per person (active
volunteers, MDT hours, waiting volunteers). ``VolunteerErased`` replaces it by a random surrogate in
every table, so the figures stay and the id is gone, and records a SHA-256 of the id so that an event
still carrying it (a replay, hours logged after the erasure, matching's MatchEnded) never re-attaches it.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from common.auth import register_credential_projection
from common.consumer import BatchContext, EventConsumer
from contracts import Event
from contracts.events import (
    BusinessPartnerRegistered,
    HistoricHoursImported,
    HoursCorrected,
    HoursLogged,
    HoursRejected,
    MatchEnded,
    MatchMade,
    MatchProposed,
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
from reporting.projections._common import (
    AGGREGATES_WRITER,
    ERASURE_GATE,
    SWITCH_GATE,
    RunProjection,
    enter_gates,
    hold_erasures_off,
    lock_entities,
)
from reporting.projections._hours import (
    on_historic_hours_imported,
    on_hours_corrected,
    on_hours_logged,
    on_hours_rejected,
)
from reporting.projections._matches import on_match_ended, on_match_made
from reporting.projections._organisations import (
    on_organisation_admitted,
    on_organisation_refused,
    on_organisation_registered,
)
from reporting.projections._partners import (
    on_business_partner_registered,
    on_volunteer_day_hours_logged,
    on_volunteer_day_matched,
    on_volunteer_day_posted,
)
from reporting.projections._proposals import on_match_proposed
from reporting.projections._tasks import on_task_closed, on_task_posted, on_task_updated
from reporting.projections._volunteers import (
    on_volunteer_consent_changed,
    on_volunteer_erased,
    on_volunteer_profile_updated,
    on_volunteer_registered,
)

__all__ = [
    "AGGREGATES_WRITER",
    "ERASURE_GATE",
    "PROJECTIONS",
    "SWITCH_GATE",
    "RunProjection",
    "enter_gates",
    "entities",
    "register_projections",
    "take_turns",
]

# Every projected event and its function; the live consumer and the rebuild use the same table.
PROJECTIONS: dict[type[Event], RunProjection] = {
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
    MatchProposed: on_match_proposed,
    HoursLogged: on_hours_logged,
    HistoricHoursImported: on_historic_hours_imported,
    HoursCorrected: on_hours_corrected,
    HoursRejected: on_hours_rejected,
    BusinessPartnerRegistered: on_business_partner_registered,
    VolunteerDayPosted: on_volunteer_day_posted,
    VolunteerDayMatched: on_volunteer_day_matched,
    VolunteerDayHoursLogged: on_volunteer_day_hours_logged,
}


# The projections whose writes change the aggregates (through their tables' triggers): every one but new
# hours, which only queue their ids for the fold (so a burst of hours never waits for another topic's batch).
_CHANGE_AGGREGATES = frozenset(event_class.event_type for event_class in PROJECTIONS) - {HoursLogged.event_type}


def entities(event: Event) -> tuple[list[UUID], list[UUID]]:
    """The tasks and volunteers whose entity locks the event's projection takes (``lock_entities``)."""
    match event:
        case HoursLogged() | MatchProposed() | TaskPosted() | TaskUpdated() | TaskClosed():
            return [event.task_id], []
        case HoursCorrected() | HoursRejected() | MatchMade() | MatchEnded():
            return [event.task_id], [event.volunteer_id]
        case HistoricHoursImported():
            return [entry.task_id for entry in event.entries if entry.task_id is not None], [event.volunteer_id]
        case VolunteerRegistered() | VolunteerProfileUpdated() | VolunteerConsentChanged() | VolunteerErased():
            return [], [event.volunteer_id]
    return [], []


async def take_turns(events: Sequence[Event], batch: BatchContext) -> None:
    """A transaction's gates and the entity locks of all its runs, taken before any run, in one sorted statement.

    The switch gate (shared: a rebuild's swap waits); the aggregates' writer lock when a run changes the
    aggregates; the erasure gate when the transaction erases a volunteer, so no entity lock is held while it
    waits for the hours batches holding the gate shared. Then every task and volunteer the runs name, at once:
    task and volunteer keys share stripes (``common.locks``), and a writer taking its runs' stripes run by run
    could hold one an hours batch waits for while waiting for one that batch holds shared; PostgreSQL would
    abort one of them. Exclusive when the transaction changes the aggregates; shared for hours only (they
    only read their tasks' areas), after holding erasures off as their run does. The runs' own
    ``lock_entities`` then find their stripes held (the rebuild, which has no turns to take, relies on them).
    """
    event_types = {event.event_type for event in events}
    aggregates = bool(event_types & _CHANGE_AGGREGATES)
    await enter_gates(batch.conn, aggregates=aggregates, erasure=VolunteerErased.event_type in event_types)
    tasks: list[UUID] = []
    persons: list[UUID] = []
    for event in events:
        event_tasks, event_persons = entities(event)
        tasks += event_tasks
        persons += event_persons
    if tasks or persons:
        if not aggregates:
            await hold_erasures_off(batch.conn)
        await lock_entities(batch.conn, tasks=tasks, persons=persons, shared=not aggregates)


def register_projections(consumer: EventConsumer) -> None:
    """Attach every projection (and the shared credential projection) to the reporting consumer."""
    consumer.before_runs(take_turns)
    for event_class, projection in PROJECTIONS.items():
        consumer.on_batch(event_class)(projection)
    register_credential_projection(consumer)
