"""Idempotent inbox: remembers which events a consumer has already applied."""

from __future__ import annotations

from uuid import UUID

from common.db import Connection

__all__ = ["claim_event"]


async def claim_event(conn: Connection, consumer: str, event_id: UUID, event_type: str) -> bool:
    """Record that ``consumer`` applies ``event_id``; False when it already did (skip the effects).

    Call inside the transaction that writes the handler's effects, so both commit or neither does.
    """
    inserted = await conn.fetchval(
        "INSERT INTO inbox (consumer, event_id, event_type) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING true",
        consumer,
        event_id,
        event_type,
    )
    return bool(inserted)
