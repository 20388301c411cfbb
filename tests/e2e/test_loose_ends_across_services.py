"""Issue 19's loose ends across the four services as real processes, on real Kafka and PostgreSQL.

A refused organisation's old token stops working on every service within seconds. A corrected and a
rejected hours entry change reporting's totals and appreciation's record exactly: a thank-you already sent
stays, totals and later milestones follow the corrected figures, an entry rejected before it was confirmed
never counted anywhere.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import httpx
import pytest

from common.auth import CredentialKind, Role, hash_token
from common.clock import SystemClock, dutch_today
from common.uow import Origin
from contracts import EventEnvelope
from contracts.events import MatchMade
from registry.repositories import Credential
from registry.unit_of_work import PostgresRegistryUnitOfWork
from registry.use_cases.credentials import emit_issued
from tests.e2e.conftest import Platform
from tests.support.kafka import publish_raw

pytestmark = [pytest.mark.integration, pytest.mark.e2e]

Headers = dict[str, str]
# How long a revoked credential may keep working anywhere: the event's trip through the outbox and Kafka.
WITHIN_S = 15.0
# How long the consumers may take to apply what the registry published.
APPLIED_S = 60.0


def _bearer(token: str) -> Headers:
    return {"Authorization": f"Bearer {token}"}


async def _poll(http: httpx.AsyncClient, url: str, headers: Headers, done: Callable[[int], bool], within: float) -> int:
    """GET ``url`` until its status satisfies ``done``; the status (fails after ``within`` seconds)."""
    started = time.monotonic()
    while not done(status := (await http.get(url, headers=headers)).status_code):
        assert time.monotonic() - started < within, f"{url} still answers {status} after {within}s"
        await asyncio.sleep(0.1)
    return status


async def _until(read: Callable[[], Awaitable[Any]], expected: Any, within: float = APPLIED_S) -> Any:
    """Read until it gives ``expected`` (then return it); fail with the last value after ``within`` seconds."""
    started = time.monotonic()
    while (value := await read()) != expected:
        assert time.monotonic() - started < within, f"still {value!r}, expected {expected!r}"
        await asyncio.sleep(0.2)
    return value


async def _centrale(http: httpx.AsyncClient, platform: Platform) -> tuple[str, Headers]:
    """A new centrale (in the registry and in reporting's mapping) and its staff's headers.

    Its municipality is its own: other modules of the session add centrales to Utrecht, and a small cell of
    theirs would make suppression hide this centrale's figure as its complement.
    """
    registry, ops = platform.url("registry"), _bearer(platform.ops_token)
    centrale_id = f"vc-loose-{secrets.token_hex(3)}"
    municipality = f"GM9{secrets.randbelow(1000):03d}"
    created = await http.post(
        f"{registry}/v1/centrales",
        json={"id": centrale_id, "name": "Vrijwilligerscentrale Losse Eindjes", "municipality_code": municipality},
        headers=ops,
    )
    assert created.status_code == 201, created.text
    mapped = await http.put(
        f"{platform.url('reporting')}/v1/ops/centrales/{centrale_id}",
        json={"municipality_code": municipality, "municipality_name": "Losse Eindjes"},
        headers=ops,
    )
    assert mapped.status_code == 200, mapped.text
    staff = await http.post(f"{registry}/v1/centrales/{centrale_id}/credentials", json={"label": "desk"}, headers=ops)
    assert staff.status_code == 201, staff.text
    return centrale_id, _bearer(staff.json()["token"])


async def _organisation(http: httpx.AsyncClient, registry: str, centrale_id: str, staff: Headers) -> str:
    response = await http.post(
        f"{registry}/v1/centrales/{centrale_id}/organisations",
        json={"name": "Buurthuis De Linde", "formal": False, "postcode": "3511 AB", "liability_insured": True,
              "contact_person": {"name": "Anna de Boer", "email": "anna@linde.example"}},
        headers=staff,
    )  # fmt: skip
    assert response.status_code == 201, response.text
    organisation_id: str = response.json()["id"]
    return organisation_id


async def _credential_from_before_the_rule(platform: Platform, centrale_id: str, organisation_id: str) -> Headers:
    """An API credential of a pending organisation, as the registry issued them before issue 19 (written with
    the registry's own repository and event, since its API no longer issues one)."""
    token = f"rp_{secrets.token_urlsafe(32)}"
    credential = Credential(
        id=uuid4(), token_hash=hash_token(token), role=Role.ORGANISATION.value, centrale_id=centrale_id,
        subject_id=UUID(organisation_id), label="coördinator", created_at=datetime.now(UTC),
        kind=CredentialKind.API.value,
    )  # fmt: skip
    conn = await asyncpg.connect(platform.services["registry"].env["REGISTRY_DATABASE_URL"])
    try:
        async with conn.transaction():
            origin = Origin(source="/regions/testregio/registry", region="testregio", correlation_id=uuid4())
            uow = PostgresRegistryUnitOfWork(conn, origin, SystemClock())
            await uow.credentials.add(credential)
            await emit_issued(credential, uow)
    finally:
        await conn.close()
    return _bearer(token)


async def test_a_refused_organisations_old_token_stops_working_on_every_service(platform: Platform) -> None:
    registry = platform.url("registry")
    async with httpx.AsyncClient(timeout=20) as http:
        centrale_id, staff = await _centrale(http, platform)
        organisation_id = await _organisation(http, registry, centrale_id, staff)
        base = f"{registry}/v1/centrales/{centrale_id}/organisations/{organisation_id}"
        refused_now = await http.post(f"{base}/credentials", json={"label": "nieuw"}, headers=staff)
        assert (refused_now.status_code, refused_now.json()["detail"]) == (
            409,
            "the organisation is still being vetted: admit it first, then give it credentials or accounts",
        )
        old = await _credential_from_before_the_rule(platform, centrale_id, organisation_id)
        on_every_service = [
            f"{base}/tasks",
            f"{platform.url('matching')}/v1/centrales/{centrale_id}/tasks/{uuid4()}/proposals",
            f"{platform.url('appreciation')}/v1/centrales/{centrale_id}/rules",
            f"{platform.url('reporting')}/v1/centrales/{centrale_id}/figures",
        ]
        # Known everywhere once each service read registry.credentials.v1: answered, not 401 (a role without
        # business on a route gets 403 or 404 there, which is the same token working).
        for url in on_every_service:
            await _poll(http, url, old, lambda status: status != 401, 30.0)
        draft = await http.post(f"{base}/tasks", json=_task(), headers=old)
        assert draft.status_code == 201, draft.text

        refusal = await http.post(f"{base}/refuse", json={"reason": "geen vrijwilligerswerk"}, headers=staff)
        assert refusal.status_code == 204

        assert (await http.post(f"{base}/tasks", json=_task(), headers=old)).status_code == 401  # at once here
        started = time.monotonic()
        for url in on_every_service:
            await _poll(http, url, old, lambda status: status == 401, WITHIN_S)
        assert time.monotonic() - started < WITHIN_S
        again = await http.post(f"{base}/credentials", json={"label": "nieuw"}, headers=staff)
        assert (again.status_code, again.json()["detail"]) == (
            409,
            "the organisation was refused: it gets no credentials or accounts",
        )


def _task() -> dict[str, Any]:
    return {
        "title": "Samen koken op dinsdag",
        "description": "Kook op dinsdagochtend mee in het buurthuis voor ouderen uit de wijk.",
        "theme": "zorg",
        "capacity": 10,
        "hours_per_week": "3",
        "vog_required": False,
        "postcode": "3511 AB",
        "shifts": [{"weekday": 2, "start": "09:00", "end": "12:00"}],
    }


def worked_on(days_ago: int) -> date:
    """The day ``days_ago`` (5 to 10) days back, moved so that all six such days lie in one month.

    Hours split over two months would make reporting suppress a one-person month, and with it the period's
    total (complementary suppression): the expected figures must not depend on the day the test runs.
    """
    last = dutch_today() - timedelta(days=5)
    if last.day <= 5:
        last = last.replace(day=1) - timedelta(days=1)
    return last - timedelta(days=days_ago - 5)


class Hours:
    """The registry's hours routes for one organisation and its volunteers."""

    def __init__(self, http: httpx.AsyncClient, registry: str, base: str, organisation: Headers) -> None:
        self.http, self.registry, self.base, self.organisation = http, registry, base, organisation

    async def log(self, match_id: UUID, days_ago: int, hours: str, volunteer: Headers | None = None) -> str:
        """Logged by the organisation (counts at once) or, with ``volunteer``, by the volunteer (waits)."""
        path = f"/v1/me/matches/{match_id}/hours" if volunteer else f"/matches/{match_id}/hours"
        url = f"{self.registry}{path}" if volunteer else f"{self.base}{path}"
        day = worked_on(days_ago).isoformat()
        response = await self.http.post(
            url, json={"worked_on": day, "hours": hours}, headers=volunteer or self.organisation
        )
        assert response.status_code == 201, response.text
        hours_id: str = response.json()["id"]
        return hours_id

    async def act(self, hours_id: str, action: str, body: dict[str, str] | None = None) -> None:
        """Confirm, correct or reject an entry as the organisation."""
        response = await self.http.post(f"{self.base}/hours/{hours_id}/{action}", json=body, headers=self.organisation)
        assert response.status_code == 204, response.text


async def _match(platform: Platform, centrale_id: str, organisation_id: str, task_id: str, volunteer_id: str) -> UUID:
    """A match made forty days ago (before every worked day), published as matching does; waits until recorded."""
    made = MatchMade(
        match_id=uuid4(), task_id=UUID(task_id), volunteer_id=UUID(volunteer_id), organisation_id=UUID(organisation_id),
        centrale_id=centrale_id, volunteer_centrale_id=centrale_id, made_at=datetime.now(UTC) - timedelta(days=40),
    )  # fmt: skip
    envelope = EventEnvelope(
        source="/regions/testregio/matching", type=made.event_type, subject=made.subject(), tenant=centrale_id,
        region="testregio",
    )  # fmt: skip
    await publish_raw(
        platform.bootstrap, made.topic, made.model_dump_json().encode(), key=made.subject().encode(),
        headers=envelope.to_headers(),
    )  # fmt: skip
    conn = await asyncpg.connect(platform.services["registry"].env["REGISTRY_DATABASE_URL"])
    try:
        await _until(lambda: conn.fetchval("SELECT count(*) FROM matches WHERE id = $1", made.match_id), 1)
    finally:
        await conn.close()
    return made.match_id


async def test_a_corrected_and_a_rejected_entry_change_reporting_and_appreciation_exactly(platform: Platform) -> None:
    registry, appreciation, reporting = (
        platform.url("registry"),
        platform.url("appreciation"),
        platform.url("reporting"),
    )
    async with httpx.AsyncClient(timeout=20) as http:
        centrale_id, staff = await _centrale(http, platform)
        organisation_id = await _organisation(http, registry, centrale_id, staff)
        base = f"{registry}/v1/centrales/{centrale_id}/organisations/{organisation_id}"
        assert (await http.post(f"{base}/admit", headers=staff)).status_code == 204
        token = await http.post(f"{base}/credentials", json={"label": "coördinator"}, headers=staff)
        organisation = _bearer(token.json()["token"])
        created = await http.post(f"{base}/tasks", json=_task(), headers=organisation)
        task_id = created.json()["id"]
        assert (await http.post(f"{base}/tasks/{task_id}/publish", headers=organisation)).status_code == 204
        # Five volunteers, so that reporting shows the figures (cells of 1-4 people are hidden).
        volunteers = []
        for index in range(5):
            registered = await http.post(
                f"{registry}/v1/centrales/{centrale_id}/volunteers",
                json={"name": f"Vrijwilliger {index}", "postcode": "3511 AB", "birth_date": "1980-06-01",
                      "consents": [{"kind": "matching", "text_version": "2026-01"}]},
                headers=staff,
            )  # fmt: skip
            assert registered.status_code == 201, registered.text
            volunteers.append(registered.json()["id"])
        sanne = volunteers[0]
        issued = await http.post(f"{registry}/v1/centrales/{centrale_id}/volunteers/{sanne}/credentials",
                                 json={"label": "telefoon"}, headers=staff)  # fmt: skip
        sanne_headers = _bearer(issued.json()["token"])
        matches = [await _match(platform, centrale_id, organisation_id, task_id, v) for v in volunteers]
        hours = Hours(http, registry, base, organisation)
        for match_id in matches[1:]:
            await hours.log(match_id, 10, "2")  # the four others: 2 hours each

        async def record() -> tuple[Decimal, list[str]]:
            answer = await http.get(f"{appreciation}/v1/centrales/{centrale_id}/volunteers/{sanne}/appreciation",
                                    headers=staff)  # fmt: skip
            if answer.status_code != 200:
                return Decimal(-1), []
            body = answer.json()
            return Decimal(str(body["total_hours"])), sorted(a["rule_id"] for a in body["awards"])

        # The organisation logs 8 hours for Sanne that were 3, and 2 more: 10, the 10-hour thank-you goes out.
        eight = await hours.log(matches[0], 9, "8")
        await hours.log(matches[0], 8, "2")
        await _until(record, (Decimal("10.00"), ["first-match", "hours-10"]))
        await hours.act(eight, "correct", {"hours": "3", "reason": "typing_error", "note": "Tikfout"})
        # 5 hours now; the thank-you stays sent.
        await _until(record, (Decimal("5.00"), ["first-match", "hours-10"]))

        # Sanne logs 2.5 hours the organisation rejects before confirming (never counted), and 4 it confirms
        # and later rejects after all (counted, then taken out again).
        never = await hours.log(matches[0], 7, "2.5", volunteer=sanne_headers)
        await hours.act(never, "reject", {"reason": "not_worked"})
        four = await hours.log(matches[0], 6, "4", volunteer=sanne_headers)
        await hours.act(four, "confirm")
        await _until(record, (Decimal("9.00"), ["first-match", "hours-10"]))
        await hours.act(four, "reject", {"reason": "wrong_day", "note": "Was een andere week"})
        # 19 more: 24 in all. On the uncorrected figures it would be 29 and past the 25-hour milestone.
        nineteen = await hours.log(matches[0], 5, "19")
        await _until(record, (Decimal("24.00"), ["first-match", "hours-10"]))
        # A correction upwards is what passes 25.
        await hours.act(nineteen, "correct", {"hours": "20", "reason": "shift_changed"})
        total, awards = await _until(record, (Decimal("25.00"), ["first-match", "hours-10", "hours-25"]))

        # Reporting: the four others 8 + Sanne's 3 + 2 + 20 = 33 hours by five active volunteers.
        first = dutch_today() - timedelta(days=10)
        period = f"{first:%Y-%m}..{dutch_today():%Y-%m}"

        async def figures() -> tuple[Any, Any]:
            answer = await http.get(f"{reporting}/v1/centrales/{centrale_id}/figures", params={"period": period},
                                    headers=staff)  # fmt: skip
            if answer.status_code != 200:
                return None, None
            shown = {item["kpi"]: item["value"] for item in answer.json()["headline"]}
            return shown.get("hours"), shown.get("volunteers_active")

        assert await _until(figures, (33, 5)) == (33, 5)
        assert (total, awards) == (Decimal("25.00"), ["first-match", "hours-10", "hours-25"])
