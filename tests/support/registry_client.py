"""A registry client for tests: sets up centrales, organisations, volunteers and tasks through its API."""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import httpx

from common.clock import Clock
from common.localinfra.postgres import create_database
from common.sealing import open_profile
from common.service import create_service_app
from common.tracing import Tracing
from contracts import EventEnvelope
from contracts.events import MatchMade, VolunteerProfileUpdated, VolunteerRegistered
from registry.config import Settings
from registry.main import SPEC
from tests.support.kafka import publish_raw, read_until

__all__ = ["Headers", "Registry", "running_registry"]

Headers = dict[str, str]


@dataclass
class Registry:
    """A running registry and helpers that set up what most tests need."""

    http: httpx.AsyncClient
    pool: asyncpg.Pool
    bootstrap: str
    ops: Headers
    personal_values: list[str] = field(default_factory=list)
    app: Any = None
    """The ASGI app (for clients from other addresses: ``client_from``)."""
    dsn: str = ""
    """Its database (for commands run beside it)."""

    def client_from(self, address: str) -> httpx.AsyncClient:
        """Another client of the same registry, connecting from ``address`` (login limits count per address)."""
        transport = httpx.ASGITransport(app=self.app, client=(address, 50_000))
        return httpx.AsyncClient(transport=transport, base_url="http://registry", timeout=30)

    async def new_centrale(self) -> tuple[str, Headers]:
        """A centrale with a unique id and the headers of one of its staff."""
        centrale_id = f"vc-{secrets.token_hex(5)}"
        response = await self.http.post(
            "/v1/centrales",
            json={"id": centrale_id, "name": f"Centrale {centrale_id}", "municipality_code": "GM0344"},
            headers=self.ops,
        )
        assert response.status_code == 201, response.text
        return centrale_id, await self.credential(f"/v1/centrales/{centrale_id}/credentials", self.ops)

    async def credential(self, path: str, issuer: Headers, **body: Any) -> Headers:
        """Issue a credential at ``path`` and return its bearer headers."""
        response = await self.http.post(path, json={"label": "test", **body}, headers=issuer)
        assert response.status_code == 201, response.text
        return {"Authorization": f"Bearer {response.json()['token']}"}

    async def new_organisation(self, centrale_id: str, staff: Headers, *, admit: bool = True) -> tuple[UUID, Headers]:
        """An insured organisation with a contact person (admitted unless told otherwise) and its headers.

        Only an admitted organisation gets a credential (issue 19): one left pending comes with no headers.
        """
        contact = f"Contact {secrets.token_hex(3)}"
        self.personal_values.append(contact)
        response = await self.http.post(
            f"/v1/centrales/{centrale_id}/organisations",
            json={
                "name": "Voedselbank",
                "formal": True,
                "kvk_number": "12345678",
                "postcode": "3511 AB",
                "contact_person": {"name": contact, "email": "contact@voedselbank.example"},
                "liability_insured": True,
            },
            headers=staff,
        )
        assert response.status_code == 201, response.text
        organisation_id = UUID(response.json()["id"])
        if admit:
            admitted = await self.http.post(
                f"/v1/centrales/{centrale_id}/organisations/{organisation_id}/admit", headers=staff
            )
            assert admitted.status_code == 204, admitted.text
        else:
            return organisation_id, {}
        headers = await self.credential(
            f"/v1/centrales/{centrale_id}/organisations/{organisation_id}/credentials", staff
        )
        return organisation_id, headers

    async def register_volunteer(self, centrale_id: str, staff: Headers, **overrides: Any) -> UUID:
        """A volunteer with distinctive personal data (remembered for privacy scans)."""
        marker = secrets.token_hex(4)
        body = {
            "name": f"Naam{marker}",
            "email": f"mail{marker}@example.nl",
            "phone": f"06{int(marker, 16) % 10**8:08d}",
            "postcode": "3512 JK",
            "birth_date": "1991-03-14",
            "skills": ["koken"],
            "interests": ["zorg"],
            "languages": ["nl"],
            "consents": [{"kind": "matching", "text_version": "2026-01"}],
            **overrides,
        }
        self.personal_values += [body["name"], body["email"], body["phone"], "3512 JK", "1991-03-14"]
        response = await self.http.post(f"/v1/centrales/{centrale_id}/volunteers", json=body, headers=staff)
        assert response.status_code == 201, response.text
        return UUID(response.json()["id"])

    async def task_body(self, **overrides: Any) -> dict[str, Any]:
        """A task that passes the NOV check."""
        return {
            "title": "Boodschappenbus rijden",
            "description": "Rijd op dinsdagochtend de boodschappenbus voor ouderen uit de wijk naar de markt.",
            "theme": "ouderen",
            "skills": ["rijbewijs-b"],
            "postcode": "3511 AB",
            "shifts": [{"weekday": 2, "start": "09:00", "end": "12:00"}],
            "capacity": 2,
            "hours_per_week": "3",
            "vog_required": True,
            **overrides,
        }

    async def published_task(self, centrale_id: str, organisation_id: UUID, headers: Headers, **overrides: Any) -> UUID:
        """A task created and published by the organisation."""
        base = f"/v1/centrales/{centrale_id}/organisations/{organisation_id}/tasks"
        created = await self.http.post(base, json=await self.task_body(**overrides), headers=headers)
        assert created.status_code == 201, created.text
        task_id = UUID(created.json()["id"])
        published = await self.http.post(f"{base}/{task_id}/publish", headers=headers)
        assert published.status_code == 204, published.text
        return task_id

    async def match(
        self, task_id: UUID, organisation_id: UUID, centrale_id: str, volunteer_id: UUID, days_ago: int = 3
    ) -> UUID:
        """Publish a MatchMade as matching would, and wait until the registry recorded it."""
        match = MatchMade(
            match_id=uuid4(),
            task_id=task_id,
            volunteer_id=volunteer_id,
            organisation_id=organisation_id,
            centrale_id=centrale_id,
            volunteer_centrale_id=centrale_id,
            made_at=datetime.now(UTC) - timedelta(days=days_ago),
        )
        envelope = EventEnvelope(
            source="/regions/testregio/matching",
            type=match.event_type,
            subject=match.subject(),
            tenant=centrale_id,
            region="testregio",
        )
        await publish_raw(
            self.bootstrap,
            match.topic,
            match.model_dump_json().encode(),
            key=match.subject().encode(),
            headers=envelope.to_headers(),
        )
        deadline = time.monotonic() + 30
        while await self.pool.fetchval("SELECT 1 FROM matches WHERE id = $1", match.match_id) is None:
            assert time.monotonic() < deadline, "the registry did not record the match"
            await asyncio.sleep(0.1)
        return match.match_id

    async def opened(self, value: bytes | str) -> dict[str, Any]:
        """A profile event's payload as a key-holding consumer sees it: its sealed fields opened with the key."""
        payload = json.loads(value)
        model = VolunteerRegistered if "registered_at" in payload else VolunteerProfileUpdated
        event = model.model_validate(payload)
        key = await self.pool.fetchval(
            "SELECT data_key FROM volunteer_data_keys WHERE volunteer_id = $1", event.volunteer_id
        )
        opened: dict[str, Any] = open_profile(event, None if key is None else bytes(key)).model_dump(mode="json")
        return opened

    async def events(self, topic: str, subject: UUID | str, count: int) -> list[Any]:
        """The first ``count`` records on ``topic`` keyed by ``subject``, in order, waiting for them."""
        key = str(subject).encode()
        records = await read_until(self.bootstrap, topic, lambda seen: sum(r.key == key for r in seen) >= count)
        return sorted((r for r in records if r.key == key), key=lambda r: r.offset)


