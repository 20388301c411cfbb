"""Private calendar feeds: their tokens (as hashes), and the confirmed commitments a feed shows."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

import asyncpg

from common.db import Connection
from registry.repositories._table import Table

__all__ = [
    "CalendarFeed",
    "CalendarFeedRepository",
    "Commitment",
    "PostgresCalendarFeedRepository",
]


@dataclass(frozen=True)
class CalendarFeed:
    """A row of ``calendar_feeds``: whose commitments a secret URL shows; only the token's hash is kept."""

    id: UUID
    token_hash: str
    owner_kind: str
    """``volunteer`` or ``organisation``."""
    owner_id: UUID
    centrale_id: str
    created_at: datetime
    revoked_at: datetime | None = None


@dataclass(frozen=True)
class Commitment:
    """A match that was made and has not ended, with what a calendar needs of its task."""

    match_id: UUID
    made_at: datetime
    task_id: UUID
    title: str
    organisation_name: str
    centrale_id: str
    volunteer_id: UUID
    postcode: str | None = None
    place: str | None = None
    one_off_start: datetime | None = None
    one_off_end: datetime | None = None
    shifts: list[dict[str, Any]] = field(default_factory=list)
    volunteer_name: str | None = None
    """The volunteer's name as the registry holds it (None once erased); shown only with consent."""
    volunteer_consents_to_contact: bool = False
    """Whether the volunteer's latest ``contact_by_organisations`` consent is a grant."""


class CalendarFeedRepository(Protocol):
    """Calendar feeds and the commitments they show."""

    async def add(self, feed: CalendarFeed) -> None:
        """Store a new live feed (the owner's previous one must be revoked first)."""
        ...

    async def revoke_live(self, owner_kind: str, owner_id: UUID, at: datetime) -> bool:
        """Revoke the owner's live feed; False when there was none."""
        ...

    async def live(self, token_hash: str) -> CalendarFeed | None:
        """The live feed whose token hashes to ``token_hash``, or None (unknown or revoked)."""
        ...

    async def commitments_of_volunteer(self, volunteer_id: UUID) -> list[Commitment]:
        """The volunteer's matches that were made and have not ended, oldest first."""
        ...

    async def commitments_of_organisation(self, organisation_id: UUID) -> list[Commitment]:
        """The organisation's matches that were made and have not ended, oldest first."""
        ...


FEEDS = Table("calendar_feeds", CalendarFeed)

_COMMITMENTS = (
    "SELECT m.id AS match_id, m.made_at, t.id AS task_id, t.title, o.name AS organisation_name, m.centrale_id,"
    " m.volunteer_id, t.postcode, a.place, t.one_off_start, t.one_off_end, t.shifts, v.name AS volunteer_name,"
    " coalesce(consent.granted, false) AS volunteer_consents_to_contact"
    " FROM matches m JOIN tasks t ON t.id = m.task_id JOIN organisations o ON o.id = m.organisation_id"
    " LEFT JOIN postcode_areas a ON a.pc4 = t.postcode_area LEFT JOIN volunteers v ON v.id = m.volunteer_id"
    " LEFT JOIN LATERAL (SELECT granted FROM volunteer_consents"
    "   WHERE volunteer_id = m.volunteer_id AND kind = 'contact_by_organisations' ORDER BY id DESC LIMIT 1) consent"
    " ON true"
    " WHERE m.ended_at IS NULL AND m.{owner} = $1 ORDER BY m.made_at, m.id"
)
_COMMITMENT_FIELDS = tuple(f.name for f in fields(Commitment))


def _commitment(row: asyncpg.Record) -> Commitment:
    values = {name: row[name] for name in _COMMITMENT_FIELDS}
    values["shifts"] = json.loads(values["shifts"])
    return Commitment(**values)


class PostgresCalendarFeedRepository:
    """Calendar feeds in PostgreSQL."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def add(self, feed: CalendarFeed) -> None:
        """Store a new live feed."""
        await self._conn.execute(FEEDS.insert(), *FEEDS.values(feed))

    async def revoke_live(self, owner_kind: str, owner_id: UUID, at: datetime) -> bool:
        """Revoke the owner's live feed; False when there was none."""
        status = await self._conn.execute(
            "UPDATE calendar_feeds SET revoked_at = $3 WHERE owner_kind = $1 AND owner_id = $2 AND revoked_at IS NULL",
            owner_kind,
            owner_id,
            at,
        )
        return status != "UPDATE 0"

    async def live(self, token_hash: str) -> CalendarFeed | None:
        """The live feed with this token hash, or None."""
        row = await self._conn.fetchrow(FEEDS.select("token_hash = $1 AND revoked_at IS NULL"), token_hash)
        return FEEDS.load(row) if row is not None else None

    async def commitments_of_volunteer(self, volunteer_id: UUID) -> list[Commitment]:
        """The volunteer's live matches."""
        rows = await self._conn.fetch(_COMMITMENTS.format(owner="volunteer_id"), volunteer_id)
        return [_commitment(row) for row in rows]

    async def commitments_of_organisation(self, organisation_id: UUID) -> list[Commitment]:
        """The organisation's live matches."""
        rows = await self._conn.fetch(_COMMITMENTS.format(owner="organisation_id"), organisation_id)
        return [_commitment(row) for row in rows]
