"""The API's documents: every operation lists the errors it can give, and the doc pages load nothing from a CDN.

Error responses are derived from each route's dependencies and shape, so a new route is documented by being
written: a route that identifies its caller can answer 401 (and 429 once an address fails too often), one
that requires a caller also 403 and 404 (a tenant's records are 404 to the others), one with path
parameters 404, a write by a caller or through the unit of work 409, a method with a body 413, one with
parameters or a body 422 (its validation, and the text check of ``common.guard``), a rate-limited one 429.
A route that reads a token but needs none (self-registration, certificate checks) has optional security.

Swagger UI (``/docs``) and ReDoc (``/redoc``) are served from ``docs_assets/``, vendored from npm by
``scripts/vendor-docs-assets.sh``, under a Content-Security-Policy that allows only this origin; the
``API_DOCS`` setting turns both pages off (``/openapi.json`` stays: clients generate code from it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, HTTPException
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.responses import FileResponse, HTMLResponse, Response
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts

from common.auth import authenticate, identify
from common.http import request_unit_of_work

__all__ = ["DOCS_CSP", "docs_router", "document_error_responses", "error_statuses"]

ASSETS = Path(__file__).parent / "docs_assets"
_ASSET_TYPES = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "redoc.standalone.js": "text/javascript",
    "swagger-init.js": "text/javascript",
}
# The doc pages run the vendored scripts and fetch /openapi.json from this origin, nothing else; Swagger UI
# and ReDoc set inline styles, and ReDoc renders in a worker made from a blob.
DOCS_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; worker-src blob:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
_WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_DESCRIPTIONS = {
    401: "No valid bearer token: missing, unknown, revoked or expired.",
    403: "The caller's role may not do this.",
    404: "Not found, or not for this caller's tenant (the two are not told apart).",
    409: "The command contradicts the record's current state.",
    413: "The request body is larger than the service accepts (HTTP_MAX_BODY_BYTES).",
    422: "Invalid input or a broken rule; every entry names where (`loc`) and why (`msg`), never the value sent.",
    429: "Too many requests from this client; try again after `Retry-After` seconds.",
}
_MESSAGE = {
    "title": "ErrorMessage",
    "type": "object",
    "properties": {"detail": {"type": "string", "title": "Detail"}},
    "required": ["detail"],
}
_VALIDATION = {
    "title": "ValidationErrors",
    "type": "object",
    "properties": {
        "detail": {
            "type": "array",
            "title": "Detail",
            "items": {
                "type": "object",
                "properties": {
                    "loc": {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]}},
                    "msg": {"type": "string"},
                    "type": {"type": "string"},
                },
                "required": ["loc", "msg", "type"],
            },
        }
    },
    "required": ["detail"],
}


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    """Every dependency function in the route's tree."""
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from _calls(sub)


def error_statuses(route: APIRoute | RouteContext) -> set[int]:
    """The error statuses a route can answer, from its dependencies, parameters and method."""
    calls = set(_calls(route.dependant))
    methods = route.methods or set()
    statuses: set[int] = set()
    if identify in calls:
        statuses |= {401, 429}
    if authenticate in calls:
        statuses |= {403, 404}
    if route.dependant.path_params:
        statuses.add(404)
    if methods & _WRITES and (request_unit_of_work in calls or authenticate in calls):
        statuses.add(409)
    if methods & _WRITES:
        statuses.add(413)
    dependant = route.dependant
    parameters = dependant.path_params + dependant.query_params + dependant.header_params + dependant.body_params
    if parameters or methods & _WRITES:
        statuses.add(422)
    if any(getattr(call, "rate_limited", False) for call in calls):
        statuses.add(429)
    return statuses


def document_error_responses(app: FastAPI) -> None:
    """Make the app's OpenAPI document list, per operation, the error responses it can give."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        schemas = schema.setdefault("components", {}).setdefault("schemas", {})
        schemas["ErrorMessage"] = _MESSAGE
        schemas["ValidationErrors"] = _VALIDATION
        # Routes of included routers come through their contexts (prefix and router dependencies applied).
        for route in iter_route_contexts(app.routes):
            if not isinstance(route.original_route, APIRoute) or not route.include_in_schema:
                continue
            for method in route.methods or ():
                operation = schema["paths"][route.path_format].get(method.lower())
                if operation is None:
                    continue
                responses = operation.setdefault("responses", {})
                for status in sorted(error_statuses(route)):
                    _document(responses, status)
                if "security" in operation and authenticate not in set(_calls(route.dependant)):
                    # A public route reads a token when one is sent (to know the caller) but needs none.
                    operation["security"] = [{}, *operation["security"]]
        # FastAPI's own validation-error models describe the reply with ``input``, which is not sent.
        schemas.pop("HTTPValidationError", None)
        schemas.pop("ValidationError", None)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def _document(responses: dict[str, Any], status: int) -> None:
    model = "ValidationErrors" if status == 422 else "ErrorMessage"
    response: dict[str, Any] = {
        "description": _DESCRIPTIONS[status],
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{model}"}}},
    }
    if status == 429:
        response["headers"] = {
            "Retry-After": {"description": "Seconds until the client may try again.", "schema": {"type": "integer"}}
        }
    if status == 422 or str(status) not in responses:
        # 422 replaces FastAPI's default, whose schema promises the ``input`` the service no longer echoes.
        responses[str(status)] = response


def docs_router(title: str) -> APIRouter:
    """``/docs`` (Swagger UI) and ``/redoc`` (ReDoc) over ``/openapi.json``, from local assets only."""
    router = APIRouter(include_in_schema=False)
    headers = {"Content-Security-Policy": DOCS_CSP}

    @router.get("/docs")
    async def swagger_ui() -> HTMLResponse:
        return HTMLResponse(
            f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}: API</title><link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="swagger-ui" data-openapi-url="/openapi.json"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script><script src="/docs/assets/swagger-init.js"></script>
</body></html>""",
            headers=headers,
        )

    @router.get("/redoc")
    async def redoc() -> HTMLResponse:
        return HTMLResponse(
            f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}: API</title></head>
<body><redoc spec-url="/openapi.json"></redoc><script src="/docs/assets/redoc.standalone.js"></script>
</body></html>""",
            headers=headers,
        )

    @router.get("/docs/assets/{name}")
    async def asset(name: str) -> Response:
        media_type = _ASSET_TYPES.get(name)
        if media_type is None:
            raise HTTPException(404, "not found")
        # The vendored files change only with a new release of the service: let browsers keep them a day.
        return FileResponse(ASSETS / name, media_type=media_type, headers={"Cache-Control": "public, max-age=86400"})

    return router
