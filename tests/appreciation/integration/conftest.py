"""Appreciation in-process (HTTP via ASGI, its real consumers and outbox relay) on real Kafka and PostgreSQL.

Events from the registry and matching are published the way those services do (CloudEvents headers,
key = aggregate id) and the app's progress is awaited through its committed offsets, never by sleeping.
Each app gets its own consumer group, so a module or a replay test starts from what it alone consumed.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaProducer

from appreciation.config import Settings
from appreciation.main import SPEC
from common.auth import hash_token
from common.clock import dutch_today
from common.localinfra.postgres import create_database
from common.service import ServiceSpec, create_service_app
from contracts import EventEnvelope
from contracts.events import (
    CredentialIssued,
    Event,
    HoursLogged,
    MatchMade,
    OrganisationRegistered,
    TaskPosted,
    VolunteerRegistered,
)
from tests.support.kafka import read_all, wait_for_group_offset

Headers = dict[str, str]
REGION = "testregio"
AWARDS = "appreciation.awards.v1"


@dataclass(frozen=True)
class Published:
    """Where a published event landed, and its envelope."""

    envelope: EventEnvelope
    topic: str
    partition: int
    offset: int


@dataclass
class Appreciation:
    """A running appreciation service and helpers that publish what the registry and matching would."""

    http: httpx.AsyncClient
    pool: asyncpg.Pool
    bootstrap: str
    spec: ServiceSpec
    producer: AIOKafkaProducer
    ops: Headers

    @property
    def group(self) -> str:
        """The app's consumer group."""
        return self.spec.name

    async def publish(self, event: Event, tenant: str, envelope: EventEnvelope | None = None) -> Published:
        """Publish ``event`` as its producing service would (binary CloudEvents, key = subject)."""
        envelope = envelope or EventEnvelope(
            source=f"/regions/{REGION}/registry",
            type=event.event_type,
            subject=event.subject(),
            tenant=tenant,
            region=REGION,
        )
        metadata = await self.producer.send_and_wait(
            event.topic, event.model_dump_json().encode(), key=event.subject().encode(), headers=envelope.to_headers()
        )
        return Published(envelope, metadata.topic, metadata.partition, metadata.offset)

    async def applied(self, *published: Published) -> None:
        """Wait until the app committed past each record (so its effects are in the database)."""
        for record in published:
            await wait_for_group_offset(
                self.bootstrap, self.group, record.topic, record.partition, record.offset, timeout=60
            )

    async def publish_applied(self, event: Event, tenant: str) -> Published:
        """Publish and wait until applied."""
        record = await self.publish(event, tenant)
        await self.applied(record)
        return record

    async def credential(self, role: str, centrale_id: str | None, subject_id: UUID | None = None) -> Headers:
        """A credential the registry would have issued, projected into appreciation."""
        token = f"rp_{secrets.token_urlsafe(32)}"
        issued = CredentialIssued(
            credential_id=uuid4(),
            token_hash=hash_token(token),
            role=role,
            centrale_id=centrale_id,
            subject_id=subject_id,
            issued_at=datetime.now(UTC),
        )
        await self.publish_applied(issued, centrale_id or "region")
        return {"Authorization": f"Bearer {token}"}

    async def new_centrale(self) -> tuple[str, Headers]:
        """A unique centrale id and a staff credential for it."""
        centrale_id = f"vc-{secrets.token_hex(5)}"
        return centrale_id, await self.credential("centrale_staff", centrale_id)

    async def volunteer(
        self, centrale_id: str, *, age_band: str = "30-49", registered_at: datetime | None = None
    ) -> UUID:
        """A registered volunteer (the registry's event: no name, only the pseudonymous id)."""
        volunteer_id = uuid4()
        await self.publish_applied(
            VolunteerRegistered(
                volunteer_id=volunteer_id,
                centrale_id=centrale_id,
                age_band=age_band,
                registered_at=registered_at or datetime.now(UTC),
                appreciation_messages_consent=True,
            ),
            centrale_id,
        )
        return volunteer_id

    async def organisation(self, centrale_id: str, name: str = "Voedselbank") -> UUID:
        """A registered organisation."""
        organisation_id = uuid4()
        await self.publish_applied(
            OrganisationRegistered(
                organisation_id=organisation_id,
                centrale_id=centrale_id,
                organisation_name=name,
                formal=True,
                liability_insured=True,
                free_vog_scheme=False,
                registered_at=datetime.now(UTC),
            ),
            centrale_id,
        )
        return organisation_id

    async def task(self, centrale_id: str, organisation_id: UUID, theme: str, skills: list[str]) -> UUID:
        """A published task."""
        task_id = uuid4()
        await self.publish_applied(
            TaskPosted(
                task_id=task_id,
                organisation_id=organisation_id,
                centrale_id=centrale_id,
                theme=theme,
                skills=skills,
                capacity=2,
                hours_per_week=3,
                vog_required=False,
                posted_at=datetime.now(UTC),
            ),
            centrale_id,
        )
        return task_id

    async def match(self, centrale_id: str, volunteer_id: UUID, organisation_id: UUID, task_id: UUID) -> MatchMade:
        """A match made, as matching publishes it."""
        match = MatchMade(
            match_id=uuid4(),
            task_id=task_id,
            volunteer_id=volunteer_id,
            organisation_id=organisation_id,
            centrale_id=centrale_id,
            volunteer_centrale_id=centrale_id,
            made_at=datetime.now(UTC),
        )
        await self.publish_applied(match, centrale_id)
        return match

    def hours(self, match: MatchMade, hours: str, worked_on: date | None = None, theme: str = "ouderen") -> HoursLogged:
        """An hours entry for ``match`` (not yet published)."""
        return HoursLogged(
            hours_id=uuid4(),
            match_id=match.match_id,
            volunteer_id=match.volunteer_id,
            task_id=match.task_id,
            organisation_id=match.organisation_id,
            centrale_id=match.centrale_id,
            theme=theme,
            worked_on=worked_on or dutch_today() - timedelta(days=1),
            hours=Decimal(hours),
            logged_at=datetime.now(UTC),
        )

    async def awards(self, recipient_id: UUID) -> list[asyncpg.Record]:
        """The award rows of a recipient."""
        return await self.pool.fetch(
            "SELECT * FROM awards WHERE recipient_id = $1 ORDER BY awarded_at, rule_id", recipient_id
        )

    async def outbox_drained(self, timeout: float = 30) -> None:
        """Wait until the relay published every outbox row."""
        deadline = time.monotonic() + timeout
        while await self.pool.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL"):
            assert time.monotonic() < deadline, "the outbox relay did not publish in time"
            await asyncio.sleep(0.1)

    async def published_awards(self, recipient_id: UUID) -> list[Any]:
        """Every AppreciationAwarded record on the topic for the recipient, after the outbox drained."""
        await self.outbox_drained()
        key = str(recipient_id).encode()
        return [record for record in await read_all(self.bootstrap, AWARDS) if record.key == key]


