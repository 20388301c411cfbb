"""The web front's defences: cookies, CSRF tokens on every form post, and the response headers (strict CSP).

- The session token lives only in an ``HttpOnly``, ``Secure``, ``SameSite=Lax`` cookie named ``__Host-...``
  (no Domain, Path=/): scripts cannot read it and other sites' forms do not send it. With
  ``PORTAL_COOKIE_SECURE=false`` (local http only) the names lose the ``__Host-`` prefix, which needs Secure.
- CSRF: every form carries ``csrf_token`` = HMAC-SHA256(``PORTAL_SECRET``, the session token, or for an
  anonymous visitor a random ``visitor`` cookie). Every POST is checked before its route runs (an app-wide
  dependency), and a POST another site started (``Sec-Fetch-Site: cross-site``) is refused outright.
- Content-Security-Policy: scripts, styles, fonts and forms only from the portal itself; no inline script
  or style anywhere (the templates have none, so no nonces are needed); no framing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable

from fastapi import HTTPException, Request, Response
from starlette.datastructures import FormData

from portal.config import Settings

__all__ = [
    "CONTENT_SECURITY_POLICY",
    "CookieNames",
    "check_csrf",
    "csrf_token",
    "security_headers",
]

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        # The NL Design System CSS draws check marks and arrows as data: SVGs; charts are served by the portal.
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "manifest-src 'self'",
    ]
)
_STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
CSRF_FIELD = "csrf_token"


class CookieNames:
    """The portal's cookie names: ``__Host-`` prefixed when cookies are Secure (browsers refuse them otherwise)."""

    def __init__(self, secure: bool) -> None:
        prefix = "__Host-" if secure else ""
        self.session = f"{prefix}portal_session"
        self.visitor = f"{prefix}portal_visitor"
        self.language = f"{prefix}portal_lang"
        self.secure = secure

    def set(self, response: Response, name: str, value: str, max_age: int | None = None) -> None:
        """Set a cookie the way all of the portal's are: HttpOnly, SameSite=Lax, Path=/, Secure when configured."""
        response.set_cookie(name, value, max_age=max_age, path="/", secure=self.secure, httponly=True, samesite="lax")

    def clear(self, response: Response, name: str) -> None:
        """Remove a cookie (same attributes, or a ``__Host-`` cookie is not replaced)."""
        response.delete_cookie(name, path="/", secure=self.secure, httponly=True, samesite="lax")


def new_visitor_id() -> str:
    """A random id that seeds an anonymous visitor's CSRF token."""
    return secrets.token_urlsafe(24)


def csrf_token(secret: str, seed: str) -> str:
    """The token forms carry: HMAC of the session (or visitor id) with the portal's secret."""
    digest = hmac.new(secret.encode(), f"csrf|{seed}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def csrf_seed(request: Request) -> str | None:
    """What this visitor's CSRF token is bound to: the session token, else the visitor cookie."""
    names: CookieNames = request.app.state.cookies
    return (
        request.cookies.get(names.session)
        or request.cookies.get(names.visitor)
        or getattr(request.state, "new_visitor_id", None)
    )


async def check_csrf(request: Request) -> None:
    """App-wide dependency: every state-changing request carries this visitor's CSRF token (else 403)."""
    if request.method not in _STATE_CHANGING:
        return
    if request.headers.get("sec-fetch-site") == "cross-site":
        raise HTTPException(403, "cross-site form post")
    settings: Settings = request.app.state.settings
    names: CookieNames = request.app.state.cookies
    seed = request.cookies.get(names.session) or request.cookies.get(names.visitor)
    form: FormData = await request.form()
    sent = form.get(CSRF_FIELD)
    if not seed or not isinstance(sent, str):
        raise HTTPException(403, "missing form token")
    if not hmac.compare_digest(sent, csrf_token(settings.secret.get_secret_value(), seed)):
        raise HTTPException(403, "form token does not match")


async def security_headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    """Middleware: CSP and friends on every response; pages are never stored (they may show personal data)."""
    response = await call_next(request)
    headers = response.headers
    headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "same-origin"
    headers["X-Frame-Options"] = "DENY"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Cross-Origin-Resource-Policy"] = "same-origin"
    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
    if request.app.state.cookies.secure:
        headers["Strict-Transport-Security"] = "max-age=31536000"
    if request.url.path.startswith("/static/"):
        # Static URLs carry their content's hash (?v=...), so they never change under the same address.
        headers["Cache-Control"] = "public, max-age=31536000, immutable"
    else:
        headers["Cache-Control"] = "no-store"
    if "server" in headers:
        del headers["server"]
    return response
