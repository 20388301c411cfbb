"""Proposals: a volunteer put forward for a task is a response to it (no person, no reasons are kept)."""

from __future__ import annotations

from collections.abc import Sequence

from common.consumer import BatchContext
from contracts.events import MatchProposed
from reporting.projections._common import distinct_runs, lock_entities, records

__all__ = ["on_match_proposed"]

_PROPOSED = """
    INSERT INTO proposal_facts (match_id, task_id, proposed_at, via)
    SELECT r.match_id, r.task_id, r.proposed_at, r.via
    FROM jsonb_to_recordset($1::jsonb) AS r(match_id uuid, task_id uuid, proposed_at timestamptz, via text)
    ON CONFLICT (match_id) DO NOTHING
"""


async def on_match_proposed(events: Sequence[MatchProposed], ctx: BatchContext) -> None:
    """Volunteers proposed for tasks (by matching, on their own request, or through regional overflow)."""
    await lock_entities(ctx.conn, tasks=[event.task_id for event in events])
    for run in distinct_runs(events, ctx, lambda event: event.match_id):
        await ctx.conn.execute(_PROPOSED, records([
            {"match_id": e.match_id, "task_id": e.task_id, "proposed_at": e.proposed_at, "via": e.via}
            for e, _ in run
        ]))  # fmt: skip
