"""Volunteers as appreciation knows them (with the tombstones of erased ones), their hours and their matches.

The erasure and every event about a volunteer take the volunteer's row lock first (the erasure creating
the row when there is none), and an event checks the tombstone only after it: a later statement, so a
later snapshot, that sees an erasure that committed while the event waited. Checked before the lock, an
erasure committing in between would leave the event's facts behind.
"""

from __future__ import annotations

import operator
from collections.abc import Collection, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol
from uuid import UUID

from appreciation.domain import HoursEntry, Match, Volunteer
from appreciation.repositories import _sql
from common.db import Connection
from common.locks import KeyedLock, keyed_xact_locks

__all__ = [
    "HoursRepository",
    "MatchRepository",
    "PostgresHoursRepository",
    "PostgresMatchRepository",
    "PostgresVolunteerRepository",
    "VolunteerRepository",
]


class VolunteerRepository(Protocol):
    """Volunteers (pseudonymous) and the tombstones of erased ones."""

    async def claim(self, centrales: Mapping[UUID, str], *, confirmed: bool) -> dict[UUID, Volunteer]:
        """Create or lock each volunteer (with the centrale given), in id order; the ones not erased, by id.

        A new volunteer gets the centrale given. ``confirmed``: that centrale is the volunteer's own (from
        their events or a match), not guessed from hours (which name the task's); a guess is replaced by
        the first confirmation. An erased volunteer's row is removed again: nothing is kept about them.
        """
        ...

    async def wait_turns(self, volunteer_ids: Collection[UUID]) -> None:
        """Wait until no other transaction has any of these volunteers' turns; keep them until this one ends.

        Taken in one order whatever the order given, before any of their rows is locked: two transactions
        about the same volunteers then never each hold a row the other waits for.
        """
        ...

    async def hold_for_erasure(self, volunteer_id: UUID, centrale_id: str) -> None:
        """Lock the volunteer's row, creating it when there is none, so events for them wait for the erasure."""
        ...

    async def mark_erased(self, volunteer_id: UUID, erased_at: datetime) -> None:
        """Keep the tombstone (the id only), so replayed older events do not bring the volunteer back."""
        ...

    async def remove(self, volunteer_id: UUID) -> None:
        """Forget the volunteer's row."""
        ...

    async def update(self, volunteer: Volunteer) -> None:
        """Store the volunteer's age band and registration (the centrale stays as claimed)."""
        ...

    async def update_all(self, volunteers: Sequence[Volunteer]) -> None:
        """``update`` for each of the volunteers (one each), at once."""
        ...

    async def get(self, volunteer_id: UUID, *, lock: bool = False) -> Volunteer | None:
        """The volunteer, locked until the transaction ends when ``lock``; None when unknown or erased."""
        ...

    async def registered_by(self, day: date) -> list[UUID]:
        """Volunteers whose registration (seen as an event) was on or before ``day``, by id."""
        ...

    async def of_centrale(self, centrale_id: str) -> list[Volunteer]:
        """The centrale's volunteers (not erased), by id."""
        ...


class HoursRepository(Protocol):
    """Hours entries, one per registry id: a re-published entry counts once."""

    async def add(self, entries: Sequence[HoursEntry]) -> None:
        """Store the entries whose id is new (the first of several with one id)."""
        ...

    async def put(self, entries: Sequence[HoursEntry]) -> None:
        """Store the entries, replacing what an entry with the same id said (imported history, corrected)."""
        ...

    async def of_volunteers(self, volunteer_ids: Collection[UUID]) -> list[HoursEntry]:
        """Every entry of those volunteers."""
        ...

    async def worked(self, volunteer_ids: Collection[UUID]) -> list[tuple[UUID, UUID, date, Decimal]]:
        """(volunteer, entry id, day worked, hours) of every entry of those volunteers: what the rules count."""
        ...

    async def volunteers_with_hours(self, volunteer_ids: Collection[UUID]) -> set[UUID]:
        """Those of the volunteers who have any hours."""
        ...

    async def forget_volunteer(self, volunteer_id: UUID) -> None:
        """Remove the volunteer's entries."""
        ...

    async def correct(self, entry_id: UUID, volunteer_id: UUID, hours: Decimal) -> bool:
        """Give the volunteer's entry its corrected amount; False when there is no such entry."""
        ...

    async def withdraw(self, entry_id: UUID, volunteer_id: UUID) -> bool:
        """Remove the volunteer's rejected entry; False when there is no such entry."""
        ...


