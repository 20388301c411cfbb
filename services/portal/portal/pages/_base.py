"""What every page handler uses: the visitor, the APIs as them, role checks, redirects and form handling."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response

from portal.backend import Api, ApiConflict, ApiError, ApiRejected, Backend, FieldError, SessionEnded
from portal.forms import Form, FormInvalid
from portal.visitor import SessionMemberships, Visitor

__all__ = [
    "LoginNeeded",
    "NotAllowed",
    "VisitorDep",
    "api",
    "redirect",
    "require",
    "safe_next",
    "submit",
]


class LoginNeeded(Exception):
    """The page needs a logged-in person: the handler sends them to the login page and back."""

    def __init__(self, session_ended: bool = False) -> None:
        super().__init__("login needed")
        self.session_ended = session_ended


class NotAllowed(Exception):
    """The person's role has no business on this page (the portal's 403 page)."""


def api(request: Request) -> Api:
    """The services' APIs as this request's visitor."""
    backend: Backend = request.app.state.backend
    token = request.cookies.get(request.app.state.cookies.session)
    address = request.client.host if request.client else None
    return backend.api(token, str(request.state.correlation_id), request.state.calls, address)


async def current_visitor(request: Request) -> Visitor:
    """The logged-in person (asked of the registry once per request), or an anonymous visitor.

    The first page of a session waits for the registry's answer. Later pages know the session's membership
    (role, centrale, record: no personal data) from a short-lived memory of it, so the registry is asked
    beside the page's own calls instead of before them; the page is only sent once the registry accepted the
    session (``settle_session``), and each of the page's calls was authorised by its service anyway.
    """
    known: Visitor | None = getattr(request.state, "visitor", None)
    if known is not None:
        return known
    token = request.cookies.get(request.app.state.cookies.session)
    visitor = Visitor()
    if token:
        memberships: SessionMemberships = request.app.state.memberships
        remembered = memberships.get(token)
        check = asyncio.ensure_future(api(request).get("registry", "/v1/sessions/current"))
        request.state.session_check = check
        if remembered is not None:
            visitor = Visitor(token=token, membership=remembered)
        else:
            try:
                visitor = Visitor.of_session(token, await check)
            except SessionEnded:
                # Expired or revoked: the middleware drops the cookie; the page goes on for an anonymous visitor.
                request.state.session_ended = True
            else:
                memberships.put(token, visitor.membership)
    request.state.visitor = visitor
    return visitor


async def settle_session(request: Request) -> bool:
    """Wait for the session check of this request, if one runs; False when the registry refused the session."""
    check: asyncio.Future[Any] | None = getattr(request.state, "session_check", None)
    if check is None:
        return True
    try:
        await check
    except SessionEnded:
        request.app.state.memberships.forget(request.cookies.get(request.app.state.cookies.session) or "")
        return False
    except ApiError:
        return True  # the registry did not answer: the page's own calls decided (each authorised by its service)
    return True


VisitorDep = Annotated[Visitor, Depends(current_visitor)]


def require(visitor: Visitor, *roles: str) -> Visitor:
    """The visitor when logged in with one of ``roles``; else off to log in, or the 403 page."""
    if not visitor.logged_in:
        raise LoginNeeded()
    if roles and visitor.role not in roles:
        raise NotAllowed()
    return visitor


def safe_next(target: str | None, default: str = "/") -> str:
    """A local path to return to (never another site: no scheme, no ``//``, no backslash)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


def redirect(url: str, done: str | None = None) -> RedirectResponse:
    """303 to ``url`` (after a form post), optionally with a message key the next page shows."""
    if done:
        # The message key goes in the query, before a fragment (after one it would be part of the fragment).
        path, hash_, fragment = url.partition("#")
        url = path + ("&" if "?" in path else "?") + f"gedaan={done}" + hash_ + fragment
    return RedirectResponse(url, status_code=303)


async def submit(
    form: Form,
    action: Callable[[], Awaitable[Response]],
    refused: Callable[[Form], Awaitable[Response] | Response],
) -> Response:
    """Run a form's action; when the portal or the API refuses it, the form again with every reason."""
    try:
        return await action()
    except FormInvalid as invalid:
        form.refuse(invalid.errors)
    except ApiRejected as rejected:
        form.refuse(rejected.errors)
    except ApiConflict as conflict:
        form.refuse([FieldError("", conflict.message or "conflict")])
    outcome = refused(form)
    return await outcome if isinstance(outcome, Awaitable) else outcome


def form_status(form: Form) -> int:
    """422 for a refused form (the page still renders it), 200 otherwise."""
    return 422 if form.has_errors else 200


def as_list(value: Any) -> list[Any]:
    """A JSON list, or empty."""
    return value if isinstance(value, list) else []
