"""Matching's subscribers: registry events build the read model and trigger proposals."""

from __future__ import annotations

from common.auth import register_credential_projection
from common.consumer import EventConsumer
from common.uow import PostgresUnitOfWork
from contracts.events import (
    TaskClosed,
    TaskPosted,
    TaskUpdated,
    VolunteerDayPosted,
    VolunteerErased,
    VolunteerProfileUpdated,
    VolunteerRegistered,
)
from matching.read_model import upsert_volunteer_row
from matching.use_cases import Matching, Origin

__all__ = ["Handlers"]


def _origin(uow: PostgresUnitOfWork) -> Origin:
    """Events matching emits in reaction carry the incoming event's correlation and cause."""
    return Origin(region=uow.envelope.region, correlation_id=uow.envelope.correlationid, causation_id=uow.envelope.id)


class Handlers:
    """The subscribers of one matching instance, bound to its use cases."""

    def __init__(self, matching: Matching) -> None:
        self.matching = matching

    async def on_volunteer(self, event: VolunteerRegistered | VolunteerProfileUpdated, uow: PostgresUnitOfWork) -> None:
        """A new or changed profile: store it, then re-evaluate the volunteer for open tasks."""
        await upsert_volunteer_row(uow.conn, event)
        await self.matching.volunteer_changed(uow.conn, event.volunteer_id, _origin(uow))

    async def on_volunteer_erased(self, event: VolunteerErased, uow: PostgresUnitOfWork) -> None:
        """Erased: the volunteer disappears from every proposal and from the read model."""
        await self.matching.volunteer_erased(uow.conn, event.volunteer_id, _origin(uow))

    async def on_task_posted(self, event: TaskPosted, uow: PostgresUnitOfWork) -> None:
        """A published task: propose its best candidates."""
        await self.matching.task_posted(uow.conn, event, _origin(uow))

    async def on_task_updated(self, event: TaskUpdated, uow: PostgresUnitOfWork) -> None:
        """Keep the task's facts current."""
        await self.matching.task_updated(uow.conn, event)

    async def on_task_closed(self, event: TaskClosed, uow: PostgresUnitOfWork) -> None:
        """Filled, closed or expired: pending proposals expire."""
        await self.matching.task_closed(uow.conn, event.task_id, event.reason, _origin(uow))

    async def on_volunteer_day_posted(self, event: VolunteerDayPosted, uow: PostgresUnitOfWork) -> None:
        """A business partner's team day: find a task with room for the whole team."""
        await self.matching.volunteer_day_posted(uow.conn, event, _origin(uow))

    def register(self, consumer: EventConsumer) -> None:
        """Attach every subscriber to matching's consumer."""
        consumer.on(VolunteerRegistered)(self.on_volunteer)
        consumer.on(VolunteerProfileUpdated)(self.on_volunteer)
        consumer.on(VolunteerErased)(self.on_volunteer_erased)
        consumer.on(TaskPosted)(self.on_task_posted)
        consumer.on(TaskUpdated)(self.on_task_updated)
        consumer.on(TaskClosed)(self.on_task_closed)
        consumer.on(VolunteerDayPosted)(self.on_volunteer_day_posted)
        register_credential_projection(consumer)
