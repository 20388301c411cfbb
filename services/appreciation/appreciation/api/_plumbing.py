"""HTTP plumbing of appreciation: its unit of work per request, its settings, and how a certificate is answered."""

from __future__ import annotations

from typing import Annotated, Any, cast

from fastapi import Depends, Request, Response

from appreciation.config import Settings
from appreciation.unit_of_work import PostgresAppreciationUnitOfWork
from common.http import request_unit_of_work
from common.service import get_runtime

__all__ = ["PDF_RESPONSES", "AppreciationUowDep", "SettingsDep", "pdf_response"]


def _settings(request: Request) -> Settings:
    return cast(Settings, get_runtime(request).settings)


SettingsDep = Annotated[Settings, Depends(_settings)]
# The request's unit of work (SPEC.unit_of_work builds appreciation's): committed when the route returns.
AppreciationUowDep = Annotated[PostgresAppreciationUnitOfWork, Depends(request_unit_of_work, scope="function")]


def pdf_response(certificate_id: object, pdf: bytes) -> Response:
    """A freshly issued certificate: the PDF, its id in a header."""
    return Response(
        pdf,
        status_code=201,
        media_type="application/pdf",
        headers={
            "X-Certificate-Id": str(certificate_id),
            "Content-Disposition": f'attachment; filename="bewijs-van-inzet-{certificate_id}.pdf"',
            # The PDF carries a name: no shared cache may keep it.
            "Cache-Control": "no-store",
        },
    )


PDF_RESPONSES: dict[int | str, dict[str, Any]] = {
    201: {"content": {"application/pdf": {}}, "description": "The certificate; its id in `X-Certificate-Id`."}
}
