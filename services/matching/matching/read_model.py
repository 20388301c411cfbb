"""Matching's read model in PostgreSQL, and the in-memory index kept in step with it."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from common.db import Connection
from contracts.events import VolunteerProfileUpdated, VolunteerRegistered, WeeklySlot
from matching.domain import schedule
from matching.domain.index import CandidateIndex
from matching.domain.model import Coordinates, TaskProfile, VolunteerProfile

__all__ = ["IndexedVolunteers", "task_profile", "upsert_volunteer_row", "volunteer_profile"]

# Rows changed this long before the last refresh are read again: a transaction that wrote a row
# earlier may commit later, and re-reading is harmless (upserts are idempotent).
_REFRESH_OVERLAP = timedelta(seconds=30)

_VOLUNTEER_COLUMNS = """
    v.volunteer_id, v.centrale_id, v.skills, v.interests, v.languages, v.availability, v.one_off_dates,
    v.max_distance_km, v.commitment, v.needs_support, v.matching_consent, v.regional_consent,
    v.vog_valid_until, v.open_commitments, a.lat, a.lon
"""


def _slots(raw: str | list[Any]) -> list[WeeklySlot]:
    items = json.loads(raw) if isinstance(raw, str) else raw
    return [WeeklySlot.model_validate(item) for item in items]


def _coordinates(row: Any) -> Coordinates | None:
    return (row["lat"], row["lon"]) if row["lat"] is not None else None


def volunteer_profile(row: Any) -> VolunteerProfile:
    """A read-model row (joined with its PC4 centroid) as the domain sees it."""
    return VolunteerProfile(
        volunteer_id=row["volunteer_id"],
        centrale_id=row["centrale_id"],
        skills=frozenset(row["skills"]),
        interests=frozenset(row["interests"]),
        languages=tuple(row["languages"]),
        availability_mask=schedule.slots_mask(_slots(row["availability"])),
        one_off_dates=frozenset(row["one_off_dates"]),
        max_distance_km=row["max_distance_km"],
        commitment=row["commitment"],
        needs_support=row["needs_support"],
        matching_consent=row["matching_consent"],
        regional_consent=row["regional_consent"],
        vog_valid_until=row["vog_valid_until"],
        open_commitments=row["open_commitments"],
        coordinates=_coordinates(row),
    )


def task_profile(row: Any) -> TaskProfile:
    """A task row (joined with its PC4 centroid) as the domain sees it."""
    return TaskProfile(
        task_id=row["task_id"],
        organisation_id=row["organisation_id"],
        centrale_id=row["centrale_id"],
        theme=row["theme"],
        skills=frozenset(row["skills"]),
        shift_mask=schedule.slots_mask(_slots(row["shifts"])),
        one_off_start=row["one_off_start"],
        one_off_end=row["one_off_end"],
        capacity=row["capacity"],
        vog_required=row["vog_required"],
        team_suitable=row["team_suitable"],
        support_accessible=row["support_accessible"],
        coordinates=_coordinates(row),
    )


async def upsert_volunteer_row(conn: Connection, event: VolunteerRegistered | VolunteerProfileUpdated) -> None:
    """Write the volunteer's matching profile from a registered/updated event."""
    await conn.execute(
        """
        INSERT INTO volunteers (volunteer_id, centrale_id, postcode_area, skills, interests, languages,
            availability, one_off_dates, max_distance_km, commitment, needs_support, matching_consent,
            regional_consent, vog_valid_until, changed_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10, $11, $12, $13, $14, clock_timestamp())
        ON CONFLICT (volunteer_id) DO UPDATE SET
            centrale_id = excluded.centrale_id, postcode_area = excluded.postcode_area, skills = excluded.skills,
            interests = excluded.interests, languages = excluded.languages, availability = excluded.availability,
            one_off_dates = excluded.one_off_dates, max_distance_km = excluded.max_distance_km,
            commitment = excluded.commitment, needs_support = excluded.needs_support,
            matching_consent = excluded.matching_consent, regional_consent = excluded.regional_consent,
            vog_valid_until = excluded.vog_valid_until, changed_at = clock_timestamp()
        """,
        event.volunteer_id, event.centrale_id, event.postcode_area, event.skills, event.interests,
        event.languages, json.dumps([slot.model_dump(mode="json") for slot in event.availability]),
        event.one_off_dates, event.max_distance_km, event.commitment, event.needs_support,
        event.matching_consent, event.regional_matching_consent, event.vog_valid_until,
    )  # fmt: skip


class IndexedVolunteers:
    """The candidate index of one service instance, refreshed from the read model before each use."""

    def __init__(self) -> None:
        self.index = CandidateIndex()
        self._refreshed_at: datetime | None = None
        self._lock = asyncio.Lock()

    async def refresh(self, conn: Connection) -> CandidateIndex:
        """Bring the index up to date with the read model (all rows the first time, changes after)."""
        async with self._lock:
            now: datetime = await conn.fetchval("SELECT clock_timestamp()")
            since = None if self._refreshed_at is None else self._refreshed_at - _REFRESH_OVERLAP
            rows = await conn.fetch(
                f"SELECT {_VOLUNTEER_COLUMNS} FROM volunteers v LEFT JOIN postcode_areas a ON a.pc4 = v.postcode_area"  # noqa: S608
                " WHERE $1::timestamptz IS NULL OR v.changed_at >= $1",
                since,
            )
            self.index.bulk_load([volunteer_profile(row) for row in rows])
            erased = await conn.fetch(
                "SELECT volunteer_id FROM erased_volunteers WHERE $1::timestamptz IS NULL OR erased_at >= $1", since
            )
            for row in erased:
                self.index.remove(row["volunteer_id"])
            self._refreshed_at = now
            return self.index

    def forget(self, volunteer_id: UUID) -> None:
        """Drop a volunteer at once (erasure), without waiting for the next refresh."""
        self.index.remove(volunteer_id)
