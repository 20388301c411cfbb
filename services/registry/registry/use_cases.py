"""Registry use cases: one async function per command, each one transaction with its outbox events."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Literal
from uuid import UUID, uuid4

import asyncpg

from common.db import Connection
from common.outbox import add_to_outbox, make_envelope
from contracts.events import VolunteerRegistered, WeeklySlot
from registry import domain

__all__ = [
    "CentraleExists",
    "CreateCentrale",
    "RegisterVolunteer",
    "UnknownCentrale",
    "create_centrale",
    "register_volunteer",
]


class UnknownCentrale(Exception):
    """The centrale named in a command does not exist."""


class CentraleExists(Exception):
    """A centrale with that id is already registered."""


@dataclass(frozen=True)
class Origin:
    """Where a command came from: the producing service's identity and the request's correlation id."""

    source: str
    region: str
    correlation_id: UUID


@dataclass(frozen=True)
class CreateCentrale:
    """Add a centrale (tenant) to the region."""

    centrale_id: str
    name: str
    municipality_code: str


@dataclass(frozen=True)
class RegisterVolunteer:
    """Register a volunteer with a centrale; personal data stays in the registry."""

    centrale_id: str
    name: str
    email: str | None
    phone: str | None
    postcode: str | None
    birth_date: date | None
    skills: list[str]
    interests: list[str]
    languages: list[str]
    availability: list[WeeklySlot]
    max_distance_km: int | None
    commitment: Literal["one_off", "structural", "either"]
    needs_support: bool
    regional_matching_consent: bool
    registered_by: Literal["self", "staff"]


async def create_centrale(conn: Connection, cmd: CreateCentrale) -> None:
    """Insert the centrale; CentraleExists when the id is taken."""
    try:
        await conn.execute(
            "INSERT INTO centrales (id, name, municipality_code) VALUES ($1, $2, $3)",
            cmd.centrale_id,
            cmd.name,
            cmd.municipality_code,
        )
    except asyncpg.UniqueViolationError as error:
        raise CentraleExists(cmd.centrale_id) from error


async def register_volunteer(conn: Connection, cmd: RegisterVolunteer, origin: Origin) -> UUID:
    """Store the volunteer and queue ``VolunteerRegistered`` in the same transaction; return the id."""
    if await conn.fetchval("SELECT 1 FROM centrales WHERE id = $1", cmd.centrale_id) is None:
        raise UnknownCentrale(cmd.centrale_id)
    now = datetime.now(UTC)
    volunteer_id = uuid4()
    area = domain.postcode_area(cmd.postcode) if cmd.postcode else None
    band = domain.age_band(cmd.birth_date, now.date()) if cmd.birth_date else None
    async with conn.transaction():
        await conn.execute(
            """
            INSERT INTO volunteers (id, centrale_id, name, email, phone, postcode, birth_date, postcode_area,
                age_band, skills, interests, languages, availability, max_distance_km, commitment,
                needs_support, regional_matching_consent, registered_by, registered_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::jsonb, $14, $15, $16, $17, $18, $19)
            """,
            volunteer_id, cmd.centrale_id, cmd.name, cmd.email, cmd.phone, cmd.postcode, cmd.birth_date,
            area, band, cmd.skills, cmd.interests, cmd.languages,
            json.dumps([slot.model_dump(mode="json") for slot in cmd.availability]),
            cmd.max_distance_km, cmd.commitment, cmd.needs_support, cmd.regional_matching_consent,
            cmd.registered_by, now,
        )  # fmt: skip
        event = VolunteerRegistered(
            volunteer_id=volunteer_id,
            centrale_id=cmd.centrale_id,
            postcode_area=area,
            age_band=band,
            skills=cmd.skills,
            interests=cmd.interests,
            languages=cmd.languages,
            availability=cmd.availability,
            max_distance_km=cmd.max_distance_km,
            commitment=cmd.commitment,
            needs_support=cmd.needs_support,
            regional_matching_consent=cmd.regional_matching_consent,
            registered_at=now,
            registered_by=cmd.registered_by,
        )
        envelope = make_envelope(
            event, source=origin.source, tenant=cmd.centrale_id, region=origin.region,
            correlation_id=origin.correlation_id,
        )  # fmt: skip
        await add_to_outbox(conn, event, envelope)
    return volunteer_id
