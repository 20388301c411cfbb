"""Team days that close the loop, end to end on the session's Kafka and PostgreSQL, with a real webhook receiver.

The registry, matching and reporting run in-process (each with its own database and consumer group, talking
only through Kafka), because the registry's clock must stand in the past: a team day recorded afterwards is
matched only to a task that existed on the day, so the task is published "20 days ago" and the HR system
records the day today. The webhook receiver is a real HTTP server on 127.0.0.1 that answers 500 once; the
test checks every signature with the secret the registry showed once.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import hmac
import json
import secrets
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar
from uuid import UUID
from zoneinfo import ZoneInfo

import asyncpg
import httpx
import pytest

from common.clock import ManualClock
from common.localinfra.postgres import create_database
from common.ops.groups import reset_offsets
from common.service import create_service_app
from contracts.events import (
    BusinessPartnerRegistered,
    CredentialIssued,
    TaskPosted,
    VolunteerDayPosted,
    VolunteerRegistered,
)
from matching.config import Settings as MatchingSettings
from matching.main import build_spec
from tests.reporting.integration.conftest import Reporting, running_reporting
from tests.support.registry_client import Headers, Registry, running_registry

pytestmark = [pytest.mark.integration, pytest.mark.e2e]

T = TypeVar("T")

# The registry's clock starts here: the team task is published then, the day lies a week later.
STARTED = datetime.now(UTC).replace(hour=9, minute=0, second=0, microsecond=0) - timedelta(days=20)
PAST_DAY = (STARTED + timedelta(days=7)).date()
FIRST_RETRY_S = 30


def dutch_today() -> date:
    """Today in the Netherlands (team days are Dutch dates)."""
    return datetime.now(ZoneInfo("Europe/Amsterdam")).date()


async def eventually(probe: Callable[[], Awaitable[T | None]], what: str, timeout: float = 45.0) -> T:
    """Poll ``probe`` until it returns something truthy; fail with ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = await probe()
        if result:
            return result
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.1)


@dataclass(frozen=True)
class Received:
    """One request the receiver got."""

    headers: dict[str, str]
    body: bytes


class _Receiver(ThreadingHTTPServer):
    """A partner's webhook endpoint: keeps every request, answers 500 to the first ``failures`` of them."""

    def __init__(self, failures: int) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.received: list[Received] = []
        self.failures = failures
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/regio/webhook"


class _Handler(BaseHTTPRequestHandler):
    server: _Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        with self.server.lock:
            self.server.received.append(Received({k.lower(): v for k, v in self.headers.items()}, body))
            failing = self.server.failures > 0
            self.server.failures -= failing
        self.send_response(500 if failing else 204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


def signed_by(secret: str, header: str, body: bytes, now: int) -> bool:
    """A partner's check, as the README shows it: HMAC-SHA256 over ``t.body``, at most five minutes old."""
    parts = dict(part.split("=", 1) for part in header.split(","))
    timestamp = int(parts["t"])
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(parts["v1"], expected) and abs(now - timestamp) <= 300


@dataclass
class Loop:
    """The three services, the registry's clock, the receiver, and the ids the tests share."""

    registry: Registry
    clock: ManualClock
    matching: httpx.AsyncClient
    matching_pool: asyncpg.Pool
    reporting: Reporting
    receiver: _Receiver
    ids: dict[str, Any] = field(default_factory=dict)

    async def matching_knows(self, headers: Headers) -> Headers:
        """Wait until matching learned the credential from the registry's events."""

        async def accepted() -> bool:
            response = await self.matching.get(f"/v1/centrales/{self.ids['centrale']}/team-days", headers=headers)
            return response.status_code != 401

        await eventually(accepted, "matching to learn a credential")
        return headers

    async def day(self, day_id: UUID, hr: Headers) -> dict[str, Any]:
        response = await self.registry.http.get(f"/v1/volunteer-days/{day_id}", headers=hr)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def matched(self, day_id: UUID, hr: Headers) -> dict[str, Any]:
        async def probe() -> dict[str, Any] | None:
            status = await self.day(day_id, hr)
            return status if status["status"] == "matched" else None

        return await eventually(probe, f"day {day_id} matched")

    def requests(self, count: int) -> Callable[[], Awaitable[list[Received] | None]]:
        async def probe() -> list[Received] | None:
            with self.receiver.lock:
                return list(self.receiver.received) if len(self.receiver.received) >= count else None

        return probe


@pytest.fixture(scope="module")
def receiver() -> Iterator[_Receiver]:
    server = _Receiver(failures=1)
    thread = threading.Thread(target=server.serve_forever, name="webhook-receiver", daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
async def loop(kafka_bootstrap: str, postgres_server_dsn: str, receiver: _Receiver) -> AsyncIterator[Loop]:
    """Reporting and matching on fresh consumer groups (from the end of the topics), then the registry."""
    ops_token = secrets.token_urlsafe(24)
    suffix = secrets.token_hex(5)
    settings = MatchingSettings(
        kafka_bootstrap_servers=kafka_bootstrap,
        region="testregio",
        database_url=await create_database(postgres_server_dsn, f"matching_{suffix}"),
        ops_token=ops_token,
        consumer_retry_backoff_s=0.05,
        outbox_poll_interval_s=0.2,
    )
    group = f"matching-test-{suffix}"
    topics = {e.topic for e in (VolunteerRegistered, TaskPosted, VolunteerDayPosted, BusinessPartnerRegistered)}
    await reset_offsets(kafka_bootstrap, group, [*topics, CredentialIssued.topic], to="latest")
    matching = create_service_app(settings, dataclasses.replace(build_spec(settings), name=group))
    clock = ManualClock(STARTED)
    async with (
        running_reporting(kafka_bootstrap, postgres_server_dsn) as reporting,
        matching.router.lifespan_context(matching),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=matching), base_url="http://matching", timeout=30
        ) as matching_http,
        running_registry(
            kafka_bootstrap,
            postgres_server_dsn,
            ops_token,
            clock=clock,
            scheduler_enabled=False,
            webhook_allow_http=True,
            webhook_poll_interval_s=0.2,
            webhook_first_retry_s=FIRST_RETRY_S,
        ) as registry,
    ):
        areas = [{"pc4": "3511", "lat": 52.0907, "lon": 5.1214}]
        loaded = await matching_http.put("/v1/postcode-areas", json=areas, headers=registry.ops)
        assert loaded.status_code == 200, loaded.text
        yield Loop(registry, clock, matching_http, matching.state.runtime.pool, reporting, receiver)


