"""Projections: one function per consumed event, updating aggregate rows in the inbox transaction."""

from __future__ import annotations

from common.auth import register_credential_projection
from common.consumer import EventConsumer, EventContext
from common.logging import get_logger
from contracts.events import VolunteerRegistered

__all__ = ["register_projections"]

log = get_logger(__name__)


async def on_volunteer_registered(event: VolunteerRegistered, ctx: EventContext) -> None:
    """Count the registration for its centrale."""
    await ctx.conn.execute(
        """
        INSERT INTO volunteer_counts (centrale_id, registered) VALUES ($1, 1)
        ON CONFLICT (centrale_id) DO UPDATE
            SET registered = volunteer_counts.registered + 1, updated_at = now()
        """,
        event.centrale_id,
    )


def register_projections(consumer: EventConsumer) -> None:
    """Attach every projection to the reporting consumer."""
    consumer.on(VolunteerRegistered)(on_volunteer_registered)
    register_credential_projection(consumer)
