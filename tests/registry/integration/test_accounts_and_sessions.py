"""Personal accounts over HTTP on real PostgreSQL, Kafka and SMTP: invitations by e-mail, passwords, the second
factor, login limits with Retry-After, resets, the idle timeout, API credentials' expiry and rotation, the audit
trail, and the bootstrap command for the first ops account."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID

import pyotp
import pytest

from common.clock import DUTCH_TIME, ManualClock, utc_now
from contracts import EventEnvelope
from tests.support.mailbox import Mailbox, link_token, running_mailbox
from tests.support.registry_client import Headers, Registry, running_registry

pytestmark = pytest.mark.integration

PASSWORD = "een lange wachtzin voor de test"
CREDENTIALS = "registry.credentials.v1"


@pytest.fixture(scope="module")
def mailbox() -> Iterator[Mailbox]:
    """A real SMTP server the registry sends account e-mails to."""
    with running_mailbox() as box:
        yield box


@pytest.fixture(scope="module")
def clock() -> ManualClock:
    """The registry's clock: now, until a test moves it (forward only, the tests share it)."""
    return ManualClock(utc_now())


@pytest.fixture(scope="module")
async def registry(
    kafka_bootstrap: str, postgres_server_dsn: str, mailbox: Mailbox, clock: ManualClock
) -> AsyncIterator[Registry]:
    """The registry with SMTP, cheap password hashing, a clock the tests move, and jobs only on demand."""
    async with running_registry(
        kafka_bootstrap,
        postgres_server_dsn,
        secrets.token_urlsafe(24),
        clock=clock,
        smtp_host="127.0.0.1",
        smtp_port=mailbox.port,
        smtp_sender="accounts@vc-test.example",
        account_link_url="https://portal.vc-test.example/wachtwoord?token={token}",
        password_hash_memory_kib=1024,
        password_hash_time_cost=1,
        scheduler_enabled=False,
    ) as running:
        yield running


@dataclass
class Person:
    """Someone logged in: their account, session and the headers that carry it."""

    email: str
    account_id: UUID
    session_id: UUID
    membership_id: UUID
    headers: Headers
    totp: pyotp.TOTP | None = None


def _email() -> str:
    return f"mens-{secrets.token_hex(4)}@vc-test.example"


async def _invited_and_password_set(registry: Registry, mailbox: Mailbox, body: dict[str, Any], by: Headers) -> str:
    invited = await registry.http.post("/v1/invitations", json=body, headers=by)
    assert invited.status_code == 201, invited.text
    assert invited.json()["mail"] == "invitation"
    assert invited.json()["development_link_token"] is None, "outside development the token is only e-mailed"
    [mail] = await mailbox.wait_for(body["email"], 1)
    token = link_token(mail)
    chosen = await registry.http.post("/v1/passwords", json={"token": token, "password": PASSWORD})
    assert chosen.status_code == 204, chosen.text
    return token


async def _logged_in_staff(registry: Registry, mailbox: Mailbox, clock: ManualClock, centrale_id: str) -> Person:
    """A staff member invited by ops, with a password and the second factor, logged in."""
    email = _email()
    await _invited_and_password_set(
        registry,
        mailbox,
        {"role": "centrale_staff", "centrale_id": centrale_id, "email": email, "name": f"Consulent {email[5:9]}"},
        registry.ops,
    )
    enrolment = await registry.http.post("/v1/sessions", json={"email": email, "password": PASSWORD})
    assert enrolment.status_code == 200, enrolment.text
    totp = pyotp.TOTP(enrolment.json()["secret"])
    started = await registry.http.post(
        "/v1/sessions/totp-enrolment",
        json={"ticket": enrolment.json()["ticket"], "code": totp.at(clock.now())},
    )
    assert started.status_code == 201, started.text
    session = started.json()["session"]
    headers = {"Authorization": f"Bearer {started.json()['token']}"}
    account = (await registry.http.get("/v1/account", headers=headers)).json()
    return Person(email, UUID(account["id"]), UUID(session["id"]), UUID(session["membership_id"]), headers, totp)