def _one_off(day: date, **task: Any) -> dict[str, Any]:
    start = datetime(day.year, day.month, day.day, 9, 0, tzinfo=UTC)
    return {
        "one_off_start": start.isoformat(),
        "one_off_end": (start + timedelta(hours=6)).isoformat(),
        "shifts": [],
        "vog_required": False,
        "team_suitable": True,
        "skills": [],
        **task,
    }


async def test_a_past_team_day_comes_back_to_the_hr_system_signed_and_retried(loop: Loop) -> None:
    registry = loop.registry
    # 20 days ago: a centrale, an organisation, and its team task a week later, published then.
    centrale_id, staff = await registry.new_centrale()
    organisation_id, organisation = await registry.new_organisation(centrale_id, staff)
    task_id = await registry.published_task(
        centrale_id, organisation_id, organisation, **_one_off(PAST_DAY, theme="natuur", capacity=10)
    )
    created = await registry.http.post("/v1/business-partners", json={"name": "Rabobank Utrecht"}, headers=registry.ops)
    partner_id = UUID(created.json()["id"])
    hr = await registry.credential(f"/v1/business-partners/{partner_id}/credentials", registry.ops)
    registered = await registry.http.put(
        f"/v1/business-partners/{partner_id}/webhook", json={"url": loop.receiver.url}, headers=hr
    )
    assert registered.status_code == 201, registered.text
    secret = registered.json()["secret"]
    assert secret.startswith("whsec_")
    again = await registry.http.get(f"/v1/business-partners/{partner_id}/webhook", headers=hr)
    assert again.json()["secret"] is None  # shown once
    loop.ids.update(centrale=centrale_id, staff=staff, organisation_id=organisation_id, organisation=organisation)
    loop.ids.update(partner=partner_id, hr=hr, secret=secret, task=task_id)

    # Today: the HR system records the day that lay 13 days ago (refused before this change).
    loop.clock.set(datetime.now(UTC))
    posted = await registry.http.post(
        "/v1/volunteer-days",
        json={
            "external_ref": "HR-2026-TD-031",
            "team_size": 8,
            "on_date": PAST_DAY.isoformat(),
            "themes": ["natuur"],
            "postcode": "3511",
        },
        headers=hr,
    )
    assert posted.status_code == 201, posted.text
    day_id = UUID(posted.json()["id"])
    status = await loop.matched(day_id, hr)
    assert (status["matched_task_id"], status["matched_via"]) == (str(task_id), "matching")

    # The receiver answered 500 to the first delivery; it is tried again after the first delay.
    [failed] = await eventually(loop.requests(1), "the first delivery")
    delivery_id = UUID(failed.headers["x-regio-delivery"])

    async def attempts() -> int | None:
        count: int = await registry.pool.fetchval(
            "SELECT attempts FROM webhook_deliveries WHERE id = $1 AND next_attempt_at IS NOT NULL", delivery_id
        )
        return count

    assert await eventually(attempts, "the failed attempt recorded") == 1
    loop.clock.advance(timedelta(seconds=FIRST_RETRY_S + 1))
    first, retried = await eventually(loop.requests(2), "the retried delivery")
    assert retried.headers["x-regio-delivery"] == str(delivery_id)
    assert retried.body == first.body
    now = int(loop.clock.now().timestamp())
    assert signed_by(secret, retried.headers["x-regio-signature"], retried.body, now)
    assert signed_by(secret, first.headers["x-regio-signature"], first.body, now - FIRST_RETRY_S - 1)
    assert not signed_by(secret, first.headers["x-regio-signature"], first.body, now + 300)  # a replay, too late
    assert not signed_by("whsec_" + "x" * 43, retried.headers["x-regio-signature"], retried.body, now)
    matched = json.loads(retried.body)
    assert (matched["type"], retried.headers["x-regio-event"]) == ("volunteer_day.matched", "volunteer_day.matched")
    assert (matched["data"]["id"], matched["data"]["external_ref"]) == (str(day_id), "HR-2026-TD-031")
    assert matched["data"]["task"] == {"id": str(task_id), "title": "Boodschappenbus rijden", "theme": "natuur"}

    # The HR system reports what the team gave; the organisation sees it waiting and confirms it.
    reported = await registry.http.post(
        f"/v1/volunteer-days/{day_id}/hours", json={"participants": 7, "hours_total": "42"}, headers=hr
    )
    assert reported.status_code == 201, reported.text
    base = f"/v1/centrales/{centrale_id}/organisations/{organisation_id}/volunteer-days"
    [listed] = (await registry.http.get(base, headers=organisation)).json()
    [entry] = listed["hours"]
    assert (entry["status"], entry["reported_by"], entry["participants"]) == ("pending", "partner", 7)
    confirmed = await registry.http.post(f"{base}/{day_id}/hours/{entry['id']}/confirm", headers=organisation)
    assert confirmed.status_code == 204, confirmed.text

    *_, hours_message = await eventually(loop.requests(3), "the hours delivery")
    assert signed_by(secret, hours_message.headers["x-regio-signature"], hours_message.body, now)
    news = json.loads(hours_message.body)
    assert news["type"] == "volunteer_day.hours_confirmed"
    assert (news["data"]["hours_logged"], news["data"]["participants"]) == ("42.00", 7)
    assert news["data"]["hours_confirmed"]["reported_by"] == "partner"
    assert news["data"]["organisation"] == {"id": str(organisation_id), "name": "Voedselbank"}

    # Pull gives the same: the day, where, and its confirmed hours.
    pulled = await loop.day(day_id, hr)
    assert (pulled["hours_logged"], pulled["participants"], pulled["municipality_code"]) == ("42.00", 7, "GM0344")
    assert [(e["status"], e["hours_total"]) for e in pulled["hours"]] == [("confirmed", "42.00")]

    # The delivery log, as the partner and ops read it.
    log = await registry.http.get(f"/v1/business-partners/{partner_id}/webhook/deliveries", headers=hr)
    assert [(d["event_type"], d["status"], d["attempts"]) for d in log.json()] == [
        ("volunteer_day.hours_confirmed", "delivered", 1),
        ("volunteer_day.matched", "delivered", 2),
    ]
    detail = await registry.http.get(
        f"/v1/business-partners/{partner_id}/webhook/deliveries/{delivery_id}", headers=registry.ops
    )
    assert [(a["attempt"], a["status_code"]) for a in detail.json()["attempt_log"]] == [(1, 500), (2, 204)]
    loop.ids.update(past_day=day_id)


