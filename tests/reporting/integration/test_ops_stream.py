"""What a consuming service tells region ops about its stream (the portal's ops page shows it): its group's lag per
topic and the dead letters it wrote, never a payload; for region ops only."""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.reporting.integration.conftest import Reporting

pytestmark = pytest.mark.integration


async def test_ops_see_the_groups_lag_and_its_dead_letters_and_staff_do_not(reporting: Reporting) -> None:
    await reporting.producer.send_and_wait(
        "registry.volunteers.v1", key=b"x", value=b"not json", headers=[("ce_type", b"nonsense")]
    )
    deadline = time.monotonic() + 60
    while True:
        stream = await reporting.json("/v1/ops/stream")
        mine = [d for d in stream["dead_letters"] if d["original_topic"] == "registry.volunteers.v1"]
        if mine or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.5)

    assert stream["group"] == reporting.group
    assert "registry.volunteers.v1" in {topic["topic"] for topic in stream["topics"]}
    assert all(isinstance(topic["lag"], int) for topic in stream["topics"])
    assert mine, "the malformed record is listed as this group's dead letter"
    assert mine[0]["error_class"] == "ContractViolation"
    assert "not json" not in str(stream), "a dead letter's payload is never shown"
    staff = await reporting.credential("centrale_staff", centrale_id="vc-x")
    refused = await reporting.http.get("/v1/ops/stream", headers=staff)
    assert refused.status_code == 403
