"""Appreciation's event subscribers: translate the event, call one use case, log one fact."""

from __future__ import annotations

from common.auth import register_credential_projection
from common.consumer import EventConsumer, EventContext
from common.logging import get_logger
from contracts.events import VolunteerRegistered

__all__ = ["register_handlers"]

log = get_logger(__name__)


async def on_volunteer_registered(event: VolunteerRegistered, ctx: EventContext) -> None:
    """Note a new volunteer; the work to appreciate volunteers on it comes with its own issue."""
    log.info("volunteer_seen", volunteer_id=str(event.volunteer_id), centrale_id=event.centrale_id)


def register_handlers(consumer: EventConsumer) -> None:
    """Attach appreciation's subscribers to its consumer."""
    consumer.on(VolunteerRegistered)(on_volunteer_registered)
    register_credential_projection(consumer)