async def test_an_open_day_is_matched_when_a_fitting_task_is_published_later(loop: Loop) -> None:
    registry, hr = loop.registry, loop.ids["hr"]
    later = dutch_today() + timedelta(days=10)
    posted = await registry.http.post(
        "/v1/volunteer-days",
        json={"external_ref": "HR-2026-TD-044", "team_size": 6, "on_date": later.isoformat(), "themes": ["ouderen"]},
        headers=hr,
    )
    day_id = UUID(posted.json()["id"])
    await eventually(
        lambda: loop.matching_pool.fetchval("SELECT status FROM volunteer_days WHERE day_id = $1", day_id),
        "the day in matching",
    )
    assert await loop.matching_pool.fetchval("SELECT status FROM volunteer_days WHERE day_id = $1", day_id) == "open"
    assert (await loop.day(day_id, hr))["status"] == "open"

    task_id = await registry.published_task(
        loop.ids["centrale"],
        loop.ids["organisation_id"],
        loop.ids["organisation"],
        **_one_off(later, theme="ouderen", capacity=6),
    )

    status = await loop.matched(day_id, hr)
    assert (status["matched_task_id"], status["matched_via"]) == (str(task_id), "matching")
    *_, message = await eventually(loop.requests(4), "the re-match delivery")
    assert json.loads(message.body)["data"]["id"] == str(day_id)
    assert signed_by(
        loop.ids["secret"], message.headers["x-regio-signature"], message.body, int(loop.clock.now().timestamp())
    )