async def _self_registered(registry: Registry, centrale_id: str) -> tuple[Person, UUID]:
    """A volunteer who registered themselves with e-mail and password (no second factor), and their record."""
    email = _email()
    response = await registry.http.post(
        f"/v1/centrales/{centrale_id}/volunteers/self-registration",
        json={"name": f"Sanne {email[5:9]}", "email": email, "password": PASSWORD, "postcode": "3511 AB"},
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["kind"], body["role"]) == ("session", "volunteer")
    headers = {"Authorization": f"Bearer {body['token']}"}
    current = (await registry.http.get("/v1/sessions/current", headers=headers)).json()
    person = Person(
        email,
        UUID(current["account"]["id"]),
        UUID(body["id"]),
        UUID(current["membership"]["membership_id"]),
        headers,
    )
    return person, UUID(body["subject_id"])


async def _published(registry: Registry, credential_id: UUID, event: str) -> dict[str, Any]:
    """The payload of ``event`` (issued/revoked) for ``credential_id`` on the credentials topic."""
    records = await registry.events(CREDENTIALS, credential_id, 1 if event == "issued" else 2)
    for record in records:
        if EventEnvelope.from_headers(record.headers).type.endswith(f"credential.{event}.v1"):
            payload: dict[str, Any] = json.loads(record.value)
            return payload
    raise AssertionError(f"no {event} event for {credential_id}")


async def test_an_invited_consulent_sets_a_password_enrols_the_second_factor_and_logs_in(
    registry: Registry, mailbox: Mailbox, clock: ManualClock
) -> None:
    centrale_id, _ = await registry.new_centrale()
    email = _email()
    invited = await registry.http.post(
        "/v1/invitations",
        json={"role": "centrale_staff", "centrale_id": centrale_id, "email": email, "name": "Kees de Vries"},
        headers=registry.ops,
    )
    assert invited.status_code == 201, invited.text

    [mail] = await mailbox.wait_for(email, 1)
    assert mail["From"] == "accounts@vc-test.example"
    assert mail["Subject"].startswith("Uitnodiging: je account als medewerker bij Centrale")
    assert "https://portal.vc-test.example/wachtwoord?token=" in mail.get_content()
    token = link_token(mail)
    assert await registry.pool.fetchval("SELECT count(*) FROM account_links WHERE token_hash LIKE $1", token) == 0
    weak = await registry.http.post("/v1/passwords", json={"token": token, "password": "te kort"})
    assert weak.status_code == 422
    assert weak.json()["detail"][0]["loc"] == ["body", "password"]
    assert "te kort" not in weak.text
    assert (await registry.http.post("/v1/passwords", json={"token": token, "password": PASSWORD})).status_code == 204
    assert (await registry.http.post("/v1/passwords", json={"token": token, "password": PASSWORD})).status_code == 422

    enrolment = await registry.http.post("/v1/sessions", json={"email": email, "password": PASSWORD})
    assert enrolment.status_code == 200, enrolment.text
    assert enrolment.json()["totp_enrolment_required"] is True
    assert enrolment.json()["qr_svg"].startswith("<svg")
    totp = pyotp.TOTP(enrolment.json()["secret"])
    started = await registry.http.post(
        "/v1/sessions/totp-enrolment",
        json={"ticket": enrolment.json()["ticket"], "code": totp.at(clock.now()), "label": "werkplek"},
    )
    assert started.status_code == 201, started.text
    first = {"Authorization": f"Bearer {started.json()['token']}"}
    assert (await registry.http.delete("/v1/sessions/current", headers=first)).status_code == 204
    assert (await registry.http.get("/v1/sessions/current", headers=first)).status_code == 401

    no_code = await registry.http.post("/v1/sessions", json={"email": email, "password": PASSWORD})
    assert (no_code.status_code, no_code.json()["reason"]) == (401, "totp_required")
    logged_in = await registry.http.post(
        "/v1/sessions",
        json={"email": email, "password": PASSWORD, "totp_code": totp.at(clock.now() + timedelta(seconds=30))},
    )
    assert logged_in.status_code == 201, logged_in.text
    headers = {"Authorization": f"Bearer {logged_in.json()['token']}"}
    current = await registry.http.get("/v1/sessions/current", headers=headers)
    assert current.status_code == 200, current.text
    assert current.json()["account"]["totp_enabled"] is True
    assert (current.json()["membership"]["role"], current.json()["membership"]["centrale_id"]) == (
        "centrale_staff",
        centrale_id,
    )
    # The session works as staff, like the desk credentials did.
    assert (await registry.http.get(f"/v1/centrales/{centrale_id}/volunteers", headers=headers)).status_code == 200

    issued = await _published(registry, UUID(logged_in.json()["session"]["id"]), "issued")
    assert issued["kind"] == "session"
    assert issued["account_id"] == current.json()["account"]["id"]
    assert issued["expires_at"] is not None
    assert email not in json.dumps(issued), "no address on the topic"


