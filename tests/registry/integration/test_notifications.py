"""Thank-you messages: the registry e-mails awards over real SMTP, once, only with consent, in the centrale's words."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest

from common.localinfra.postgres import create_database
from contracts import EventEnvelope
from contracts.events import AppreciationAwarded
from registry.config import Settings
from registry.main import create_app
from tests.registry.integration.conftest import Registry
from tests.support.kafka import publish_raw, wait_for_group_offset
from tests.support.mailbox import Mailbox, running_mailbox
from tests.support.mailbox import free_port as _free_port  # noqa: F401  (tests/appreciation imports both from here)

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    """A real SMTP server on 127.0.0.1 and a free port."""
    with running_mailbox() as box:
        yield box, box.port


@pytest.fixture(scope="module")
async def registry(
    kafka_bootstrap: str, postgres_server_dsn: str, mailbox: tuple[Mailbox, int]
) -> AsyncIterator[Registry]:
    """The registry with SMTP pointed at the local server (overrides the package's fixture for this module)."""
    dsn = await create_database(postgres_server_dsn, f"registry_{secrets.token_hex(5)}")
    ops_token = secrets.token_urlsafe(24)
    settings = Settings(
        kafka_bootstrap_servers=kafka_bootstrap,
        region="testregio",
        database_url=dsn,
        ops_token=ops_token,
        consumer_retry_backoff_s=0.05,
        outbox_poll_interval_s=0.2,
        smtp_host="127.0.0.1",
        smtp_port=mailbox[1],
        smtp_sender="waardering@vc-test.example",
        messages_poll_interval_s=0.1,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://registry", timeout=30) as http:
            yield Registry(
                http=http,
                pool=app.state.runtime.pool,
                bootstrap=kafka_bootstrap,
                ops={"Authorization": f"Bearer {ops_token}"},
            )


async def _award(
    registry: Registry,
    centrale_id: str,
    recipient_id: UUID,
    *,
    award_id: UUID | None = None,
    kind: str = "volunteer",
    rule_kind: str = "hours_milestone",
    title: str = "10 uur vrijwillige inzet",
    event_id: UUID | None = None,
) -> tuple[AppreciationAwarded, Any]:
    """Publish an award as appreciation does (the event id is the award id unless told otherwise)."""
    award = AppreciationAwarded(
        award_id=award_id or uuid4(),
        recipient_id=recipient_id,
        recipient_kind=kind,
        centrale_id=centrale_id,
        rule_id="hours-10",
        rule_kind=rule_kind,
        title=title,
        trigger_event_id=uuid4(),
        trigger_event_type="nl.vrijwilligerscentrale.hours.logged.v1",
        awarded_at=datetime.now(UTC),
    )
    envelope = EventEnvelope(
        id=event_id or award.award_id,
        source="/regions/testregio/appreciation",
        type=award.event_type,
        subject=award.subject(),
        tenant=centrale_id,
        region="testregio",
    )
    metadata = await publish_raw(
        registry.bootstrap,
        award.topic,
        award.model_dump_json().encode(),
        key=award.subject().encode(),
        headers=envelope.to_headers(),
    )
    return award, metadata


async def _message_row(registry: Registry, award_id: UUID, timeout: float = 30) -> Any:
    """The registry's row for an award once it is settled (sent, not sent or failed)."""
    deadline = time.monotonic() + timeout
    while True:
        row = await registry.pool.fetchrow("SELECT * FROM appreciation_messages WHERE award_id = $1", award_id)
        if row is not None and row["status"] != "pending":
            return row
        assert time.monotonic() < deadline, f"award {award_id} not settled within {timeout}s"
        await asyncio.sleep(0.05)


async def _consenting_volunteer(registry: Registry, centrale_id: str, staff: dict[str, str], email: str) -> UUID:
    return await registry.register_volunteer(
        centrale_id,
        staff,
        name="Sanne Bakker",
        email=email,
        consents=[
            {"kind": "matching", "text_version": "2026-01"},
            {"kind": "appreciation_messages", "text_version": "2026-01"},
        ],
    )


async def test_a_thank_you_goes_out_once_in_the_centrales_words_and_stops_when_consent_is_withdrawn(
    registry: Registry, mailbox: tuple[Mailbox, int]
) -> None:
    box, _ = mailbox
    centrale_id, staff = await registry.new_centrale()
    email = f"sanne.{secrets.token_hex(3)}@example.nl"
    volunteer_id = await _consenting_volunteer(registry, centrale_id, staff, email)
    template = {"subject": "Hoera, $naam!", "body": "Beste $naam,\n\n$titel: geweldig.\n\nGroet van $centrale"}
    path = f"/v1/centrales/{centrale_id}/appreciation-templates/hours_milestone"
    assert (await registry.http.put(path, json=template, headers=staff)).status_code == 200

    award, first = await _award(registry, centrale_id, volunteer_id)
    [message] = await box.wait_for(email, 1)

    assert message["Subject"] == "Hoera, Sanne Bakker!"
    assert message["From"] == "waardering@vc-test.example"
    assert message["Message-ID"] == f"<{award.award_id}@vc-test.example>"
    body = message.get_content()
    assert "Beste Sanne Bakker" in body
    assert "10 uur vrijwillige inzet: geweldig." in body
    assert f"Groet van Centrale {centrale_id}" in body
    assert "toestemming" in body  # how to stop these messages is always said

    # The same award delivered again (same event id) and published again (a rebuilt appreciation): no mail.
    _, redelivered = await _award(registry, centrale_id, volunteer_id, award_id=award.award_id)
    _, republished = await _award(registry, centrale_id, volunteer_id, award_id=award.award_id, event_id=uuid4())
    for record in (first, redelivered, republished):
        await wait_for_group_offset(registry.bootstrap, "registry", record.topic, record.partition, record.offset)
    row = await _message_row(registry, award.award_id)
    assert (row["status"], row["attempts"]) == ("sent", 1)

    withdraw = {"kind": "appreciation_messages", "granted": False, "text_version": "2026-01"}
    consents = f"/v1/centrales/{centrale_id}/volunteers/{volunteer_id}/consents"
    assert (await registry.http.post(consents, json=withdraw, headers=staff)).status_code == 204
    later, _ = await _award(registry, centrale_id, volunteer_id, title="25 uur vrijwillige inzet")
    later_row = await _message_row(registry, later.award_id)

    assert (later_row["status"], later_row["reason"]) == ("not_sent", "no_consent")
    assert len(box.to(email)) == 1
    listed = await registry.http.get(f"/v1/centrales/{centrale_id}/appreciation-messages", headers=staff)
    assert [(m["title"], m["status"]) for m in listed.json()] == [
        ("25 uur vrijwillige inzet", "not_sent"),
        ("10 uur vrijwillige inzet", "sent"),
    ]


async def test_default_template_refused_mailbox_partners_and_unknown_volunteers(
    registry: Registry, mailbox: tuple[Mailbox, int]
) -> None:
    box, _ = mailbox
    centrale_id, staff = await registry.new_centrale()
    email = f"jan.{secrets.token_hex(3)}@example.nl"
    volunteer_id = await _consenting_volunteer(registry, centrale_id, staff, email)
    refusing_id = await _consenting_volunteer(registry, centrale_id, staff, f"refuse.{secrets.token_hex(3)}@example.nl")
    no_consent_id = await registry.register_volunteer(centrale_id, staff)

    first_match, _ = await _award(
        registry, centrale_id, volunteer_id, rule_kind="first_match", title="Je eerste klus als vrijwilliger"
    )
    refused, _ = await _award(registry, centrale_id, refusing_id)
    silent, _ = await _award(registry, centrale_id, no_consent_id)
    partner, _ = await _award(registry, centrale_id, uuid4(), kind="business_partner", rule_kind="partner_team_day")
    stranger, _ = await _award(registry, centrale_id, uuid4())

    [message] = await box.wait_for(email, 1)
    assert message["Subject"] == "Welkom als vrijwilliger, Sanne Bakker!"
    assert "Je eerste klus als vrijwilliger" in message.get_content()
    assert (await _message_row(registry, first_match.award_id))["status"] == "sent"
    refused_row = await _message_row(registry, refused.award_id)
    assert (refused_row["status"], refused_row["reason"]) == ("failed", "refused")
    for award, reason in ((silent, "no_consent"), (partner, "no_contact_data"), (stranger, "unknown_volunteer")):
        row = await _message_row(registry, award.award_id)
        assert (row["status"], row["reason"]) == ("not_sent", reason)


async def test_templates_are_the_centrales_own_and_checked(registry: Registry) -> None:
    centrale_id, staff = await registry.new_centrale()
    other_centrale, other_staff = await registry.new_centrale()
    base = f"/v1/centrales/{centrale_id}/appreciation-templates"

    unknown_placeholder = await registry.http.put(
        f"{base}/anniversary", json={"subject": "Hoi $voornaam", "body": "Dank!"}, headers=staff
    )
    stray_dollar = await registry.http.put(
        f"{base}/anniversary", json={"subject": "Hoi", "body": "Kost $ 5"}, headers=staff
    )
    unknown_kind = await registry.http.put(f"{base}/payment", json={"subject": "x", "body": "y"}, headers=staff)
    cross_tenant = await registry.http.put(
        f"{base}/anniversary", json={"subject": "x", "body": "y"}, headers=other_staff
    )
    set_own = await registry.http.put(
        f"{base}/default", json={"subject": "Dank, $naam", "body": "$titel"}, headers=staff
    )
    listed = {t["kind"]: t for t in (await registry.http.get(base, headers=staff)).json()}
    other_listed = {
        t["kind"]: t
        for t in (
            await registry.http.get(f"/v1/centrales/{other_centrale}/appreciation-templates", headers=other_staff)
        ).json()
    }
    reset = await registry.http.delete(f"{base}/default", headers=staff)
    after_reset = {t["kind"]: t for t in (await registry.http.get(base, headers=staff)).json()}
    volunteer_id = await registry.register_volunteer(centrale_id, staff)
    volunteer = await registry.credential(f"/v1/centrales/{centrale_id}/volunteers/{volunteer_id}/credentials", staff)

    assert unknown_placeholder.status_code == 422
    assert unknown_placeholder.json()["detail"][0]["loc"] == ["body", "subject"]
    assert stray_dollar.status_code == 422
    assert stray_dollar.json()["detail"][0]["loc"] == ["body", "body"]
    assert unknown_kind.status_code == 422
    assert cross_tenant.status_code == 404
    assert set_own.status_code == 200
    assert (listed["default"]["subject"], listed["default"]["custom"]) == ("Dank, $naam", True)
    assert listed["hours_milestone"]["custom"] is False
    assert other_listed["default"]["custom"] is False
    assert reset.status_code == 204
    assert after_reset["default"]["custom"] is False
    assert (await registry.http.get(base, headers=volunteer)).status_code == 403
