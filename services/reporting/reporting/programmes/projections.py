"""Projections of the programmes: Beursvloer deals (made, followed up) and trainings' attendance, as fact rows.

Run projections (a run of consecutive events of one type in the batch's transaction), each an idempotent upsert
keyed by the deal or the booking, so a redelivery, a replay or another order across the two event types of a
deal gives the same row; a booking's later attendance record wins. They hold the switch gate shared, like every
live projection, so a rebuild's switch-over never lands between them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from common.consumer import BatchContext, EventConsumer
from common.locks import Lock
from contracts import Event
from contracts.events import BeursvloerDealFollowedUp, BeursvloerDealMade, TrainingAttendanceRecorded
from reporting.programmes.common import RunProjection

__all__ = ["PROGRAMME_PROJECTIONS", "PROGRAMME_TABLES", "register_programme_projections"]

# The tables these projections write (a replay of them empties or replaces exactly these).
PROGRAMME_TABLES = ("beursvloer_deal_facts", "training_facts")


async def on_deals_made(events: Sequence[BeursvloerDealMade], ctx: BatchContext) -> None:
    """A deal stands: who gave to whom, what kind, how many hours, when, at which evening."""
    for event in events:
        await ctx.conn.execute(
            """
            INSERT INTO beursvloer_deal_facts
                (deal_id, centrale_id, event_id, partner_id, organisation_id, category, hours, made_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            ON CONFLICT (deal_id) DO UPDATE SET centrale_id = EXCLUDED.centrale_id, event_id = EXCLUDED.event_id,
                partner_id = EXCLUDED.partner_id, organisation_id = EXCLUDED.organisation_id,
                category = EXCLUDED.category, hours = EXCLUDED.hours, made_at = EXCLUDED.made_at
            """,
            event.deal_id, event.centrale_id, event.event_id, event.partner_id, event.organisation_id,
            event.category, event.hours, event.made_at,
        )  # fmt: skip


async def on_deals_followed_up(events: Sequence[BeursvloerDealFollowedUp], ctx: BatchContext) -> None:
    """A deal's follow-up settled: done, partly or not, and the hours given."""
    for event in events:
        await ctx.conn.execute(
            """
            INSERT INTO beursvloer_deal_facts
                (deal_id, centrale_id, event_id, partner_id, organisation_id, category, outcome, hours_given,
                 followed_up_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            ON CONFLICT (deal_id) DO UPDATE SET outcome = EXCLUDED.outcome, hours_given = EXCLUDED.hours_given,
                followed_up_at = EXCLUDED.followed_up_at
            """,
            event.deal_id, event.centrale_id, event.event_id, event.partner_id, event.organisation_id,
            event.category, event.outcome, event.hours_given, event.followed_up_at,
        )  # fmt: skip


async def on_attendance_recorded(events: Sequence[TrainingAttendanceRecorded], ctx: BatchContext) -> None:
    """Whether a booking's people attended: the audience, how many, on which day (the latest record counts)."""
    for event in events:
        await ctx.conn.execute(
            """
            INSERT INTO training_facts (booking_id, training_id, centrale_id, audience, organisation_id, participants,
                attended, attended_on, recorded_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            ON CONFLICT (booking_id) DO UPDATE SET participants = EXCLUDED.participants,
                attended = EXCLUDED.attended, attended_on = EXCLUDED.attended_on, recorded_at = EXCLUDED.recorded_at
            WHERE training_facts.recorded_at <= EXCLUDED.recorded_at
            """,
            event.booking_id, event.training_id, event.centrale_id, event.audience, event.organisation_id,
            event.participants, event.attended, event.attended_on, event.recorded_at,
        )  # fmt: skip


PROGRAMME_PROJECTIONS: dict[type[Event], RunProjection] = {
    BeursvloerDealMade: on_deals_made,
    BeursvloerDealFollowedUp: on_deals_followed_up,
    TrainingAttendanceRecorded: on_attendance_recorded,
}


def _gated(projection: RunProjection) -> RunProjection:
    """The projection behind the switch gate, as every live projection of reporting."""

    async def gated(events: Sequence[Any], ctx: BatchContext) -> None:
        await ctx.conn.execute("SELECT pg_advisory_xact_lock_shared($1)", Lock.REPORTING_SWITCH_GATE)
        await projection(events, ctx)

    gated.__name__ = projection.__name__
    gated.__doc__ = projection.__doc__
    return gated


def register_programme_projections(consumer: EventConsumer) -> None:
    """Attach the programmes' projections to the reporting consumer."""
    for event_class, projection in PROGRAMME_PROJECTIONS.items():
        consumer.on_batch(event_class)(_gated(projection))