async def test_login_attempts_get_429_with_retry_after_and_the_lockout_ends_with_its_window(
    registry: Registry, clock: ManualClock
) -> None:
    centrale_id, _ = await registry.new_centrale()
    person, _ = await _self_registered(registry, centrale_id)
    wrong = {"email": person.email, "password": "niet mijn wachtwoord"}
    async with registry.client_from("203.0.113.9") as attacker, registry.client_from("192.0.2.7") as own:
        for _ in range(5):
            refused = await attacker.post("/v1/sessions", json=wrong)
            assert (refused.status_code, refused.json()["reason"]) == (401, "credentials")
        locked = await attacker.post("/v1/sessions", json={"email": person.email, "password": PASSWORD})
        assert locked.status_code == 429
        assert locked.headers["Retry-After"] == "900"

        clock.advance(timedelta(minutes=10))
        for _ in range(5):  # trying on does not push the end out
            again = await attacker.post("/v1/sessions", json=wrong)
            assert (again.status_code, again.headers["Retry-After"]) == (429, "300")
        from_home = await own.post("/v1/sessions", json={"email": person.email, "password": PASSWORD})
        assert from_home.status_code == 201, "the person is not locked out from their own address"

        clock.advance(timedelta(minutes=5))
        recovered = await attacker.post("/v1/sessions", json={"email": person.email, "password": PASSWORD})
        assert recovered.status_code == 201, recovered.text


async def test_a_password_reset_by_e_mail_ends_every_session_and_is_limited(
    registry: Registry, mailbox: Mailbox, clock: ManualClock
) -> None:
    centrale_id, _ = await registry.new_centrale()
    person, _ = await _self_registered(registry, centrale_id)
    async with registry.client_from("198.51.100.4") as client:
        unknown = await client.post("/v1/password-resets", json={"email": _email()})
        asked = await client.post("/v1/password-resets", json={"email": person.email.upper()})
        assert (unknown.status_code, asked.status_code) == (202, 202)
        assert unknown.json() == asked.json(), "the answer does not say whether the address has an account"
        [mail] = await mailbox.wait_for(person.email, 1)
        assert mail["Subject"] == "Je wachtwoord opnieuw instellen"
        new = "een heel andere wachtzin"
        chosen = await client.post("/v1/passwords", json={"token": link_token(mail), "password": new})
        assert chosen.status_code == 204, chosen.text

        assert (await registry.http.get("/v1/sessions/current", headers=person.headers)).status_code == 401
        old = await client.post("/v1/sessions", json={"email": person.email, "password": PASSWORD})
        assert old.status_code == 401
        assert (await client.post("/v1/sessions", json={"email": person.email, "password": new})).status_code == 201

        for _ in range(2):
            assert (await client.post("/v1/password-resets", json={"email": person.email})).status_code == 202
        limited = await client.post("/v1/password-resets", json={"email": person.email})
        assert limited.status_code == 429
        assert int(limited.headers["Retry-After"]) <= 3600
        await asyncio.sleep(0.5)
        assert len(mailbox.to(person.email)) == 3, "no mail for the refused request"


