"""The Beursvloer's and the trainings' routes over HTTP: who may do what (403, or 404 for another centrale's
floor), bad input answered at the field without echoing it, and what is stored and published."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from tests.registry.integration.conftest import Headers, Registry

pytestmark = pytest.mark.integration

LATER = datetime.now(UTC) + timedelta(days=10)


async def _partner(registry: Registry) -> tuple[str, Headers]:
    created = await registry.http.post("/v1/business-partners", json={"name": "Drukkerij"}, headers=registry.ops)
    partner_id = created.json()["id"]
    return partner_id, await registry.credential(f"/v1/business-partners/{partner_id}/credentials", registry.ops)


def _offer(**overrides: Any) -> dict[str, Any]:
    return {
        "category": "goods",
        "description": "Twintig dozen printpapier",
        "quantity": 20,
        "tags": ["papier"],
    } | overrides


async def test_who_may_post_and_see_the_floor(registry: Registry) -> None:
    centrale_id, staff = await registry.new_centrale()
    other_centrale, other_staff = await registry.new_centrale()
    organisation_id, organisation = await registry.new_organisation(centrale_id, staff)
    partner_id, company = await _partner(registry)
    volunteer_id = await registry.register_volunteer(centrale_id, staff)
    volunteer = await registry.credential(f"/v1/centrales/{centrale_id}/volunteers/{volunteer_id}/credentials", staff)
    floor = f"/v1/centrales/{centrale_id}/beursvloer"

    by_company = await registry.http.post(f"{floor}/offers", json=_offer(), headers=company)
    by_staff_for_company = await registry.http.post(
        f"{floor}/offers", json=_offer(partner_id=partner_id), headers=staff
    )
    staff_without_company = await registry.http.post(f"{floor}/offers", json=_offer(), headers=staff)
    by_volunteer = await registry.http.post(f"{floor}/offers", json=_offer(), headers=volunteer)
    organisation_offers = await registry.http.post(f"{floor}/offers", json=_offer(), headers=organisation)
    other_staff_posts = await registry.http.post(
        f"{floor}/offers", json=_offer(partner_id=partner_id), headers=other_staff
    )

    assert (by_company.status_code, by_staff_for_company.status_code) == (201, 201)
    assert staff_without_company.status_code == 422
    assert staff_without_company.json()["detail"][0]["loc"] == ["body", "partner_id"]
    assert (by_volunteer.status_code, organisation_offers.status_code, other_staff_posts.status_code) == (403, 403, 404)

    wish = {"category": "goods", "description": "Papier voor de nieuwsbrief", "quantity": 5}
    requested = await registry.http.post(f"{floor}/requests", json=wish, headers=organisation)
    assert requested.status_code == 201
    other_floor = await registry.http.get(f"/v1/centrales/{other_centrale}/beursvloer/board", headers=organisation)
    assert other_floor.status_code == 404
    board = await registry.http.get(f"{floor}/board", headers=company)
    assert board.status_code == 200
    assert board.headers["cache-control"] == "no-store"
    assert (board.json()["counts"]["offers_open"], board.json()["counts"]["requests_open"]) == (2, 1)
    assert "contact@voedselbank.example" not in board.text
    listed = await registry.http.get(
        f"/v1/centrales/{centrale_id}/organisations/{organisation_id}/beursvloer/requests", headers=organisation
    )
    assert [r["id"] for r in listed.json()] == [requested.json()["id"]]
    stranger_partner, stranger = await _partner(registry)
    assert (
        await registry.http.get(f"/v1/beursvloer/partners/{partner_id}/offers", headers=stranger)
    ).status_code == 404
    mine = await registry.http.get(f"/v1/beursvloer/partners/{partner_id}/offers", headers=company)
    assert len(mine.json()) == 2
    theirs = await registry.http.get(f"/v1/beursvloer/partners/{stranger_partner}/offers", headers=stranger)
    assert theirs.json() == []


async def test_bad_input_is_answered_at_the_field_without_echoing_it(registry: Registry) -> None:
    centrale_id, staff = await registry.new_centrale()
    _, company = await _partner(registry)
    floor = f"/v1/centrales/{centrale_id}/beursvloer"
    marker = "ZZ-marker-9"
    cases = {
        "category": _offer(category=marker),
        "postcode": _offer(postcode=marker),
        "hours": _offer(hours="-4"),
        "event_id": _offer(event_id=str(uuid4())),
        "available_until": _offer(available_until="2001-01-01"),
    }
    for field, body in cases.items():
        response = await registry.http.post(f"{floor}/offers", json=body, headers=company)
        assert response.status_code == 422, (field, response.text)
        # The messages never repeat the value (FastAPI's own ``input`` echo is the shared runtime's to drop).
        assert all(marker not in entry["msg"] for entry in response.json()["detail"])
        locations = [entry["loc"] for entry in response.json()["detail"]]
        assert ["body", field] in locations or field == "available_until", (field, locations)

    evening = {"title": "Beursvloer", "place": "Stadhuis", "starts_at": LATER.isoformat(), "ends_at": LATER.isoformat()}
    refused = await registry.http.post(f"{floor}/events", json=evening, headers=staff)
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "ends_at"]
    follow_up = await registry.http.post(f"{floor}/deals/{uuid4()}/follow-up", json={"outcome": "maybe"}, headers=staff)
    assert (follow_up.status_code, follow_up.json()["detail"][0]["loc"]) == (422, ["body", "outcome"])


async def test_trainings_over_http_roles_seats_and_attendance(registry: Registry) -> None:
    centrale_id, staff = await registry.new_centrale()
    organisation_id, organisation = await registry.new_organisation(centrale_id, staff)
    volunteer_id = await registry.register_volunteer(centrale_id, staff)
    volunteer = await registry.credential(f"/v1/centrales/{centrale_id}/volunteers/{volunteer_id}/credentials", staff)
    trainings = f"/v1/centrales/{centrale_id}/trainings"
    body = {
        "title": "Vrijwilligersbeleid op orde", "description": "Een adviesgesprek over het vrijwilligersbeleid.",
        "kind": "advice", "audience": "organisations", "place": "Online", "capacity": 4,
        "sessions": [{"starts_at": LATER.isoformat(), "ends_at": (LATER + timedelta(hours=1)).isoformat()}],
    }  # fmt: skip

    assert (await registry.http.post(trainings, json=body, headers=organisation)).status_code == 403
    naive = {**body, "sessions": [{"starts_at": "2030-01-01T10:00:00", "ends_at": "2030-01-01T11:00:00"}]}
    refused = await registry.http.post(trainings, json=naive, headers=staff)
    assert (refused.status_code, refused.json()["detail"][0]["loc"][:3]) == (422, ["body", "sessions", 0])
    created = await registry.http.post(trainings, json=body, headers=staff)
    assert created.status_code == 201, created.text
    training_id = created.json()["id"]

    assert await _listed(registry, trainings, volunteer) == []  # not for volunteers
    assert await _listed(registry, trainings, organisation) == [training_id]
    for_volunteer = await registry.http.post(f"{trainings}/{training_id}/bookings", json={}, headers=volunteer)
    assert for_volunteer.status_code == 404
    seats = await registry.http.post(f"{trainings}/{training_id}/bookings", json={"seats": 3}, headers=organisation)
    assert seats.json()["status"] == "booked"
    too_many = await registry.http.post(
        f"{trainings}/{training_id}/bookings", json={"organisation_id": str(organisation_id), "seats": 3}, headers=staff
    )
    assert too_many.status_code == 409  # already booked
    early = await registry.http.put(
        f"{trainings}/{training_id}/attendance",
        json={"entries": [{"booking_id": seats.json()["id"], "attended": True}]},
        headers=staff,
    )
    assert early.status_code == 409

    [event] = await registry.events("registry.trainings.v1", UUID(training_id), 1)
    payload = json.loads(event.value)
    assert (payload["title"], payload["kind"], payload["audience"], payload["capacity"]) == (
        "Vrijwilligersbeleid op orde", "advice", "organisations", 4,
    )  # fmt: skip
    assert "adviesgesprek over" not in event.value.decode()
    own = await registry.http.get(
        f"/v1/centrales/{centrale_id}/organisations/{organisation_id}/trainings", headers=organisation
    )
    assert [(b["id"], b["seats"], b["title"]) for b in own.json()] == [
        (seats.json()["id"], 3, "Vrijwilligersbeleid op orde")
    ]


async def _listed(registry: Registry, path: str, headers: Headers) -> list[str]:
    response = await registry.http.get(path, headers=headers)
    assert response.status_code == 200, response.text
    return [t["id"] for t in response.json()]
