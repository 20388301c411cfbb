"""Crypto-shredding at the registry's outbox door: volunteer profiles leave sealed, erasure destroys the key.

Every event the registry emits passes through ``seal_outgoing`` (its unit of work's ``emit_all``), so no path
(a use case, an import, a job) can publish a profile value (area, age band, skills, support need, target
group, ...) in clear:

- a profile event (``sealed_fields``) is sealed with the volunteer's data key; a volunteer without one gets
  a new key first, and ``VolunteerKeyIssued`` (the key wrapped with the region's key) is queued before the
  event, on the compacted key topic the relay publishes first;
- ``VolunteerErased`` deletes the key and queues a tombstone for it on the key topic.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from common.db import Connection
from common.outbox import add_tombstone_to_outbox
from common.sealing import KeyEncryptionKey, new_data_key, seal_profile
from common.uow import Outgoing
from contracts.events import (
    KEY_TOPIC,
    VolunteerErased,
    VolunteerKeyIssued,
    VolunteerProfileUpdated,
    VolunteerRegistered,
)

__all__ = ["seal_outgoing"]

# The events with sealed fields (``sealed_fields``); a test keeps this in step with the contracts.
_PROFILE_EVENTS = (VolunteerRegistered, VolunteerProfileUpdated)


async def _keys_of(
    conn: Connection, volunteers: dict[UUID, str], kek: KeyEncryptionKey, now: datetime
) -> tuple[dict[UUID, bytes], list[Outgoing]]:
    """The data keys of these volunteers (id → centrale), creating missing ones; the key events to queue first."""
    rows = await conn.fetch(
        "SELECT volunteer_id, data_key FROM volunteer_data_keys WHERE volunteer_id = ANY($1::uuid[])", list(volunteers)
    )
    keys = {row["volunteer_id"]: bytes(row["data_key"]) for row in rows}
    missing = [volunteer_id for volunteer_id in volunteers if volunteer_id not in keys]
    if not missing:
        return keys, []
    fresh = {volunteer_id: new_data_key() for volunteer_id in missing}
    # The volunteer's row is locked by the use case, so nobody creates their key meanwhile; ON CONFLICT anyway.
    created = await conn.fetch(
        "INSERT INTO volunteer_data_keys (volunteer_id, data_key)"
        " SELECT * FROM unnest($1::uuid[], $2::bytea[]) ON CONFLICT (volunteer_id) DO NOTHING RETURNING volunteer_id",
        list(fresh),
        list(fresh.values()),
    )
    issued = []
    for row in created:
        volunteer_id = row["volunteer_id"]
        keys[volunteer_id] = fresh[volunteer_id]
        event = VolunteerKeyIssued(
            volunteer_id=volunteer_id,
            centrale_id=volunteers[volunteer_id],
            wrapped_key=kek.wrap(fresh[volunteer_id], volunteer_id),
            kek_fingerprint=kek.fingerprint,
            issued_at=now,
        )
        issued.append(Outgoing(event, volunteers[volunteer_id]))
    if len(created) < len(missing):
        # Someone else created it after all: read theirs.
        again = await conn.fetch(
            "SELECT volunteer_id, data_key FROM volunteer_data_keys WHERE volunteer_id = ANY($1::uuid[])",
            [volunteer_id for volunteer_id in missing if volunteer_id not in keys],
        )
        keys.update({row["volunteer_id"]: bytes(row["data_key"]) for row in again})
    return keys, issued


async def seal_outgoing(
    conn: Connection, events: Sequence[Outgoing], kek: KeyEncryptionKey, now: datetime
) -> list[Outgoing]:
    """``events`` as they may leave the registry: key events first, profiles sealed, erased keys gone."""
    erased = [o.event.volunteer_id for o in events if isinstance(o.event, VolunteerErased)]
    if erased:
        await conn.execute("DELETE FROM volunteer_data_keys WHERE volunteer_id = ANY($1::uuid[])", erased)
        for volunteer_id in erased:
            await add_tombstone_to_outbox(conn, KEY_TOPIC, str(volunteer_id))
    profiles = {
        o.event.volunteer_id: o.event.centrale_id
        for o in events
        if isinstance(o.event, _PROFILE_EVENTS) and o.event.volunteer_id not in erased
    }
    if not profiles:
        return list(events)
    keys, issued = await _keys_of(conn, profiles, kek, now)
    sealed = [
        Outgoing(seal_profile(o.event, keys[UUID(o.event.subject())]), o.tenant, o.event_id, o.origin)
        if UUID(o.event.subject()) in keys and type(o.event).sealed_fields
        else o
        for o in events
    ]
    return issued + sealed
