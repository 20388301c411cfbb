"""Volunteers: profiles (only what a KPI needs), registrations, consents and erasure."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import uuid4

from common.consumer import BatchContext
from common.db import Connection
from contracts.events import VolunteerConsentChanged, VolunteerErased, VolunteerProfileUpdated, VolunteerRegistered
from reporting.projections._common import ERASURE_GATE, distinct_runs, id_hash, lock_entities, records

__all__ = [
    "on_volunteer_consent_changed",
    "on_volunteer_erased",
    "on_volunteer_profile_updated",
    "on_volunteer_registered",
]

_PROFILE = """
    INSERT INTO volunteer_facts
        (person_key, centrale_id, postcode_area, age_band, target_groups, interests, skills, max_distance_km,
         matching_consent, profile_at)
    SELECT r.person_key, r.centrale_id, r.postcode_area, r.age_band, r.target_groups, r.interests, r.skills,
           r.max_distance_km, r.matching_consent, r.profile_at
    FROM jsonb_to_recordset($1::jsonb) AS r(
        person_key uuid, centrale_id text, postcode_area text, age_band text, target_groups text[], interests text[],
        skills text[], max_distance_km integer, matching_consent boolean, profile_at timestamptz, id_hash bytea)
    WHERE NOT EXISTS (SELECT 1 FROM erased_volunteers e WHERE e.id_hash = r.id_hash)
    ON CONFLICT (person_key) DO UPDATE SET
        centrale_id = EXCLUDED.centrale_id, postcode_area = EXCLUDED.postcode_area, age_band = EXCLUDED.age_band,
        target_groups = EXCLUDED.target_groups, interests = EXCLUDED.interests, skills = EXCLUDED.skills,
        max_distance_km = EXCLUDED.max_distance_km, matching_consent = EXCLUDED.matching_consent,
        profile_at = EXCLUDED.profile_at
    WHERE volunteer_facts.profile_at <= EXCLUDED.profile_at
"""
# A registration: when (and when the registry recorded it); matches may have come first (another topic),
# and the first of them ends the volunteer's wait.
_REGISTERED = """
    UPDATE volunteer_facts v SET registered_at = r.registered_at, recorded_at = r.recorded_at,
        booked_month = reporting_booked_month(reporting_month(r.registered_at), r.recorded_at, v.centrale_id),
        first_match_at = (SELECT min(m.made_at) FROM match_facts m WHERE m.person_key = v.person_key)
    FROM jsonb_to_recordset($1::jsonb) AS r(person_key uuid, registered_at timestamptz, recorded_at timestamptz)
    WHERE v.person_key = r.person_key
"""


def _profile(event: VolunteerRegistered | VolunteerProfileUpdated, at: Any) -> dict[str, Any]:
    return {
        "person_key": event.volunteer_id, "centrale_id": event.centrale_id, "postcode_area": event.postcode_area,
        "age_band": event.age_band, "target_groups": sorted(set(event.target_groups)),
        "interests": sorted(set(event.interests)), "skills": sorted(set(event.skills)),
        "max_distance_km": event.max_distance_km, "matching_consent": event.matching_consent, "profile_at": at,
        "id_hash": id_hash(event.volunteer_id),
    }  # fmt: skip


async def on_volunteer_registered(events: Sequence[VolunteerRegistered], ctx: BatchContext) -> None:
    """New volunteers: their profile, and when they registered (and the registry recorded it)."""
    await lock_entities(ctx.conn, persons=[event.volunteer_id for event in events])
    for run in distinct_runs(events, ctx, lambda event: event.volunteer_id):
        await ctx.conn.execute(_PROFILE, records([_profile(event, event.registered_at) for event, _ in run]))
        await ctx.conn.execute(_REGISTERED, records([
            {"person_key": event.volunteer_id, "registered_at": event.registered_at, "recorded_at": recorded}
            for event, recorded in run
        ]))  # fmt: skip


async def on_volunteer_profile_updated(events: Sequence[VolunteerProfileUpdated], ctx: BatchContext) -> None:
    """New area, age band, labels (only consented ones travel), interests, skills, reach or matching consent."""
    await lock_entities(ctx.conn, persons=[event.volunteer_id for event in events])
    for run in distinct_runs(events, ctx, lambda event: event.volunteer_id):
        await ctx.conn.execute(_PROFILE, records([_profile(event, event.updated_at) for event, _ in run]))


async def _consent_changed(event: VolunteerConsentChanged, ctx: BatchContext, _: int) -> None:
    """A withdrawn label consent drops the labels at once; the matching consent decides who waits for a match."""
    if event.consent == "target_group_labels" and not event.granted:
        await ctx.conn.execute(
            "UPDATE volunteer_facts SET target_groups = '{}' WHERE person_key = $1 AND profile_at <= $2",
            event.volunteer_id,
            event.changed_at,
        )
    elif event.consent == "matching":
        await ctx.conn.execute(
            "UPDATE volunteer_facts SET matching_consent = $3 WHERE person_key = $1 AND profile_at <= $2",
            event.volunteer_id,
            event.changed_at,
            event.granted,
        )


async def on_volunteer_consent_changed(events: Sequence[VolunteerConsentChanged], ctx: BatchContext) -> None:
    """Consents, one by one (rare)."""
    await lock_entities(ctx.conn, persons=[event.volunteer_id for event in events])
    for index, event in enumerate(events):
        await _consent_changed(event, ctx, index)


async def _erase(conn: Connection, event: VolunteerErased) -> None:
    """Forget the id: a random surrogate takes its place in every fact, so every figure stays the same."""
    await conn.execute("SELECT pg_advisory_xact_lock($1)", ERASURE_GATE)
    await lock_entities(conn, persons=[event.volunteer_id])
    surrogate = uuid4()
    await conn.execute(
        "INSERT INTO erased_volunteers (id_hash, erased_at) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        id_hash(event.volunteer_id),
        event.erased_at,
    )
    await conn.execute(
        "UPDATE volunteer_facts SET person_key = $2, erased_at = $3 WHERE person_key = $1",
        event.volunteer_id,
        surrogate,
        event.erased_at,
    )
    # The aggregates follow through their triggers: the person's activity and people lists move to the surrogate.
    for table in ("match_facts", "hours_facts"):
        await conn.execute(f"UPDATE {table} SET person_key = $2 WHERE person_key = $1", event.volunteer_id, surrogate)  # noqa: S608


async def on_volunteer_erased(events: Sequence[VolunteerErased], ctx: BatchContext) -> None:
    """Erasures, one by one (rare)."""
    for event in events:
        await _erase(ctx.conn, event)
