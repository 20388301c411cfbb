"""The four services' HTTP APIs, called on a visitor's behalf with their session token.

The portal holds nothing at rest: every page asks the services, as the person, for what it shows, so the
services' role and tenant rules are the portal's too. An API's answer becomes one of these outcomes::

    ApiError
    ├── SessionEnded       401: the session expired or was revoked → log in again
    ├── ApiForbidden       403: the person may not do this → the portal's 403 page
    ├── ApiNotFound        404 (or 410 for a task that no longer takes volunteers) → the portal's 404 page
    ├── ApiConflict        409: a state conflict, said at the form (``message``)
    ├── ApiRejected        422: field-level reasons, shown at the fields and in the error summary
    ├── ApiThrottled       429: too many attempts, ``retry_after`` seconds
    └── ApiUnavailable     5xx or no answer → the portal's 503 page

Every call is counted per page (``PageCalls``): the page's ``Server-Timing`` header and log line say how
many calls it made and how long they took, and the benchmark reports them.

A read the services answer alike for everyone (``get_public``: asked without the visitor's token, answered
``Cache-Control: public, max-age=N``) is kept for that long, at most ``PUBLIC_ANSWER_MAX_S``, and shared by
every visitor (``PublicAnswers``): the vacaturebank's counts per theme and centrale, on every search page.
Nothing asked with a token is ever kept.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import httpx

from common.logging import get_logger
from common.tracing import current_traceparent
from portal.config import Settings

__all__ = [
    "SERVICES",
    "Api",
    "ApiConflict",
    "ApiError",
    "ApiForbidden",
    "ApiNotFound",
    "ApiRejected",
    "ApiThrottled",
    "ApiUnavailable",
    "Backend",
    "Binary",
    "FieldError",
    "PageCalls",
    "PublicAnswers",
    "SessionEnded",
]

log = get_logger(__name__)

# Waits between retries of a call another service answered 401 for a session the registry just accepted.
_PROPAGATION_PAUSES_S = (0.2, 0.4, 0.8, 1.6)

SERVICES = ("registry", "matching", "appreciation", "reporting")

# The longest a public answer is kept, whatever max-age the service allows (a count that is a little behind
# on a search form harms nobody; half a minute keeps it close).
PUBLIC_ANSWER_MAX_S = 30.0
_MAX_AGE = re.compile(r"(?:^|,)\s*max-age\s*=\s*(\d+)")


class ApiError(Exception):
    """An API refused or could not answer; ``status`` is its HTTP status (0: no answer)."""

    status = 0

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message


class SessionEnded(ApiError):
    """The session token is unknown, expired or revoked."""

    status = 401


class ApiForbidden(ApiError):
    """The person's role may not do this."""

    status = 403


class ApiNotFound(ApiError):
    """Nothing there for this person (another tenant's records look the same)."""

    status = 404

    def __init__(self, message: str = "", body: Any = None) -> None:
        super().__init__(message)
        self.body = body


class ApiConflict(ApiError):
    """The record is in a state that does not allow this (a filled task, a made match)."""

    status = 409


@dataclass(frozen=True)
class FieldError:
    """One reason, at a field (``field`` is a dotted path like ``contact_person.email``; empty: the form)."""

    field: str
    message: str


class ApiRejected(ApiError):
    """The request broke a rule: reasons per field."""

    status = 422

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(error.message for error in errors))
        self.errors = errors


class ApiThrottled(ApiError):
    """Too many attempts: try again after ``retry_after`` seconds."""

    status = 429

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"retry after {retry_after} s")
        self.retry_after = retry_after


class ApiUnavailable(ApiError):
    """The service answered 5xx or not at all."""

    status = 503


@dataclass(frozen=True)
class Binary:
    """A non-JSON answer (a PDF, CSV, SVG or calendar) passed on to the browser."""

    content: bytes
    media_type: str
    filename: str | None = None


@dataclass
class PageCalls:
    """The API calls one page made: service, method, path, status and milliseconds each."""

    calls: list[tuple[str, str, str, int, float]] = field(default_factory=list)

    @property
    def count(self) -> int:
        """How many calls."""
        return len(self.calls)

    @property
    def total_ms(self) -> float:
        """Their summed duration (they may overlap when made concurrently)."""
        return sum(call[4] for call in self.calls)


