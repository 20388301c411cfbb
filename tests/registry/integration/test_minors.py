"""Minors over HTTP on real PostgreSQL, Kafka and SMTP: a 14-year-old registering waits for a parent's consent
(a link e-mailed to the parent), or staff record it; until then they are published without matching consent."""

from __future__ import annotations

import json
import secrets
from collections.abc import AsyncIterator, Iterator
from datetime import date
from typing import Any
from uuid import UUID

import pytest

from common.clock import dutch_today
from tests.support.mailbox import Mailbox, link_token, running_mailbox
from tests.support.registry_client import Registry, running_registry

pytestmark = pytest.mark.integration

FOURTEEN = date(dutch_today().year - 14, 1, 15).isoformat()


@pytest.fixture(scope="module")
def mailbox() -> Iterator[Mailbox]:
    """A real SMTP server the registry sends the guardian's link to."""
    with running_mailbox() as box:
        yield box


@pytest.fixture(scope="module")
async def registry(kafka_bootstrap: str, postgres_server_dsn: str, mailbox: Mailbox) -> AsyncIterator[Registry]:
    """The registry with SMTP and a guardian page of the portal."""
    async with running_registry(
        kafka_bootstrap,
        postgres_server_dsn,
        secrets.token_urlsafe(24),
        smtp_host="127.0.0.1",
        smtp_port=mailbox.port,
        smtp_sender="toestemming@vc-test.example",
        guardian_link_url="https://portal.vc-test.example/ouder/toestemming?token={token}",
        scheduler_enabled=False,
    ) as running:
        yield running


async def _profiles(registry: Registry, volunteer_id: UUID) -> list[dict[str, Any]]:
    """The volunteer's profile events as the registry queued them for the topic, in order."""
    async with registry.pool.acquire() as conn:
        rows = await conn.fetch("SELECT payload FROM outbox WHERE key = $1 ORDER BY id", str(volunteer_id))
    payloads = [json.loads(row["payload"]) for row in rows]
    # VolunteerRegistered and VolunteerProfileUpdated carry the whole shareable profile, sealed (issue 16).
    return [await registry.opened(row["payload"]) for row, payload in zip(rows, payloads, strict=True)
            if "matching_consent" in payload]  # fmt: skip


def _minor(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "Yasmina el Amrani",
        "email": f"yasmina-{secrets.token_hex(3)}@example.nl",
        "postcode": "3511 AB",
        "birth_date": FOURTEEN,
        "skills": ["koken"],
        "consents": [{"kind": "matching", "text_version": "2026-01"}],
        "guardian": {"name": "Samira el Amrani", "relation": "parent", "email": "samira@example.nl"},
    } | overrides


async def test_a_fourteen_year_old_waits_for_the_parents_consent_by_e_mail_and_is_matchable_after(
    registry: Registry, mailbox: Mailbox
) -> None:
    centrale_id, _ = await registry.new_centrale()
    parent = f"ouder-{secrets.token_hex(3)}@example.nl"
    guardian = {"name": "Samira el Amrani", "relation": "parent", "email": parent}
    registered = await registry.http.post(
        f"/v1/centrales/{centrale_id}/volunteers/self-registration", json=_minor(guardian=guardian)
    )
    assert registered.status_code == 201, registered.text
    me = {"Authorization": f"Bearer {registered.json()['token']}"}
    volunteer_id = UUID((await registry.http.get("/v1/me", headers=me)).json()["id"])

    [waiting] = await _profiles(registry, volunteer_id)
    assert (waiting["age_band"], waiting["matching_consent"]) == ("12-17", False)
    assert "Samira" not in json.dumps(waiting)

    [mail] = await mailbox.wait_for(parent, 1)
    assert "Yasmina el Amrani" in mail["Subject"]
    assert "https://portal.vc-test.example/ouder/toestemming?token=" in mail.get_content()
    token = link_token(mail)

    # Not the volunteer: a made-up token is refused.
    refused = await registry.http.post("/v1/guardian-consents", json={"token": "x" * 43, "text_version": "2026-01"})
    assert refused.status_code == 404
    given = await registry.http.post("/v1/guardian-consents", json={"token": token, "text_version": "2026-01"})
    assert given.status_code == 204, given.text

    profiles = await _profiles(registry, volunteer_id)
    assert profiles[-1]["matching_consent"] is True
    assert profiles[-1]["age_band"] == "12-17"
    export = (await registry.http.get("/v1/me/export", headers=me)).json()
    guardian_records = [c for c in export["consent_history"] if c["kind"] == "parental_consent"]
    assert [(c["granted"], c["recorded_by"]) for c in guardian_records] == [(True, "guardian")]
    async with registry.pool.acquire() as conn:
        who = await conn.fetchrow(
            "SELECT given_by_name, given_by_relation FROM volunteer_consents WHERE volunteer_id = $1 AND kind = $2",
            volunteer_id,
            "parental_consent",
        )
    assert (who["given_by_name"], who["given_by_relation"]) == ("Samira el Amrani", "parent")
    again = await registry.http.post("/v1/guardian-consents", json={"token": token, "text_version": "2026-01"})
    assert again.status_code == 404, "the link works once"


async def test_staff_register_a_minor_and_record_the_guardians_signed_consent(registry: Registry) -> None:
    centrale_id, staff = await registry.new_centrale()
    missing = await registry.http.post(
        f"/v1/centrales/{centrale_id}/volunteers", json=_minor(guardian=None), headers=staff
    )
    assert missing.status_code == 422
    assert "guardian" in missing.text
    created = await registry.http.post(
        f"/v1/centrales/{centrale_id}/volunteers",
        json=_minor(guardian={"name": "Henk de Vries", "relation": "guardian"}),
        headers=staff,
    )
    assert created.status_code == 201, created.text
    volunteer_id = UUID(created.json()["id"])
    assert (await _profiles(registry, volunteer_id))[-1]["matching_consent"] is False

    recorded = await registry.http.post(
        f"/v1/centrales/{centrale_id}/volunteers/{volunteer_id}/guardian-consent",
        json={"name": "Henk de Vries", "relation": "guardian", "text_version": "2026-01"},
        headers=staff,
    )
    assert recorded.status_code == 204, recorded.text
    assert (await _profiles(registry, volunteer_id))[-1]["matching_consent"] is True
    bad = await registry.http.post(
        f"/v1/centrales/{centrale_id}/volunteers/{volunteer_id}/guardian-consent",
        json={"name": "Henk de Vries", "relation": "oom", "text_version": "2026-01"},
        headers=staff,
    )
    assert bad.status_code == 422
    assert "relation" in bad.text
