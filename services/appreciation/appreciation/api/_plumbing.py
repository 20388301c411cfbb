"""HTTP plumbing of appreciation: use-case errors as 4xx, the settings, where a command comes from."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any, cast

from fastapi import Depends, Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from appreciation.config import Settings
from appreciation.use_cases import Conflict, NotFound, Origin, Rejected
from common.service import get_runtime

__all__ = ["AppreciationRoute", "SettingsDep", "origin", "pdf_response"]


class AppreciationRoute(APIRoute):
    """Route that answers use-case errors with 404, 409 or 422 (field-level), never 500."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """Wrap the handler so use-case errors become client errors."""
        handler = super().get_route_handler()

        async def translated(request: Request) -> Response:
            try:
                return await handler(request)
            except NotFound as error:
                return JSONResponse({"detail": str(error)}, status_code=404)
            except Conflict as error:
                return JSONResponse({"detail": str(error)}, status_code=409)
            except Rejected as error:
                loc = [error.location, error.field]
                detail = [{"loc": loc, "msg": reason, "type": "rejected"} for reason in error.reasons]
                return JSONResponse({"detail": detail}, status_code=422)

        return translated


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
