"""Every service's credential projection on real PostgreSQL: sessions and API credentials, expiry and revocation."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID, uuid4

import asyncpg
import httpx
import pytest
import pytest_asyncio
from fastapi import APIRouter
from pydantic import SecretStr

from common.auth import CallerDep, hash_token, on_credential_issued, on_credential_revoked
from common.clock import ManualClock
from common.service import ServiceSpec, create_service_app
from common.settings import ServiceSettings
from common.uow import Origin, PostgresUnitOfWork
from contracts.events import CredentialIssued, CredentialRevoked

pytestmark = pytest.mark.integration

MIGRATIONS = Path(__file__).parent / "auth_migrations"
NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
ORIGIN = Origin(source="/regions/testregio/authtest", region="testregio", correlation_id=uuid4())

router = APIRouter()


@router.get("/whoami")
async def whoami(caller: CallerDep) -> dict[str, str | None]:
    return {
        "role": caller.role.value,
        "centrale_id": caller.centrale_id,
        "account_id": str(caller.account_id) if caller.account_id else None,
        "kind": caller.kind,
        "actor": caller.actor,
    }


class _Settings(ServiceSettings):
    """Settings of the test service."""

    @property
    def service_name(self) -> str:
        return "authtest"


class Service:
    """The test service: its HTTP client, its clock and a way to apply credential events as its consumer would."""

    def __init__(self, http: httpx.AsyncClient, app_pool: asyncpg.Pool, clock: ManualClock) -> None:
        self.http = http
        self.pool = app_pool
        self.clock = clock

    async def apply(self, event: CredentialIssued | CredentialRevoked) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            uow = PostgresUnitOfWork(conn, ORIGIN, self.clock)
            if isinstance(event, CredentialIssued):
                await on_credential_issued(event, uow)
            else:
                await on_credential_revoked(event, uow)

    async def whoami(self, token: str) -> httpx.Response:
        return await self.http.get("/whoami", headers={"Authorization": f"Bearer {token}"})


@pytest_asyncio.fixture(loop_scope="session")
async def service(fresh_database: str) -> AsyncIterator[Service]:
    settings = _Settings(database_url=SecretStr(fresh_database), development=True, region="testregio")
    clock = ManualClock(NOW)
    app = create_service_app(
        settings, ServiceSpec(name="authtest", migrations=MIGRATIONS, routers=[router]), clock=clock
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://authtest") as http:
            yield Service(http, app.state.runtime.pool, clock)


def _issued(token: str, **fields: object) -> CredentialIssued:
    values: dict[str, object] = {
        "credential_id": uuid4(),
        "token_hash": hash_token(token),
        "role": "centrale_staff",
        "centrale_id": "vc-auth",
        "issued_at": NOW,
    }
    return CredentialIssued.model_validate(values | fields)


async def test_a_session_is_accepted_as_its_account_until_it_expires(service: Service) -> None:
    token, account_id = f"rp_{secrets.token_urlsafe(32)}", uuid4()
    await service.apply(_issued(token, kind="session", account_id=account_id, expires_at=NOW + timedelta(hours=8)))

    answer = await service.whoami(token)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "role": "centrale_staff",
        "centrale_id": "vc-auth",
        "account_id": str(account_id),
        "kind": "session",
        "actor": f"account:{account_id}",
    }

    service.clock.advance(timedelta(hours=8))
    expired = await service.whoami(token)
    assert expired.status_code == 401
    assert expired.json() == {"detail": "expired token"}
    assert expired.headers["WWW-Authenticate"] == "Bearer"


async def test_an_api_credential_from_before_sessions_has_no_kind_and_never_expires_by_itself(
    service: Service,
) -> None:
    token = f"rp_{secrets.token_urlsafe(32)}"
    event = _issued(token)
    assert (event.kind, event.expires_at, event.account_id) == (None, None, None)  # as published before issue 13
    await service.apply(event)
    service.clock.advance(timedelta(days=3650))

    answer = await service.whoami(token)
    assert answer.status_code == 200, answer.text
    assert answer.json()["kind"] == "api"
    assert answer.json()["actor"] == f"credential:{event.credential_id}"
    service.clock.set(NOW)


async def test_a_revoked_session_is_refused_at_once(service: Service) -> None:
    token = f"rp_{secrets.token_urlsafe(32)}"
    issued = _issued(token, kind="session", account_id=uuid4(), expires_at=NOW + timedelta(hours=8))
    await service.apply(issued)
    assert (await service.whoami(token)).status_code == 200

    await service.apply(CredentialRevoked(credential_id=issued.credential_id, revoked_at=NOW))
    refused = await service.whoami(token)
    assert refused.status_code == 401
    assert refused.json() == {"detail": "unknown or revoked token"}


async def test_the_same_issued_event_twice_changes_nothing(service: Service) -> None:
    token = f"rp_{secrets.token_urlsafe(32)}"
    issued = _issued(token, kind="session", account_id=uuid4(), expires_at=NOW + timedelta(hours=1))
    await service.apply(issued)
    await service.apply(issued)
    rows = await service.pool.fetch(
        "SELECT kind, expires_at, account_id FROM credentials WHERE id = $1", issued.credential_id
    )
    assert [(r["kind"], r["expires_at"], r["account_id"]) for r in rows] == [
        ("session", NOW + timedelta(hours=1), issued.account_id)
    ]
    assert isinstance(rows[0]["account_id"], UUID)