class MatchRepository(Protocol):
    """Matches made: which organisations and tasks a volunteer serves."""

    async def add(self, match: Match) -> None:
        """Store the match unless its id is known."""
        ...

    async def add_all(self, matches: Sequence[Match]) -> set[UUID]:
        """Store the matches whose id is not known (the first of several with one id); their ids."""
        ...

    async def of_volunteer(self, volunteer_id: UUID) -> list[Match]:
        """The volunteer's matches."""
        ...

    async def counts(self, volunteer_ids: Collection[UUID]) -> dict[UUID, int]:
        """How many matches each volunteer has (those without any are left out)."""
        ...

    async def exists(self, organisation_id: UUID, volunteer_id: UUID) -> bool:
        """Whether the organisation has a match with the volunteer."""
        ...

    async def forget_volunteer(self, volunteer_id: UUID) -> None:
        """Remove the volunteer's matches."""
        ...


_VOLUNTEER = ("id", "centrale_id", "centrale_confirmed", "age_band", "registered_on", "registration_event_id")
_SELECT_VOLUNTEER = _sql.select("volunteers", _VOLUNTEER, alias="v")
# The volunteer's columns, then whether they were erased (the claim removes such a row again).
_SELECT_VOLUNTEER_ERASED = (
    f"SELECT {', '.join('v.' + column for column in _VOLUNTEER)},"  # noqa: S608
    " EXISTS (SELECT 1 FROM erased_volunteers e WHERE e.volunteer_id = v.id) AS erased FROM volunteers v"
)


def _volunteer(row: Any) -> Volunteer:
    # Every statement selects _VOLUNTEER's columns first, in the order of Volunteer's fields.
    return Volunteer(*row[: len(_VOLUNTEER)])


