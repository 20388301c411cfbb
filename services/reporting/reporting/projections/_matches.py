"""Matches: made and ended, crediting both centrales after regional overflow (their hours too); first matches
follow them."""

from __future__ import annotations

from collections.abc import Sequence

from common.consumer import BatchContext
from contracts.events import MatchEnded, MatchMade
from reporting.projections._common import distinct_runs, hold_erasures_off, id_hash, lock_entities, records
from reporting.projections._tasks import refresh_first_matches

__all__ = ["on_match_ended", "on_match_made"]

# The person key is NULL when the volunteer id was erased (checked after the erasure gate).
_MADE = """
    INSERT INTO match_facts (match_id, task_id, person_key, centrale_id, volunteer_centrale_id, made_at,
        recorded_at, booked_month, task_area)
    SELECT r.match_id, r.task_id,
           CASE WHEN EXISTS (SELECT 1 FROM erased_volunteers e WHERE e.id_hash = r.id_hash) THEN NULL
                ELSE r.volunteer_id END,
           r.centrale_id, r.volunteer_centrale_id, r.made_at, r.recorded_at,
           reporting_booked_month(reporting_month(r.made_at), r.recorded_at, r.centrale_id),
           (SELECT t.postcode_area FROM task_facts t WHERE t.task_id = r.task_id)
    FROM jsonb_to_recordset($1::jsonb) AS r(match_id uuid, task_id uuid, volunteer_id uuid, centrale_id text,
        volunteer_centrale_id text, made_at timestamptz, recorded_at timestamptz, id_hash bytea)
    ON CONFLICT (match_id) DO UPDATE SET made_at = EXCLUDED.made_at, recorded_at = EXCLUDED.recorded_at,
        booked_month = EXCLUDED.booked_month
"""
_ENDED = """
    INSERT INTO match_facts (match_id, task_id, person_key, centrale_id, volunteer_centrale_id, ended_at, end_reason,
        task_area)
    SELECT r.match_id, r.task_id,
           CASE WHEN EXISTS (SELECT 1 FROM erased_volunteers e WHERE e.id_hash = r.id_hash) THEN NULL
                ELSE r.volunteer_id END,
           r.centrale_id, r.volunteer_centrale_id, r.ended_at, r.reason,
           (SELECT t.postcode_area FROM task_facts t WHERE t.task_id = r.task_id)
    FROM jsonb_to_recordset($1::jsonb) AS r(match_id uuid, task_id uuid, volunteer_id uuid, centrale_id text,
        volunteer_centrale_id text, ended_at timestamptz, reason text, id_hash bytea)
    ON CONFLICT (match_id) DO UPDATE SET ended_at = EXCLUDED.ended_at, end_reason = EXCLUDED.end_reason
"""
# A volunteer's first match ends their wait.
_VOLUNTEERS_FIRST_MATCH = """
    UPDATE volunteer_facts v SET first_match_at = f.first
    FROM (
        SELECT m.person_key, min(m.made_at) AS first FROM match_facts m
        WHERE m.person_key IN (SELECT person_key FROM match_facts WHERE match_id = ANY($1::uuid[]))
        GROUP BY m.person_key
    ) f
    WHERE v.person_key = f.person_key AND v.first_match_at IS DISTINCT FROM f.first
"""

# Hours that arrived before their match (another topic) learn the volunteer's home centrale now; the triggers
# then credit it with them too (regional overflow). A match's hours are on its task, so they are found through
# the task index: hours_facts has no index on match_id (one more on every hours row), and without one this
# statement read every hours fact per batch (6-9 s at 100,000 volunteers).
_HOURS_HOME = """
    UPDATE hours_facts h SET home_centrale_id = m.volunteer_centrale_id
    FROM match_facts m
    WHERE m.match_id = ANY($1::uuid[]) AND h.task_id = m.task_id AND h.match_id = m.match_id
      AND m.volunteer_centrale_id <> h.centrale_id AND h.home_centrale_id IS DISTINCT FROM m.volunteer_centrale_id
"""


async def on_match_made(events: Sequence[MatchMade], ctx: BatchContext) -> None:
    """Volunteers matched; both centrales are kept, since regional overflow credits both.

    An earlier match than a task's or a volunteer's first one so far becomes their first match.
    """
    await hold_erasures_off(ctx.conn)
    await lock_entities(ctx.conn, tasks=[e.task_id for e in events], persons=[e.volunteer_id for e in events])
    for run in distinct_runs(events, ctx, lambda event: event.match_id):
        await ctx.conn.execute(_MADE, records([
            {"match_id": e.match_id, "task_id": e.task_id, "volunteer_id": e.volunteer_id,
             "centrale_id": e.centrale_id, "volunteer_centrale_id": e.volunteer_centrale_id, "made_at": e.made_at,
             "recorded_at": recorded, "id_hash": id_hash(e.volunteer_id)}
            for e, recorded in run
        ]))  # fmt: skip
        await refresh_first_matches(ctx.conn, list({e.task_id for e, _ in run}))
        await ctx.conn.execute(_VOLUNTEERS_FIRST_MATCH, [e.match_id for e, _ in run])
        await ctx.conn.execute(_HOURS_HOME, [e.match_id for e, _ in run])


async def on_match_ended(events: Sequence[MatchEnded], ctx: BatchContext) -> None:
    """Matches ended: they no longer count as still active at their 3, 6 or 12 month mark after this."""
    await hold_erasures_off(ctx.conn)
    # The volunteer's turn too: the end changes their supply, which their registration recomputes as well.
    await lock_entities(ctx.conn, tasks=[e.task_id for e in events], persons=[e.volunteer_id for e in events])
    for run in distinct_runs(events, ctx, lambda event: event.match_id):
        await ctx.conn.execute(_ENDED, records([
            {"match_id": e.match_id, "task_id": e.task_id, "volunteer_id": e.volunteer_id,
             "centrale_id": e.centrale_id, "volunteer_centrale_id": e.volunteer_centrale_id, "ended_at": e.ended_at,
             "reason": e.reason, "id_hash": id_hash(e.volunteer_id)}
            for e, _ in run
        ]))  # fmt: skip
