"""Matches as matching reported them, and the hours logged for them."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol
from uuid import UUID

from common.db import Connection
from common.locks import KeyedLock, keyed_xact_lock
from registry.repositories._table import Table

__all__ = [
    "Hours",
    "HoursChange",
    "HoursRepository",
    "Match",
    "MatchRepository",
    "PostgresHoursRepository",
    "PostgresMatchRepository",
]


@dataclass(frozen=True)
class Match:
    """A row of ``matches``: what ``MatchMade`` said (hours can only be logged for one of these)."""

    id: UUID
    task_id: UUID
    volunteer_id: UUID
    organisation_id: UUID
    centrale_id: str
    """The task's centrale."""
    volunteer_centrale_id: str
    """The volunteer's centrale (another one for a regional overflow match)."""
    made_at: datetime
    ended_at: datetime | None = None
    """When matching reported the match ended (``MatchEnded``)."""


@dataclass(frozen=True)
class Hours:
    """A row of ``hours``: one entry for one match and day."""

    id: UUID
    match_id: UUID
    volunteer_id: UUID
    task_id: UUID
    organisation_id: UUID
    centrale_id: str
    worked_on: date
    hours: Decimal
    """As stored: ``numeric(4, 2)``, so two decimals."""
    logged_by: str
    status: str
    """``pending`` (a volunteer's, waiting for the organisation), ``confirmed`` (it counts), ``rejected``."""
    logged_at: datetime
    confirmed_at: datetime | None = None
    rejected_at: datetime | None = None
    corrected_at: datetime | None = None
    """When the amount was last corrected."""


@dataclass(frozen=True)
class HoursChange:
    """A row of ``hours_changes``: one rejection or correction of an entry, with its reason."""

    id: UUID
    hours_id: UUID
    volunteer_id: UUID
    change: str
    """``rejected`` or ``corrected``."""
    previous_hours: Decimal
    hours: Decimal | None
    """The corrected amount; None for a rejection."""
    reason: str
    """A category (``HoursRejectionReason`` or ``HoursCorrectionReason``)."""
    note: str | None
    """In the organisation's or volunteer's words: kept here only, blanked when the volunteer is erased."""
    changed_by: str
    """``organisation`` or ``volunteer``."""
    actor: str
    """The credential or account that made the change (as the audit trail names actors)."""
    changed_at: datetime


class MatchRepository(Protocol):
    """Matches the registry learned from matching."""

    async def add(self, match: Match) -> bool:
        """Store a match; False when it was stored before (a redelivered ``MatchMade``)."""
        ...

    async def count_for_task(self, task_id: UUID) -> int:
        """How many matches the task has."""
        ...

    async def find(
        self,
        match_id: UUID,
        centrale_id: str,
        *,
        organisation_id: UUID | None = None,
        volunteer_id: UUID | None = None,
    ) -> Match | None:
        """The match if it concerns ``centrale_id`` (the task's or the volunteer's centrale) and, when given,
        belongs to the organisation or the volunteer; None otherwise."""
        ...

    async def of_volunteer(self, volunteer_id: UUID) -> list[Match]:
        """The volunteer's matches, oldest first."""
        ...

    async def one_off_ended_between(self, since: datetime, until: datetime) -> list[Match]:
        """Matches to one-off tasks whose day ended in [``since``, ``until``), by id."""
        ...

    async def end(self, match_id: UUID, at: datetime) -> bool:
        """Record that the match ended at ``at``; False when it is unknown or ended before."""
        ...


