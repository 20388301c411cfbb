"""A partner's webhook over HTTP: who may register and read it, field-level refusals, and the sender's log of an
attempt that found nobody listening (a real refused connection)."""

from __future__ import annotations

import asyncio
import time
from typing import Any
from uuid import UUID, uuid4

import pytest

from tests.registry.integration.conftest import Headers, Registry

pytestmark = pytest.mark.integration


async def _partner(registry: Registry, name: str = "Rabobank Utrecht") -> tuple[UUID, Headers]:
    created = await registry.http.post("/v1/business-partners", json={"name": name}, headers=registry.ops)
    partner_id = UUID(created.json()["id"])
    return partner_id, await registry.credential(f"/v1/business-partners/{partner_id}/credentials", registry.ops)


async def test_only_the_partner_and_ops_reach_its_webhook(registry: Registry) -> None:
    partner_id, hr = await _partner(registry)
    other_id, other_hr = await _partner(registry, "Bouwbedrijf")
    _, staff = await registry.new_centrale()
    path = f"/v1/business-partners/{partner_id}/webhook"
    body = {"url": "https://hr.rabobank.example/regio"}

    assert (await registry.http.put(path, json=body, headers=other_hr)).status_code == 404
    assert (await registry.http.put(path, json=body, headers=staff)).status_code == 403
    assert (await registry.http.get(path, headers=hr)).status_code == 404  # none yet
    created = await registry.http.put(path, json=body, headers=hr)
    changed = await registry.http.put(path, json={"url": body["url"] + "/v2"}, headers=registry.ops)

    assert (created.status_code, changed.status_code) == (201, 200)
    assert created.json()["secret"].startswith("whsec_")
    assert changed.json()["secret"] is None
    assert (await registry.http.get(path, headers=hr)).json()["url"] == body["url"] + "/v2"
    assert (
        await registry.http.get(f"/v1/business-partners/{other_id}/webhook/deliveries", headers=hr)
    ).status_code == 404
    assert (
        await registry.http.get(f"/v1/business-partners/{uuid4()}/webhook", headers=registry.ops)
    ).status_code == 404


@pytest.mark.parametrize(
    ("body", "loc", "msg"),
    [
        ({"url": "http://hr.example/regio"}, ["body", "url"], "must start with https://"),
        ({"url": "https://user:geheim@hr.example/regio"}, ["body", "url"], "must not carry a user name or password"),
        ({"url": ""}, ["body", "url"], "String should have at least 1 character"),
        ({"url": "https://hr.example/regio", "extra": 1}, ["body", "extra"], "Extra inputs are not permitted"),
    ],
)
async def test_a_bad_webhook_url_is_refused_at_the_field_without_echoing_it(
    registry: Registry, body: dict[str, Any], loc: list[str], msg: str
) -> None:
    partner_id, hr = await _partner(registry)
    refused = await registry.http.put(f"/v1/business-partners/{partner_id}/webhook", json=body, headers=hr)
    assert refused.status_code == 422
    [detail] = refused.json()["detail"]
    assert (detail["loc"], detail["msg"]) == (loc, msg)
    assert "geheim" not in refused.text


async def test_a_ping_nobody_answers_is_logged_and_tried_again_later(registry: Registry) -> None:
    partner_id, hr = await _partner(registry)
    # Port 1 on the loopback: the connection is refused at once.
    await registry.http.put(
        f"/v1/business-partners/{partner_id}/webhook", json={"url": "https://127.0.0.1:1/regio"}, headers=hr
    )
    pinged = await registry.http.post(f"/v1/business-partners/{partner_id}/webhook/ping", headers=hr)
    assert pinged.status_code == 202
    delivery = f"/v1/business-partners/{partner_id}/webhook/deliveries/{pinged.json()['delivery_id']}"

    deadline = time.monotonic() + 30
    while not (log := (await registry.http.get(delivery, headers=hr)).json())["attempt_log"]:
        assert time.monotonic() < deadline, "the sender never tried"
        await asyncio.sleep(0.2)

    [attempt] = log["attempt_log"]
    assert (attempt["status_code"], attempt["url"]) == (None, "https://127.0.0.1:1/regio")
    assert attempt["error"].startswith("ConnectError")
    assert (log["status"], log["attempts"], log["body"]["type"]) == ("pending", 1, "ping")
    assert log["next_attempt_at"] > attempt["at"]
    retry = await registry.http.post(f"{delivery}/retry", headers=hr)
    assert retry.status_code == 409  # still going: only a failed or cancelled one is sent again by hand
    removed = await registry.http.delete(f"/v1/business-partners/{partner_id}/webhook", headers=hr)
    assert removed.json() == {"cancelled": 1}
    assert (await registry.http.post(f"{delivery}/retry", headers=hr)).status_code == 409  # nowhere to send it


async def test_the_summary_refuses_a_period_that_ends_before_it_starts(registry: Registry) -> None:
    _, hr = await _partner(registry)
    refused = await registry.http.get(
        "/v1/volunteer-days/summary", params={"from": "2026-03-01", "to": "2026-02-01"}, headers=hr
    )
    bad_date = await registry.http.get("/v1/volunteer-days/summary", params={"from": "2026-13-01"}, headers=hr)
    empty = await registry.http.get("/v1/volunteer-days/summary", headers=hr)

    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["query", "to"]
    assert bad_date.status_code == 422
    assert bad_date.json()["detail"][0]["loc"] == ["query", "from"]
    assert (empty.status_code, empty.json()["days"], empty.json()["hours"]) == (200, 0, "0.00")
