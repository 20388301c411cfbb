"""A request's unit of work on real PostgreSQL: committed with its events when the route returns, else rolled back."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID, uuid4

import asyncpg
import httpx
import pytest
import pytest_asyncio
from fastapi import APIRouter
from pydantic import SecretStr

from common.clock import ManualClock
from common.errors import Conflict, Forbidden, NotFound, Rejected
from common.http import UnitOfWorkDep
from common.service import ServiceSpec, create_service_app
from common.settings import ServiceSettings
from contracts.events import VolunteerProfileUpdated

pytestmark = pytest.mark.integration

MIGRATIONS = Path(__file__).parent / "uow_migrations"
NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)

router = APIRouter()


@router.post("/things/{name}", status_code=201)
async def make_thing(name: str, uow: UnitOfWorkDep) -> dict[str, str]:
    thing_id = uuid4()
    await uow.conn.execute("INSERT INTO things (id, name) VALUES ($1, $2)", thing_id, name)
    await uow.emit(
        VolunteerProfileUpdated(volunteer_id=thing_id, centrale_id="vc-uow", updated_at=uow.now()), tenant="vc-uow"
    )
    return {"id": str(thing_id), "at": uow.now().isoformat()}


@router.post("/things/{name}/refused/{how}")
async def refuse_thing(name: str, how: str, uow: UnitOfWorkDep) -> None:
    await uow.conn.execute("INSERT INTO things (id, name) VALUES ($1, $2)", uuid4(), name)
    await uow.emit(
        VolunteerProfileUpdated(volunteer_id=uuid4(), centrale_id="vc-uow", updated_at=uow.now()), tenant="vc-uow"
    )
    errors: dict[str, Exception] = {
        "rejected": Rejected(["asks too much", "too late"], field=("shifts", 0, "end")),
        "conflict": Conflict("the thing is closed"),
        "not_found": NotFound("no such thing"),
        "forbidden": Forbidden("role may not"),
    }
    raise errors[how]


class _Settings(ServiceSettings):
    """Settings of the test service."""


@pytest_asyncio.fixture(loop_scope="session")
async def service(fresh_database: str) -> AsyncIterator[tuple[httpx.AsyncClient, asyncpg.Pool]]:
    settings = _Settings(database_url=SecretStr(fresh_database), development=True, region="testregio")
    spec = ServiceSpec(name="uowtest", migrations=MIGRATIONS, routers=[router])
    app = create_service_app(settings, spec, clock=ManualClock(NOW))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://uow") as http:
            pool = app.state.runtime.pool
            yield http, pool


async def test_a_route_commits_its_change_and_its_event_together(
    service: tuple[httpx.AsyncClient, asyncpg.Pool],
) -> None:
    http, pool = service
    response = await http.post("/things/lamp", headers={"X-Correlation-ID": "0b7e6a4e-1111-4222-8333-944455556666"})
    assert response.status_code == 201, response.text
    thing_id = UUID(response.json()["id"])
    assert response.json()["at"] == NOW.isoformat()  # the service's clock, not the wall clock
    assert await pool.fetchval("SELECT name FROM things WHERE id = $1", thing_id) == "lamp"
    row = await pool.fetchrow("SELECT key, headers FROM outbox WHERE key = $1", str(thing_id))
    assert row is not None
    headers = dict(json.loads(row["headers"]))
    assert headers["ce_correlationid"] == "0b7e6a4e-1111-4222-8333-944455556666"
    assert headers["ce_source"] == "/regions/testregio/uowtest"
    assert headers["ce_tenant"] == "vc-uow"


@pytest.mark.parametrize(
    ("how", "status"), [("rejected", 422), ("conflict", 409), ("not_found", 404), ("forbidden", 403)]
)
async def test_a_refused_command_leaves_nothing_behind(
    service: tuple[httpx.AsyncClient, asyncpg.Pool], how: str, status: int
) -> None:
    http, pool = service
    name = f"refused-{uuid4()}"
    outbox_before = await pool.fetchval("SELECT count(*) FROM outbox")
    response = await http.post(f"/things/{name}/refused/{how}")
    assert response.status_code == status, response.text
    assert await pool.fetchval("SELECT count(*) FROM things WHERE name = $1", name) == 0
    assert await pool.fetchval("SELECT count(*) FROM outbox") == outbox_before
    if how == "rejected":
        assert response.json()["detail"] == [
            {"loc": ["body", "shifts", 0, "end"], "msg": "asks too much", "type": "rejected"},
            {"loc": ["body", "shifts", 0, "end"], "msg": "too late", "type": "rejected"},
        ]
