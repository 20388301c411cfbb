"""Routes for volunteers themselves: their own appreciation record and certificate."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Response

from appreciation.api._plumbing import PDF_RESPONSES, AppreciationUowDep, SettingsDep, pdf_response
from appreciation.api.models import CertificateIn, Record
from appreciation.use_cases import certificates, records
from common.auth import Caller, CallerDep, Role, require_role

router = APIRouter(prefix="/v1/me", tags=["volunteers"])


def _me(caller: Caller) -> tuple[UUID, str]:
    """The volunteer the caller is, and their centrale."""
    require_role(caller, Role.VOLUNTEER)
    assert caller.subject_id is not None, "volunteer credentials carry the volunteer id"
    assert caller.centrale_id is not None, "volunteer credentials carry the centrale"
    return caller.subject_id, caller.centrale_id


@router.get("/appreciation", summary="Your appreciation record: organisations, tasks, hours, skills, milestones.")
async def my_record(caller: CallerDep, uow: AppreciationUowDep) -> Record:
    volunteer_id, centrale_id = _me(caller)
    return await records.volunteer_record(records.ShowVolunteerRecord(volunteer_id, centrale_id, must_exist=False), uow)


@router.post(
    "/certificates",
    status_code=201,
    response_class=Response,
    responses=PDF_RESPONSES,
    summary="Your certificate (PDF) with the name you give; the name is not kept.",
)
async def my_certificate(body: CertificateIn, caller: CallerDep, uow: AppreciationUowDep, settings: SettingsDep) -> Any:
    volunteer_id, centrale_id = _me(caller)
    command = certificates.IssueCertificate(
        volunteer_id, centrale_id, body.name, public_url=settings.public_url, font=settings.certificate_font
    )
    certificate_id, pdf = await certificates.issue_certificate(command, uow)
    return pdf_response(certificate_id, pdf)
