"""A consulent's account from invitation to departure, across the four services as real processes.

Real Kafka, PostgreSQL and SMTP (aiosmtpd in this process): a consulent invites a colleague, who sets a
password from the e-mailed link, enables TOTP and logs in; reads a volunteer's record (the audit trail shows
it, and the volunteer's own export lists it); works on all four services with the session; is deactivated;
and the session stops working on every service within seconds.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pyotp
import pytest

from tests.e2e.conftest import Platform, running_platform
from tests.support.mailbox import Mailbox, link_token, running_mailbox

pytestmark = [pytest.mark.integration, pytest.mark.e2e]

PASSWORD = "een lange wachtzin voor de e2e"
# How long a revoked session may keep working anywhere: the event's trip through the outbox and Kafka.
WITHIN_S = 15.0

Headers = dict[str, str]


@pytest.fixture(scope="module")
def mailbox() -> Iterator[Mailbox]:
    """The region's mail server, as the registry process sees it."""
    with running_mailbox() as box:
        yield box


@pytest.fixture(scope="module")
async def platform(
    kafka_bootstrap: str, postgres_server_dsn: str, tmp_path_factory: pytest.TempPathFactory, mailbox: Mailbox
) -> AsyncIterator[Platform]:
    """The four services; the registry sends e-mail to the test's SMTP server."""
    registry_env = {
        "REGISTRY_SMTP_HOST": "127.0.0.1",
        "REGISTRY_SMTP_PORT": str(mailbox.port),
        "REGISTRY_SMTP_SENDER": "accounts@vc-e2e.example",
        "REGISTRY_ACCOUNT_LINK_URL": "https://portal.vc-e2e.example/wachtwoord?token={token}",
        "REGISTRY_PASSWORD_HASH_MEMORY_KIB": "8192",
    }
    logs = Path(tmp_path_factory.mktemp("account-logs"))
    async with running_platform(kafka_bootstrap, postgres_server_dsn, logs, {"registry": registry_env}) as running:
        yield running


def _bearer(token: str) -> Headers:
    return {"Authorization": f"Bearer {token}"}


async def _becomes_staff(
    http: httpx.AsyncClient, registry: str, mailbox: Mailbox, email: str
) -> tuple[Headers, str, pyotp.TOTP]:
    """Follow the invitation e-mail: choose a password, enable TOTP, log in. Headers, session id and the app."""
    [mail] = await mailbox.wait_for(email, 1)
    chosen = await http.post(f"{registry}/v1/passwords", json={"token": link_token(mail), "password": PASSWORD})
    assert chosen.status_code == 204, chosen.text

    enrolment = await http.post(f"{registry}/v1/sessions", json={"email": email, "password": PASSWORD})
    assert enrolment.status_code == 200, "staff must enable the second factor before a first session"
    totp = pyotp.TOTP(enrolment.json()["secret"])
    first = await http.post(
        f"{registry}/v1/sessions/totp-enrolment",
        json={"ticket": enrolment.json()["ticket"], "code": totp.now(), "label": "enrolment"},
    )
    assert first.status_code == 201, first.text
    logged_out = await http.delete(f"{registry}/v1/sessions/current", headers=_bearer(first.json()["token"]))
    assert logged_out.status_code == 204

    # A login of its own with password and code (the next step's code: the enrolment spent this one).
    code = totp.at(datetime.now(UTC) + timedelta(seconds=30))
    login = await http.post(
        f"{registry}/v1/sessions", json={"email": email, "password": PASSWORD, "totp_code": code, "label": "werkplek"}
    )
    assert login.status_code == 201, login.text
    return _bearer(login.json()["token"]), login.json()["session"]["id"], totp


async def _poll(
    http: httpx.AsyncClient, url: str, headers: Headers, until: int, within: float, *, params: Any = None
) -> float:
    """GET ``url`` until it answers ``until``; the seconds it took (fails after ``within``)."""
    started = time.monotonic()
    while (status := (await http.get(url, headers=headers, params=params)).status_code) != until:
        assert time.monotonic() - started < within, f"{url} still answers {status}, not {until}, after {within}s"
        await asyncio.sleep(0.1)
    return time.monotonic() - started