@asynccontextmanager
async def running_registry(
    kafka_bootstrap: str,
    postgres_server_dsn: str,
    ops_token: str,
    *,
    clock: Clock | None = None,
    tracing: Tracing | None = None,
    **settings: Any,
) -> AsyncIterator[Registry]:
    """A registry app with its own fresh database, lifespan running (relay and consumers), over ASGI.

    ``settings`` override the test defaults (e.g. ``scheduler_enabled=False``: jobs only on demand);
    ``clock``: a clock the test moves (sessions, links, limits, jobs, check-ins, reminders);
    ``tracing``: a tracer exporting where the test looks (``common.tracing``).
    """
    dsn = await create_database(postgres_server_dsn, f"registry_{secrets.token_hex(5)}")
    defaults: dict[str, Any] = {"consumer_retry_backoff_s": 0.05, "outbox_poll_interval_s": 0.2}
    # registry.main.create_app, with the test's tracer.
    app = create_service_app(
        Settings(
            kafka_bootstrap_servers=kafka_bootstrap,
            region="testregio",
            database_url=dsn,
            ops_token=ops_token,
            **(defaults | settings),
        ),
        SPEC,
        clock=clock,
        tracing=tracing,
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://registry", timeout=30) as http:
            yield Registry(
                http=http,
                pool=app.state.runtime.pool,
                bootstrap=kafka_bootstrap,
                ops={"Authorization": f"Bearer {ops_token}"},
                app=app,
                dsn=dsn,
            )