class PostgresVolunteerRepository:
    """``VolunteerRepository`` on ``volunteers`` and ``erased_volunteers``."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def claim(self, centrales: Mapping[UUID, str], *, confirmed: bool) -> dict[UUID, Volunteer]:
        """Create or lock each volunteer in id order (a stable order: concurrent claims do not deadlock)."""
        # By the ids' integers, the order PostgreSQL's uuid type has: sorting the pairs themselves would call
        # uuid.UUID's Python-level __eq__ and __lt__ for every comparison.
        claims = sorted(centrales.items(), key=lambda claim: claim[0].int)
        ids = [volunteer_id for volunteer_id, _ in claims]
        await self._conn.execute(
            "INSERT INTO volunteers (id, centrale_id, centrale_confirmed)"
            " SELECT id, centrale_id, $3 FROM unnest($1::uuid[], $2::text[]) AS claimed (id, centrale_id) ORDER BY id"
            " ON CONFLICT (id) DO UPDATE SET centrale_id = EXCLUDED.centrale_id, centrale_confirmed = true"
            " WHERE EXCLUDED.centrale_confirmed AND NOT volunteers.centrale_confirmed",
            ids,
            [centrale_id for _, centrale_id in claims],
            confirmed,
        )
        # A later statement than the lock above, so it sees an erasure that committed while this waited.
        rows = await self._conn.fetch(
            f"{_SELECT_VOLUNTEER_ERASED} WHERE v.id = ANY($1::uuid[]) ORDER BY v.id FOR UPDATE OF v",
            ids,
        )
        erased = [row["id"] for row in rows if row["erased"]]
        if erased:
            await self._conn.execute("DELETE FROM volunteers WHERE id = ANY($1::uuid[])", erased)
        return {row["id"]: _volunteer(row) for row in rows if not row["erased"]}

    async def wait_turns(self, volunteer_ids: Collection[UUID]) -> None:
        """The volunteers' keyed locks, in hash order (``common.locks.keyed_xact_locks``)."""
        await keyed_xact_locks(self._conn, KeyedLock.APPRECIATION_VOLUNTEER, [str(v) for v in volunteer_ids])

    async def hold_for_erasure(self, volunteer_id: UUID, centrale_id: str) -> None:
        """Lock the volunteer's row, creating it when there is none."""
        await self._conn.execute(
            "INSERT INTO volunteers (id, centrale_id) VALUES ($1, $2)"
            " ON CONFLICT (id) DO UPDATE SET centrale_id = volunteers.centrale_id",
            volunteer_id,
            centrale_id,
        )

    async def mark_erased(self, volunteer_id: UUID, erased_at: datetime) -> None:
        """Keep the tombstone."""
        await self._conn.execute(
            "INSERT INTO erased_volunteers (volunteer_id, erased_at) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            volunteer_id,
            erased_at,
        )

    async def remove(self, volunteer_id: UUID) -> None:
        """Forget the volunteer's row."""
        await self._conn.execute("DELETE FROM volunteers WHERE id = $1", volunteer_id)

    async def update(self, volunteer: Volunteer) -> None:
        """Store the age band and registration."""
        await self.update_all([volunteer])

    async def update_all(self, volunteers: Sequence[Volunteer]) -> None:
        """Store their age bands and registrations in one statement."""
        await self._conn.execute(
            "UPDATE volunteers v SET age_band = u.age_band, registered_on = u.registered_on,"
            " registration_event_id = u.registration_event_id"
            " FROM unnest($1::uuid[], $2::text[], $3::date[], $4::uuid[])"
            " AS u (id, age_band, registered_on, registration_event_id) WHERE v.id = u.id",
            [volunteer.id for volunteer in volunteers],
            [volunteer.age_band for volunteer in volunteers],
            [volunteer.registered_on for volunteer in volunteers],
            [volunteer.registration_event_id for volunteer in volunteers],
        )

    async def get(self, volunteer_id: UUID, *, lock: bool = False) -> Volunteer | None:
        """The volunteer (erased ones have no row)."""
        row = await self._conn.fetchrow(
            f"{_SELECT_VOLUNTEER} WHERE v.id = $1{' FOR UPDATE' if lock else ''}", volunteer_id
        )
        return _volunteer(row) if row is not None else None

    async def registered_by(self, day: date) -> list[UUID]:
        """Volunteers registered on or before ``day``."""
        rows = await self._conn.fetch(
            "SELECT id FROM volunteers WHERE registered_on <= $1 AND registration_event_id IS NOT NULL ORDER BY id",
            day,
        )
        return [row["id"] for row in rows]

    async def of_centrale(self, centrale_id: str) -> list[Volunteer]:
        """The centrale's volunteers (erased ones have no row)."""
        rows = await self._conn.fetch(f"{_SELECT_VOLUNTEER} WHERE v.centrale_id = $1 ORDER BY v.id", centrale_id)
        return [_volunteer(row) for row in rows]


_HOURS = (
    "id",
    "volunteer_id",
    "match_id",
    "task_id",
    "organisation_id",
    "centrale_id",
    "theme",
    "worked_on",
    "hours",
    "event_id",
)
# Entries go as one array of the hours table's own row type, each a tuple in _HOURS' order (the table's):
# asyncpg checks every element of an array parameter for being an array itself (Python-level ABC checks,
# two for a text), which per entry is one element instead of ten. A record short of a column added to the
# table is refused by asyncpg, not stored short.
_INSERT_HOURS = f"INSERT INTO hours ({', '.join(_HOURS)}) SELECT * FROM unnest($1::hours[])"  # noqa: S608
_HOURS_ROW = operator.attrgetter(*_HOURS)
_SELECT_HOURS = _sql.select("hours", _HOURS)


