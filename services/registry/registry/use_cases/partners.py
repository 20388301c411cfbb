"""Business partners and the team volunteer days their HR systems post."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from common.consumer import ContractViolation
from common.db import Connection
from contracts.events import BusinessPartnerRegistered, VolunteerDayHoursLogged, VolunteerDayPosted
from registry.use_cases._shared import Conflict, NotFound, Origin, Rejected, emit, utc_now

__all__ = ["PostVolunteerDay", "get_volunteer_day", "list_volunteer_days", "log_volunteer_day_hours",
           "post_volunteer_day", "record_volunteer_day_match", "register_partner"]  # fmt: skip

# Business partners are regional: their events carry this tenant instead of a centrale.
REGION_TENANT = "region"


async def register_partner(conn: Connection, name: str, origin: Origin) -> UUID:
    """Register a business partner for the region and queue ``BusinessPartnerRegistered``."""
    partner_id = uuid4()
    now = utc_now()
    async with conn.transaction():
        await conn.execute(
            "INSERT INTO business_partners (id, name, registered_at) VALUES ($1, $2, $3)", partner_id, name, now
        )
        await emit(
            conn,
            BusinessPartnerRegistered(partner_id=partner_id, partner_name=name, registered_at=now),
            origin,
            REGION_TENANT,
        )
    return partner_id


@dataclass(frozen=True)
class PostVolunteerDay:
    """A team volunteer day posted by a partner's HR system under its own reference."""

    partner_id: UUID
    external_ref: str
    team_size: int
    on_date: date
    skills: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    postcode_area: str | None = None
    centrale_id: str | None = None


async def post_volunteer_day(conn: Connection, cmd: PostVolunteerDay, origin: Origin) -> tuple[UUID, bool]:
    """Store the day and queue ``VolunteerDayPosted``; a retry with the same reference returns the first day.

    Returns the day's id and whether this call created it.
    """
    if cmd.on_date <= utc_now().date():
        raise Rejected(["a volunteer day must lie in the future"], field="on_date")
    async with conn.transaction():
        if (
            cmd.centrale_id is not None
            and await conn.fetchval("SELECT 1 FROM centrales WHERE id = $1", cmd.centrale_id) is None
        ):
            raise Rejected([f"unknown centrale {cmd.centrale_id}"], field="centrale_id")
        now = utc_now()
        # ON CONFLICT waits for a concurrent insert of the same reference, so a racing retry sees its row.
        day_id = await conn.fetchval(
            """
            INSERT INTO volunteer_days (id, partner_id, external_ref, team_size, on_date, skills, themes,
                postcode_area, centrale_id, posted_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
            ON CONFLICT (partner_id, external_ref) DO NOTHING RETURNING id
            """,
            uuid4(), cmd.partner_id, cmd.external_ref, cmd.team_size, cmd.on_date, cmd.skills, cmd.themes,
            cmd.postcode_area, cmd.centrale_id, now,
        )  # fmt: skip
        if day_id is None:
            existing = await conn.fetchrow(
                "SELECT id, team_size, on_date FROM volunteer_days WHERE partner_id = $1 AND external_ref = $2",
                cmd.partner_id,
                cmd.external_ref,
            )
            assert existing is not None
            if (existing["team_size"], existing["on_date"]) != (cmd.team_size, cmd.on_date):
                raise Conflict(f"reference {cmd.external_ref!r} was already used for a different volunteer day")
            return existing["id"], False
        await emit(
            conn,
            VolunteerDayPosted(
                day_id=day_id,
                partner_id=cmd.partner_id,
                team_size=cmd.team_size,
                on_date=cmd.on_date,
                skills=cmd.skills,
                themes=cmd.themes,
                postcode_area=cmd.postcode_area,
                centrale_id=cmd.centrale_id,
                posted_at=now,
            ),
            origin,
            REGION_TENANT,
        )
        return day_id, True


async def get_volunteer_day(conn: Connection, day_id: UUID, partner_id: UUID | None) -> dict[str, Any]:
    """A day with its status: matched task and hours logged; NotFound for another partner's day."""
    row = await conn.fetchrow(
        "SELECT * FROM volunteer_days WHERE id = $1 AND ($2::uuid IS NULL OR partner_id = $2)", day_id, partner_id
    )
    if row is None:
        raise NotFound(f"volunteer day {day_id} not found")
    day = dict(row)
    totals = await conn.fetchrow(
        "SELECT coalesce(sum(hours_total), 0) AS hours, coalesce(max(participants), 0) AS participants"
        " FROM volunteer_day_hours WHERE day_id = $1",
        day_id,
    )
    assert totals is not None
    day["hours_logged"] = totals["hours"]
    day["participants"] = totals["participants"]
    return day


async def list_volunteer_days(conn: Connection, partner_id: UUID) -> list[dict[str, Any]]:
    """The partner's volunteer days, newest date first."""
    rows = await conn.fetch(
        "SELECT id, external_ref, on_date, team_size, status, matched_task_id FROM volunteer_days"
        " WHERE partner_id = $1 ORDER BY on_date DESC, id",
        partner_id,
    )
    return [dict(row) for row in rows]


async def record_volunteer_day_match(
    conn: Connection, day_id: UUID, task_id: UUID, organisation_id: UUID, centrale_id: str
) -> None:
    """Matching matched the day to a task: the partner's status shows it from now on."""
    updated = await conn.execute(
        "UPDATE volunteer_days SET status = 'matched', matched_task_id = $2, matched_organisation_id = $3,"
        " matched_centrale_id = $4, matched_at = now() WHERE id = $1",
        day_id,
        task_id,
        organisation_id,
        centrale_id,
    )
    if updated == "UPDATE 0":
        # Matching only knows days from our own events: retrying cannot help, ops must look.
        raise ContractViolation(f"volunteer day {day_id} is not known to the registry")


async def log_volunteer_day_hours(
    conn: Connection,
    day_id: UUID,
    organisation_id: UUID,
    centrale_id: str,
    participants: int,
    hours_total: Decimal,
    origin: Origin,
) -> UUID:
    """The organisation logs what the team gave on its day; queue ``VolunteerDayHoursLogged``."""
    async with conn.transaction():
        day = await conn.fetchrow(
            "SELECT * FROM volunteer_days WHERE id = $1 AND matched_organisation_id = $2 AND matched_centrale_id = $3"
            " FOR UPDATE",
            day_id,
            organisation_id,
            centrale_id,
        )
        if day is None:
            raise NotFound(f"volunteer day {day_id} not found for this organisation")
        reasons = []
        if day["on_date"] > utc_now().date():
            reasons.append("hours cannot be logged before the day took place")
        if participants > day["team_size"]:
            reasons.append(f"the team was announced with {day['team_size']} people")
        if hours_total > participants * 24:
            reasons.append("at most 24 hours per participant")
        if reasons:
            raise Rejected(reasons)
        hours_id = uuid4()
        now = utc_now()
        hours_total = hours_total.quantize(Decimal("0.01"))  # as stored: numeric(7, 2)
        await conn.execute(
            "INSERT INTO volunteer_day_hours (id, day_id, participants, hours_total, logged_at)"
            " VALUES ($1, $2, $3, $4, $5)",
            hours_id,
            day_id,
            participants,
            hours_total,
            now,
        )
        await emit(
            conn,
            VolunteerDayHoursLogged(
                day_id=day_id,
                partner_id=day["partner_id"],
                task_id=day["matched_task_id"],
                organisation_id=organisation_id,
                centrale_id=centrale_id,
                participants=participants,
                hours_total=hours_total,
                logged_at=now,
            ),
            origin,
            centrale_id,
        )
    return hours_id
