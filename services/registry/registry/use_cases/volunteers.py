"""Volunteers: registration, profile, consents, VOG, self-service export and erasure."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal
from uuid import UUID, uuid4

from common.db import Connection
from contracts.events import (
    VolunteerConsentChanged,
    VolunteerErased,
    VolunteerProfileUpdated,
    VolunteerRegistered,
    WeeklySlot,
)
from registry import domain
from registry.auth import revoke_credentials_of
from registry.domain import ConsentKind
from registry.use_cases._shared import NotFound, Origin, Rejected, emit, utc_now
from registry.use_cases.centrales import ensure_centrale

__all__ = [
    "ProfileChanges",
    "RegisterVolunteer",
    "erase_volunteer",
    "export_volunteer",
    "get_volunteer",
    "list_volunteers",
    "record_vog",
    "register_volunteer",
    "set_consent",
    "update_profile",
]

Commitment = Literal["one_off", "structural", "either"]

# Columns that identify a person; erasure empties every one of them.
PERSONAL_COLUMNS = ("name", "email", "phone", "postcode", "birth_date", "vog_verified_by")


@dataclass(frozen=True)
class ProfileChanges:
    """Fields of a profile update; None leaves a field as it is."""

    name: str | None = None
    email: str | None = None
    phone: str | None = None
    postcode: str | None = None
    skills: list[str] | None = None
    interests: list[str] | None = None
    languages: list[str] | None = None
    availability: list[WeeklySlot] | None = None
    one_off_dates: list[date] | None = None
    max_distance_km: int | None = None
    commitment: Commitment | None = None
    needs_support: bool | None = None
    target_groups: list[str] | None = None


@dataclass(frozen=True)
class RegisterVolunteer:
    """Register a volunteer with a centrale; personal data stays in the registry."""

    centrale_id: str
    name: str
    registered_by: Literal["self", "staff"]
    recorded_by: str
    email: str | None = None
    phone: str | None = None
    postcode: str | None = None
    birth_date: date | None = None
    skills: list[str] = field(default_factory=list)
    interests: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    availability: list[WeeklySlot] = field(default_factory=list)
    one_off_dates: list[date] = field(default_factory=list)
    max_distance_km: int | None = None
    commitment: Commitment = "either"
    needs_support: bool = False
    target_groups: list[str] = field(default_factory=list)
    consents: dict[ConsentKind, str] = field(default_factory=dict)
    """Consents granted at registration, each with the version of the text shown."""


async def register_volunteer(conn: Connection, cmd: RegisterVolunteer, origin: Origin) -> UUID:
    """Store the volunteer and consents and queue ``VolunteerRegistered``, in one transaction."""
    if cmd.target_groups and ConsentKind.TARGET_GROUP_LABELS not in cmd.consents:
        raise Rejected(["target-group labels need the volunteer's explicit consent"], field="target_groups")
    now = utc_now()
    volunteer_id = uuid4()
    async with conn.transaction():
        await ensure_centrale(conn, cmd.centrale_id)
        await conn.execute(
            """
            INSERT INTO volunteers (id, centrale_id, name, email, phone, postcode, birth_date, postcode_area,
                age_band, skills, interests, languages, availability, one_off_dates, max_distance_km, commitment,
                needs_support, target_groups, regional_matching_consent, registered_by, registered_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::jsonb, $14, $15, $16, $17, $18, false,
                $19, $20)
            """,
            volunteer_id, cmd.centrale_id, cmd.name, cmd.email, cmd.phone, cmd.postcode, cmd.birth_date,
            domain.postcode_area(cmd.postcode) if cmd.postcode else None,
            domain.age_band(cmd.birth_date, now.date()) if cmd.birth_date else None,
            cmd.skills, cmd.interests, cmd.languages, _slots_json(cmd.availability), cmd.one_off_dates,
            cmd.max_distance_km, cmd.commitment, cmd.needs_support, cmd.target_groups, cmd.registered_by, now,
        )  # fmt: skip
        for kind, text_version in cmd.consents.items():
            await _record_consent(conn, volunteer_id, kind, True, text_version, cmd.recorded_by)
        profile = await _profile(conn, volunteer_id)
        await emit(
            conn,
            VolunteerRegistered(**profile, registered_at=now, registered_by=cmd.registered_by),
            origin,
            cmd.centrale_id,
        )
    return volunteer_id


async def update_profile(
    conn: Connection, volunteer_id: UUID, centrale_id: str, changes: ProfileChanges, origin: Origin
) -> None:
    """Apply the changes and queue ``VolunteerProfileUpdated`` with the full new profile."""
    values: dict[str, Any] = {k: v for k, v in vars(changes).items() if v is not None}
    if "postcode" in values:
        values["postcode_area"] = domain.postcode_area(values["postcode"])
    if "availability" in values:
        values["availability"] = _slots_json(values["availability"])
    async with conn.transaction():
        await _lock_active(conn, volunteer_id, centrale_id)
        if values.get("target_groups") and not await _has_consent(conn, volunteer_id, ConsentKind.TARGET_GROUP_LABELS):
            raise Rejected(["target-group labels need the volunteer's explicit consent"], field="target_groups")
        if values:
            assignments = ", ".join(
                f"{column} = ${i}::jsonb" if column == "availability" else f"{column} = ${i}"
                for i, column in enumerate(values, start=2)
            )
            # Column names come from the ProfileChanges dataclass, never from the request.
            await conn.execute(
                f"UPDATE volunteers SET {assignments}, updated_at = now() WHERE id = $1",  # noqa: S608
                volunteer_id,
                *values.values(),
            )
        await _emit_profile_updated(conn, volunteer_id, centrale_id, origin)


async def set_consent(
    conn: Connection,
    volunteer_id: UUID,
    centrale_id: str,
    kind: ConsentKind,
    granted: bool,
    text_version: str,
    recorded_by: str,
    origin: Origin,
) -> None:
    """Record a grant or withdrawal with its text version; queue the consent change and the new profile."""
    async with conn.transaction():
        await _lock_active(conn, volunteer_id, centrale_id)
        await _record_consent(conn, volunteer_id, kind, granted, text_version, recorded_by)
        if kind is ConsentKind.TARGET_GROUP_LABELS and not granted:
            # Without consent the labels may not be kept at all (AVG: special category data).
            await conn.execute("UPDATE volunteers SET target_groups = '{}' WHERE id = $1", volunteer_id)
        if kind is ConsentKind.REGIONAL_MATCHING:
            await conn.execute(
                "UPDATE volunteers SET regional_matching_consent = $2 WHERE id = $1", volunteer_id, granted
            )
        await emit(
            conn,
            VolunteerConsentChanged(
                volunteer_id=volunteer_id,
                centrale_id=centrale_id,
                consent=kind.value,
                granted=granted,
                text_version=text_version,
                changed_at=utc_now(),
            ),
            origin,
            centrale_id,
        )
        await _emit_profile_updated(conn, volunteer_id, centrale_id, origin)


async def record_vog(
    conn: Connection,
    volunteer_id: UUID,
    centrale_id: str,
    verified_on: date,
    verified_by: str,
    valid_until: date,
    origin: Origin,
) -> None:
    """Record that staff saw an original VOG (never a copy) and until when it counts."""
    if valid_until < verified_on:
        raise Rejected(["valid_until lies before verified_on"], field="valid_until")
    if verified_on > utc_now().date():
        raise Rejected(["a VOG cannot be verified in the future"], field="verified_on")
    async with conn.transaction():
        await _lock_active(conn, volunteer_id, centrale_id)
        await conn.execute(
            "UPDATE volunteers SET vog_verified_on = $2, vog_verified_by = $3, vog_valid_until = $4,"
            " updated_at = now() WHERE id = $1",
            volunteer_id,
            verified_on,
            verified_by,
            valid_until,
        )
        await _emit_profile_updated(conn, volunteer_id, centrale_id, origin)


async def get_volunteer(conn: Connection, volunteer_id: UUID, centrale_id: str) -> dict[str, Any]:
    """The volunteer's record as staff and the volunteer see it; NotFound for another tenant or erased."""
    row = await conn.fetchrow(
        "SELECT * FROM volunteers WHERE id = $1 AND centrale_id = $2 AND erased_at IS NULL", volunteer_id, centrale_id
    )
    if row is None:
        raise NotFound(f"volunteer {volunteer_id} not found")
    record = dict(row)
    record["availability"] = json.loads(record["availability"])
    record["consents"] = await _current_consents(conn, volunteer_id)
    return record


