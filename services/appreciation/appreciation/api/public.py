"""Public routes: anyone holding a certificate can have it checked (no personal data is answered)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, HTTPException, Request

from appreciation.api._plumbing import AppreciationUowDep
from appreciation.api.models import Record
from appreciation.use_cases import certificates
from common.ratelimit import limit_per_client

# Anonymous look-ups are limited per client address (RATE_LIMIT_CERTIFICATE_LOOKUP), against guessing ids.
router = APIRouter(
    prefix="/v1/certificates",
    tags=["verification"],
    dependencies=[Depends(limit_per_client(lambda settings: settings.certificate_lookup_limit))],
)

_PDF = {"type": "string", "format": "binary"}
# Certificates are a few tens of kilobytes; anything much larger is not one of ours.
_MAX_PDF_BYTES = 5 * 1024 * 1024


async def _pdf_body(request: Request) -> bytes:
    """The request body, refused with 413 once it passes the size of any certificate."""
    content = bytearray()
    async for chunk in request.stream():
        content += chunk
        if len(content) > _MAX_PDF_BYTES:
            raise HTTPException(413, f"a certificate is at most {_MAX_PDF_BYTES} bytes")
    return bytes(content)


@router.get("/{certificate_id}", summary="Check a certificate id: who issued it, when, and the totals it states.")
async def certificate(certificate_id: UUID, uow: AppreciationUowDep) -> Record:
    return await certificates.certificate_facts(certificates.ShowCertificate(certificate_id), uow)


@router.post(
    "/{certificate_id}/verify",
    summary="Send the PDF (body, application/pdf): is it exactly the certificate issued under this id?",
    openapi_extra={"requestBody": {"content": {"application/pdf": {"schema": _PDF}}, "required": True}},
)
async def verify(
    certificate_id: UUID,
    # Read before the unit of work is opened (dependencies resolve in order): no connection waits on an upload.
    content: Annotated[bytes, Depends(_pdf_body)],
    uow: AppreciationUowDep,
) -> Record:
    authentic = await certificates.verify_certificate(certificates.VerifyCertificate(certificate_id, content), uow)
    return {"certificate_id": certificate_id, "authentic": authentic}