class PublicAnswers:
    """Answers to anonymous reads the service marked ``public, max-age=N``, kept that long (at most
    ``max_s``) for every visitor; bounded in size, the oldest go first."""

    def __init__(self, max_s: float = PUBLIC_ANSWER_MAX_S, size: int = 256) -> None:
        self._max_s = max_s
        self._size = size
        self._entries: OrderedDict[str, tuple[float, bytes]] = OrderedDict()

    def get(self, key: str) -> bytes | None:
        """The answer's body while it is fresh (each page parses its own copy: no page changes another's)."""
        entry = self._entries.get(key)
        if entry is None or time.monotonic() >= entry[0]:
            return None
        return entry[1]

    def put(self, key: str, response: httpx.Response) -> None:
        """Keep ``response``'s body as long as its Cache-Control allows a shared cache to (not at all when it is
        not ``public`` or has no ``max-age``)."""
        control = response.headers.get("cache-control", "").lower()
        found = _MAX_AGE.search(control)
        if "public" not in control or "no-store" in control or "private" in control or found is None:
            return
        keep_s = min(float(found.group(1)), self._max_s)
        if keep_s <= 0:
            return
        self._entries.pop(key, None)
        self._entries[key] = (time.monotonic() + keep_s, response.content)
        while len(self._entries) > self._size:
            self._entries.popitem(last=False)


class Backend:
    """One pooled HTTP client per service for the portal's life; ``api()`` binds it to one page's visitor."""

    def __init__(self, settings: Settings, transport: httpx.AsyncBaseTransport | None = None) -> None:
        limits = httpx.Limits(
            max_connections=settings.api_connections, max_keepalive_connections=settings.api_connections
        )
        self._clients = {
            service: httpx.AsyncClient(
                base_url=settings.service_url(service),
                timeout=settings.api_timeout_s,
                limits=limits,
                transport=transport,
                follow_redirects=False,
            )
            for service in SERVICES
        }
        self.public_answers = PublicAnswers()

    def api(self, token: str | None, correlation_id: str, calls: PageCalls, client_address: str | None = None) -> Api:
        """The APIs as one visitor (``token``; None: anonymous) within one page."""
        return Api(self._clients, token, correlation_id, calls, client_address, self.public_answers)

    async def reachable(self) -> dict[str, bool]:
        """Which services answer ``/health/live`` now (readiness reports it; it does not decide on it)."""
        checks = {}
        for service, client in self._clients.items():
            try:
                checks[service] = (await client.get("/health/live", timeout=2)).status_code == 200
            except httpx.HTTPError:
                checks[service] = False
        return checks

    async def close(self) -> None:
        """Close every connection."""
        for client in self._clients.values():
            await client.aclose()


