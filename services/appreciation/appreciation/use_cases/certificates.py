"""Certificates: a PDF from the appreciation record plus the name given in the request (never stored).

What is stored is what a third party may check: the certificate's id, the SHA-256 of the PDF, the
centrale, the issue date and the totals. A volunteer's name never reaches this service's database.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

from appreciation.certificate_pdf import (
    CertificateContent,
    OrganisationLine,
    TaskLine,
    TrainingLine,
    render_certificate,
)
from appreciation.domain import Certificate
from appreciation.unit_of_work import AppreciationUnitOfWork
from appreciation.use_cases.records import ShowVolunteerRecord, full_record
from common.clock import dutch_date
from common.errors import Conflict, NotFound

__all__ = [
    "IssueCertificate",
    "ShowCertificate",
    "VerifyCertificate",
    "certificate_facts",
    "issue_certificate",
    "verify_certificate",
]

_UNKNOWN_ORGANISATION = "Onbekende organisatie"  # its registration was not seen (yet)


@dataclass(frozen=True)
class IssueCertificate:
    """A certificate for a volunteer of ``centrale_id``, with ``name`` printed on it (and nowhere kept)."""

    volunteer_id: UUID
    centrale_id: str
    name: str
    public_url: str
    font: Path | None


@dataclass(frozen=True)
class ShowCertificate:
    """What anyone holding a certificate id may learn."""

    certificate_id: UUID


@dataclass(frozen=True)
class VerifyCertificate:
    """Whether ``content`` is exactly the PDF issued under ``certificate_id``."""

    certificate_id: UUID
    content: bytes


async def issue_certificate(command: IssueCertificate, uow: AppreciationUnitOfWork) -> tuple[UUID, bytes]:
    """Render the volunteer's certificate and remember its id and hash; Conflict while there are no hours and no
    trainings followed."""
    record = await full_record(ShowVolunteerRecord(command.volunteer_id, command.centrale_id), uow)
    summary = record.summary
    if summary.total_hours <= 0 and not record.trainings:
        raise Conflict("no hours or trainings have been recorded yet: there is nothing to certify")
    display_name = await uow.centrales.display_name(command.centrale_id)
    certificate_id = uuid4()
    issued_at = uow.now()
    content = CertificateContent(
        certificate_id=certificate_id,
        name=command.name,
        centrale_name=display_name or command.centrale_id,
        issued_on=dutch_date(issued_at),
        total_hours=summary.total_hours,
        first_day=summary.first_day,
        last_day=summary.last_day,
        verify_url=f"{command.public_url.rstrip('/')}/v1/certificates/{certificate_id}",
        trainings=[TrainingLine(t.title, t.kind, t.on) for t in record.trainings],
        organisations=[
            OrganisationLine(o.name or _UNKNOWN_ORGANISATION, o.hours, o.first_day, o.last_day)
            for o in summary.organisations
        ],
        tasks=[
            TaskLine(t.organisation_name or _UNKNOWN_ORGANISATION, t.theme or "-", sorted(t.skills), t.hours)
            for t in summary.tasks
        ],
        skills=summary.skills_used,
        awards=[(a.title, dutch_date(a.awarded_at)) for a in record.awards],
    )
    # Rendering takes tens of milliseconds of CPU: off the event loop, so consumers and requests go on.
    pdf = await asyncio.to_thread(render_certificate, content, command.font)
    await uow.certificates.add(
        Certificate(
            id=certificate_id,
            volunteer_id=command.volunteer_id,
            centrale_id=command.centrale_id,
            sha256=hashlib.sha256(pdf).hexdigest(),
            total_hours=summary.total_hours,
            organisations=len(summary.organisations),
            first_day=summary.first_day,
            last_day=summary.last_day,
            issued_at=issued_at,
        )
    )
    return certificate_id, pdf


async def certificate_facts(query: ShowCertificate, uow: AppreciationUnitOfWork) -> dict[str, Any]:
    """What anyone holding a certificate id may learn: no name, no volunteer id."""
    certificate = await uow.certificates.get(query.certificate_id)
    if certificate is None:
        raise NotFound(f"certificate {query.certificate_id} not found")
    display_name = await uow.centrales.display_name(certificate.centrale_id)
    return {
        "certificate_id": certificate.id,
        "issued_by": display_name or certificate.centrale_id,
        "centrale_id": certificate.centrale_id,
        "issued_on": dutch_date(certificate.issued_at),
        "total_hours": certificate.total_hours,
        "organisations": certificate.organisations,
        "first_day": certificate.first_day,
        "last_day": certificate.last_day,
        "sha256": certificate.sha256,
    }


async def verify_certificate(query: VerifyCertificate, uow: AppreciationUnitOfWork) -> bool:
    """Whether ``content`` is exactly the PDF issued under ``query.certificate_id``; NotFound for an unknown id."""
    certificate = await uow.certificates.get(query.certificate_id)
    if certificate is None:
        raise NotFound(f"certificate {query.certificate_id} not found")
    return hmac.compare_digest(hashlib.sha256(query.content).hexdigest(), certificate.sha256)
