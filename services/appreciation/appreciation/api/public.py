"""Public routes: anyone holding a certificate can have it checked (no personal data is answered)."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, HTTPException, Request

from appreciation.api.models import Record
from appreciation.use_cases import certificates
from common.service import PoolDep

router = APIRouter(prefix="/v1/certificates", tags=["verification"])

# Certificates are a few tens of kilobytes; anything much larger is not one of ours.
_MAX_PDF_BYTES = 5 * 1024 * 1024


@router.get("/{certificate_id}", summary="Check a certificate id: who issued it, when, and the totals it states.")
async def certificate(certificate_id: UUID, pool: PoolDep) -> Record:
    return await certificates.certificate_facts(pool, certificate_id)


@router.post(
    "/{certificate_id}/verify",
    summary="Send the PDF (body, application/pdf): is it exactly the certificate issued under this id?",
    openapi_extra={"requestBody": {"content": {"application/pdf": {}}, "required": True}},
)
async def verify(certificate_id: UUID, request: Request, pool: PoolDep) -> Record:
    content = bytearray()
    async for chunk in request.stream():
        content += chunk
        if len(content) > _MAX_PDF_BYTES:
            raise HTTPException(413, f"a certificate is at most {_MAX_PDF_BYTES} bytes")
    authentic = await certificates.verify_certificate(pool, certificate_id, bytes(content))
    return {"certificate_id": certificate_id, "authentic": authentic}
