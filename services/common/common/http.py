"""HTTP plumbing shared by the services' APIs: use-case errors answered as client errors."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from common.errors import Conflict, NotFound, Rejected

__all__ = ["UseCaseRoute"]


class UseCaseRoute(APIRoute):
    """Route that answers use-case errors with 404, 409 or 422 (field-level, like validation errors), never 500."""

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
                loc = ["body"] if error.field is None else ["body", error.field]
                detail = [{"loc": loc, "msg": reason, "type": "rejected"} for reason in error.reasons]
                return JSONResponse({"detail": detail}, status_code=422)

        return translated
