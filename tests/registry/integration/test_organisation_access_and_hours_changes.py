"""Issue 19's loose ends over HTTP, on real Kafka and PostgreSQL: organisations act only once admitted (and a
refusal takes back what they had), hours are rejected and corrected with reasons as events, and hours for a
dated task are refused before it starts."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from common.clock import dutch_today
from contracts import EventEnvelope
from tests.registry.integration.conftest import Headers, Registry

pytestmark = pytest.mark.integration

NOT_ADMITTED = "the organisation is still being vetted: admit it first, then give it credentials or accounts"
REFUSED = "the organisation was refused: it gets no credentials or accounts"
NO_TASKS = "the organisation was refused: it cannot save tasks"
DUTCH = ZoneInfo("Europe/Amsterdam")


def _detail(response: Any) -> Any:
    return response.json()["detail"]


async def test_an_organisation_gets_credentials_and_users_only_once_admitted_with_the_reason_otherwise(
    registry: Registry,
) -> None:
    centrale_id, staff = await registry.new_centrale()
    organisation_id, none = await registry.new_organisation(centrale_id, staff, admit=False)
    assert none == {}
    base = f"/v1/centrales/{centrale_id}/organisations/{organisation_id}"
    user = {"role": "organisation", "centrale_id": centrale_id, "subject_id": str(organisation_id),
            "email": f"anna-{organisation_id}@buurthuis.example", "name": "Anna de Boer"}  # fmt: skip

    pending_credential = await registry.http.post(f"{base}/credentials", json={"label": "x"}, headers=staff)
    pending_user = await registry.http.post("/v1/invitations", json=user, headers=staff)
    refusal = await registry.http.post(f"{base}/refuse", json={"reason": "geen vrijwilligerswerk"}, headers=staff)
    refused_credential = await registry.http.post(f"{base}/credentials", json={"label": "x"}, headers=staff)
    refused_user = await registry.http.post("/v1/invitations", json=user, headers=staff)
    refused_task = await registry.http.post(f"{base}/tasks", json=await registry.task_body(), headers=staff)

    assert [(r.status_code, _detail(r)) for r in (pending_credential, pending_user)] == [(409, NOT_ADMITTED)] * 2
    assert refusal.status_code == 204
    assert [(r.status_code, _detail(r)) for r in (refused_credential, refused_user)] == [(409, REFUSED)] * 2
    assert (refused_task.status_code, _detail(refused_task)) == (
        409,
        "the organisation was refused: it cannot save tasks",
    )
    issued = await registry.pool.fetchval("SELECT count(*) FROM credentials WHERE subject_id = $1", organisation_id)
    accounts = await registry.pool.fetchval("SELECT count(*) FROM memberships WHERE subject_id = $1", organisation_id)
    assert (issued, accounts) == (0, 0)


@pytest.fixture
async def matched(registry: Registry) -> dict[str, Any]:
    """An admitted organisation, its volunteer (with a credential) and a match made ten days ago."""
    centrale_id, staff = await registry.new_centrale()
    organisation_id, organisation = await registry.new_organisation(centrale_id, staff)
    volunteer_id = await registry.register_volunteer(centrale_id, staff)
    volunteer = await registry.credential(f"/v1/centrales/{centrale_id}/volunteers/{volunteer_id}/credentials", staff)
    task_id = await registry.published_task(centrale_id, organisation_id, organisation)
    match_id = await registry.match(task_id, organisation_id, centrale_id, volunteer_id, days_ago=10)
    return {
        "base": f"/v1/centrales/{centrale_id}/organisations/{organisation_id}",
        "organisation": organisation,
        "volunteer": volunteer,
        "volunteer_id": volunteer_id,
        "match_id": match_id,
    }


def _day(days_ago: int) -> str:
    return (dutch_today() - timedelta(days=days_ago)).isoformat()


async def test_hours_are_corrected_and_rejected_with_reasons_as_events_without_the_notes(
    registry: Registry, matched: dict[str, Any]
) -> None:
    base, organisation, volunteer = matched["base"], matched["organisation"], matched["volunteer"]
    http = registry.http

    async def logged(path: str, headers: Headers, days_ago: int, hours: str) -> str:
        response = await http.post(path, json={"worked_on": _day(days_ago), "hours": hours}, headers=headers)
        assert response.status_code == 201, response.text
        hours_id: str = response.json()["id"]
        return hours_id

    own = await logged(f"{base}/matches/{matched['match_id']}/hours", organisation, 5, "8")
    theirs = await logged(f"/v1/me/matches/{matched['match_id']}/hours", volunteer, 4, "2.5")
    waiting = await logged(f"/v1/me/matches/{matched['match_id']}/hours", volunteer, 3, "6")

    note = "Overgenomen van het verkeerde rooster (notitie-7f3a)"
    fix = {"hours": "3", "reason": "typing_error", "note": note}
    assert (await http.post(f"{base}/hours/{own}/correct", json=fix, headers=organisation)).status_code == 204
    rejection = {"reason": "not_worked", "note": "Die dag was het buurthuis dicht (notitie-9c1e)"}
    assert (await http.post(f"{base}/hours/{theirs}/reject", json=rejection, headers=organisation)).status_code == 204
    mine = {"hours": "5.5", "reason": "miscounted"}
    assert (await http.post(f"/v1/me/hours/{waiting}/correct", json=mine, headers=volunteer)).status_code == 204

    # Who may do what, and bad input at its field.
    not_theirs = await http.post(f"{base}/hours/{waiting}/correct", json=mine, headers=organisation)
    again = await http.post(f"{base}/hours/{theirs}/reject", json=rejection, headers=organisation)
    bad = await http.post(f"{base}/hours/{own}/correct", json={"hours": "3", "reason": "oops"}, headers=organisation)
    assert (not_theirs.status_code, again.status_code, bad.status_code) == (403, 409, 422)
    assert bad.json()["detail"][0]["loc"] == ["body", "reason"]

    listed = (await http.get(f"{base}/hours", headers=organisation)).json()
    assert [(e["id"], e["status"], e["hours"]) for e in listed] == [
        (waiting, "pending", "5.50"),
        (theirs, "rejected", "2.50"),
        (own, "confirmed", "3.00"),
    ]
    assert [(c["change"], c["reason"], c["note"]) for c in listed[1]["changes"]] == [
        ("rejected", "not_worked", rejection["note"])
    ]
    export = (await http.get("/v1/me/export", headers=volunteer)).json()
    assert {e["id"]: [c["reason"] for c in e["changes"]] for e in export["hours"]} == {
        own: ["typing_error"],
        theirs: ["not_worked"],
        waiting: ["miscounted"],
    }

    records = await registry.events("registry.hours.v1", matched["volunteer_id"], 4)
    kinds = [EventEnvelope.from_headers(r.headers).type.split(".")[-2] for r in records]
    payloads = [json.loads(r.value) for r in records]
    assert kinds == ["logged", "corrected", "rejected", "corrected"]
    assert [(p["hours_id"], p.get("previous_hours"), p["hours"], p.get("counted")) for p in payloads] == [
        (own, None, "8.00", None),
        (own, "8.00", "3.00", True),
        (theirs, None, "2.50", False),
        (waiting, "6.00", "5.50", False),
    ]
    assert all("notitie" not in r.value.decode() for r in records)


async def test_hours_for_a_one_off_task_before_it_starts_are_refused_with_the_reason(registry: Registry) -> None:
    centrale_id, staff = await registry.new_centrale()
    organisation_id, organisation = await registry.new_organisation(centrale_id, staff)
    volunteer_id = await registry.register_volunteer(centrale_id, staff)
    start = (datetime.now(UTC) + timedelta(hours=2)).replace(second=0, microsecond=0)
    task_id = await registry.published_task(
        centrale_id, organisation_id, organisation, shifts=[], one_off_start=start.isoformat(),
        one_off_end=(start + timedelta(hours=3)).isoformat(), closing_date=None,
    )  # fmt: skip
    match_id = await registry.match(task_id, organisation_id, centrale_id, volunteer_id, days_ago=1)
    today = datetime.now(DUTCH).date().isoformat()

    early = await registry.http.post(
        f"/v1/centrales/{centrale_id}/organisations/{organisation_id}/matches/{match_id}/hours",
        json={"worked_on": today, "hours": "3"},
        headers=organisation,
    )

    local = start.astimezone(DUTCH)
    assert early.status_code == 422
    assert [d["msg"] for d in early.json()["detail"]] == [
        f"the task starts on {local:%Y-%m-%d} at {local:%H:%M}; hours cannot be logged for it before then"
    ]
    assert await registry.pool.fetchval("SELECT count(*) FROM hours WHERE match_id = $1", match_id) == 0
