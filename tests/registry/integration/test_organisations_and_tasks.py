"""Organisations are vetted before their tasks go out; tasks are checked against the NOV criteria."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from common.clock import SystemClock, dutch_today
from common.uow import Origin, unit_of_work
from contracts import EventEnvelope
from registry.unit_of_work import PostgresRegistryUnitOfWork
from registry.use_cases import tasks
from tests.registry.integration.conftest import Registry

pytestmark = pytest.mark.integration

TASKS = "registry.tasks.v1"


def _types(records: list[object]) -> list[str]:
    return [EventEnvelope.from_headers(r.headers).type.split(".")[-2] for r in records]  # type: ignore[attr-defined]


async def test_vetting_admits_or_refuses_once_and_publishes_each_decision(registry: Registry) -> None:
    centrale_id, staff = await registry.new_centrale()
    admitted_id, _ = await registry.new_organisation(centrale_id, staff, admit=True)
    refused_id, _ = await registry.new_organisation(centrale_id, staff, admit=False)
    refusal = await registry.http.post(
        f"/v1/centrales/{centrale_id}/organisations/{refused_id}/refuse", json={"reason": "geen doel"}, headers=staff
    )
    assert refusal.status_code == 204
    again = await registry.http.post(f"/v1/centrales/{centrale_id}/organisations/{admitted_id}/admit", headers=staff)
    assert again.status_code == 409

    assert _types(await registry.events("registry.organisations.v1", admitted_id, 2)) == ["registered", "admitted"]
    refused_events = await registry.events("registry.organisations.v1", refused_id, 2)
    assert _types(refused_events) == ["registered", "refused"]
    assert json.loads(refused_events[1].value)["reason"] == "geen doel"
    pending = await registry.http.get(f"/v1/centrales/{centrale_id}/organisations?status=refused", headers=staff)
    assert [row["id"] for row in pending.json()] == [str(refused_id)]


async def test_a_formal_organisation_needs_a_kvk_number_and_an_informal_one_needs_none(registry: Registry) -> None:
    centrale_id, staff = await registry.new_centrale()
    path = f"/v1/centrales/{centrale_id}/organisations"
    formal = await registry.http.post(path, json={"name": "Sportclub", "formal": True}, headers=staff)
    assert formal.status_code == 422
    assert formal.json()["detail"][0]["loc"] == ["body", "kvk_number"]
    informal = await registry.http.post(path, json={"name": "Buurtinitiatief De Linde", "formal": False}, headers=staff)
    assert informal.status_code == 201


async def test_an_invalid_task_is_refused_with_every_reason_and_stays_a_draft(registry: Registry) -> None:
    centrale_id, staff = await registry.new_centrale()
    # Not admitted, no insurance, no contact person: the organisation itself fails three criteria.
    created = await registry.http.post(
        f"/v1/centrales/{centrale_id}/organisations",
        json={"name": "Nieuwe Club", "formal": False},
        headers=staff,
    )
    organisation_id = created.json()["id"]
    base = f"/v1/centrales/{centrale_id}/organisations/{organisation_id}/tasks"
    body = await registry.task_body(
        description="Helpen.", hours_per_week="30", replaces_paid_work=True, shifts=[], capacity=1
    )
    draft = await registry.http.post(base, json=body, headers=staff)
    assert draft.status_code == 201, draft.text
    task_id = draft.json()["id"]

    refused = await registry.http.post(f"{base}/{task_id}/publish", headers=staff)

    assert refused.status_code == 422
    reasons = [item["msg"] for item in refused.json()["detail"]]
    assert reasons == [
        "the organisation has not been admitted by the centrale",
        "asks 30.00 hours a week; the NOV criteria allow at most 20",
        "the description must say clearly what the task is (at least 40 characters)",
        "volunteer work may not replace paid work",
        "the organisation has no contact person",
        "the organisation has no liability insurance for volunteers",
        "the task needs a schedule: a one-off date or recurring shifts",
    ]
    # Each reason at the field to change, so a form shows it there; the organisation's own at the task.
    assert [item["loc"] for item in refused.json()["detail"]] == [
        ["body", "task"],
        ["body", "hours_per_week"],
        ["body", "description"],
        ["body", "replaces_paid_work"],
        ["body", "task"],
        ["body", "task"],
        ["body", "shifts"],
    ]
    task = await registry.http.get(f"{base}/{task_id}", headers=staff)
    assert task.json()["status"] == "draft"
    outbox = await registry.pool.fetchval("SELECT count(*) FROM outbox WHERE key = $1", task_id)
    assert outbox == 0


async def test_bad_task_input_gets_field_level_errors_and_writes_nothing(registry: Registry) -> None:
    centrale_id, staff = await registry.new_centrale()
    organisation_id, organisation = await registry.new_organisation(centrale_id, staff)
    base = f"/v1/centrales/{centrale_id}/organisations/{organisation_id}/tasks"
    before = await registry.pool.fetchval("SELECT count(*) FROM tasks")
    bad = await registry.http.post(
        base, json=await registry.task_body(capacity=0, postcode="nope", theme=""), headers=organisation
    )
    assert bad.status_code == 422
    assert {tuple(item["loc"]) for item in bad.json()["detail"]} == {
        ("body", "capacity"),
        ("body", "postcode"),
        ("body", "theme"),
    }
    assert await registry.pool.fetchval("SELECT count(*) FROM tasks") == before


async def test_task_lifecycle_posted_updated_closed_and_expired(registry: Registry) -> None:
    centrale_id, staff = await registry.new_centrale()
    organisation_id, organisation = await registry.new_organisation(centrale_id, staff)
    base = f"/v1/centrales/{centrale_id}/organisations/{organisation_id}/tasks"
    task_id = await registry.published_task(centrale_id, organisation_id, organisation)
    updated = await registry.http.put(
        f"{base}/{task_id}", json=await registry.task_body(capacity=5), headers=organisation
    )
    assert updated.status_code == 204, updated.text
    closed = await registry.http.post(f"{base}/{task_id}/close", headers=organisation)
    assert closed.status_code == 204
    assert (await registry.http.post(f"{base}/{task_id}/close", headers=organisation)).status_code == 409

    events = await registry.events(TASKS, task_id, 3)
    assert _types(events) == ["posted", "updated", "closed"]
    posted, change, close = (json.loads(r.value) for r in events)
    assert posted["capacity"] == 2
    assert change["capacity"] == 5
    assert close["reason"] == "closed"
    assert "description" not in posted  # free text stays in the registry

    soon = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    expiring = await registry.published_task(centrale_id, organisation_id, organisation, closing_date=soon)
    origin = Origin(source="/test", region="testregio", correlation_id=uuid4())
    async with unit_of_work(registry.pool, origin, SystemClock(), PostgresRegistryUnitOfWork) as uow:
        expired = await tasks.expire_tasks(tasks.ExpireTasks(today=dutch_today() + timedelta(days=2)), uow)
    assert expiring in expired
    assert task_id not in expired
    [_, expiry] = await registry.events(TASKS, expiring, 2)
    assert json.loads(expiry.value)["reason"] == "expired"
    assert (await registry.http.post("/v1/tasks/expire", headers=registry.ops)).json() == {"expired": []}


async def test_a_task_is_filled_when_matching_reports_matches_for_its_capacity(registry: Registry) -> None:
    centrale_id, staff = await registry.new_centrale()
    organisation_id, organisation = await registry.new_organisation(centrale_id, staff)
    task_id = await registry.published_task(centrale_id, organisation_id, organisation, capacity=2)
    for _ in range(2):
        await registry.match(task_id, organisation_id, centrale_id, uuid4())

    events = await registry.events(TASKS, task_id, 2)
    assert _types(events) == ["posted", "closed"]
    assert json.loads(events[1].value)["reason"] == "filled"
    assert await registry.pool.fetchval("SELECT status FROM tasks WHERE id = $1", task_id) == "filled"
    assert await registry.pool.fetchval("SELECT count(*) FROM matches WHERE task_id = $1", task_id) == 2