@asynccontextmanager
async def running_appreciation(bootstrap: str, dsn: str, group: str, **overrides: Any) -> AsyncIterator[Appreciation]:
    """An appreciation app on ``dsn`` consuming as ``group``, lifespan running (relay and consumers)."""
    ops_token = secrets.token_urlsafe(24)
    settings = Settings(
        kafka_bootstrap_servers=bootstrap,
        region=REGION,
        database_url=dsn,
        ops_token=ops_token,
        consumer_retry_backoff_s=0.05,
        outbox_poll_interval_s=0.2,
        public_url="https://waardering.example",
        **overrides,
    )
    spec = replace(SPEC, name=group)
    app = create_service_app(settings, spec)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://appreciation", timeout=30) as http:
                yield Appreciation(
                    http=http,
                    pool=app.state.runtime.pool,
                    bootstrap=bootstrap,
                    spec=spec,
                    producer=producer,
                    ops={"Authorization": f"Bearer {ops_token}"},
                )
    finally:
        await producer.stop()


@pytest.fixture(scope="module")
async def appreciation(kafka_bootstrap: str, postgres_server_dsn: str) -> AsyncIterator[Appreciation]:
    """An appreciation app with its own fresh database and consumer group."""
    suffix = secrets.token_hex(5)
    dsn = await create_database(postgres_server_dsn, f"appreciation_{suffix}")
    async with running_appreciation(kafka_bootstrap, dsn, f"appreciation-test-{suffix}") as running:
        yield running