async def test_staff_broker_an_open_day_by_hand(loop: Loop) -> None:
    registry, hr, centrale = loop.registry, loop.ids["hr"], loop.ids["centrale"]
    staff = await loop.matching_knows(loop.ids["staff"])
    on = dutch_today() + timedelta(days=12)
    task_id = await registry.published_task(
        centrale, loop.ids["organisation_id"], loop.ids["organisation"], **_one_off(on, theme="natuur", capacity=8)
    )
    posted = await registry.http.post(
        "/v1/volunteer-days",
        json={
            "external_ref": "HR-2026-TD-051",
            "team_size": 5,
            "on_date": on.isoformat(),
            "themes": ["sport"],
            "centrale_id": centrale,
        },
        headers=hr,
    )
    day_id = UUID(posted.json()["id"])

    async def listed() -> list[dict[str, Any]] | None:
        response = await loop.matching.get(f"/v1/centrales/{centrale}/team-days", headers=staff)
        days = [day for day in response.json() if day["day_id"] == str(day_id)]
        return days or None

    [open_day] = await eventually(listed, "the open day in the staff list")
    assert (open_day["partner_name"], open_day["team_size"], open_day["themes"]) == ("Rabobank Utrecht", 5, ["sport"])

    path = f"/v1/centrales/{centrale}/team-days/{day_id}/assign"
    refused = await loop.matching.post(path, json={"task_id": str(loop.ids["task"])}, headers=staff)
    assert refused.status_code == 422
    assert [d["msg"] for d in refused.json()["detail"]] == [
        "the task has room for 2; the team is 5",
        f"the task does not take place on {on.isoformat()}",
    ]
    assigned = await loop.matching.post(path, json={"task_id": str(task_id)}, headers=staff)
    assert assigned.status_code == 200, assigned.text
    assert (assigned.json()["status"], assigned.json()["matched_via"]) == ("matched", "staff")

    status = await loop.matched(day_id, hr)
    assert (status["matched_task_id"], status["matched_via"]) == (str(task_id), "staff")
    *_, message = await eventually(loop.requests(5), "the brokered day's delivery")
    assert json.loads(message.body)["data"]["matched_via"] == "staff"
    again = await loop.matching.post(path, json={"task_id": str(task_id)}, headers=staff)
    assert again.status_code == 409


async def test_the_csr_figures_name_the_company_with_hours_by_theme_organisation_and_municipality(
    loop: Loop,
) -> None:
    registry, hr, partner_id = loop.registry, loop.ids["hr"], loop.ids["partner"]
    summary = await registry.http.get(
        "/v1/volunteer-days/summary",
        params={"from": PAST_DAY.isoformat(), "to": (dutch_today() + timedelta(days=30)).isoformat()},
        headers=hr,
    )
    assert summary.status_code == 200, summary.text
    figures = summary.json()
    assert figures["partner"] == {"id": str(partner_id), "name": "Rabobank Utrecht"}
    assert (figures["days"], figures["participants"], figures["hours"]) == (1, 7, "42.00")
    assert figures["by_theme"] == [{"theme": "natuur", "days": 1, "participants": 7, "hours": "42.00"}]
    assert figures["by_organisation"] == [
        {
            "organisation_id": str(loop.ids["organisation_id"]),
            "name": "Voedselbank",
            "centrale_id": loop.ids["centrale"],
            "days": 1,
            "participants": 7,
            "hours": "42.00",
        },
    ]
    assert figures["by_municipality"] == [
        {"municipality_code": "GM0344", "days": 1, "participants": 7, "hours": "42.00"}
    ]

    # Reporting's CSR figures (aggregate, small counts suppressed) name the company too.
    reporting = loop.reporting
    await reporting.configure({loop.ids["centrale"]: ("GM0344", "Utrecht")}, [])
    await reporting.settle()
    own = await reporting.json(f"/v1/partners/{partner_id}/figures", hr, period=str(PAST_DAY.year))
    assert own["scope"] == {"kind": "partner", "id": str(partner_id), "name": "Rabobank Utrecht"}
    assert {item["kpi"]: item["value"] for item in own["headline"]} == {
        "team_days": 1,
        "team_employees": 7,
        "team_hours": 42,
    }
    by_place = next(table for table in own["tables"] if table["id"] == "municipalities")
    assert [(row["key"], row["values"]["team_hours"]) for row in by_place["rows"]] == [("GM0344", 42)]
