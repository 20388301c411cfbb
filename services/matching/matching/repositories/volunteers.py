"""Matching's read model of volunteers: profiles from the registry's events, open commitments, erasures."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from common.db import Connection
from matching.domain import schedule
from matching.domain.model import VolunteerFacts, VolunteerProfile
from matching.domain.proposals import LIVE
from matching.repositories._sql import assignments, coordinates, dump_slots, load_slots, placeholders

__all__ = ["PostgresVolunteerRepository", "VolunteerChanges", "VolunteerRepository"]

# What the registry's events say, in the order of the upsert's parameters.
_FACT_COLUMNS = (
    "volunteer_id",
    "centrale_id",
    "postcode_area",
    "skills",
    "interests",
    "languages",
    "availability",
    "one_off_dates",
    "max_distance_km",
    "commitment",
    "needs_support",
    "matching_consent",
    "regional_consent",
    "vog_valid_until",
)
# What the domain sees: the facts (less the area) and the open-commitment count, with the area's centroid.
_PROFILE_SELECT = (
    "SELECT v.volunteer_id, v.centrale_id, v.skills, v.interests, v.languages, v.availability, v.one_off_dates,"
    " v.max_distance_km, v.commitment, v.needs_support, v.matching_consent, v.regional_consent,"
    " v.vog_valid_until, v.open_commitments, a.lat, a.lon"
    " FROM volunteers v LEFT JOIN postcode_areas a ON a.pc4 = v.postcode_area"
)


@dataclass(frozen=True)
class VolunteerChanges:
    """What changed since a moment: profiles written and volunteers erased, as of ``as_of``."""

    as_of: datetime
    profiles: list[VolunteerProfile]
    erased: list[UUID]


class VolunteerRepository(Protocol):
    """Volunteers as matching knows them."""

    async def upsert(self, facts: VolunteerFacts) -> None:
        """Store a registered or updated profile (its open-commitment count stays)."""
        ...

    async def get(self, volunteer_id: UUID) -> VolunteerProfile | None:
        """The volunteer's profile, or None (never seen, or erased)."""
        ...

    async def add_commitments(self, volunteer_id: UUID, delta: int) -> bool:
        """Change the open-commitment count (never below 0); False when matching no longer has the volunteer."""
        ...

    async def recount_commitments(self, volunteer_id: UUID) -> None:
        """Set the open-commitment count to the volunteer's live proposals and matches (after a replay)."""
        ...

    async def erase(self, volunteer_id: UUID) -> None:
        """Delete the profile and remember only that (and when) the id was erased."""
        ...

    async def changed_since(self, since: datetime | None) -> VolunteerChanges:
        """Profiles changed and ids erased at or after ``since`` (everything when None)."""
        ...

    async def centrales(self) -> list[str]:
        """Every centrale that has volunteers here."""
        ...

    async def touch_in_areas(self, pc4s: Sequence[str]) -> None:
        """Mark the volunteers of these areas changed (their coordinates did), so every index reloads them."""
        ...


def _profile(row: Any) -> VolunteerProfile:
    """A row joined with its PC4 centroid, as the domain sees it."""
    return VolunteerProfile(
        volunteer_id=row["volunteer_id"],
        centrale_id=row["centrale_id"],
        skills=frozenset(row["skills"]),
        interests=frozenset(row["interests"]),
        languages=tuple(row["languages"]),
        availability_mask=schedule.slots_mask(load_slots(row["availability"])),
        one_off_dates=frozenset(row["one_off_dates"]),
        max_distance_km=row["max_distance_km"],
        commitment=row["commitment"],
        needs_support=row["needs_support"],
        matching_consent=row["matching_consent"],
        regional_consent=row["regional_consent"],
        vog_valid_until=row["vog_valid_until"],
        open_commitments=row["open_commitments"],
        coordinates=coordinates(row),
    )


