"""Registry's subscribers: matching's outcomes become part of the record, appreciation's awards thank-yous."""

from __future__ import annotations

from common.consumer import EventConsumer
from contracts.events import MatchEnded, MatchMade, VolunteerDayMatched
from registry.unit_of_work import PostgresRegistryUnitOfWork
from registry.use_cases import calendar, hours, partners

__all__ = ["register_handlers"]


async def on_match_made(event: MatchMade, uow: PostgresRegistryUnitOfWork) -> None:
    """Remember the match (hours need it) and close the task as filled when capacity is reached."""
    cmd = hours.RecordMatch(
        match_id=event.match_id,
        task_id=event.task_id,
        volunteer_id=event.volunteer_id,
        organisation_id=event.organisation_id,
        centrale_id=event.centrale_id,
        volunteer_centrale_id=event.volunteer_centrale_id,
        made_at=event.made_at,
    )
    await hours.record_match(cmd, uow)


async def on_match_ended(event: MatchEnded, uow: PostgresRegistryUnitOfWork) -> None:
    """The match ended: it leaves the calendar feeds."""
    await calendar.record_match_ended(calendar.RecordMatchEnded(event.match_id, event.ended_at), uow)


async def on_volunteer_day_matched(event: VolunteerDayMatched, uow: PostgresRegistryUnitOfWork) -> None:
    """Show the partner which task its team day was matched to."""
    cmd = partners.RecordVolunteerDayMatch(event.day_id, event.task_id, event.organisation_id, event.centrale_id)
    await partners.record_volunteer_day_match(cmd, uow)


def register_handlers(consumer: EventConsumer) -> None:
    """Attach the registry's subscribers to its consumer."""
    consumer.on(MatchMade)(on_match_made)
    consumer.on(MatchEnded)(on_match_ended)
    consumer.on(VolunteerDayMatched)(on_volunteer_day_matched)
