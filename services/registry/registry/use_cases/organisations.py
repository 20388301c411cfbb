"""Organisations: registration with a centrale and vetting by its staff (pending → admitted / refused)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

from common.db import Connection
from contracts.events import OrganisationAdmitted, OrganisationRefused, OrganisationRegistered
from registry import domain
from registry.use_cases._shared import Conflict, NotFound, Origin, Rejected, emit, utc_now
from registry.use_cases.centrales import ensure_centrale

__all__ = ["RegisterOrganisation", "admit_organisation", "get_organisation", "list_organisations",
           "refuse_organisation", "register_organisation"]  # fmt: skip


@dataclass(frozen=True)
class RegisterOrganisation:
    """Register an organisation (formal with a KvK number, or an informal initiative without one)."""

    centrale_id: str
    name: str
    formal: bool
    kvk_number: str | None
    postcode: str | None
    contact_name: str | None
    contact_email: str | None
    contact_phone: str | None
    liability_insured: bool
    free_vog_scheme: bool
    for_profit: bool


async def register_organisation(conn: Connection, cmd: RegisterOrganisation, origin: Origin) -> UUID:
    """Store the organisation as pending and queue ``OrganisationRegistered``."""
    if cmd.formal and not cmd.kvk_number:
        raise Rejected(["a formal organisation needs its KvK number"], field="kvk_number")
    if not cmd.formal and cmd.kvk_number:
        raise Rejected(["an informal initiative has no KvK number; register it as formal"], field="kvk_number")
    organisation_id = uuid4()
    now = utc_now()
    area = domain.postcode_area(cmd.postcode) if cmd.postcode else None
    async with conn.transaction():
        await ensure_centrale(conn, cmd.centrale_id)
        await conn.execute(
            """
            INSERT INTO organisations (id, centrale_id, name, formal, kvk_number, postcode, postcode_area,
                contact_name, contact_email, contact_phone, liability_insured, free_vog_scheme, for_profit,
                registered_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
            """,
            organisation_id, cmd.centrale_id, cmd.name, cmd.formal, cmd.kvk_number, cmd.postcode, area,
            cmd.contact_name, cmd.contact_email, cmd.contact_phone, cmd.liability_insured, cmd.free_vog_scheme,
            cmd.for_profit, now,
        )  # fmt: skip
        await emit(
            conn,
            OrganisationRegistered(
                organisation_id=organisation_id,
                centrale_id=cmd.centrale_id,
                organisation_name=cmd.name,
                formal=cmd.formal,
                postcode_area=area,
                liability_insured=cmd.liability_insured,
                free_vog_scheme=cmd.free_vog_scheme,
                registered_at=now,
            ),
            origin,
            cmd.centrale_id,
        )
    return organisation_id


async def admit_organisation(conn: Connection, organisation_id: UUID, centrale_id: str, origin: Origin) -> None:
    """Admit a pending organisation after vetting; queue ``OrganisationAdmitted``."""
    async with conn.transaction():
        await _vet(conn, organisation_id, centrale_id, "admitted", None)
        await emit(
            conn,
            OrganisationAdmitted(organisation_id=organisation_id, centrale_id=centrale_id, admitted_at=utc_now()),
            origin,
            centrale_id,
        )


async def refuse_organisation(
    conn: Connection, organisation_id: UUID, centrale_id: str, reason: str, origin: Origin
) -> None:
    """Refuse a pending organisation with a reason; queue ``OrganisationRefused``."""
    async with conn.transaction():
        await _vet(conn, organisation_id, centrale_id, "refused", reason)
        await emit(
            conn,
            OrganisationRefused(
                organisation_id=organisation_id, centrale_id=centrale_id, reason=reason, refused_at=utc_now()
            ),
            origin,
            centrale_id,
        )


async def get_organisation(conn: Connection, organisation_id: UUID, centrale_id: str) -> dict[str, Any]:
    """The organisation's record; NotFound for another tenant's."""
    row = await conn.fetchrow(
        "SELECT * FROM organisations WHERE id = $1 AND centrale_id = $2", organisation_id, centrale_id
    )
    if row is None:
        raise NotFound(f"organisation {organisation_id} not found")
    return dict(row)


async def list_organisations(conn: Connection, centrale_id: str, status: str | None) -> list[dict[str, Any]]:
    """The centrale's organisations, optionally only those with one status (e.g. pending vetting)."""
    rows = await conn.fetch(
        "SELECT id, name, formal, status, registered_at FROM organisations"
        " WHERE centrale_id = $1 AND ($2::text IS NULL OR status = $2) ORDER BY registered_at, id",
        centrale_id,
        status,
    )
    return [dict(row) for row in rows]


async def _vet(conn: Connection, organisation_id: UUID, centrale_id: str, status: str, reason: str | None) -> None:
    current = await conn.fetchval(
        "SELECT status FROM organisations WHERE id = $1 AND centrale_id = $2 FOR UPDATE", organisation_id, centrale_id
    )
    if current is None:
        raise NotFound(f"organisation {organisation_id} not found")
    if current != "pending":
        raise Conflict(f"organisation is already {current}")
    await conn.execute(
        "UPDATE organisations SET status = $2, status_reason = $3, vetted_at = now() WHERE id = $1",
        organisation_id,
        status,
        reason,
    )
