"""Registry's subscribers: matching's outcomes become part of the record (matches, filled tasks, team days)."""

from __future__ import annotations

from common.consumer import EventConsumer
from common.uow import PostgresUnitOfWork
from contracts.events import MatchMade, VolunteerDayMatched
from registry.notifications import register_notifications
from registry.use_cases import Origin, hours, partners

__all__ = ["register_handlers"]


def _caused_by(uow: PostgresUnitOfWork) -> Origin:
    """Events the registry emits in reaction carry the incoming event's correlation and cause."""
    return Origin(
        source=f"/regions/{uow.envelope.region}/registry",
        region=uow.envelope.region,
        correlation_id=uow.envelope.correlationid,
        causation_id=uow.envelope.id,
    )


async def on_match_made(event: MatchMade, uow: PostgresUnitOfWork) -> None:
    """Remember the match (hours need it) and close the task as filled when capacity is reached."""
    await hours.record_match(
        uow.conn, event.match_id, event.task_id, event.volunteer_id, event.organisation_id, event.centrale_id,
        event.volunteer_centrale_id, event.made_at, _caused_by(uow),
    )  # fmt: skip


async def on_volunteer_day_matched(event: VolunteerDayMatched, uow: PostgresUnitOfWork) -> None:
    """Show the partner which task its team day was matched to."""
    await partners.record_volunteer_day_match(
        uow.conn, event.day_id, event.task_id, event.organisation_id, event.centrale_id
    )


def register_handlers(consumer: EventConsumer) -> None:
    """Attach the registry's subscribers to its consumer."""
    consumer.on(MatchMade)(on_match_made)
    consumer.on(VolunteerDayMatched)(on_volunteer_day_matched)
    register_notifications(consumer)
