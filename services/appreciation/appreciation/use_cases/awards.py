"""Facts from the registry's and matching's events, and the awards the centrale's rules give for them.

Every handler locks the volunteer's row first, so events about one volunteer arriving on different topics
at once are applied one after the other and each sees the facts the previous one committed. Awards are
inserted under their deterministic id with ``ON CONFLICT DO NOTHING``; only a new row queues
``AppreciationAwarded`` in the outbox, so redeliveries, replays and concurrent handlers award once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

import asyncpg

from appreciation import domain
from appreciation.domain import Rule, RuleKind, VolunteerFacts
from appreciation.use_cases._shared import Origin, utc_now
from appreciation.use_cases.rules import active_rules, ensure_centrale
from common.db import Connection
from common.outbox import add_to_outbox, make_envelope
from contracts.events import AppreciationAwarded, VolunteerRegistered

__all__ = [
    "VOLUNTEER_KINDS",
    "Trigger",
    "award_anniversaries",
    "erase_volunteer",
    "record_hours",
    "record_match",
    "record_organisation",
    "record_partner_day",
    "record_task",
    "record_volunteer",
]

VOLUNTEER_KINDS = (
    RuleKind.FIRST_MATCH,
    RuleKind.HOURS_MILESTONE,
    RuleKind.ANNIVERSARY,
    RuleKind.NLDOET,
    RuleKind.MDT,
)


@dataclass(frozen=True)
class Trigger:
    """The event that made appreciation look at a recipient again, and the day its fact happened."""

    event_id: UUID
    event_type: str
    on: date


async def _lock_volunteer(
    conn: Connection, volunteer_id: UUID, centrale_id: str, *, confirmed: bool
) -> asyncpg.Record | None:
    """Create or lock the volunteer's row; None for an erased volunteer (nothing is kept about them).

    ``confirmed``: the centrale comes from the volunteer's own events or a match (which name the volunteer's
    centrale), not guessed from hours (which name the task's); a guess is replaced by the first confirmation.
    """
    await ensure_centrale(conn, centrale_id)
    # The row lock comes before the erased check, as in erase_volunteer: an erasure open meanwhile makes this
    # wait, and the check (a later statement, so a later snapshot) then sees it. Checked first, an erasure
    # committing in between would leave this event's facts behind.
    await conn.execute(
        "INSERT INTO volunteers (id, centrale_id, centrale_confirmed) VALUES ($1, $2, $3)"
        " ON CONFLICT (id) DO UPDATE SET centrale_id = EXCLUDED.centrale_id, centrale_confirmed = true"
        " WHERE EXCLUDED.centrale_confirmed AND NOT volunteers.centrale_confirmed",
        volunteer_id,
        centrale_id,
        confirmed,
    )
    volunteer = await conn.fetchrow(
        "SELECT v.*, EXISTS (SELECT 1 FROM erased_volunteers e WHERE e.volunteer_id = v.id) AS erased"
        " FROM volunteers v WHERE v.id = $1 FOR UPDATE OF v",
        volunteer_id,
    )
    if volunteer is None or volunteer["erased"]:
        await conn.execute("DELETE FROM volunteers WHERE id = $1", volunteer_id)
        return None
    return volunteer


async def _facts(conn: Connection, volunteer: asyncpg.Record) -> VolunteerFacts:
    hours = await conn.fetch("SELECT worked_on, hours FROM hours WHERE volunteer_id = $1", volunteer["id"])
    matches = await conn.fetchval("SELECT count(*) FROM matches WHERE volunteer_id = $1", volunteer["id"])
    return VolunteerFacts(
        volunteer_id=volunteer["id"],
        centrale_id=volunteer["centrale_id"],
        age_band=volunteer["age_band"],
        registered_on=volunteer["registered_on"],
        matches=matches,
        hours=[(row["worked_on"], row["hours"]) for row in hours],
    )


async def _grant(
    conn: Connection,
    rule: Rule,
    recipient_id: UUID,
    recipient_kind: str,
    occurrence: str,
    trigger: Trigger,
    origin: Origin,
) -> UUID | None:
    """Insert the award under its deterministic id and queue its event; None when it was awarded before."""
    award_id = domain.award_id_for(rule.centrale_id, rule.rule_id, recipient_id, occurrence)
    title = domain.occurrence_title(rule, occurrence)
    now = utc_now()
    inserted = await conn.fetchval(
        "INSERT INTO awards (award_id, centrale_id, rule_id, rule_kind, title, recipient_id, recipient_kind,"
        " occurrence, trigger_event_id, trigger_event_type, awarded_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (award_id) DO NOTHING RETURNING true",
        award_id, rule.centrale_id, rule.rule_id, rule.kind.value, title, recipient_id, recipient_kind, occurrence,
        trigger.event_id, trigger.event_type, now,
    )  # fmt: skip
    if not inserted:
        return None
    event = AppreciationAwarded(
        award_id=award_id,
        recipient_id=recipient_id,
        recipient_kind=recipient_kind,
        centrale_id=rule.centrale_id,
        rule_id=rule.rule_id,
        rule_kind=rule.kind.value,
        title=title,
        trigger_event_id=trigger.event_id,
        trigger_event_type=trigger.event_type,
        awarded_at=now,
    )
    envelope = make_envelope(
        event,
        source=origin.source,
        tenant=rule.centrale_id,
        region=origin.region,
        correlation_id=origin.correlation_id,
        causation_id=origin.causation_id,
    )
    # The CloudEvents id is the award id: should the award ever be published again (a rebuild from an
    # empty database), consumers' inboxes recognise it as the same event.
    await add_to_outbox(conn, event, envelope.model_copy(update={"id": award_id}))
    return award_id


async def _evaluate(
    conn: Connection,
    volunteer: asyncpg.Record,
    trigger: Trigger,
    origin: Origin,
    kinds: tuple[RuleKind, ...] = VOLUNTEER_KINDS,
) -> list[UUID]:
    """Award every occurrence of the volunteer's centrale's active rules that now holds."""
    facts = await _facts(conn, volunteer)
    awarded = []
    for rule in await active_rules(conn, volunteer["centrale_id"], kinds):
        for occurrence in domain.occurrences(rule, facts, trigger.on):
            award_id = await _grant(conn, rule, volunteer["id"], "volunteer", occurrence, trigger, origin)
            if award_id is not None:
                awarded.append(award_id)
    return awarded


async def record_volunteer(
    conn: Connection,
    volunteer_id: UUID,
    centrale_id: str,
    age_band: str | None,
    registered_at: datetime | None,
    trigger: Trigger,
    origin: Origin,
) -> list[UUID]:
    """Keep the volunteer's age band (and registration day), then award what now holds."""
    volunteer = await _lock_volunteer(conn, volunteer_id, centrale_id, confirmed=True)
    if volunteer is None:
        return []
    if registered_at is not None:
        await conn.execute(
            "UPDATE volunteers SET age_band = $2, registered_on = $3, registration_event_id = $4 WHERE id = $1",
            volunteer_id, age_band, registered_at.date(), trigger.event_id,
        )  # fmt: skip
    else:
        await conn.execute("UPDATE volunteers SET age_band = $2 WHERE id = $1", volunteer_id, age_band)
    volunteer = await conn.fetchrow("SELECT * FROM volunteers WHERE id = $1", volunteer_id)
    assert volunteer is not None
    return await _evaluate(conn, volunteer, trigger, origin)


async def record_match(conn: Connection, match: dict[str, Any], trigger: Trigger, origin: Origin) -> list[UUID]:
    """Keep a match made (first match, and which organisations the volunteer serves); award what now holds."""
    volunteer = await _lock_volunteer(conn, match["volunteer_id"], match["volunteer_centrale_id"], confirmed=True)
    if volunteer is None:
        return []
    await conn.execute(
        "INSERT INTO matches (id, volunteer_id, task_id, organisation_id, centrale_id, volunteer_centrale_id, made_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING",
        match["match_id"], match["volunteer_id"], match["task_id"], match["organisation_id"], match["centrale_id"],
        match["volunteer_centrale_id"], match["made_at"],
    )  # fmt: skip
    return await _evaluate(conn, volunteer, trigger, origin)


async def record_hours(conn: Connection, entry: dict[str, Any], trigger: Trigger, origin: Origin) -> list[UUID]:
    """Keep an hours entry once (by its id), then award the milestones and thresholds it makes hold."""
    # Hours name the task's centrale; for a volunteer not seen yet that is the best guess of theirs.
    volunteer = await _lock_volunteer(conn, entry["volunteer_id"], entry["centrale_id"], confirmed=False)
    if volunteer is None:
        return []
    await conn.execute(
        "INSERT INTO hours (id, volunteer_id, match_id, task_id, organisation_id, centrale_id, theme, worked_on,"
        " hours, event_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (id) DO NOTHING",
        entry["hours_id"], entry["volunteer_id"], entry["match_id"], entry["task_id"], entry["organisation_id"],
        entry["centrale_id"], entry["theme"], entry["worked_on"], entry["hours"], trigger.event_id,
    )  # fmt: skip
    return await _evaluate(conn, volunteer, trigger, origin)


async def record_partner_day(
    conn: Connection, partner_id: UUID, day_id: UUID, centrale_id: str, participants: int, trigger: Trigger,
    origin: Origin,
) -> list[UUID]:  # fmt: skip
    """Thank a business partner for a team day, once per day, under the organisation's centrale's rules."""
    awarded = []
    for rule in await active_rules(conn, centrale_id, (RuleKind.PARTNER_TEAM_DAY,)):
        if domain.partner_day_qualifies(rule, participants):
            award_id = await _grant(conn, rule, partner_id, "business_partner", str(day_id), trigger, origin)
            if award_id is not None:
                awarded.append(award_id)
    return awarded


async def record_organisation(conn: Connection, organisation_id: UUID, centrale_id: str, name: str) -> None:
    """Keep the organisation's name (certificates list where a volunteer served)."""
    await conn.execute(
        "INSERT INTO organisations (id, centrale_id, name) VALUES ($1, $2, $3)"
        " ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, centrale_id = EXCLUDED.centrale_id",
        organisation_id,
        centrale_id,
        name,
    )


async def record_task(
    conn: Connection, task_id: UUID, organisation_id: UUID, centrale_id: str, theme: str, skills: list[str]
) -> None:
    """Keep a task's theme and skills (certificates list tasks and the skills they used)."""
    await conn.execute(
        "INSERT INTO tasks (id, organisation_id, centrale_id, theme, skills) VALUES ($1, $2, $3, $4, $5)"
        " ON CONFLICT (id) DO UPDATE SET theme = EXCLUDED.theme, skills = EXCLUDED.skills",
        task_id,
        organisation_id,
        centrale_id,
        theme,
        skills,
    )


async def erase_volunteer(conn: Connection, volunteer_id: UUID, centrale_id: str, erased_at: datetime) -> None:
    """Forget the volunteer: their facts go, awards, certificates and allowances stay as anonymous rows."""
    # Lock the row first, or hold its place when there is none yet: an event for the volunteer applied
    # meanwhile waits for this transaction and then finds the erasure (see _lock_volunteer).
    await conn.execute(
        "INSERT INTO volunteers (id, centrale_id) VALUES ($1, $2)"
        " ON CONFLICT (id) DO UPDATE SET centrale_id = volunteers.centrale_id",
        volunteer_id,
        centrale_id,
    )
    await conn.execute(
        "INSERT INTO erased_volunteers (volunteer_id, erased_at) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        volunteer_id,
        erased_at,
    )
    await conn.execute("DELETE FROM hours WHERE volunteer_id = $1", volunteer_id)
    await conn.execute("DELETE FROM matches WHERE volunteer_id = $1", volunteer_id)
    await conn.execute("DELETE FROM volunteers WHERE id = $1", volunteer_id)
    for table in ("awards", "certificates", "allowances"):
        column = "recipient_id" if table == "awards" else "volunteer_id"
        # Table and column names are the constants above, never input.
        await conn.execute(f"UPDATE {table} SET {column} = NULL WHERE {column} = $1", volunteer_id)  # noqa: S608


async def award_anniversaries(pool: asyncpg.Pool, today: date, origin: Origin) -> int:
    """Award anniversaries reached by ``today`` (run daily; events award them too, when they come after).

    The trigger is the volunteer's registration, the fact being celebrated, so the award is the same
    whichever run or event finds it first.
    """
    async with pool.acquire() as conn:
        candidates = await conn.fetch(
            "SELECT v.id FROM volunteers v WHERE v.registered_on <= $1 AND v.registration_event_id IS NOT NULL"
            " AND EXISTS (SELECT 1 FROM hours h WHERE h.volunteer_id = v.id)",
            domain.add_months(today, -12),
        )
    awarded = 0
    for candidate in candidates:
        async with pool.acquire() as conn, conn.transaction():
            volunteer = await conn.fetchrow("SELECT * FROM volunteers WHERE id = $1 FOR UPDATE", candidate["id"])
            if volunteer is None:
                continue  # erased meanwhile
            trigger = Trigger(volunteer["registration_event_id"], VolunteerRegistered.event_type, today)
            awarded += len(await _evaluate(conn, volunteer, trigger, origin, (RuleKind.ANNIVERSARY,)))
    return awarded
