"""Appreciation's event subscribers: translate the event, call one use case, log one fact."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from appreciation.use_cases import Origin, awards
from appreciation.use_cases.awards import Trigger
from common.auth import register_credential_projection
from common.consumer import EventConsumer
from common.logging import get_logger
from common.uow import PostgresUnitOfWork
from contracts.events import (
    HoursLogged,
    MatchMade,
    OrganisationRegistered,
    TaskPosted,
    TaskUpdated,
    VolunteerDayHoursLogged,
    VolunteerErased,
    VolunteerProfileUpdated,
    VolunteerRegistered,
)

__all__ = ["register_handlers"]

log = get_logger(__name__)


def _origin(uow: PostgresUnitOfWork) -> Origin:
    """Awards carry the incoming event's correlation id and have it as their cause."""
    return Origin(
        source=f"/regions/{uow.envelope.region}/appreciation",
        region=uow.envelope.region,
        correlation_id=uow.envelope.correlationid,
        causation_id=uow.envelope.id,
    )


def _trigger(uow: PostgresUnitOfWork) -> Trigger:
    """The incoming event as the trigger of what it awards, dated by when its fact happened."""
    return Trigger(event_id=uow.envelope.id, event_type=uow.envelope.type, on=uow.envelope.time.date())


def _log_awards(awarded: Sequence[UUID], **facts: object) -> None:
    if awarded:
        log.info("appreciation_awarded", awards=[str(a) for a in awarded], **facts)


async def on_volunteer_registered(event: VolunteerRegistered, uow: PostgresUnitOfWork) -> None:
    """Know the volunteer's centrale, age band and registration day (anniversaries, MDT)."""
    awarded = await awards.record_volunteer(
        uow.conn, event.volunteer_id, event.centrale_id, event.age_band, event.registered_at, _trigger(uow),
        _origin(uow),
    )  # fmt: skip
    _log_awards(awarded, volunteer_id=str(event.volunteer_id))


async def on_volunteer_profile_updated(event: VolunteerProfileUpdated, uow: PostgresUnitOfWork) -> None:
    """Follow the age band (MDT counts only at MDT age)."""
    awarded = await awards.record_volunteer(
        uow.conn, event.volunteer_id, event.centrale_id, event.age_band, None, _trigger(uow), _origin(uow)
    )
    _log_awards(awarded, volunteer_id=str(event.volunteer_id))


async def on_volunteer_erased(event: VolunteerErased, uow: PostgresUnitOfWork) -> None:
    """Forget the volunteer; awards, certificates and allowances stay as anonymous rows."""
    await awards.erase_volunteer(uow.conn, event.volunteer_id, event.centrale_id, event.erased_at)
    log.info("volunteer_forgotten", volunteer_id=str(event.volunteer_id))


async def on_organisation_registered(event: OrganisationRegistered, uow: PostgresUnitOfWork) -> None:
    """Keep the organisation's name for certificates."""
    await awards.record_organisation(uow.conn, event.organisation_id, event.centrale_id, event.organisation_name)


async def on_task_posted(event: TaskPosted, uow: PostgresUnitOfWork) -> None:
    """Keep the task's theme and skills for certificates."""
    await awards.record_task(
        uow.conn, event.task_id, event.organisation_id, event.centrale_id, event.theme, list(event.skills)
    )


async def on_task_updated(event: TaskUpdated, uow: PostgresUnitOfWork) -> None:
    """Follow the task's theme and skills."""
    await awards.record_task(
        uow.conn, event.task_id, event.organisation_id, event.centrale_id, event.theme, list(event.skills)
    )


async def on_match_made(event: MatchMade, uow: PostgresUnitOfWork) -> None:
    """A match made: the first one is celebrated, and it tells which organisations the volunteer serves."""
    awarded = await awards.record_match(uow.conn, event.model_dump(), _trigger(uow), _origin(uow))
    _log_awards(awarded, volunteer_id=str(event.volunteer_id), match_id=str(event.match_id))


async def on_hours_logged(event: HoursLogged, uow: PostgresUnitOfWork) -> None:
    """Hours count once per entry towards milestones, NLdoet and MDT, across every organisation."""
    awarded = await awards.record_hours(uow.conn, event.model_dump(), _trigger(uow), _origin(uow))
    _log_awards(awarded, volunteer_id=str(event.volunteer_id), hours_id=str(event.hours_id))


async def on_volunteer_day_hours_logged(event: VolunteerDayHoursLogged, uow: PostgresUnitOfWork) -> None:
    """Thank the business partner for its team's day."""
    awarded = await awards.record_partner_day(
        uow.conn, event.partner_id, event.day_id, event.centrale_id, event.participants, _trigger(uow), _origin(uow)
    )
    _log_awards(awarded, partner_id=str(event.partner_id), day_id=str(event.day_id))


def register_handlers(consumer: EventConsumer) -> None:
    """Attach appreciation's subscribers to its consumer."""
    consumer.on(VolunteerRegistered)(on_volunteer_registered)
    consumer.on(VolunteerProfileUpdated)(on_volunteer_profile_updated)
    consumer.on(VolunteerErased)(on_volunteer_erased)
    consumer.on(OrganisationRegistered)(on_organisation_registered)
    consumer.on(TaskPosted)(on_task_posted)
    consumer.on(TaskUpdated)(on_task_updated)
    consumer.on(MatchMade)(on_match_made)
    consumer.on(HoursLogged)(on_hours_logged)
    consumer.on(VolunteerDayHoursLogged)(on_volunteer_day_hours_logged)
    register_credential_projection(consumer)
