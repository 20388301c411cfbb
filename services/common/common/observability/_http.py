"""HTTP: one ASGI middleware counting and timing requests per route template, and ``GET /metrics``."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

if TYPE_CHECKING:
    from fastapi import FastAPI

    from common.observability._metrics import HttpMetrics, Metrics

__all__ = ["HttpMetricsMiddleware", "instrument_app"]

# The label of a request no route matched (a 404 for an unknown path): never the raw path, which would make
# every probe for /wp-admin/... a new series.
UNMATCHED = "unmatched"


class HttpMetricsMiddleware:
    """Counts and times every request by method, route template and status."""

    def __init__(self, app: ASGIApp, metrics: HttpMetrics) -> None:
        self._app = app
        self._metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client gets when the app raises before answering

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        self._metrics.in_progress.inc()
        try:
            await self._app(scope, receive, send_and_note)
        finally:
            self._metrics.in_progress.dec()
            self._metrics.observe(scope["method"], _route_template(scope), status, time.perf_counter() - started)


def _route_template(scope: Scope) -> str:
    """The matched route's path template (``/v1/volunteers/{volunteer_id}``), or ``unmatched``."""
    route: Any = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else UNMATCHED


def instrument_app(app: FastAPI, metrics: Metrics) -> None:
    """Add ``/metrics`` (Prometheus text format, this app's registry) and the request middleware to ``app``.

    Any of the platform's FastAPI apps (the services, the portal) calls this once when it builds its app.
    """
    registry = metrics.registry

    async def expose() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    # An API route (not a bare Starlette one), so its scrapes are labelled /metrics, not unmatched.
    app.add_api_route("/metrics", expose, methods=["GET"], include_in_schema=False)
    app.add_middleware(HttpMetricsMiddleware, metrics=metrics.http)
