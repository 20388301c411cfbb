"""Task expiry is a scheduled job of the registry: ops see it, can run it now, and follow the run."""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from collections.abc import AsyncIterator

import pytest

from contracts import EventEnvelope
from tests.support.registry_client import Registry, running_registry

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
async def registry(kafka_bootstrap: str, postgres_server_dsn: str) -> AsyncIterator[Registry]:
    """The registry with its scheduler off, so only ops' run expires tasks here (whatever the time of day)."""
    async with running_registry(
        kafka_bootstrap, postgres_server_dsn, secrets.token_urlsafe(24), scheduler_enabled=False
    ) as running:
        yield running


async def test_ops_run_the_expire_tasks_job_and_read_what_it_did(registry: Registry) -> None:
    centrale_id, staff = await registry.new_centrale()
    organisation_id, organisation = await registry.new_organisation(centrale_id, staff)
    task_id = await registry.published_task(centrale_id, organisation_id, organisation, closing_date="2030-01-01")
    # Publishing refuses a closing date in the past, so let this one pass as time would.
    await registry.pool.execute("UPDATE tasks SET closing_date = current_date - 2 WHERE id = $1", task_id)

    jobs = (await registry.http.get("/v1/ops/jobs", headers=registry.ops)).json()
    assert [(j["name"], j["schedule"]) for j in jobs if j["name"] == "expire-tasks"] == [
        ("expire-tasks", "daily at 00:30 Europe/Amsterdam")
    ]
    started = await registry.http.post("/v1/ops/jobs/expire-tasks/runs", headers=registry.ops)
    assert started.status_code == 202, started.text
    deadline = time.monotonic() + 30
    while (run := (await registry.http.get(started.headers["Location"], headers=registry.ops)).json())[
        "status"
    ] == "running":
        assert time.monotonic() < deadline, "the run did not finish"
        await asyncio.sleep(0.1)

    assert run["status"] == "done", run
    assert run["counts"] == {"expired": 1}
    _, closed = await registry.events("registry.tasks.v1", task_id, 2)
    assert EventEnvelope.from_headers(closed.headers).type.endswith("task.closed.v1")
    assert json.loads(closed.value)["reason"] == "expired"
    assert (await registry.http.post("/v1/ops/jobs/expire-tasks/runs", headers=staff)).status_code == 403