async def list_volunteers(conn: Connection, centrale_id: str, limit: int, offset: int) -> list[dict[str, Any]]:
    """A page of the centrale's volunteers (ids, names and registration date)."""
    rows = await conn.fetch(
        "SELECT id, name, registered_at, needs_support FROM volunteers WHERE centrale_id = $1 AND erased_at IS NULL"
        " ORDER BY registered_at, id LIMIT $2 OFFSET $3",
        centrale_id,
        limit,
        offset,
    )
    return [dict(row) for row in rows]


async def export_volunteer(conn: Connection, volunteer_id: UUID, centrale_id: str) -> dict[str, Any]:
    """Everything the registry holds about the volunteer (AVG right of access and portability)."""
    record = await get_volunteer(conn, volunteer_id, centrale_id)
    consent_history = await conn.fetch(
        "SELECT kind, granted, text_version, recorded_by, recorded_at FROM volunteer_consents"
        " WHERE volunteer_id = $1 ORDER BY id",
        volunteer_id,
    )
    matches = await conn.fetch(
        "SELECT m.id, m.task_id, t.title AS task_title, m.made_at FROM matches m JOIN tasks t ON t.id = m.task_id"
        " WHERE m.volunteer_id = $1 ORDER BY m.made_at",
        volunteer_id,
    )
    hours = await conn.fetch(
        "SELECT id, match_id, worked_on, hours, status, logged_by, logged_at FROM hours WHERE volunteer_id = $1"
        " ORDER BY worked_on, logged_at",
        volunteer_id,
    )
    return {
        "volunteer": record,
        "consent_history": [dict(row) for row in consent_history],
        "matches": [dict(row) for row in matches],
        "hours": [dict(row) for row in hours],
    }


