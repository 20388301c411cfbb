"""Dated shifts end to end on real Kafka and PostgreSQL (issue 18, point 4).

An organisation gives its task a monthly pattern ("the first Saturday, 09:00-12:00", RFC 5545 RRULE) from October
2026: the shifts stay at 09:00 Dutch time on both sides of the clock change of 25 October (07:00 UTC on 3 October,
08:00 UTC on 7 November). Three matched volunteers (their matches arrive as MatchMade on Kafka) sign up for a shift
of two places: the third waits, and takes the place when the second cancels. Their calendar feeds carry the shifts
they hold, at 09:00 Europe/Amsterdam; the organisation's shows each shift held with how many signed up. The
daily job moves the six-month horizon on. Bad rules are 422 at their field.

The registry runs in this process on a clock the test sets (September 2026), with its consumers and outbox relay.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID
from zoneinfo import ZoneInfo

import icalendar
import pytest

from common.clock import ManualClock
from tests.support.mailbox import Mailbox, running_mailbox
from tests.support.registry_client import Headers, Registry, running_registry

pytestmark = pytest.mark.integration

ZONE = ZoneInfo("Europe/Amsterdam")
START = datetime(2026, 9, 20, 10, 0, tzinfo=UTC)
PATTERN: dict[str, Any] = {
    "rule": "FREQ=MONTHLY;BYDAY=1SA",
    "starts_on": "2026-10-01",
    "start": "09:00",
    "end": "12:00",
    "capacity": 2,
}


@pytest.fixture(scope="module")
async def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture(scope="module")
def mailbox() -> Iterator[Mailbox]:
    with running_mailbox() as box:
        yield box


@pytest.fixture(scope="module")
async def registry(
    kafka_bootstrap: str, postgres_server_dsn: str, clock: ManualClock, mailbox: Mailbox
) -> AsyncIterator[Registry]:
    async with running_registry(
        kafka_bootstrap, postgres_server_dsn, secrets.token_urlsafe(24), clock=clock, scheduler_enabled=False,
        smtp_host="127.0.0.1", smtp_port=mailbox.port, smtp_sender="diensten@vc-test.example",
        messages_poll_interval_s=0.1, notice_gather_s=0, portal_url="https://portaal.vc-test.example",
    ) as running:  # fmt: skip
        yield running


async def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


async def _run_job(registry: Registry, name: str) -> dict[str, Any]:
    started = await registry.http.post(f"/v1/ops/jobs/{name}/runs", headers=registry.ops)
    assert started.status_code == 202, started.text
    deadline = time.monotonic() + 60
    while True:
        run: dict[str, Any] = (await registry.http.get(started.headers["Location"], headers=registry.ops)).json()
        if run["status"] != "running":
            return run
        assert time.monotonic() < deadline, f"job {name} did not finish"
        await asyncio.sleep(0.1)


async def _calendar(registry: Registry, volunteer: Headers) -> icalendar.Calendar:
    url = (await _ok(await registry.http.post("/v1/me/calendar-feed", headers=volunteer), 201))["url"]
    response = await registry.http.get(urlsplit(url).path)
    assert response.status_code == 200, response.text
    return icalendar.Calendar.from_ical(response.content)


def _shift_events(calendar: icalendar.Calendar) -> list[tuple[datetime, datetime, str]]:
    """The shift events: start (as given, Dutch time), start in UTC, its time zone's name."""
    events = [e for e in calendar.events if str(e["uid"]).startswith("shift-")]
    return sorted((e.DTSTART, e.DTSTART.astimezone(UTC), str(e.DTSTART.tzinfo)) for e in events)


