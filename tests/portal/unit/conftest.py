"""The portal in-process on the stand-in services: a client per test, logged in as whoever the test needs."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio

from portal.config import Settings
from portal.main import create_app
from tests.portal.unit.fake_services import FakeServices, Session

SECRET = "test-secret-that-is-long-enough-for-the-portal"


@pytest.fixture
def services() -> FakeServices:
    """The four services' stand-in; tests add answers and read the calls."""
    return FakeServices()


@pytest_asyncio.fixture
async def portal(services: FakeServices) -> AsyncIterator[httpx.AsyncClient]:
    """The portal app with Secure cookies on (as in production), talking to the stand-in, its lifespan run."""
    settings = Settings(secret=SECRET, development=False, cookie_secure=True)
    app = create_app(settings, transport=services.transport())
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="https://portal.test") as client:
            yield client


def log_in(
    portal: httpx.AsyncClient,
    services: FakeServices,
    session: Session,
    token: str = "token-1",  # noqa: S107
) -> None:
    """Put a session cookie in the client for ``session``'s person."""
    services.login(token, session)
    portal.cookies.set("__Host-portal_session", token, domain="portal.test")


def csrf_of(html: str) -> str:
    """The CSRF token a page's forms carry."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)
