"""The outermost HTTP layer of every service: what holds for every request and response, whatever the route.

For each request, in order:

1. a correlation id (the caller's ``X-Correlation-ID`` when it is a UUID, else a new one), bound to the logs
   and echoed on the response;
2. a client address that went over the failed-authentication limit gets 429 for any request with a token,
   until its window ends;
3. a body longer than ``HTTP_MAX_BODY_BYTES`` gets 413 before anything parses it (by ``Content-Length``, or
   while it streams in);
4. text with a NUL character or a lone surrogate, anywhere in the path, the query string, a JSON body
   (values and keys, at any depth) or a form, gets 422 naming where: PostgreSQL cannot store NUL, and a lone
   surrogate cannot even be encoded in a reply; so does a JSON body that is not UTF-8 at all;
5. the route runs; a 401 to a request with a token counts against the failed-authentication limit (and
   becomes the 429 when over it);
6. every response gets the security headers (``nosniff``, a Content-Security-Policy with
   ``frame-ancestors 'none'``, ``Referrer-Policy: no-referrer``, ``Cache-Control: no-store`` unless the route
   set its own caching);
7. an exception nothing handled is logged with its stack trace and answered 500 with the correlation id,
   so a report from the caller finds the log line.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl
from uuid import UUID, uuid4

import structlog
from fastapi.routing import iter_route_contexts
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from common.logging import get_logger

if TYPE_CHECKING:
    from common.runtime import Runtime

__all__ = ["API_CSP", "HTML_CSP", "RequestGuard", "bad_text_locations"]

log = get_logger(__name__)

# JSON answers load nothing and may not be framed; HTML pages (reports) may use their own inline styles
# and inline images, nothing else. A route that sets its own policy (the API docs) keeps it.
API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
HTML_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
_BAD_TEXT = "must not contain a NUL character or a lone surrogate"
_NOT_UTF8 = "the body is not JSON in UTF-8"
_METHODS_WITH_BODY = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Blocked addresses remembered by one instance before the expired ones are swept out.
_MAX_BLOCKED = 10_000


class _ClientLeft(Exception):
    """The client disconnected before its body was read: nobody to answer."""


def _is_bad(text: str) -> bool:
    """Whether ``text`` holds NUL or a lone surrogate (UTF-16 halves have no UTF-8 form)."""
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _printable(text: str) -> str:
    """``text`` with anything unencodable escaped, so a reply can always be written."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\x00")