class PostgresVolunteerRepository:
    """Volunteers in the ``volunteers`` and ``erased_volunteers`` tables."""

    # Built from the column names above, never from input. changed_at lets every instance's index see the row.
    _UPSERT = (
        f"INSERT INTO volunteers ({', '.join(_FACT_COLUMNS)}, changed_at)"  # noqa: S608
        f" VALUES ({placeholders(_FACT_COLUMNS)}, clock_timestamp())"
        f" ON CONFLICT (volunteer_id) DO UPDATE SET {assignments(_FACT_COLUMNS[1:])}, changed_at = clock_timestamp()"
    )

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def upsert(self, facts: VolunteerFacts) -> None:
        """Store a registered or updated profile (its open-commitment count stays)."""
        values = [getattr(facts, column) for column in _FACT_COLUMNS]
        values[_FACT_COLUMNS.index("availability")] = dump_slots(facts.availability)
        await self._conn.execute(self._UPSERT, *values)

    async def get(self, volunteer_id: UUID) -> VolunteerProfile | None:
        """The volunteer's profile, or None (never seen, or erased)."""
        row = await self._conn.fetchrow(f"{_PROFILE_SELECT} WHERE v.volunteer_id = $1", volunteer_id)
        return _profile(row) if row is not None else None

    async def add_commitments(self, volunteer_id: UUID, delta: int) -> bool:
        """Change the open-commitment count (never below 0); False when matching no longer has the volunteer."""
        # Touching changed_at makes every instance's index see the new count (spreading). The row lock this
        # takes is what an erasure in progress holds: a proposal waits for it, then finds no row.
        status = await self._conn.execute(
            "UPDATE volunteers SET open_commitments = greatest(open_commitments + $2, 0),"
            " changed_at = clock_timestamp() WHERE volunteer_id = $1",
            volunteer_id,
            delta,
        )
        return bool(status != "UPDATE 0")

    async def recount_commitments(self, volunteer_id: UUID) -> None:
        """Set the open-commitment count to the volunteer's live proposals and matches (after a replay)."""
        await self._conn.execute(
            "UPDATE volunteers SET open_commitments ="
            " (SELECT count(*) FROM proposals WHERE volunteer_id = $1 AND status = ANY($2::text[])),"
            " changed_at = clock_timestamp() WHERE volunteer_id = $1",
            volunteer_id,
            sorted(status.value for status in LIVE),
        )

    async def erase(self, volunteer_id: UUID) -> None:
        """Delete the profile and remember only that (and when) the id was erased."""
        await self._conn.execute("DELETE FROM volunteers WHERE volunteer_id = $1", volunteer_id)
        await self._conn.execute(
            "INSERT INTO erased_volunteers (volunteer_id) VALUES ($1) ON CONFLICT (volunteer_id) DO NOTHING",
            volunteer_id,
        )

    async def changed_since(self, since: datetime | None) -> VolunteerChanges:
        """Profiles changed and ids erased at or after ``since`` (everything when None)."""
        as_of: datetime = await self._conn.fetchval("SELECT clock_timestamp()")
        rows = await self._conn.fetch(
            f"{_PROFILE_SELECT} WHERE $1::timestamptz IS NULL OR v.changed_at >= $1",
            since,
        )
        erased = await self._conn.fetch(
            "SELECT volunteer_id FROM erased_volunteers WHERE $1::timestamptz IS NULL OR erased_at >= $1", since
        )
        return VolunteerChanges(
            as_of=as_of, profiles=[_profile(row) for row in rows], erased=[row["volunteer_id"] for row in erased]
        )

    async def centrales(self) -> list[str]:
        """Every centrale that has volunteers here."""
        return [row["centrale_id"] for row in await self._conn.fetch("SELECT DISTINCT centrale_id FROM volunteers")]

    async def touch_in_areas(self, pc4s: Sequence[str]) -> None:
        """Mark the volunteers of these areas changed (their coordinates did), so every index reloads them."""
        await self._conn.execute(
            "UPDATE volunteers SET changed_at = clock_timestamp() WHERE postcode_area = ANY($1)", list(pc4s)
        )