async def test_an_idle_session_is_refused_and_the_job_revokes_it_for_every_service(
    registry: Registry, clock: ManualClock
) -> None:
    centrale_id, _ = await registry.new_centrale()
    person, _ = await _self_registered(registry, centrale_id)
    assert (await registry.http.get("/v1/me", headers=person.headers)).status_code == 200

    clock.advance(timedelta(minutes=31))
    idle = await registry.http.get("/v1/me", headers=person.headers)
    assert (idle.status_code, idle.json()["detail"]) == (401, "session ended (idle)")

    started = await registry.http.post("/v1/ops/jobs/expire-credentials/runs", headers=registry.ops)
    assert started.status_code == 202, started.text
    deadline = time.monotonic() + 30
    while (run := (await registry.http.get(started.headers["Location"], headers=registry.ops)).json())[
        "status"
    ] == "running":
        assert time.monotonic() < deadline
        await asyncio.sleep(0.1)
    assert run["status"] == "done", run
    assert run["counts"]["sessions"] >= 1
    revoked = await _published(registry, person.session_id, "revoked")
    assert revoked["credential_id"] == str(person.session_id)


async def test_api_credentials_expire_rotate_and_are_revoked(registry: Registry, clock: ManualClock) -> None:
    centrale_id, staff = await registry.new_centrale()
    volunteers = f"/v1/centrales/{centrale_id}/volunteers"

    async def issued(expires_in_days: int) -> tuple[str, Headers]:
        response = await registry.http.post(
            f"/v1/centrales/{centrale_id}/credentials",
            json={"label": "script", "expires_in_days": expires_in_days},
            headers=registry.ops,
        )
        assert response.status_code == 201, response.text
        assert response.json()["kind"] == "api"
        return response.json()["id"], {"Authorization": f"Bearer {response.json()['token']}"}

    day_id, day_long = await issued(1)
    assert (await registry.http.get(volunteers, headers=day_long)).status_code == 200
    clock.advance(timedelta(days=1))
    expired = await registry.http.get(volunteers, headers=day_long)
    assert (expired.status_code, expired.json()["detail"]) == (401, "expired token")

    script_id, script = await issued(30)
    rotated = await registry.http.post("/v1/credentials/current/rotation", headers=script)
    assert rotated.status_code == 201, rotated.text
    successor = {"Authorization": f"Bearer {rotated.json()['token']}"}
    assert (await registry.http.get(volunteers, headers=script)).status_code == 401
    assert (await registry.http.get(volunteers, headers=successor)).status_code == 200

    listed = await registry.http.get(f"/v1/centrales/{centrale_id}/credentials", headers=staff)
    assert listed.status_code == 200, listed.text
    by_id = {c["id"]: c for c in listed.json()}
    assert by_id[script_id]["revoked_at"] is not None
    assert by_id[rotated.json()["id"]]["revoked_at"] is None
    assert by_id[day_id]["expires_at"] is not None
    assert "token" not in json.dumps(listed.json())

    revoked = await registry.http.delete(f"/v1/credentials/{rotated.json()['id']}", headers=staff)
    assert revoked.status_code == 204, revoked.text
    assert (await registry.http.get(volunteers, headers=successor)).status_code == 401
    _, other_staff = await registry.new_centrale()
    refused = await registry.http.delete(f"/v1/credentials/{day_id}", headers=other_staff)
    assert refused.status_code == 404, "another centrale's credential: not even its existence"


