"""Idempotent inbox: remembers which events a consumer has already applied."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from common.db import Connection

__all__ = ["claim_events"]


async def claim_events(
    conn: Connection, consumer: str, event_ids: Sequence[UUID], event_types: Sequence[str]
) -> set[UUID]:
    """Record a batch of events (ids and types, same order) in one statement; returns the ids new to it.

    Call inside the transaction that writes the handlers' effects, so both commit or neither does. An id twice in
    the batch is claimed once.
    """
    if not event_ids:
        return set()
    rows = await conn.fetch(
        "INSERT INTO inbox (consumer, event_id, event_type)"
        " SELECT $1, event_id, event_type FROM unnest($2::uuid[], $3::text[]) AS claimed (event_id, event_type)"
        " ON CONFLICT DO NOTHING RETURNING event_id",
        consumer,
        event_ids,
        event_types,
    )
    return {row[0] for row in rows}
