"""Organisations: where they are, when they registered, whether they were admitted or refused."""

from __future__ import annotations

from collections.abc import Sequence

from common.consumer import BatchContext
from contracts.events import OrganisationAdmitted, OrganisationRefused, OrganisationRegistered
from reporting.projections._common import distinct_runs, records

__all__ = ["on_organisation_admitted", "on_organisation_refused", "on_organisation_registered"]

_REGISTERED = """
    INSERT INTO organisation_facts
        (organisation_id, centrale_id, postcode_area, formal, registered_at, recorded_at, booked_month)
    SELECT r.organisation_id, r.centrale_id, r.postcode_area, r.formal, r.registered_at, r.recorded_at,
           reporting_booked_month(reporting_month(r.registered_at), r.recorded_at, r.centrale_id)
    FROM jsonb_to_recordset($1::jsonb) AS r(organisation_id uuid, centrale_id text, postcode_area text,
                                            formal boolean, registered_at timestamptz, recorded_at timestamptz)
    ON CONFLICT (organisation_id) DO UPDATE SET centrale_id = EXCLUDED.centrale_id,
        postcode_area = EXCLUDED.postcode_area, formal = EXCLUDED.formal, registered_at = EXCLUDED.registered_at,
        recorded_at = EXCLUDED.recorded_at, booked_month = EXCLUDED.booked_month
"""
_VETTED = """
    INSERT INTO organisation_facts (organisation_id, centrale_id, {column})
    SELECT r.organisation_id, r.centrale_id, r.at
    FROM jsonb_to_recordset($1::jsonb) AS r(organisation_id uuid, centrale_id text, at timestamptz)
    ON CONFLICT (organisation_id) DO UPDATE SET {column} = EXCLUDED.{column}
"""


async def on_organisation_registered(events: Sequence[OrganisationRegistered], ctx: BatchContext) -> None:
    """Organisations registered with a centrale (not yet vetted)."""
    for run in distinct_runs(events, ctx, lambda event: event.organisation_id):
        await ctx.conn.execute(_REGISTERED, records([
            {"organisation_id": e.organisation_id, "centrale_id": e.centrale_id, "postcode_area": e.postcode_area,
             "formal": e.formal, "registered_at": e.registered_at, "recorded_at": recorded}
            for e, recorded in run
        ]))  # fmt: skip


async def on_organisation_admitted(events: Sequence[OrganisationAdmitted], ctx: BatchContext) -> None:
    """Staff admitted organisations after vetting."""
    for run in distinct_runs(events, ctx, lambda event: event.organisation_id):
        rows = [
            {"organisation_id": e.organisation_id, "centrale_id": e.centrale_id, "at": e.admitted_at} for e, _ in run
        ]
        await ctx.conn.execute(_VETTED.replace("{column}", "admitted_at"), records(rows))


async def on_organisation_refused(events: Sequence[OrganisationRefused], ctx: BatchContext) -> None:
    """Staff refused organisations."""
    for run in distinct_runs(events, ctx, lambda event: event.organisation_id):
        rows = [
            {"organisation_id": e.organisation_id, "centrale_id": e.centrale_id, "at": e.refused_at} for e, _ in run
        ]
        await ctx.conn.execute(_VETTED.replace("{column}", "refused_at"), records(rows))
