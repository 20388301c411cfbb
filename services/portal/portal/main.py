"""Portal entrypoint: the only place its Settings are built; the app, its middleware and its error pages.

The portal has no database and no Kafka, so it does not run on ``common.service``'s runner (which opens a
pool, applies migrations and connects a broker); it shares the runner's parts instead: ``ProcessSettings``,
JSON logs, correlation ids, ``/health/live`` and ``/health/ready``, and ``serve`` (uvicorn with the same
shutdown budget). Its lifespan opens one pooled HTTP client per service and closes them on SIGTERM.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import httpx
from fastapi import Depends, FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from common.logging import configure_logging, get_logger
from common.observability import Metrics, instrument_app
from common.service import add_correlation_ids, add_health_routes, serve
from common.tracing import Tracing, TracingMiddleware
from portal import i18n
from portal.backend import ApiError, ApiForbidden, ApiNotFound, ApiThrottled, Backend, PageCalls, SessionEnded
from portal.config import Settings
from portal.pages import ROUTERS
from portal.pages._base import LoginNeeded, NotAllowed, current_visitor, redirect, settle_session
from portal.rendering import STATIC, Templates, page
from portal.security import CookieNames, check_csrf, new_visitor_id, security_headers
from portal.visitor import SessionMemberships

__all__ = ["create_app", "main"]

log = get_logger(__name__)

# A year: the visitor's language choice and the anonymous CSRF seed outlive a browser session.
_LONG_COOKIE_S = 365 * 24 * 3600
# /health/ready: the portal serves (error pages included) as long as it runs; the services' reachability
# is reported, not required, so a load balancer keeps it while one service restarts.
READINESS_REQUIRES = ("started",)


def create_app(
    settings: Settings | None = None,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    tracing: Tracing | None = None,
) -> FastAPI:
    """The portal's ASGI app. ``transport``: the fast tier's stand-in for the services; ``tracing``: tests' tracer."""
    settings = settings or Settings()
    if tracing is None:
        tracing = Tracing.from_endpoint("portal", settings.otel_exporter_otlp_endpoint, region=settings.region)
    i18n.Catalogues.load()
    state = {"started": False}

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.backend = Backend(settings, transport)
        state["started"] = True
        log.info("service_started", services={s: settings.service_url(s) for s in ("registry", "matching")})
        try:
            yield
        finally:
            state["started"] = False
            try:
                await asyncio.wait_for(app.state.backend.close(), timeout=settings.shutdown_timeout_s * 0.5)
            except TimeoutError:
                log.warning("backend_close_timed_out")
            tracing.shutdown()
            log.info("service_stopped")

    app = FastAPI(
        title=f"portal ({settings.region})",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        dependencies=[Depends(check_csrf)],
    )
    app.state.settings = settings
    app.state.cookies = CookieNames(settings.cookie_secure)
    app.state.templates = Templates()
    app.state.memberships = SessionMemberships()

    async def readiness() -> dict[str, bool]:
        checks = {"started": state["started"]}
        if state["started"]:
            checks.update(await app.state.backend.reachable())
        return checks

    add_health_routes(
        app, readiness, READINESS_REQUIRES, ready_summary="Started; the services' reachability is reported."
    )
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for router in ROUTERS:
        app.include_router(router)
    _add_error_pages(app)
    app.middleware("http")(_page_context)
    app.middleware("http")(security_headers)
    if tracing.enabled:
        # A page's SERVER span; the backend hands it on as each API call's ``traceparent``, so one trace shows
        # the page with the calls it made and what the services did for them (down to the consumers).
        app.add_middleware(TracingMiddleware, tracing=tracing)
    add_correlation_ids(app)  # every log line of the request carries its id
    instrument_app(app, Metrics("portal", region=settings.region))  # outermost: /metrics, requests per route
    return app