async def test_a_monthly_pattern_across_the_clock_change_sign_ups_a_waiting_list_and_the_calendar(
    registry: Registry, clock: ManualClock, mailbox: Mailbox
) -> None:
    http = registry.http
    centrale_id, staff = await registry.new_centrale()
    organisation_id, organisation = await registry.new_organisation(centrale_id, staff)
    task_id = await registry.published_task(centrale_id, organisation_id, organisation)
    base = f"/v1/centrales/{centrale_id}/tasks/{task_id}"

    created = await _ok(await http.post(f"{base}/shift-patterns", json=PATTERN, headers=organisation), 201)
    # 20 September + 183 days = 22 March 2027: October to March, six first Saturdays.
    assert created["shifts"] == 6
    people: list[tuple[UUID, Headers]] = []
    addresses = [f"{name}-{secrets.token_hex(3)}@example.nl" for name in ("anna", "ben", "cor")]
    for address in addresses:
        volunteer_id = await registry.register_volunteer(centrale_id, staff, email=address)
        token = await registry.credential(f"/v1/centrales/{centrale_id}/volunteers/{volunteer_id}/credentials", staff)
        await registry.match(task_id, organisation_id, centrale_id, volunteer_id)  # MatchMade through Kafka
        people.append((volunteer_id, token))
    (_, anna), (_, ben), (_, cor) = people
    listed = await _ok(await http.get(f"{base}/shifts", headers=anna))
    starts = [datetime.fromisoformat(s["starts_at"]) for s in listed["shifts"]]
    assert starts[:2] == [datetime(2026, 10, 3, 7, tzinfo=UTC), datetime(2026, 11, 7, 8, tzinfo=UTC)]
    assert [s.astimezone(ZONE).strftime("%a %d %b %H:%M") for s in starts] == [
        "Sat 03 Oct 09:00", "Sat 07 Nov 09:00", "Sat 05 Dec 09:00", "Sat 02 Jan 09:00", "Sat 06 Feb 09:00",
        "Sat 06 Mar 09:00",
    ]  # fmt: skip
    october, november = (s["id"] for s in listed["shifts"][:2])
    # Matching learns the dated shifts of the coming eight weeks on Kafka: TaskUpdated after TaskPosted.
    posted, updated = (await registry.events("registry.tasks.v1", task_id, 2))[:2]
    assert [dict(r.headers)["ce_type"] for r in (posted, updated)] == [
        b"nl.vrijwilligerscentrale.task.posted.v1",
        b"nl.vrijwilligerscentrale.task.updated.v1",
    ]
    assert [datetime.fromisoformat(s["starts_at"]) for s in json.loads(updated.value)["dated_shifts"]] == starts[:2]

    signups = f"{base}/shifts/{november}/signups"
    first = await _ok(await http.post(signups, json={}, headers=anna), 201)
    second = await _ok(await http.post(signups, json={}, headers=ben), 201)
    third = await _ok(await http.post(signups, json={}, headers=cor), 201)
    assert [first["status"], second["status"], third["status"]] == ["signed_up", "signed_up", "waiting"]
    await _ok(await http.post(f"{base}/shifts/{october}/signups", json={}, headers=anna), 201)
    november_places = (await _ok(await http.get(f"{base}/shifts", headers=staff)))["shifts"][1]
    assert (november_places["taken"], november_places["left"], november_places["waiting"]) == (2, 0, 1)

    # Each volunteer sees their own sign-up per shift (to cancel it), and nobody else's; staff see only counts.
    mine = [
        (s["mine"] or {}).get("status") for s in (await _ok(await http.get(f"{base}/shifts", headers=cor)))["shifts"]
    ]
    assert mine[:3] == [None, "waiting", None]
    anna_listed = (await _ok(await http.get(f"{base}/shifts", headers=anna)))["shifts"]
    assert [s["mine"] for s in anna_listed[:2]] == [
        {"id": anna_listed[0]["mine"]["id"], "status": "signed_up"},
        {"id": first["id"], "status": "signed_up"},
    ]
    assert "mine" not in (await _ok(await http.get(f"{base}/shifts", headers=staff)))["shifts"][1]

    moved = await _ok(await http.post(f"{signups}/{second['id']}/cancel", headers=ben))
    assert moved == {"placed": [third["id"]]}
    # Cor waited: a notice tells him the place is his, about that shift, pointing at his shifts page.
    notices = await registry.pool.fetch(
        "SELECT recipient_id, shift_id FROM notices WHERE task_id = $1 AND kind = 'shift_place'", task_id
    )
    assert [(n["recipient_id"], n["shift_id"]) for n in notices] == [(people[2][0], UUID(november))]
    # His mail after the one about his match.
    placed = (await mailbox.wait_for(addresses[2], 2))[-1]
    assert placed["Subject"] == "Er is plaats voor je: Boodschappenbus rijden op 7 november 2026 van 09:00 tot 12:00"
    body = placed.get_body(("plain",))
    assert isinstance(body, EmailMessage)
    assert f"https://portaal.vc-test.example/vrijwilliger/diensten/{task_id}" in str(body.get_content())
    assert [s["mine"] for s in (await _ok(await http.get(f"{base}/shifts", headers=ben)))["shifts"][:2]] == [None, None]
    november_places = (await _ok(await http.get(f"{base}/shifts", headers=staff)))["shifts"][1]
    assert (november_places["taken"], november_places["left"], november_places["waiting"]) == (2, 0, 0)

    anna_shifts = _shift_events(await _calendar(registry, anna))
    assert [(start.hour, utc, zone) for start, utc, zone in anna_shifts] == [
        (9, datetime(2026, 10, 3, 7, tzinfo=UTC), "Europe/Amsterdam"),
        (9, datetime(2026, 11, 7, 8, tzinfo=UTC), "Europe/Amsterdam"),
    ]
    assert [utc for _, utc, _ in _shift_events(await _calendar(registry, cor))] == [
        datetime(2026, 11, 7, 8, tzinfo=UTC)
    ]
    assert _shift_events(await _calendar(registry, ben)) == []
    # The organisation's feed: each shift someone holds, with how many (never who).
    org_calendar = await _calendar(registry, organisation)
    staffed = [e for e in org_calendar.events if str(e["uid"]).startswith("shift-")]
    assert sorted((e.DTSTART.astimezone(UTC), e.DTSTART.hour, str(e["summary"])) for e in staffed) == [
        (datetime(2026, 10, 3, 7, tzinfo=UTC), 9, "Boodschappenbus rijden: 1 van 2 plaatsen bezet"),
        (datetime(2026, 11, 7, 8, tzinfo=UTC), 9, "Boodschappenbus rijden: 2 van 2 plaatsen bezet"),
    ]

    clock.set(START + timedelta(days=31))  # the horizon moves to 23 April 2027: the first Saturday of April
    run = await _run_job(registry, "extend-shifts")
    assert run["status"] == "done", run
    assert run["counts"]["shifts"] == 1
    listed = await _ok(await http.get(f"{base}/shifts", headers=staff))
    assert datetime.fromisoformat(listed["shifts"][-1]["starts_at"]) == datetime(2027, 4, 3, 7, tzinfo=UTC)  # CEST


