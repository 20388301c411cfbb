"""Matching's subscribers: registry events build the read model and trigger proposals."""

from __future__ import annotations

from common.auth import register_credential_projection
from common.consumer import EventConsumer, EventContext
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


def _origin(ctx: EventContext) -> Origin:
    """Events matching emits in reaction carry the incoming event's correlation and cause."""
    return Origin(region=ctx.envelope.region, correlation_id=ctx.envelope.correlationid, causation_id=ctx.envelope.id)


class Handlers:
    """The subscribers of one matching instance, bound to its use cases."""

    def __init__(self, matching: Matching) -> None:
        self.matching = matching

    async def on_volunteer(self, event: VolunteerRegistered | VolunteerProfileUpdated, ctx: EventContext) -> None:
        """A new or changed profile: store it, then re-evaluate the volunteer for open tasks."""
        await upsert_volunteer_row(ctx.conn, event)
        await self.matching.volunteer_changed(ctx.conn, event.volunteer_id, _origin(ctx))

    async def on_volunteer_erased(self, event: VolunteerErased, ctx: EventContext) -> None:
        """Erased: the volunteer disappears from every proposal and from the read model."""
        await self.matching.volunteer_erased(ctx.conn, event.volunteer_id, _origin(ctx))

    async def on_task_posted(self, event: TaskPosted, ctx: EventContext) -> None:
        """A published task: propose its best candidates."""
        await self.matching.task_posted(ctx.conn, event, _origin(ctx))

    async def on_task_updated(self, event: TaskUpdated, ctx: EventContext) -> None:
        """Keep the task's facts current."""
        await self.matching.task_updated(ctx.conn, event)

    async def on_task_closed(self, event: TaskClosed, ctx: EventContext) -> None:
        """Filled, closed or expired: pending proposals expire."""
        await self.matching.task_closed(ctx.conn, event.task_id, event.reason, _origin(ctx))

    async def on_volunteer_day_posted(self, event: VolunteerDayPosted, ctx: EventContext) -> None:
        """A business partner's team day: find a task with room for the whole team."""
        await self.matching.volunteer_day_posted(ctx.conn, event, _origin(ctx))

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
