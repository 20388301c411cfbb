"""Business partners and their team days: what HR posted, what it was matched to, what the team gave (rare)."""

from __future__ import annotations

from common.consumer import BatchContext
from contracts.events import BusinessPartnerRegistered, VolunteerDayHoursLogged, VolunteerDayMatched, VolunteerDayPosted
from reporting.projections._common import each

__all__ = [
    "on_business_partner_registered",
    "on_volunteer_day_hours_logged",
    "on_volunteer_day_matched",
    "on_volunteer_day_posted",
]


async def _partner_registered(event: BusinessPartnerRegistered, ctx: BatchContext, index: int) -> None:
    """A business partner's name, for its row in the reports."""
    await ctx.conn.execute(
        "INSERT INTO partner_facts (partner_id, partner_name) VALUES ($1, $2)"
        " ON CONFLICT (partner_id) DO UPDATE SET partner_name = EXCLUDED.partner_name",
        event.partner_id,
        event.partner_name,
    )


async def _day_posted(event: VolunteerDayPosted, ctx: BatchContext, index: int) -> None:
    """A partner's team day: its date, size and preferred area."""
    await ctx.conn.execute(
        """
        INSERT INTO volunteer_day_facts (day_id, partner_id, team_size, on_date, postcode_area, posted_centrale_id)
        VALUES ($1, $2, $3, $4, $5, $6)
        ON CONFLICT (day_id) DO UPDATE SET partner_id = EXCLUDED.partner_id, team_size = EXCLUDED.team_size,
            on_date = EXCLUDED.on_date, postcode_area = EXCLUDED.postcode_area,
            posted_centrale_id = EXCLUDED.posted_centrale_id
        """,
        event.day_id, event.partner_id, event.team_size, event.on_date, event.postcode_area, event.centrale_id,
    )  # fmt: skip


async def _day_matched(event: VolunteerDayMatched, ctx: BatchContext, index: int) -> None:
    """The task (and so the centrale and area) a team day was matched to."""
    await ctx.conn.execute(
        "INSERT INTO volunteer_day_facts (day_id, partner_id, task_id, task_centrale_id) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT (day_id) DO UPDATE SET task_id = EXCLUDED.task_id, task_centrale_id = EXCLUDED.task_centrale_id",
        event.day_id,
        event.partner_id,
        event.task_id,
        event.centrale_id,
    )


async def _day_hours_logged(event: VolunteerDayHoursLogged, ctx: BatchContext, index: int) -> None:
    """What the team gave: participants and hours (a later log for the same day replaces an earlier one)."""
    await ctx.conn.execute(
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
        event.logged_at, ctx.envelopes[index].time,
    )  # fmt: skip


on_business_partner_registered = each(_partner_registered)
on_volunteer_day_posted = each(_day_posted)
on_volunteer_day_matched = each(_day_matched)
on_volunteer_day_hours_logged = each(_day_hours_logged)
