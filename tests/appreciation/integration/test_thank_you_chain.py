"""The whole chain on real Kafka, PostgreSQL and SMTP: hours logged in the registry → award → thank-you e-mail."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller

from appreciation import domain
from common.clock import dutch_today
from common.localinfra.postgres import create_database
from registry.config import Settings as RegistrySettings
from registry.main import create_app as create_registry
from tests.appreciation.integration.conftest import Appreciation, running_appreciation
from tests.registry.integration.conftest import Registry
from tests.support.mailbox import Mailbox, free_port

pytestmark = pytest.mark.integration


@dataclass
class Platform:
    """Registry (with SMTP) and appreciation, side by side."""

    registry: Registry
    appreciation: Appreciation
    mailbox: Mailbox


@pytest.fixture(scope="module")
async def platform(kafka_bootstrap: str, postgres_server_dsn: str) -> AsyncIterator[Platform]:
    """Both services in-process with their own databases, and a local SMTP server."""
    box, port = Mailbox(), free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    suffix = secrets.token_hex(5)
    registry_dsn = await create_database(postgres_server_dsn, f"registry_chain_{suffix}")
    appreciation_dsn = await create_database(postgres_server_dsn, f"appreciation_chain_{suffix}")
    ops_token = secrets.token_urlsafe(24)
    settings = RegistrySettings(
        kafka_bootstrap_servers=kafka_bootstrap,
        region="testregio",
        database_url=registry_dsn,
        ops_token=ops_token,
        consumer_retry_backoff_s=0.05,
        outbox_poll_interval_s=0.2,
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_sender="waardering@vc-test.example",
        messages_poll_interval_s=0.1,
    )
    app = create_registry(settings)
    try:
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://registry", timeout=30) as http,
            running_appreciation(kafka_bootstrap, appreciation_dsn, f"appreciation-chain-{suffix}") as appreciation,
        ):
            registry = Registry(
                http=http,
                pool=app.state.runtime.pool,
                bootstrap=kafka_bootstrap,
                ops={"Authorization": f"Bearer {ops_token}"},
            )
            yield Platform(registry, appreciation, box)
    finally:
        controller.stop()


async def _settled(registry: Registry, award_id: Any, timeout: float = 60) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        row = await registry.pool.fetchrow("SELECT * FROM appreciation_messages WHERE award_id = $1", award_id)
        if row is not None and row["status"] != "pending":
            return row
        assert time.monotonic() < deadline, "the registry did not settle the thank-you in time"
        await asyncio.sleep(0.1)


async def test_hours_logged_in_the_registry_earn_a_thank_you_mail_until_consent_is_withdrawn(
    platform: Platform,
) -> None:
    registry = platform.registry
    centrale_id, staff = await registry.new_centrale()
    organisation_id, organisation = await registry.new_organisation(centrale_id, staff)
    email = f"fatima.{secrets.token_hex(3)}@example.nl"
    volunteer_id = await registry.register_volunteer(
        centrale_id,
        staff,
        name="Fatima el Amrani",
        email=email,
        consents=[
            {"kind": "matching", "text_version": "2026-01"},
            {"kind": "appreciation_messages", "text_version": "2026-01"},
        ],
    )
    task_id = await registry.published_task(centrale_id, organisation_id, organisation)
    match_id = await registry.match(task_id, organisation_id, centrale_id, volunteer_id)
    hours = f"/v1/centrales/{centrale_id}/organisations/{organisation_id}/matches/{match_id}/hours"
    yesterday = (dutch_today() - timedelta(days=1)).isoformat()

    logged = await registry.http.post(hours, json={"worked_on": yesterday, "hours": "10"}, headers=organisation)
    assert logged.status_code == 201, logged.text
    messages = await platform.mailbox.wait_for(email, 2, timeout=60)

    assert sorted(m["Subject"] for m in messages) == [
        "Gefeliciteerd: 10 uur vrijwillige inzet!",
        "Welkom als vrijwilliger, Fatima el Amrani!",
    ]
    hours_10 = domain.award_id_for(centrale_id, "hours-10", volunteer_id, "")
    assert any(m["Message-ID"] == f"<{hours_10}@vc-test.example>" for m in messages)

    withdraw = {"kind": "appreciation_messages", "granted": False, "text_version": "2026-01"}
    consents = f"/v1/centrales/{centrale_id}/volunteers/{volunteer_id}/consents"
    assert (await registry.http.post(consents, json=withdraw, headers=staff)).status_code == 204
    two_days_ago = (dutch_today() - timedelta(days=2)).isoformat()
    more = await registry.http.post(hours, json={"worked_on": two_days_ago, "hours": "16"}, headers=organisation)
    assert more.status_code == 201, more.text
    hours_25 = domain.award_id_for(centrale_id, "hours-25", volunteer_id, "")
    row = await _settled(registry, hours_25)

    assert (row["status"], row["reason"]) == ("not_sent", "no_consent")
    assert len(platform.mailbox.to(email)) == 2
    # Appreciation holds the award, pseudonymously: no name or address reached it.
    [award] = [a for a in await platform.appreciation.awards(volunteer_id) if a["rule_id"] == "hours-25"]
    assert award["award_id"] == hours_25