async def test_a_consulent_from_invitation_to_departure_on_every_service(platform: Platform, mailbox: Mailbox) -> None:
    registry = platform.url("registry")
    ops = _bearer(platform.ops_token)
    centrale_id = f"vc-e2e-{secrets.token_hex(3)}"
    async with httpx.AsyncClient(timeout=20) as http:
        created = await http.post(
            f"{registry}/v1/centrales",
            json={"id": centrale_id, "name": "Vrijwilligerscentrale E2E", "municipality_code": "GM0344"},
            headers=ops,
        )
        assert created.status_code == 201, created.text

        # Ops invite the centrale's first consulent; she invites her colleague.
        anna_email, kees_email = f"anna-{centrale_id}@vc-e2e.example", f"kees-{centrale_id}@vc-e2e.example"
        invited = await http.post(
            f"{registry}/v1/invitations",
            json={"role": "centrale_staff", "centrale_id": centrale_id, "email": anna_email, "name": "Anna Jansen"},
            headers=ops,
        )
        assert invited.status_code == 201, invited.text
        anna, _, _ = await _becomes_staff(http, registry, mailbox, anna_email)
        invited = await http.post(
            f"{registry}/v1/invitations",
            json={"role": "centrale_staff", "centrale_id": centrale_id, "email": kees_email, "name": "Kees de Vries"},
            headers=anna,
        )
        assert invited.status_code == 201, invited.text
        kees_membership = invited.json()["membership_id"]
        kees, kees_session, _ = await _becomes_staff(http, registry, mailbox, kees_email)

        # Kees registers a volunteer at intake and reads the record for mediation.
        registered = await http.post(
            f"{registry}/v1/centrales/{centrale_id}/volunteers",
            json={"name": "Fatima el Amrani", "email": f"fatima-{centrale_id}@example.nl", "postcode": "3511 AB"},
            headers=kees,
        )
        assert registered.status_code == 201, registered.text
        volunteer_id = registered.json()["id"]
        record = f"{registry}/v1/centrales/{centrale_id}/volunteers/{volunteer_id}"
        read = await http.get(record, params={"purpose": "mediation"}, headers=kees)
        assert read.status_code == 200, read.text
        assert read.json()["name"] == "Fatima el Amrani"

        trail = await http.get(f"{record}/access-log", headers=anna)
        assert trail.status_code == 200, trail.text
        assert [(e["action"], e["purpose"], e["by"]["name"]) for e in trail.json()] == [
            ("read", "mediation", "Kees de Vries"),
            ("create", "intake", "Kees de Vries"),
        ]
        volunteer = await http.post(f"{record}/credentials", json={"label": "app"}, headers=kees)
        assert volunteer.status_code == 201, volunteer.text
        export = await http.get(f"{registry}/v1/me/export", headers=_bearer(volunteer.json()["token"]))
        assert export.status_code == 200, export.text
        assert ("Kees de Vries", "Vrijwilligerscentrale E2E", "mediation") in {
            (e["by"].get("name"), e["centrale"]["name"], e["purpose"]) for e in export.json()["access_log"]
        }

        # Kees' session works on every service, once each has read it from registry.credentials.v1.
        on_every_service = [
            (f"{registry}/v1/sessions/current", None),
            (f"{platform.url('matching')}/v1/centrales/{centrale_id}/volunteers/{volunteer_id}/proposals", None),
            (f"{platform.url('appreciation')}/v1/centrales/{centrale_id}/rules", None),
            (f"{platform.url('reporting')}/v1/centrales/{centrale_id}/figures", {"period": "2026"}),
        ]
        for url, params in on_every_service:
            await _poll(http, url, kees, 200, 30.0, params=params)

        # Kees leaves: Anna ends his membership.
        ended = await http.delete(f"{registry}/v1/memberships/{kees_membership}", headers=anna)
        assert ended.status_code == 204, ended.text
        took = {url: await _poll(http, url, kees, 401, WITHIN_S, params=params) for url, params in on_every_service}
        assert max(took.values()) < WITHIN_S, took

        # Anna still works everywhere; Kees cannot log in again.
        for url, params in on_every_service:
            assert (await http.get(url, headers=anna, params=params)).status_code == 200, url
        again = await http.post(f"{registry}/v1/sessions", json={"email": kees_email, "password": PASSWORD})
        assert again.status_code == 401
        assert kees_session not in (await http.get(f"{registry}/v1/account/sessions", headers=anna)).text
