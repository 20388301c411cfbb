"""HTTP plumbing of appreciation: use-case errors as 4xx, the settings, where a command comes from."""

from __future__ import annotations

from typing import Annotated, Any, cast

from fastapi import Depends, Request, Response

from appreciation.config import Settings
from appreciation.use_cases import Origin
from common.service import get_runtime

__all__ = ["SettingsDep", "origin", "pdf_response"]


def _settings(request: Request) -> Settings:
    return cast(Settings, get_runtime(request).settings)


SettingsDep = Annotated[Settings, Depends(_settings)]


def origin(request: Request) -> Origin:
    """Awards a request causes come from appreciation in this region, under the request's correlation id."""
    settings = get_runtime(request).settings
    return Origin(
        source=f"/regions/{settings.region}/appreciation",
        region=settings.region,
        correlation_id=request.state.correlation_id,
    )


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