class PostgresHoursRepository:
    """``HoursRepository`` on ``hours``."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def add(self, entries: Sequence[HoursEntry]) -> None:
        """Store the new entries in one statement."""
        if not entries:
            return
        await self._conn.execute(
            f"{_INSERT_HOURS} ON CONFLICT (id) DO NOTHING", [_HOURS_ROW(entry) for entry in entries]
        )

    async def put(self, entries: Sequence[HoursEntry]) -> None:
        """Store the entries in one statement, an entry known by its id taking the new facts."""
        if not entries:
            return
        replaced = ", ".join(f"{name} = EXCLUDED.{name}" for name in _HOURS if name != "id")
        rows = [_HOURS_ROW(entry) for entry in entries]
        await self._conn.execute(f"{_INSERT_HOURS} ON CONFLICT (id) DO UPDATE SET {replaced}", rows)

    async def of_volunteers(self, volunteer_ids: Collection[UUID]) -> list[HoursEntry]:
        """Every entry of those volunteers."""
        rows = await self._conn.fetch(f"{_SELECT_HOURS} WHERE volunteer_id = ANY($1::uuid[])", list(volunteer_ids))
        return [HoursEntry(*row) for row in rows]

    async def worked(self, volunteer_ids: Collection[UUID]) -> list[tuple[UUID, UUID, date, Decimal]]:
        """The entries' volunteer, id, day and hours: four columns, and no HoursEntry built per row."""
        rows = await self._conn.fetch(
            "SELECT volunteer_id, id, worked_on, hours FROM hours WHERE volunteer_id = ANY($1::uuid[])",
            list(volunteer_ids),
        )
        return [(row[0], row[1], row[2], row[3]) for row in rows]

    async def volunteers_with_hours(self, volunteer_ids: Collection[UUID]) -> set[UUID]:
        """Those of the volunteers who have any hours."""
        rows = await self._conn.fetch(
            "SELECT DISTINCT volunteer_id FROM hours WHERE volunteer_id = ANY($1::uuid[])", list(volunteer_ids)
        )
        return {row["volunteer_id"] for row in rows}

    async def forget_volunteer(self, volunteer_id: UUID) -> None:
        """Remove the volunteer's entries."""
        await self._conn.execute("DELETE FROM hours WHERE volunteer_id = $1", volunteer_id)

    async def correct(self, entry_id: UUID, volunteer_id: UUID, hours: Decimal) -> bool:
        """Give the entry its corrected amount; False when there is no such entry."""
        status = await self._conn.execute(
            "UPDATE hours SET hours = $3 WHERE id = $1 AND volunteer_id = $2", entry_id, volunteer_id, hours
        )
        return status == "UPDATE 1"

    async def withdraw(self, entry_id: UUID, volunteer_id: UUID) -> bool:
        """Remove the rejected entry; False when there is no such entry."""
        status = await self._conn.execute(
            "DELETE FROM hours WHERE id = $1 AND volunteer_id = $2", entry_id, volunteer_id
        )
        return status == "DELETE 1"


_MATCH = ("id", "volunteer_id", "task_id", "organisation_id", "centrale_id", "volunteer_centrale_id", "made_at")
_MATCH_TYPES = ("uuid", "uuid", "uuid", "uuid", "text", "text", "timestamptz")
_INSERT_MATCHES = f"{_sql.insert_unnest('matches', _MATCH, _MATCH_TYPES)} ON CONFLICT (id) DO NOTHING RETURNING id"
_SELECT_MATCH = _sql.select("matches", _MATCH)


class PostgresMatchRepository:
    """``MatchRepository`` on ``matches``."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def add(self, match: Match) -> None:
        """Store the match unless its id is known."""
        await self.add_all([match])

    async def add_all(self, matches: Sequence[Match]) -> set[UUID]:
        """Store the new matches in one statement, one column array each; the ids stored."""
        if not matches:
            return set()
        columns = [[getattr(match, name) for match in matches] for name in _MATCH]
        return {row[0] for row in await self._conn.fetch(_INSERT_MATCHES, *columns)}

    async def of_volunteer(self, volunteer_id: UUID) -> list[Match]:
        """The volunteer's matches."""
        rows = await self._conn.fetch(f"{_SELECT_MATCH} WHERE volunteer_id = $1", volunteer_id)
        return [Match(*row) for row in rows]

    async def counts(self, volunteer_ids: Collection[UUID]) -> dict[UUID, int]:
        """How many matches each volunteer has."""
        rows = await self._conn.fetch(
            "SELECT volunteer_id, count(*) AS n FROM matches"
            " WHERE volunteer_id = ANY($1::uuid[]) GROUP BY volunteer_id",
            list(volunteer_ids),
        )
        return {row["volunteer_id"]: row["n"] for row in rows}

    async def exists(self, organisation_id: UUID, volunteer_id: UUID) -> bool:
        """Whether the organisation has a match with the volunteer."""
        found = await self._conn.fetchval(
            "SELECT true FROM matches WHERE organisation_id = $1 AND volunteer_id = $2 LIMIT 1",
            organisation_id,
            volunteer_id,
        )
        return bool(found)

    async def forget_volunteer(self, volunteer_id: UUID) -> None:
        """Remove the volunteer's matches."""
        await self._conn.execute("DELETE FROM matches WHERE volunteer_id = $1", volunteer_id)