async def test_bad_patterns_are_422_at_their_field_without_echoing_the_rule(registry: Registry) -> None:
    centrale_id, staff = await registry.new_centrale()
    organisation_id, organisation = await registry.new_organisation(centrale_id, staff)
    task_id = await registry.published_task(centrale_id, organisation_id, organisation)
    url = f"/v1/centrales/{centrale_id}/tasks/{task_id}/shift-patterns"
    cases: list[tuple[dict[str, Any], list[str]]] = [
        ({"rule": "FREQ=FORTNIGHTLY;BYDAY=ZZ"}, ["body", "rule"]),
        ({"rule": "FREQ=MONTHLY;BYDAY=1SA", "starts_on": "2027-06-01"}, ["body", "rule"]),  # never-ending, too late
        ({"capacity": 0}, ["body", "capacity"]),
        ({"end": "09:00"}, ["body", "end"]),
        ({"start": "09:00+01:00"}, ["body", "start"]),
    ]
    for change, loc in cases:
        response = await registry.http.post(url, json=PATTERN | change, headers=organisation)
        assert response.status_code == 422, response.text
        assert [d["loc"] for d in response.json()["detail"]] == [loc]
        assert "FORTNIGHTLY" not in response.text
        assert "ZZ" not in response.text
    assert (await _ok(await registry.http.get(url.replace("shift-patterns", "shifts"), headers=staff)))["shifts"] == []