class HoursRepository(Protocol):
    """Hours logged for matches."""

    async def add(self, hours: Hours) -> None:
        """Store an entry."""
        ...

    async def get(self, hours_id: UUID, organisation_id: UUID, centrale_id: str, *, lock: bool = False) -> Hours | None:
        """The organisation's entry within the centrale, or None; ``lock``: until the transaction ends."""
        ...

    async def get_of_volunteer(self, hours_id: UUID, volunteer_id: UUID, *, lock: bool = False) -> Hours | None:
        """The volunteer's own entry (whichever centrale's task it was for), or None."""
        ...

    async def confirm(self, hours_id: UUID, at: datetime) -> None:
        """Mark an entry confirmed."""
        ...

    async def save(self, hours: Hours) -> None:
        """Write an entry's amount, status and the moments it was confirmed, rejected and corrected."""
        ...

    async def serialise_volunteer(self, volunteer_id: UUID) -> None:
        """Hold back other transactions logging hours for this volunteer until this one ends."""
        ...

    async def total_on(self, volunteer_id: UUID, day: date, *, excluding: UUID | None = None) -> Decimal:
        """Hours logged for the volunteer on ``day`` across every match (pending or confirmed, not rejected),
        leaving out the entry ``excluding``."""
        ...

    async def of_volunteer(self, volunteer_id: UUID) -> list[Hours]:
        """The volunteer's entries by day worked, then by when they were logged."""
        ...

    async def of_organisation(
        self, organisation_id: UUID, centrale_id: str, status: str | None = None, limit: int = 200
    ) -> list[Hours]:
        """The organisation's entries in the centrale (of one status when given): waiting first, then newest."""
        ...

    async def add_change(self, change: HoursChange) -> None:
        """Record a rejection or correction."""
        ...

    async def changes_of(self, hours_ids: Collection[UUID]) -> list[HoursChange]:
        """The rejections and corrections of those entries, oldest first."""
        ...


MATCHES = Table("matches", Match)
HOURS = Table("hours", Hours)
HOURS_CHANGES = Table("hours_changes", HoursChange)
# What changes on an entry after it was logged (``save``).
_HOURS_MUTABLE = ("hours", "status", "confirmed_at", "rejected_at", "corrected_at")


class PostgresMatchRepository:
    """Matches in PostgreSQL."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def add(self, match: Match) -> bool:
        """Store a match; False when it was stored before."""
        added = await self._conn.fetchval(
            MATCHES.insert(then="ON CONFLICT (id) DO NOTHING RETURNING true"), *MATCHES.values(match)
        )
        return bool(added)

    async def count_for_task(self, task_id: UUID) -> int:
        """How many matches the task has."""
        count: int = await self._conn.fetchval("SELECT count(*) FROM matches WHERE task_id = $1", task_id)
        return count

    async def find(
        self,
        match_id: UUID,
        centrale_id: str,
        *,
        organisation_id: UUID | None = None,
        volunteer_id: UUID | None = None,
    ) -> Match | None:
        """The match if it concerns the centrale and belongs to the organisation or volunteer given."""
        row = await self._conn.fetchrow(
            MATCHES.select(
                "id = $1 AND (centrale_id = $2 OR volunteer_centrale_id = $2)"
                " AND ($3::uuid IS NULL OR organisation_id = $3) AND ($4::uuid IS NULL OR volunteer_id = $4)"
            ),
            match_id,
            centrale_id,
            organisation_id,
            volunteer_id,
        )
        return MATCHES.load(row) if row is not None else None

    async def of_volunteer(self, volunteer_id: UUID) -> list[Match]:
        """The volunteer's matches, oldest first."""
        rows = await self._conn.fetch(MATCHES.select("volunteer_id = $1", then="ORDER BY made_at, id"), volunteer_id)
        return MATCHES.load_all(rows)

    async def one_off_ended_between(self, since: datetime, until: datetime) -> list[Match]:
        """Matches to one-off tasks whose day (its end, else its start) ended in [``since``, ``until``)."""
        rows = await self._conn.fetch(
            MATCHES.select(
                "task_id IN (SELECT t.id FROM tasks t WHERE t.one_off_start IS NOT NULL"
                " AND coalesce(t.one_off_end, t.one_off_start) >= $1"
                " AND coalesce(t.one_off_end, t.one_off_start) < $2)",
                then="ORDER BY id",
            ),
            since,
            until,
        )
        return MATCHES.load_all(rows)

    async def end(self, match_id: UUID, at: datetime) -> bool:
        """Record that the match ended; False when it is unknown or ended before."""
        status = await self._conn.execute(
            "UPDATE matches SET ended_at = $2 WHERE id = $1 AND ended_at IS NULL", match_id, at
        )
        return status != "UPDATE 0"


