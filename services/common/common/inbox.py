"""Idempotent inbox: remembers which events a consumer has already applied."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import repeat
from uuid import UUID

import asyncpg

from common.db import Connection

__all__ = ["claim_events"]

_COLUMNS = ("consumer", "event_id", "event_type")


async def claim_events(
    conn: Connection, consumer: str, event_ids: Sequence[UUID], event_types: Sequence[str]
) -> set[UUID]:
    """Record a batch of events (ids and types, same order); returns the ids new to this consumer.

    Call inside the transaction that writes the handlers' effects, so both commit or neither does. An id
    twice in the batch is claimed once.

    Nearly always every event is new, so the rows are COPYed (the cheapest write PostgreSQL has); when
    that meets an id already claimed (a redelivery) the batch is claimed again with ON CONFLICT DO NOTHING,
    which tells exactly which ids are new.
    """
    if not event_ids:
        return set()
    try:
        async with conn.transaction():  # a savepoint: a refused COPY leaves the batch's transaction usable
            await conn.copy_records_to_table(
                "inbox", records=zip(repeat(consumer), event_ids, event_types), columns=_COLUMNS
            )
        return set(event_ids)
    except asyncpg.UniqueViolationError:
        pass
    rows = await conn.fetch(
        "INSERT INTO inbox (consumer, event_id, event_type)"
        " SELECT $1, event_id, event_type FROM unnest($2::uuid[], $3::text[]) AS claimed (event_id, event_type)"
        " ON CONFLICT DO NOTHING RETURNING event_id",
        consumer,
        event_ids,
        event_types,
    )
    return {row[0] for row in rows}