async def erase_volunteer(conn: Connection, volunteer_id: UUID, centrale_id: str, origin: Origin) -> None:
    """Remove the volunteer's personal data, revoke their credentials and queue ``VolunteerErased``.

    The row stays as a pseudonymous id so matches and hours remain as anonymous facts.
    """
    async with conn.transaction():
        await _lock_active(conn, volunteer_id, centrale_id)
        await conn.execute(
            """
            UPDATE volunteers SET name = NULL, email = NULL, phone = NULL, postcode = NULL, birth_date = NULL,
                postcode_area = NULL, age_band = NULL, skills = '{}', interests = '{}', languages = '{}',
                availability = '[]', one_off_dates = '{}', max_distance_km = NULL, target_groups = '{}',
                needs_support = false, regional_matching_consent = false, vog_verified_on = NULL,
                vog_verified_by = NULL, vog_valid_until = NULL, erased_at = now(), updated_at = now()
            WHERE id = $1
            """,
            volunteer_id,
        )
        await conn.execute("DELETE FROM volunteer_consents WHERE volunteer_id = $1", volunteer_id)
        await revoke_credentials_of(conn, volunteer_id, origin)
        await emit(
            conn,
            VolunteerErased(volunteer_id=volunteer_id, centrale_id=centrale_id, erased_at=utc_now()),
            origin,
            centrale_id,
        )


def _slots_json(slots: list[WeeklySlot]) -> str:
    return json.dumps([slot.model_dump(mode="json") for slot in slots])


async def _lock_active(conn: Connection, volunteer_id: UUID, centrale_id: str) -> None:
    """Lock the volunteer's row (serialising its events) or raise NotFound."""
    found = await conn.fetchval(
        "SELECT 1 FROM volunteers WHERE id = $1 AND centrale_id = $2 AND erased_at IS NULL FOR UPDATE",
        volunteer_id,
        centrale_id,
    )
    if found is None:
        raise NotFound(f"volunteer {volunteer_id} not found")


async def _record_consent(
    conn: Connection, volunteer_id: UUID, kind: ConsentKind, granted: bool, text_version: str, recorded_by: str
) -> None:
    await conn.execute(
        "INSERT INTO volunteer_consents (volunteer_id, kind, granted, text_version, recorded_by)"
        " VALUES ($1, $2, $3, $4, $5)",
        volunteer_id,
        kind.value,
        granted,
        text_version,
        recorded_by,
    )


async def _current_consents(conn: Connection, volunteer_id: UUID) -> dict[str, dict[str, Any]]:
    rows = await conn.fetch(
        "SELECT DISTINCT ON (kind) kind, granted, text_version, recorded_at FROM volunteer_consents"
        " WHERE volunteer_id = $1 ORDER BY kind, id DESC",
        volunteer_id,
    )
    return {row["kind"]: {k: row[k] for k in ("granted", "text_version", "recorded_at")} for row in rows}


async def _has_consent(conn: Connection, volunteer_id: UUID, kind: ConsentKind) -> bool:
    consent = (await _current_consents(conn, volunteer_id)).get(kind.value)
    return bool(consent and consent["granted"])


async def _profile(conn: Connection, volunteer_id: UUID) -> dict[str, Any]:
    """The shareable profile fields of the events: coarse, pseudonymous, consented."""
    row = await conn.fetchrow("SELECT * FROM volunteers WHERE id = $1", volunteer_id)
    assert row is not None
    consents = await _current_consents(conn, volunteer_id)

    def granted(kind: ConsentKind) -> bool:
        return bool(consents.get(kind.value, {}).get("granted"))

    return {
        "volunteer_id": row["id"],
        "centrale_id": row["centrale_id"],
        "postcode_area": row["postcode_area"],
        "age_band": row["age_band"],
        "skills": row["skills"],
        "interests": row["interests"],
        "languages": row["languages"],
        "availability": json.loads(row["availability"]),
        "one_off_dates": row["one_off_dates"],
        "max_distance_km": row["max_distance_km"],
        "commitment": row["commitment"],
        "needs_support": row["needs_support"],
        "matching_consent": granted(ConsentKind.MATCHING),
        "regional_matching_consent": granted(ConsentKind.REGIONAL_MATCHING),
        "appreciation_messages_consent": granted(ConsentKind.APPRECIATION_MESSAGES),
        "vog_valid_until": row["vog_valid_until"],
        "target_groups": row["target_groups"] if granted(ConsentKind.TARGET_GROUP_LABELS) else [],
    }


async def _emit_profile_updated(conn: Connection, volunteer_id: UUID, centrale_id: str, origin: Origin) -> None:
    profile = await _profile(conn, volunteer_id)
    await emit(conn, VolunteerProfileUpdated(**profile, updated_at=utc_now()), origin, centrale_id)
