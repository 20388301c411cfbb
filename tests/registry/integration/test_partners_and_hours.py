"""Business partners' volunteer days (idempotent by their own reference) and hours logged per match."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from common.clock import dutch_today
from contracts import EventEnvelope
from contracts.events import VolunteerDayMatched
from tests.registry.integration.conftest import Headers, Registry
from tests.support.kafka import publish_raw

pytestmark = pytest.mark.integration


async def _partner(registry: Registry) -> tuple[UUID, Headers]:
    created = await registry.http.post("/v1/business-partners", json={"name": "Bouwbedrijf"}, headers=registry.ops)
    partner_id = UUID(created.json()["id"])
    return partner_id, await registry.credential(f"/v1/business-partners/{partner_id}/credentials", registry.ops)


async def test_a_retried_post_by_the_hr_system_creates_one_volunteer_day(registry: Registry) -> None:
    partner_id, hr = await _partner(registry)
    body = {"external_ref": f"HR-{uuid4().hex[:6]}", "team_size": 8, "on_date": "2030-03-13", "themes": ["natuur"]}

    first, *retries = await asyncio.gather(
        *(registry.http.post("/v1/volunteer-days", json=body, headers=hr) for _ in range(4))
    )
    sequential = await registry.http.post("/v1/volunteer-days", json=body, headers=hr)

    responses = [first, *retries, sequential]
    assert sorted(r.status_code for r in responses) == [200, 200, 200, 200, 201]
    assert len({r.json()["id"] for r in responses}) == 1
    day_id = responses[0].json()["id"]
    count = await registry.pool.fetchval(
        "SELECT count(*) FROM volunteer_days WHERE partner_id = $1 AND external_ref = $2",
        partner_id,
        body["external_ref"],
    )
    assert count == 1
    assert await registry.pool.fetchval("SELECT count(*) FROM outbox WHERE key = $1", day_id) == 1
    changed = await registry.http.post("/v1/volunteer-days", json={**body, "team_size": 9}, headers=hr)
    assert changed.status_code == 409


async def test_partner_reads_back_the_matched_task_and_the_hours_its_team_gave(registry: Registry) -> None:
    centrale_id, staff = await registry.new_centrale()
    organisation_id, organisation = await registry.new_organisation(centrale_id, staff)
    task_id = await registry.published_task(centrale_id, organisation_id, organisation, team_suitable=True, capacity=10)
    partner_id, hr = await _partner(registry)
    posted = await registry.http.post(
        "/v1/volunteer-days", json={"external_ref": "nldoet", "team_size": 6, "on_date": "2030-03-13"}, headers=hr
    )
    day_id = UUID(posted.json()["id"])
    [day_event] = await registry.events("registry.volunteer-days.v1", day_id, 1)
    assert json.loads(day_event.value)["team_size"] == 6
    assert (await registry.http.get(f"/v1/volunteer-days/{day_id}", headers=hr)).json()["status"] == "open"

    matched = VolunteerDayMatched(
        day_id=day_id,
        partner_id=partner_id,
        task_id=task_id,
        organisation_id=organisation_id,
        centrale_id=centrale_id,
        matched_at=datetime.now(UTC),
    )
    envelope = EventEnvelope(
        source="/regions/testregio/matching",
        type=matched.event_type,
        subject=str(day_id),
        tenant=centrale_id,
        region="testregio",
    )
    await publish_raw(
        registry.bootstrap,
        matched.topic,
        matched.model_dump_json().encode(),
        key=str(day_id).encode(),
        headers=envelope.to_headers(),
    )
    deadline = time.monotonic() + 30
    while (status := (await registry.http.get(f"/v1/volunteer-days/{day_id}", headers=hr)).json())[
        "status"
    ] != "matched":
        assert time.monotonic() < deadline
        await asyncio.sleep(0.1)
    assert status["matched_task_id"] == str(task_id)

    # The day lies in the future: hours cannot be logged yet.
    hours_path = f"/v1/centrales/{centrale_id}/organisations/{organisation_id}/volunteer-days/{day_id}/hours"
    early = await registry.http.post(hours_path, json={"participants": 6, "hours_total": "36"}, headers=organisation)
    assert early.status_code == 422
    await registry.pool.execute("UPDATE volunteer_days SET on_date = current_date - 1 WHERE id = $1", day_id)
    too_many = await registry.http.post(hours_path, json={"participants": 7, "hours_total": "36"}, headers=organisation)
    assert too_many.status_code == 422
    logged = await registry.http.post(hours_path, json={"participants": 6, "hours_total": "36"}, headers=organisation)
    assert logged.status_code == 201, logged.text

    status = (await registry.http.get(f"/v1/volunteer-days/{day_id}", headers=hr)).json()
    assert (status["hours_logged"], status["participants"]) == ("36.00", 6)
    [_, hours_event] = await registry.events("registry.volunteer-days.v1", day_id, 2)
    assert json.loads(hours_event.value)["hours_total"] == "36.00"


@pytest.fixture
async def matched(registry: Registry) -> dict[str, object]:
    """An organisation, its volunteer and a match made three days ago."""
    centrale_id, staff = await registry.new_centrale()
    organisation_id, organisation = await registry.new_organisation(centrale_id, staff)
    volunteer_id = await registry.register_volunteer(centrale_id, staff)
    volunteer = await registry.credential(f"/v1/centrales/{centrale_id}/volunteers/{volunteer_id}/credentials", staff)
    task_id = await registry.published_task(centrale_id, organisation_id, organisation)
    match_id = await registry.match(task_id, organisation_id, centrale_id, volunteer_id)
    base = f"/v1/centrales/{centrale_id}/organisations/{organisation_id}"
    return {
        "base": base,
        "organisation": organisation,
        "volunteer": volunteer,
        "match_id": match_id,
        "volunteer_id": volunteer_id,
    }


def _day(days_ago: int) -> str:
    return (dutch_today() - timedelta(days=days_ago)).isoformat()


async def test_hours_rules_future_dates_24_hours_a_day_and_existing_matches_only(
    registry: Registry, matched: dict[str, object]
) -> None:
    path = f"{matched['base']}/matches/{matched['match_id']}/hours"
    organisation: Headers = matched["organisation"]  # type: ignore[assignment]
    future = await registry.http.post(path, json={"worked_on": _day(-1), "hours": "2"}, headers=organisation)
    assert future.status_code == 422
    assert future.json()["detail"][0]["msg"] == "hours cannot be logged for a future date"
    assert (
        await registry.http.post(path, json={"worked_on": _day(1), "hours": "20"}, headers=organisation)
    ).status_code == 201
    over = await registry.http.post(path, json={"worked_on": _day(1), "hours": "5"}, headers=organisation)
    assert over.status_code == 422
    assert over.json()["detail"][0]["msg"].startswith("at most 24 hours per day")
    too_long = await registry.http.post(path, json={"worked_on": _day(2), "hours": "25"}, headers=organisation)
    assert too_long.status_code == 422
    assert too_long.json()["detail"][0]["loc"] == ["body", "hours"]
    unknown = f"{matched['base']}/matches/{uuid4()}/hours"
    assert (
        await registry.http.post(unknown, json={"worked_on": _day(1), "hours": "1"}, headers=organisation)
    ).status_code == 404
    events = await registry.events("registry.hours.v1", matched["volunteer_id"], 1)  # type: ignore[arg-type]
    assert json.loads(events[0].value)["hours"] == "20.00"
    total = await registry.pool.fetchval("SELECT sum(hours) FROM hours WHERE match_id = $1", matched["match_id"])
    assert total == 20


async def test_volunteers_hours_count_once_the_organisation_confirms(
    registry: Registry, matched: dict[str, object]
) -> None:
    volunteer: Headers = matched["volunteer"]  # type: ignore[assignment]
    organisation: Headers = matched["organisation"]  # type: ignore[assignment]
    logged = await registry.http.post(
        f"/v1/me/matches/{matched['match_id']}/hours", json={"worked_on": _day(1), "hours": "4"}, headers=volunteer
    )
    assert logged.status_code == 201
    hours_id = logged.json()["id"]
    assert (
        await registry.pool.fetchval(
            "SELECT count(*) FROM outbox WHERE topic = 'registry.hours.v1' AND key = $1", str(matched["volunteer_id"])
        )
        == 0
    )
    confirm = f"{matched['base']}/hours/{hours_id}/confirm"
    assert (await registry.http.post(confirm, headers=organisation)).status_code == 204
    assert (await registry.http.post(confirm, headers=organisation)).status_code == 409
    [event] = await registry.events("registry.hours.v1", matched["volunteer_id"], 1)  # type: ignore[arg-type]
    payload = json.loads(event.value)
    assert (payload["hours_id"], payload["logged_by"], payload["hours"]) == (hours_id, "volunteer", "4.00")


async def test_idempotency_key_returns_the_first_response_and_refuses_reuse_for_another_body(
    registry: Registry, matched: dict[str, object]
) -> None:
    path = f"{matched['base']}/matches/{matched['match_id']}/hours"
    headers = {**matched["organisation"], "Idempotency-Key": f"log-{uuid4()}"}  # type: ignore[dict-item]
    body = {"worked_on": _day(3), "hours": "1.5"}
    first = await registry.http.post(path, json=body, headers=headers)
    again = await registry.http.post(path, json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json() == again.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    rows = await registry.pool.fetchval("SELECT count(*) FROM hours WHERE match_id = $1", matched["match_id"])
    assert rows == 1
    reused = await registry.http.post(path, json={**body, "hours": "2"}, headers=headers)
    assert reused.status_code == 422
    assert reused.json()["detail"][0]["loc"] == ["header", "Idempotency-Key"]