def bad_text_locations(value: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    """Paths to every string (value or key) in a decoded JSON document that holds NUL or a lone surrogate."""
    if isinstance(value, str):
        if _is_bad(value):
            yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            if _is_bad(key):
                yield (*path, _printable(key))
            else:
                yield from bad_text_locations(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from bad_text_locations(item, (*path, index))


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return bytes(value)
    return None


def _is_form(content_type: bytes | None) -> bool:
    # Forms of server-rendered pages (the portal) carry text the same way.
    if not content_type:
        return False
    return content_type.split(b";", 1)[0].strip().lower() == b"application/x-www-form-urlencoded"


def _is_json(content_type: bytes | None) -> bool:
    # FastAPI reads a body without a content type as JSON too.
    if not content_type:
        return True
    media = content_type.split(b";", 1)[0].strip().lower()
    return media == b"application/json" or media.endswith(b"+json")


class RequestGuard:
    """ASGI middleware: correlation id, limits, text checks, security headers and 500s for every request."""

    def __init__(self, app: ASGIApp, runtime: Runtime) -> None:
        self.app = app
        self.runtime = runtime
        # Client addresses over the failed-authentication limit, until when (this instance's memory; the
        # counts themselves are shared, so another instance blocks the address at its next failure).
        self._blocked_until: dict[str, float] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            correlation_id = UUID((_header(scope, b"x-correlation-id") or b"").decode("latin-1"))
        except ValueError:
            correlation_id = uuid4()
        scope.setdefault("state", {})["correlation_id"] = correlation_id
        with structlog.contextvars.bound_contextvars(correlation_id=str(correlation_id)):
            await self._handle(scope, receive, send, correlation_id)

    async def _handle(self, scope: Scope, receive: Receive, send: Send, correlation_id: UUID) -> None:
        started = False
        replaced = False
        address = scope["client"][0] if scope.get("client") else "unknown"
        # A failed authentication is a token presented and refused; a request without one guesses nothing.
        presents_token = _header(scope, b"authorization") is not None

        async def send_guarded(message: Message) -> None:
            nonlocal started, replaced
            if replaced:
                return  # the body of a 401 that became a 429
            if message["type"] == "http.response.start":
                started = True
                if message["status"] == 401 and presents_token:
                    retry_after = await self._count_failed_authentication(address)
                    if retry_after is not None:
                        replaced = True
                        await self._reply(send, correlation_id, 429, _too_many(retry_after), retry_after)
                        return
                message["headers"] = self._secured(message.get("headers", []), correlation_id)
            await send(message)

        try:
            retry_after = self._still_blocked(address) if presents_token else None
            if retry_after is not None:
                await self._reply(send, correlation_id, 429, _too_many(retry_after), retry_after)
                return
            refusal = self._check_path_and_query(scope)
            body: bytes | None = None
            if refusal is None and scope["method"] in _METHODS_WITH_BODY:
                body, refusal = await self._read_body(scope, receive)
            if refusal is not None:
                status, detail = refusal
                await self._reply(send, correlation_id, status, detail)
                return
            await self.app(scope, _replay(body, receive) if body is not None else receive, send_guarded)
        except _ClientLeft:
            return
        except Exception:
            # A fresh logger: the configuration in force now, even after a test or a reload reconfigured it.
            get_logger(__name__).exception("request_failed", method=scope["method"], path=scope["path"])
            if not started:
                detail = {"detail": "internal server error", "correlation_id": str(correlation_id)}
                await self._reply(send, correlation_id, 500, detail)

    def _check_path_and_query(self, scope: Scope) -> tuple[int, Any] | None:
        if _is_bad(scope["path"]):
            return 422, _bad_text_detail([("path", *self._path_parameter(scope))])
        query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        bad = [("query", _printable(name)) for name, value in query if _is_bad(name) or _is_bad(value)]
        return (422, _bad_text_detail(bad)) if bad else None

    @staticmethod
    def _path_parameter(scope: Scope) -> tuple[str, ...]:
        """The name of the path parameter holding the bad text, when a route matches the path."""
        app = scope.get("app")
        for route in iter_route_contexts(getattr(app, "routes", ())):
            match, child = route.matches(scope)
            if match is not Match.NONE:
                for name, value in child.get("path_params", {}).items():
                    if isinstance(value, str) and _is_bad(value):
                        return (name,)
        return ()

    async def _read_body(self, scope: Scope, receive: Receive) -> tuple[bytes, tuple[int, Any] | None]:
        limit = self.runtime.settings.max_body_bytes
        too_large = (413, {"detail": f"request body larger than {limit} bytes"})
        declared = _header(scope, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            return b"", too_large
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise _ClientLeft
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                return b"", too_large
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        content_type = _header(scope, b"content-type")
        if body and _is_form(content_type):
            fields = parse_qsl(body.decode("latin-1"), keep_blank_values=True)
            in_form: list[tuple[str | int, ...]] = [
                ("body", _printable(name)) for name, value in fields if _is_bad(name) or _is_bad(value)
            ]
            return body, ((422, _bad_text_detail(in_form)) if in_form else None)
        if body and _is_json(content_type):
            try:
                document = json.loads(body)
            except UnicodeDecodeError:
                # FastAPI answers 400 "error parsing the body" here; it is invalid input like any other.
                return body, (422, {"detail": [{"loc": ["body"], "msg": _NOT_UTF8, "type": "json_invalid"}]})
            except ValueError:
                return body, None  # not JSON: the route's validation answers 422 for it
            bad = [("body", *path) for path in bad_text_locations(document)]
            if bad:
                return body, (422, _bad_text_detail(bad))
        return body, None

    def _still_blocked(self, address: str) -> int | None:
        until = self._blocked_until.get(address)
        if until is None:
            return None
        left = until - self.runtime.clock.now().timestamp()
        if left <= 0:
            del self._blocked_until[address]
            return None
        return max(1, math.ceil(left))

    async def _count_failed_authentication(self, address: str) -> int | None:
        """Count a 401 for ``address``; seconds to wait when it went over the limit, else None."""
        limiter = self.runtime.limiter
        if limiter is None:
            return None
        verdict = await limiter.hit(self.runtime.settings.failed_auth_limit, address)
        if verdict.allowed:
            return None
        now = self.runtime.clock.now().timestamp()
        if len(self._blocked_until) >= _MAX_BLOCKED:
            # Many addresses at once: forget the ones whose wait is over (the counts stay in the database).
            self._blocked_until = {held: until for held, until in self._blocked_until.items() if until > now}
        self._blocked_until[address] = now + verdict.retry_after_s
        log.warning("rate_limited", limit="failed-auth", hits=verdict.hits, retry_after_s=verdict.retry_after_s)
        return verdict.retry_after_s

    def _secured(self, headers: Any, correlation_id: UUID) -> list[tuple[bytes, bytes]]:
        present = {bytes(name).lower(): bytes(value) for name, value in headers}
        secured = [(bytes(name), bytes(value)) for name, value in headers if bytes(name).lower() != b"server"]
        media = present.get(b"content-type", b"").split(b";", 1)[0].strip().lower()
        defaults = {
            b"x-correlation-id": str(correlation_id).encode(),
            b"x-content-type-options": b"nosniff",
            b"referrer-policy": b"no-referrer",
            b"content-security-policy": (HTML_CSP if media == b"text/html" else API_CSP).encode(),
            # Personal data must not stay in shared caches or the browser's; public routes set their own.
            b"cache-control": b"no-store",
        }
        secured += [(name, value) for name, value in defaults.items() if name not in present]
        return secured

    async def _reply(
        self, send: Send, correlation_id: UUID, status: int, detail: Any, retry_after: int | None = None
    ) -> None:
        body = json.dumps(detail, ensure_ascii=False).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        if retry_after is not None:
            headers.append((b"retry-after", str(retry_after).encode()))
        await send({"type": "http.response.start", "status": status, "headers": self._secured(headers, correlation_id)})
        await send({"type": "http.response.body", "body": body})


def _too_many(retry_after: int) -> dict[str, str]:
    return {"detail": f"too many failed authentications from this address; try again in {retry_after} s"}


def _bad_text_detail(locations: Sequence[tuple[str | int, ...]]) -> dict[str, Any]:
    return {"detail": [{"loc": list(loc), "msg": _BAD_TEXT, "type": "invalid_characters"} for loc in locations]}


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that hands the app the body already read, then waits for the client as the server would."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