async def _page_context(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    """Per request: its language, an anonymous visitor's CSRF seed, the API calls it makes, one log line."""
    names: CookieNames = request.app.state.cookies
    language = i18n.pick_language(
        request.query_params.get("taal") or request.cookies.get(names.language), request.headers.get("accept-language")
    )
    i18n.use_language(language)
    request.state.calls = PageCalls()
    new_visitor = None
    if not request.cookies.get(names.session) and not request.cookies.get(names.visitor):
        new_visitor = request.state.new_visitor_id = new_visitor_id()
    started = time.perf_counter()
    try:
        response = await call_next(request)
    finally:
        accepted = await settle_session(request)
    if not accepted:
        # The registry refused the session while the page was being made: the page is not sent.
        response = redirect(f"/inloggen?volgende={_quote(request.url.path)}", "sessie-verlopen")
        request.state.session_ended = True
    elapsed_ms = (time.perf_counter() - started) * 1000
    if new_visitor and not request.url.path.startswith(("/static/", "/health/")):
        names.set(response, names.visitor, new_visitor, max_age=_LONG_COOKIE_S)
    if getattr(request.state, "session_ended", False):
        names.clear(response, names.session)
    calls: PageCalls = request.state.calls
    response.headers["Server-Timing"] = (
        f'app;dur={elapsed_ms:.1f}, api;desc="{calls.count} calls";dur={calls.total_ms:.1f}'
    )
    if not request.url.path.startswith(("/static/", "/health/")):
        log.info(
            "page_served",
            method=request.method,
            path=_route_path(request),
            status=response.status_code,
            ms=round(elapsed_ms, 1),
            api_calls=calls.count,
            api_ms=round(calls.total_ms, 1),
        )
    return response


def _route_path(request: Request) -> str:
    """The route's template (``/vacatures/{task_id}``), never the ids in a URL."""
    route = request.scope.get("route")
    return str(getattr(route, "path", "")) or "unmatched"


def _add_error_pages(app: FastAPI) -> None:
    """Every refusal and failure as a page in the portal's layout, never a JSON body or a stack trace."""

    async def error_page(request: Request, status: int, **context: object) -> Response:
        await _visitor_for_error(request)
        return page(request, "error.html", status_code=status, status=status, **context)

    async def login_needed(request: Request, error: Exception) -> Response:
        assert isinstance(error, LoginNeeded)
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return redirect(f"/inloggen?volgende={_quote(target)}", "sessie-verlopen" if error.session_ended else None)

    async def session_ended(request: Request, error: Exception) -> Response:
        request.state.session_ended = True
        return await login_needed(request, LoginNeeded(session_ended=True))

    async def not_allowed(request: Request, _: Exception) -> Response:
        return await error_page(request, 403)

    async def api_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, ApiError)
        if isinstance(error, ApiForbidden):
            return await error_page(request, 403)
        if isinstance(error, ApiNotFound):
            return await error_page(request, 404)
        if isinstance(error, ApiThrottled):
            response = await error_page(request, 429, retry_after=error.retry_after)
            response.headers["Retry-After"] = str(error.retry_after)
            return response
        # A refusal or conflict outside a form, or a service that did not answer.
        return await error_page(request, 409 if error.status == 409 else 503)

    async def http_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, StarletteHTTPException)
        status = error.status_code if error.status_code in (400, 403, 404, 405, 413, 429) else 404
        return await error_page(request, status)

    async def bad_request(request: Request, _: Exception) -> Response:
        # A malformed id or query in the URL: nothing there.
        return await error_page(request, 404)

    app.add_exception_handler(LoginNeeded, login_needed)
    app.add_exception_handler(SessionEnded, session_ended)
    app.add_exception_handler(NotAllowed, not_allowed)
    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, bad_request)


async def _visitor_for_error(request: Request) -> None:
    """An error page still shows who is logged in (unless asking is what failed)."""
    if getattr(request.state, "visitor", None) is None:
        with contextlib.suppress(ApiError):
            await current_visitor(request)


def _quote(path: str) -> str:
    from urllib.parse import quote

    return quote(path, safe="/")


def main() -> None:
    """Run the portal until SIGTERM."""
    settings = Settings()
    configure_logging("portal", settings.log_level)
    serve(create_app(settings), settings)
