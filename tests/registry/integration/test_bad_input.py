"""Bad input gets a 4xx with field-level messages, never a 500, and writes nothing."""

from __future__ import annotations

import pytest

from tests.registry.integration.conftest import Registry

pytestmark = pytest.mark.integration

BAD_BODIES = [
    b"{not json",
    b"[]",
    b'{"name": 42}',
    b'{"name": "x", "birth_date": "1990-02-31"}',
    b'{"name": "x", "availability": [{"weekday": 9, "start": "25:00", "end": "x"}]}',
    b'{"name": "' + b"x" * 10_000 + b'"}',
    b'{"unexpected": true}',
]


async def test_malformed_requests_get_client_errors_and_change_nothing(registry: Registry) -> None:
    centrale_id, staff = await registry.new_centrale()
    organisation_id, organisation = await registry.new_organisation(centrale_id, staff)
    tables = ("volunteers", "organisations", "tasks", "volunteer_days", "hours", "outbox")
    before = {t: await registry.pool.fetchval(f"SELECT count(*) FROM {t}") for t in tables}  # noqa: S608
    hr_partner = await registry.http.post("/v1/business-partners", json={"name": "Partner"}, headers=registry.ops)
    hr = await registry.credential(f"/v1/business-partners/{hr_partner.json()['id']}/credentials", registry.ops)
    targets = [
        (f"/v1/centrales/{centrale_id}/volunteers", staff),
        (f"/v1/centrales/{centrale_id}/volunteers/self-registration", {}),
        (f"/v1/centrales/{centrale_id}/organisations", staff),
        (f"/v1/centrales/{centrale_id}/organisations/{organisation_id}/tasks", organisation),
        ("/v1/volunteer-days", hr),
    ]
    for path, headers in targets:
        for body in BAD_BODIES:
            response = await registry.http.post(
                path, content=body, headers={**headers, "Content-Type": "application/json"}
            )
            assert response.status_code == 422, (path, body[:40], response.status_code, response.text[:200])
            assert isinstance(response.json()["detail"], list)
            assert all("loc" in item and "msg" in item for item in response.json()["detail"])
    not_a_uuid = await registry.http.get(f"/v1/centrales/{centrale_id}/volunteers/not-a-uuid", headers=staff)
    assert not_a_uuid.status_code == 422
    assert not_a_uuid.json()["detail"][0]["loc"] == ["path", "volunteer_id"]
    after = {t: await registry.pool.fetchval(f"SELECT count(*) FROM {t}") for t in tables}  # noqa: S608
    # Only the partner and its credential above wrote (two outbox rows); nothing malformed did.
    assert after == {**before, "outbox": before["outbox"] + 2}