async def test_the_audit_trail_names_the_consulent_and_only_their_centrales_staff_read_it(
    registry: Registry, mailbox: Mailbox, clock: ManualClock
) -> None:
    centrale_id, _ = await registry.new_centrale()
    other_id, other_staff = await registry.new_centrale()
    consulent = await _logged_in_staff(registry, mailbox, clock, centrale_id)
    volunteer_id = await registry.register_volunteer(centrale_id, consulent.headers)
    record = f"/v1/centrales/{centrale_id}/volunteers/{volunteer_id}"
    clock.advance(timedelta(seconds=1))  # the trail is newest first

    assert (await registry.http.get(f"{record}?purpose=follow_up", headers=consulent.headers)).status_code == 200
    bad = await registry.http.get(f"{record}?purpose=curiosity", headers=consulent.headers)
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["query", "purpose"]

    trail = await registry.http.get(f"{record}/access-log", headers=consulent.headers)
    assert trail.status_code == 200, trail.text
    name = (await registry.http.get("/v1/account", headers=consulent.headers)).json()["name"]
    assert [(e["action"], e["purpose"], e["by"]["name"], e["centrale"]["id"]) for e in trail.json()] == [
        ("read", "follow_up", name, centrale_id),
        ("create", "intake", name, centrale_id),
    ]
    assert (await registry.http.get(f"{record}/access-log", headers=registry.ops)).status_code == 403
    elsewhere = f"/v1/centrales/{other_id}/volunteers/{volunteer_id}/access-log"
    assert (await registry.http.get(elsewhere, headers=other_staff)).status_code == 404
    # The page's days are Dutch days: in the evening (UTC) the trail's moments fall on the next Dutch day.
    day = clock.now().astimezone(DUTCH_TIME).date().isoformat()
    page = await registry.http.get(
        f"/v1/centrales/{centrale_id}/access-log?since={day}&until={day}&account_id={consulent.account_id}",
        headers=consulent.headers,
    )
    assert [e["volunteer_id"] for e in page.json()] == [str(volunteer_id)] * 2

    own = await registry.credential(f"{record}/credentials", consulent.headers)
    export = (await registry.http.get("/v1/me/export", headers=own)).json()
    assert {(e["by"]["name"], e["centrale"]["name"], e["purpose"]) for e in export["access_log"]} >= {
        (name, f"Centrale {centrale_id}", "follow_up")
    }


async def test_a_colleague_ends_a_consulents_membership_and_their_session_stops(
    registry: Registry, mailbox: Mailbox, clock: ManualClock
) -> None:
    centrale_id, _ = await registry.new_centrale()
    leaving = await _logged_in_staff(registry, mailbox, clock, centrale_id)
    colleague = await _logged_in_staff(registry, mailbox, clock, centrale_id)
    members = await registry.http.get(
        f"/v1/centrales/{centrale_id}/memberships?role=centrale_staff", headers=colleague.headers
    )
    assert {m["email"] for m in members.json()} == {leaving.email, colleague.email}

    ended = await registry.http.delete(f"/v1/memberships/{leaving.membership_id}", headers=colleague.headers)
    assert ended.status_code == 204, ended.text

    assert (await registry.http.get("/v1/sessions/current", headers=leaving.headers)).status_code == 401
    revoked = await _published(registry, leaving.session_id, "revoked")
    assert revoked["credential_id"] == str(leaving.session_id)
    assert leaving.totp is not None
    again = await registry.http.post(
        "/v1/sessions",
        json={
            "email": leaving.email,
            "password": PASSWORD,
            "totp_code": leaving.totp.at(clock.now() + timedelta(seconds=30)),
        },
    )
    assert (again.status_code, again.json()["reason"]) == (401, "credentials")


async def test_the_first_ops_account_comes_from_the_command_line(registry: Registry, clock: ManualClock) -> None:
    email = _email()
    env = {
        **os.environ,
        "REGISTRY_DATABASE_URL": registry.dsn,
        "OPS_TOKEN": secrets.token_urlsafe(32),
        "REGISTRY_ACCOUNT_LINK_URL": "https://portal.vc-test.example/wachtwoord?token={token}",
        "LOG_LEVEL": "WARNING",
    }
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "registry", "accounts", "create-ops", "--email", email, "--name", "Ops Een"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    link = done.stdout.strip().splitlines()[-1]
    assert link.startswith("https://portal.vc-test.example/wachtwoord?token=")
    token = link.partition("token=")[2]
    assert (await registry.http.post("/v1/passwords", json={"token": token, "password": PASSWORD})).status_code == 204

    enrolment = await registry.http.post("/v1/sessions", json={"email": email, "password": PASSWORD})
    assert enrolment.status_code == 200, "region ops must enable the second factor"
    code = pyotp.TOTP(enrolment.json()["secret"]).at(clock.now())
    started = await registry.http.post(
        "/v1/sessions/totp-enrolment", json={"ticket": enrolment.json()["ticket"], "code": code}
    )
    assert started.status_code == 201, started.text
    ops = {"Authorization": f"Bearer {started.json()['token']}"}
    assert (await registry.http.get("/v1/centrales", headers=ops)).status_code == 200
    bad = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "registry", "accounts", "create-ops", "--email", "not-an-address", "--name", "X"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 2
    assert "--email is not an e-mail address" in bad.stderr