class PostgresHoursRepository:
    """Hours in PostgreSQL."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def add(self, hours: Hours) -> None:
        """Store an entry."""
        await self._conn.execute(HOURS.insert(), *HOURS.values(hours))

    async def get(self, hours_id: UUID, organisation_id: UUID, centrale_id: str, *, lock: bool = False) -> Hours | None:
        """The organisation's entry within the centrale, or None."""
        row = await self._conn.fetchrow(
            HOURS.select("id = $1 AND organisation_id = $2 AND centrale_id = $3", then="FOR UPDATE" if lock else ""),
            hours_id,
            organisation_id,
            centrale_id,
        )
        return HOURS.load(row) if row is not None else None

    async def get_of_volunteer(self, hours_id: UUID, volunteer_id: UUID, *, lock: bool = False) -> Hours | None:
        """The volunteer's own entry, or None."""
        row = await self._conn.fetchrow(
            HOURS.select("id = $1 AND volunteer_id = $2", then="FOR UPDATE" if lock else ""), hours_id, volunteer_id
        )
        return HOURS.load(row) if row is not None else None

    async def confirm(self, hours_id: UUID, at: datetime) -> None:
        """Mark an entry confirmed."""
        await self._conn.execute(HOURS.update(["status", "confirmed_at"]), hours_id, "confirmed", at)

    async def save(self, hours: Hours) -> None:
        """Write an entry's amount, status and the moments it was confirmed, rejected and corrected."""
        await self._conn.execute(HOURS.update(_HOURS_MUTABLE), *HOURS.changes(hours, _HOURS_MUTABLE))

    async def serialise_volunteer(self, volunteer_id: UUID) -> None:
        """Hold back other transactions logging hours for this volunteer until this one ends."""
        await keyed_xact_lock(self._conn, KeyedLock.VOLUNTEER_HOURS, str(volunteer_id))

    async def total_on(self, volunteer_id: UUID, day: date, *, excluding: UUID | None = None) -> Decimal:
        """Hours logged for the volunteer on ``day`` (not rejected), leaving out the entry ``excluding``."""
        total: Decimal = await self._conn.fetchval(
            "SELECT coalesce(sum(hours), 0) FROM hours WHERE volunteer_id = $1 AND worked_on = $2"
            " AND status <> 'rejected' AND id IS DISTINCT FROM $3",
            volunteer_id,
            day,
            excluding,
        )
        return total

    async def of_volunteer(self, volunteer_id: UUID) -> list[Hours]:
        """The volunteer's entries by day worked, then by when they were logged."""
        rows = await self._conn.fetch(
            HOURS.select("volunteer_id = $1", then="ORDER BY worked_on, logged_at"), volunteer_id
        )
        return HOURS.load_all(rows)

    async def of_organisation(
        self, organisation_id: UUID, centrale_id: str, status: str | None = None, limit: int = 200
    ) -> list[Hours]:
        """The organisation's entries in the centrale (of one status when given): waiting first, then newest day."""
        rows = await self._conn.fetch(
            HOURS.select(
                "organisation_id = $1 AND centrale_id = $2 AND ($3::text IS NULL OR status = $3)",
                then="ORDER BY status <> 'pending', worked_on DESC, logged_at DESC, id LIMIT $4",
            ),
            organisation_id,
            centrale_id,
            status,
            limit,
        )
        return HOURS.load_all(rows)

    async def add_change(self, change: HoursChange) -> None:
        """Record a rejection or correction."""
        await self._conn.execute(HOURS_CHANGES.insert(), *HOURS_CHANGES.values(change))

    async def changes_of(self, hours_ids: Collection[UUID]) -> list[HoursChange]:
        """The rejections and corrections of those entries, oldest first."""
        rows = await self._conn.fetch(
            HOURS_CHANGES.select("hours_id = ANY($1::uuid[])", then="ORDER BY changed_at, id"), list(hours_ids)
        )
        return HOURS_CHANGES.load_all(rows)