class Api:
    """Calls to the services as one visitor: their bearer token, the page's correlation id, counted."""

    def __init__(
        self,
        clients: dict[str, httpx.AsyncClient],
        token: str | None,
        correlation_id: str,
        calls: PageCalls,
        client_address: str | None,
        public_answers: PublicAnswers | None = None,
    ) -> None:
        self._clients = clients
        self._public_answers = public_answers if public_answers is not None else PublicAnswers(max_s=0)
        self.token = token
        self._headers = {"X-Correlation-ID": correlation_id, "Accept": "application/json"}
        if token:
            self._headers["Authorization"] = f"Bearer {token}"
        if client_address:
            # The registry rate-limits logins and resets per client address: it must see the person's, not ours.
            self._headers["X-Forwarded-For"] = client_address
        self._calls = calls

    def as_token(self, token: str) -> Api:
        """The same page's calls with another token (right after logging in)."""
        return Api(
            self._clients,
            token,
            self._headers["X-Correlation-ID"],
            self._calls,
            self._headers.get("X-Forwarded-For"),
            self._public_answers,
        )

    async def get(self, service: str, path: str, params: dict[str, Any] | list[tuple[str, Any]] | None = None) -> Any:
        """GET JSON."""
        return (await self._send(service, "GET", path, params=params)).json()

    async def get_public(self, service: str, path: str, params: dict[str, str] | None = None) -> Any:
        """GET JSON that is the same for everyone, asked anonymously (never with the visitor's token), kept for
        every visitor as long as the service's ``Cache-Control: public, max-age`` allows (``PublicAnswers``)."""
        key = f"{service} {httpx.URL(path, params=params)}"
        kept = self._public_answers.get(key)
        if kept is not None:
            return json.loads(kept)
        headers = {name: value for name, value in self._headers.items() if name != "Authorization"}
        response = await self._request(service, "GET", path, params, None, headers)
        if response.status_code >= 400:
            raise _error(service, "GET", response)
        self._public_answers.put(key, response)
        return response.json()

    async def get_binary(self, service: str, path: str, params: dict[str, Any] | None = None) -> Binary:
        """GET a file (CSV, SVG, PDF, calendar), with its media type and file name."""
        response = await self._send(service, "GET", path, params=params, accept="*/*")
        return _binary(response)

    async def post(self, service: str, path: str, json: Any = None, headers: dict[str, str] | None = None) -> Any:
        """POST JSON; the answer's JSON (None when it has no body)."""
        return _json_or_none(await self._send(service, "POST", path, json=json, extra_headers=headers))

    async def post_binary(self, service: str, path: str, json: Any = None) -> Binary:
        """POST JSON and receive a file (a certificate)."""
        return _binary(await self._send(service, "POST", path, json=json, accept="*/*"))

    async def put(self, service: str, path: str, json: Any = None) -> Any:
        """PUT JSON."""
        return _json_or_none(await self._send(service, "PUT", path, json=json))

    async def patch(self, service: str, path: str, json: Any = None) -> Any:
        """PATCH JSON."""
        return _json_or_none(await self._send(service, "PATCH", path, json=json))

    async def delete(self, service: str, path: str) -> Any:
        """DELETE."""
        return _json_or_none(await self._send(service, "DELETE", path))

    async def _send(
        self,
        service: str,
        method: str,
        path: str,
        *,
        params: Any = None,
        json: Any = None,
        accept: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        headers = {**self._headers, **(extra_headers or {})}
        if accept:
            headers["Accept"] = accept
        for pause in (*_PROPAGATION_PAUSES_S, None):
            response = await self._request(service, method, path, params, json, headers)
            if response.status_code < 400:
                return response
            if response.status_code == 401 and service != "registry" and self.token and pause is not None:
                # The registry issued this session moments ago; the other services learn of it from Kafka
                # (CredentialIssued) within a second or two. Wait for it instead of logging the person out.
                await asyncio.sleep(pause)
                continue
            break
        if response.status_code == 401 and service != "registry" and self.token:
            # Still unknown there although the registry accepts it: the events are late, not the session over.
            log.warning("session_not_yet_known", service=service)
            raise ApiUnavailable(f"{service} does not know the session yet")
        raise _error(service, method, response)

    async def _request(
        self, service: str, method: str, path: str, params: Any, json: Any, headers: dict[str, str]
    ) -> httpx.Response:
        started = time.perf_counter()
        traceparent = current_traceparent()
        if traceparent:
            headers = {**headers, "traceparent": traceparent}
        try:
            response = await self._clients[service].request(method, path, params=params, json=json, headers=headers)
        except httpx.HTTPError as error:
            self._calls.calls.append((service, method, path, 0, (time.perf_counter() - started) * 1000))
            log.warning("api_unreachable", service=service, method=method, error=type(error).__name__)
            raise ApiUnavailable(f"{service} did not answer") from error
        self._calls.calls.append((service, method, path, response.status_code, (time.perf_counter() - started) * 1000))
        return response


def _json_or_none(response: httpx.Response) -> Any:
    if response.status_code == 204 or not response.content:
        return None
    return response.json()


def _binary(response: httpx.Response) -> Binary:
    media_type = response.headers.get("content-type", "application/octet-stream")
    disposition = response.headers.get("content-disposition", "")
    filename = None
    if "filename=" in disposition:
        filename = disposition.split("filename=", 1)[1].strip().strip('"')
    return Binary(response.content, media_type, filename)


def _error(service: str, method: str, response: httpx.Response) -> ApiError:
    """The outcome an error answer stands for."""
    status = response.status_code
    try:
        body = response.json()
    except ValueError:
        body = None
    detail = body.get("detail") if isinstance(body, dict) else None
    message = detail if isinstance(detail, str) else ""
    if status == 401:
        return SessionEnded(message)
    if status == 403:
        return ApiForbidden(message)
    if status in (404, 410):
        return ApiNotFound(message, body if status == 410 else None)
    if status == 409:
        return ApiConflict(message)
    if status == 422:
        return ApiRejected(field_errors(detail))
    if status == 429:
        try:
            retry_after = int(response.headers.get("retry-after", "60"))
        except ValueError:
            retry_after = 60
        return ApiThrottled(retry_after)
    log.error("api_failed", service=service, method=method, status=status)
    return ApiUnavailable(f"{service} answered {status}")


def field_errors(detail: Any) -> list[FieldError]:
    """FastAPI-style validation details as field errors: ``loc`` after its location, dotted (``shifts.0.start``)."""
    if isinstance(detail, str):
        return [FieldError("", detail)]
    errors = []
    for item in detail if isinstance(detail, list) else []:
        if not isinstance(item, dict):
            continue
        loc = [str(part) for part in item.get("loc", [])]
        path = loc[1:] if loc and loc[0] in ("body", "query", "path", "header") else loc
        message = str(item.get("msg", ""))
        # pydantic prefixes custom validator messages with "Value error, "; the person needs only the reason.
        message = message.removeprefix("Value error, ")
        errors.append(FieldError(".".join(path), message))
    return errors or [FieldError("", "the request was refused")]
