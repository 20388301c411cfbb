"""Certificates: a PDF from the appreciation record plus the name given in the request (never stored).

What is stored is what a third party may check: the certificate's id, the SHA-256 of the PDF, the
centrale, the issue date and the totals. A volunteer's name never reaches this service's database.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import asyncpg

from appreciation.certificate_pdf import CertificateContent, OrganisationLine, TaskLine, render_certificate
from appreciation.use_cases._shared import Conflict, NotFound, utc_now
from appreciation.use_cases.records import TRAININGS_NOTE, volunteer_record

__all__ = ["certificate_facts", "issue_certificate", "verify_certificate"]


async def issue_certificate(
    pool: asyncpg.Pool, volunteer_id: UUID, centrale_id: str, name: str, *, public_url: str, font: Path | None
) -> tuple[UUID, bytes]:
    """Render the volunteer's certificate and remember its id and hash; Conflict while there are no hours."""
    async with pool.acquire() as conn:
        record = await volunteer_record(conn, volunteer_id, centrale_id)
        display_name = await conn.fetchval("SELECT display_name FROM centrales WHERE id = $1", centrale_id)
    if record["total_hours"] <= 0:
        raise Conflict("no hours have been logged yet: there is nothing to certify")
    certificate_id = uuid4()
    issued_at = utc_now()
    unknown = "Onbekende organisatie"  # its registration was not seen (yet)
    content = CertificateContent(
        certificate_id=certificate_id,
        name=name,
        centrale_name=display_name or centrale_id,
        issued_on=issued_at.date(),
        total_hours=record["total_hours"],
        first_day=record["first_day"],
        last_day=record["last_day"],
        verify_url=f"{public_url.rstrip('/')}/v1/certificates/{certificate_id}",
        trainings_note=TRAININGS_NOTE,
        organisations=[
            OrganisationLine(o["name"] or unknown, o["hours"], o["first_day"], o["last_day"])
            for o in record["organisations"]
        ],
        tasks=[
            TaskLine(
                t["organisation_name"] or "Onbekende organisatie", t["theme"] or "-", sorted(t["skills"]), t["hours"]
            )
            for t in record["tasks"]
        ],
        skills=record["skills_used"],
        awards=[(a["title"], a["awarded_at"].date()) for a in record["awards"]],
    )
    # Rendering takes tens of milliseconds of CPU: off the event loop, so consumers and requests go on.
    pdf = await asyncio.to_thread(render_certificate, content, font)
    async with pool.acquire() as conn:
        await conn.execute(
            "INSERT INTO certificates (id, volunteer_id, centrale_id, sha256, total_hours, organisations, first_day,"
            " last_day, issued_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            certificate_id, volunteer_id, centrale_id, hashlib.sha256(pdf).hexdigest(), record["total_hours"],
            len(record["organisations"]), record["first_day"], record["last_day"], issued_at,
        )  # fmt: skip
    return certificate_id, pdf


async def certificate_facts(pool: asyncpg.Pool, certificate_id: UUID) -> dict[str, Any]:
    """What anyone holding a certificate id may learn: no name, no volunteer id."""
    row = await pool.fetchrow(
        "SELECT c.id, c.centrale_id, coalesce(z.display_name, c.centrale_id) AS centrale_name, c.issued_at,"
        " c.total_hours, c.organisations, c.first_day, c.last_day, c.sha256"
        " FROM certificates c JOIN centrales z ON z.id = c.centrale_id WHERE c.id = $1",
        certificate_id,
    )
    if row is None:
        raise NotFound(f"certificate {certificate_id} not found")
    return {
        "certificate_id": row["id"],
        "issued_by": row["centrale_name"],
        "centrale_id": row["centrale_id"],
        "issued_on": row["issued_at"].date(),
        "total_hours": Decimal(row["total_hours"]),
        "organisations": row["organisations"],
        "first_day": row["first_day"],
        "last_day": row["last_day"],
        "sha256": row["sha256"],
    }


async def verify_certificate(pool: asyncpg.Pool, certificate_id: UUID, content: bytes) -> bool:
    """Whether ``content`` is exactly the PDF issued under ``certificate_id``."""
    facts = await certificate_facts(pool, certificate_id)
    return hmac.compare_digest(hashlib.sha256(content).hexdigest(), facts["sha256"])
