"""The conversation, notice and follow-up routes keep the tenant and role rules and answer bad input field by field."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest

from contracts import EventEnvelope
from contracts.events import MatchProposed
from tests.registry.integration.conftest import Headers, Registry
from tests.support.kafka import publish_raw

pytestmark = pytest.mark.integration


async def _proposed(
    registry: Registry, task_id: UUID, organisation_id: UUID, centrale_id: str, volunteer_id: UUID
) -> UUID:
    """Publish a MatchProposed (a response) as matching would, and wait until the registry kept it."""
    event = MatchProposed(
        match_id=uuid4(), task_id=task_id, volunteer_id=volunteer_id, organisation_id=organisation_id,
        centrale_id=centrale_id, volunteer_centrale_id=centrale_id, score=0.8, via="interest",
        proposed_at=datetime.now(UTC),
    )  # fmt: skip
    envelope = EventEnvelope(
        source="/regions/testregio/matching", type=event.event_type, subject=event.subject(), tenant=centrale_id,
        region="testregio",
    )  # fmt: skip
    await publish_raw(
        registry.bootstrap, event.topic, event.model_dump_json().encode(), key=event.subject().encode(),
        headers=envelope.to_headers(),
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while await registry.pool.fetchval("SELECT 1 FROM proposals WHERE match_id = $1", event.match_id) is None:
        assert time.monotonic() < deadline, "the registry did not keep the proposal"
        await asyncio.sleep(0.1)
    return event.match_id


async def test_each_side_sees_only_its_own_and_contact_waits_for_the_match(registry: Registry) -> None:
    centrale_id, staff = await registry.new_centrale()
    other_centrale, other_staff = await registry.new_centrale()
    organisation_id, organisation = await registry.new_organisation(centrale_id, staff)
    stranger_id, stranger = await registry.new_organisation(centrale_id, staff)
    task_id = await registry.published_task(centrale_id, organisation_id, organisation)
    volunteer_id = await registry.register_volunteer(centrale_id, staff)
    volunteer = await registry.credential(f"/v1/centrales/{centrale_id}/volunteers/{volunteer_id}/credentials", staff)
    match_id = await _proposed(registry, task_id, organisation_id, centrale_id, volunteer_id)
    responses = f"/v1/centrales/{centrale_id}/organisations/{organisation_id}/responses"
    contact = f"/v1/centrales/{centrale_id}/organisations/{organisation_id}/matches/{match_id}/contact"

    mine = await registry.http.get("/v1/me/proposals", headers=volunteer)
    own = await registry.http.get(responses, headers=organisation)
    by_staff = await registry.http.get(responses, headers=staff)
    not_yet = await registry.http.get(contact, headers=organisation)

    assert [p["match_id"] for p in mine.json()] == [str(match_id)]
    assert mine.json()[0]["contact"]["kind"] == "organisation"
    assert [p["match_id"] for p in own.json()] == [p["match_id"] for p in by_staff.json()] == [str(match_id)]
    assert own.json()[0]["contact"] is None
    assert not_yet.status_code == 409
    forbidden: list[tuple[str, Headers, int]] = [
        (responses, stranger, 404),  # another organisation of the same centrale
        (responses, other_staff, 404),  # staff of another centrale
        (responses, volunteer, 403),
        (f"/v1/centrales/{centrale_id}/organisations/{stranger_id}/matches/{match_id}/contact", stranger, 404),
        (f"/v1/me/proposals/{match_id}", stranger, 403),
        (f"/v1/centrales/{centrale_id}/early-warnings", volunteer, 403),
        (f"/v1/centrales/{centrale_id}/early-warnings", other_staff, 404),
        (f"/v1/centrales/{centrale_id}/notices", organisation, 403),
        (f"/v1/centrales/{centrale_id}/call-list", other_staff, 404),
        (f"/v1/centrales/{centrale_id}/work-queue", volunteer, 403),
        (f"/v1/centrales/{centrale_id}/work-queue", organisation, 403),
        (f"/v1/centrales/{centrale_id}/work-queue", other_staff, 404),
        (f"/v1/centrales/{other_centrale}/follow-up", staff, 404),
    ]
    for path, headers, status in forbidden:
        assert (await registry.http.get(path, headers=headers)).status_code == status, path


async def test_the_work_queue_gives_in_one_answer_what_its_three_lists_give(registry: Registry) -> None:
    centrale_id, staff = await registry.new_centrale()
    other_centrale, other_staff = await registry.new_centrale()
    pending_id, _ = await registry.new_organisation(centrale_id, staff, admit=False)
    await registry.new_organisation(centrale_id, staff)  # admitted: not to vet
    await registry.new_organisation(other_centrale, other_staff, admit=False)  # another centrale's
    base = f"/v1/centrales/{centrale_id}"

    queue = await registry.http.get(f"{base}/work-queue", headers=staff)
    pending = await registry.http.get(f"{base}/organisations", params={"status": "pending"}, headers=staff)
    warnings = await registry.http.get(f"{base}/early-warnings", headers=staff)
    calls = await registry.http.get(f"{base}/call-list", headers=staff)

    assert queue.status_code == 200, queue.text
    assert [o["id"] for o in queue.json()["organisations_to_vet"]] == [str(pending_id)]
    assert queue.json() == {
        "organisations_to_vet": pending.json(),
        "early_warnings": warnings.json(),
        "call_list": calls.json(),
    }


async def test_bad_input_is_answered_at_the_field(registry: Registry) -> None:
    centrale_id, staff = await registry.new_centrale()
    volunteer_id = await registry.register_volunteer(centrale_id, staff)
    volunteer = await registry.credential(f"/v1/centrales/{centrale_id}/volunteers/{volunteer_id}/credentials", staff)
    cases = [
        ("/v1/me/notification-preferences", {"check_in": "weekly"}, volunteer, ["body", "check_in"]),
        ("/v1/me/notification-preferences", {"newsletter": "off"}, volunteer, ["body", "newsletter"]),
        (
            f"/v1/centrales/{centrale_id}/notice-templates/check_in",
            {"subject": "Hoi $voornaam", "body": "Hoe gaat het?"},
            staff,
            ["body", "subject"],
        ),
        (f"/v1/centrales/{centrale_id}/follow-up", {"check_ins": ["binnenkort"]}, staff, ["body", "check_ins", 0]),
        (f"/v1/me/proposals/{uuid4()}/message", {"text": ""}, volunteer, ["body", "text"]),
        (f"/v1/centrales/{centrale_id}/contact", {"name": "Balie", "email": "geen-adres"}, staff, ["body", "email"]),
    ]
    for path, body, headers, loc in cases:
        response = await registry.http.put(path, json=body, headers=headers)
        assert response.status_code == 422, (path, response.text)
        assert response.json()["detail"][0]["loc"] == loc, path
    answer = await registry.http.post(f"/v1/me/check-ins/{uuid4()}", json={"answer": "meh"}, headers=volunteer)
    assert (answer.status_code, answer.json()["detail"][0]["loc"]) == (422, ["body", "answer"])
    unknown_kind = await registry.http.get(f"/v1/centrales/{centrale_id}/notices?kind=newsletter", headers=staff)
    assert unknown_kind.status_code == 422


async def test_people_choose_how_they_are_told_and_staff_set_the_centrales_texts(registry: Registry) -> None:
    centrale_id, staff = await registry.new_centrale()
    organisation_id, organisation = await registry.new_organisation(centrale_id, staff)
    volunteer_id = await registry.register_volunteer(centrale_id, staff)
    volunteer = await registry.credential(f"/v1/centrales/{centrale_id}/volunteers/{volunteer_id}/credentials", staff)
    org_preferences = f"/v1/centrales/{centrale_id}/organisations/{organisation_id}/notification-preferences"

    chosen = await registry.http.put("/v1/me/notification-preferences", json={"check_in": "digest"}, headers=volunteer)
    org_chosen = await registry.http.put(org_preferences, json={"response_new": "off"}, headers=organisation)
    template = await registry.http.put(
        f"/v1/centrales/{centrale_id}/notice-templates/check_in",
        json={"subject": "Hoe gaat het, $naam?", "body": "Vertel het ons: $link"},
        headers=staff,
    )
    follow_up = await registry.http.put(
        f"/v1/centrales/{centrale_id}/follow-up", json={"check_ins": ["P6M", "P1W"], "unanswered_after_days": 10},
        headers=staff,
    )  # fmt: skip

    assert chosen.status_code == 200
    assert (chosen.json()["check_in"], chosen.json()["match_made"]) == ("digest", "immediate")
    assert org_chosen.json()["response_new"] == "off"
    assert (await registry.http.get(org_preferences, headers=staff)).json()["response_new"] == "off"
    assert (template.json()["custom"], template.json()["subject"]) == (True, "Hoe gaat het, $naam?")
    assert follow_up.json() == {"centrale_id": centrale_id, "check_ins": ["P1W", "P6M"], "unanswered_after_days": 10}
