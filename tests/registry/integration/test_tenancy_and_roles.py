"""Every role is bound to its tenant: nobody reads or changes another centrale's (or partner's) data."""

from __future__ import annotations

from uuid import UUID

import pytest

from tests.registry.integration.conftest import Headers, Registry

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
async def two_centrales(registry: Registry) -> dict[str, object]:
    """Centrales A and B, each with staff, an admitted organisation, a volunteer and a task."""
    world: dict[str, object] = {}
    for name in ("a", "b"):
        centrale_id, staff = await registry.new_centrale()
        organisation_id, organisation = await registry.new_organisation(centrale_id, staff)
        volunteer_id = await registry.register_volunteer(centrale_id, staff)
        volunteer = await registry.credential(
            f"/v1/centrales/{centrale_id}/volunteers/{volunteer_id}/credentials", staff
        )
        task_id = await registry.published_task(centrale_id, organisation_id, organisation)
        reader = await registry.credential(
            f"/v1/centrales/{centrale_id}/credentials", registry.ops, role="municipality_reader"
        )
        world[name] = {
            "centrale": centrale_id,
            "staff": staff,
            "organisation_id": organisation_id,
            "organisation": organisation,
            "volunteer_id": volunteer_id,
            "volunteer": volunteer,
            "task_id": task_id,
            "reader": reader,
        }
    return world


def _of(world: dict[str, object], name: str) -> dict[str, object]:
    value = world[name]
    assert isinstance(value, dict)
    return value


async def test_staff_cannot_read_or_change_another_centrales_volunteer(
    registry: Registry, two_centrales: dict[str, object]
) -> None:
    a, b = _of(two_centrales, "a"), _of(two_centrales, "b")
    staff_a: Headers = a["staff"]  # type: ignore[assignment]
    b_volunteer = f"/v1/centrales/{b['centrale']}/volunteers/{b['volunteer_id']}"
    assert (await registry.http.get(b_volunteer, headers=staff_a)).status_code == 404
    assert (await registry.http.patch(b_volunteer, json={"skills": ["x"]}, headers=staff_a)).status_code == 404
    assert (await registry.http.delete(b_volunteer, headers=staff_a)).status_code == 404
    # Using A's path with B's volunteer id does not work either: the record is looked up within A.
    sneaky = f"/v1/centrales/{a['centrale']}/volunteers/{b['volunteer_id']}"
    assert (await registry.http.get(sneaky, headers=staff_a)).status_code == 404
    listed = await registry.http.get(f"/v1/centrales/{a['centrale']}/volunteers", headers=staff_a)
    assert {row["id"] for row in listed.json()} == {str(a["volunteer_id"])}
    # B's volunteer is untouched.
    own = await registry.http.get(b_volunteer, headers=b["staff"])  # type: ignore[arg-type]
    assert own.status_code == 200
    assert own.json()["skills"] == ["koken"]


async def test_organisation_cannot_touch_another_organisations_tasks(
    registry: Registry, two_centrales: dict[str, object]
) -> None:
    a, b = _of(two_centrales, "a"), _of(two_centrales, "b")
    organisation_a: Headers = a["organisation"]  # type: ignore[assignment]
    b_tasks = f"/v1/centrales/{b['centrale']}/organisations/{b['organisation_id']}/tasks"
    assert (await registry.http.get(b_tasks, headers=organisation_a)).status_code == 404
    assert (await registry.http.get(f"{b_tasks}/{b['task_id']}", headers=organisation_a)).status_code == 404
    assert (await registry.http.post(f"{b_tasks}/{b['task_id']}/close", headers=organisation_a)).status_code == 404
    created = await registry.http.post(b_tasks, json=await registry.task_body(), headers=organisation_a)
    assert created.status_code == 404
    # Its own organisation's path with B's task id finds nothing either.
    own_path = f"/v1/centrales/{a['centrale']}/organisations/{a['organisation_id']}/tasks/{b['task_id']}"
    assert (await registry.http.get(own_path, headers=organisation_a)).status_code == 404
    # Organisations have no business with volunteers' records.
    volunteers = f"/v1/centrales/{a['centrale']}/volunteers"
    assert (await registry.http.get(volunteers, headers=organisation_a)).status_code == 403


async def test_volunteer_sees_only_themselves(registry: Registry, two_centrales: dict[str, object]) -> None:
    a, b = _of(two_centrales, "a"), _of(two_centrales, "b")
    volunteer_a: Headers = a["volunteer"]  # type: ignore[assignment]
    me = await registry.http.get("/v1/me", headers=volunteer_a)
    assert me.status_code == 200
    assert me.json()["id"] == str(a["volunteer_id"])
    other = f"/v1/centrales/{b['centrale']}/volunteers/{b['volunteer_id']}"
    assert (await registry.http.get(other, headers=volunteer_a)).status_code == 403
    own_centrale_list = f"/v1/centrales/{a['centrale']}/volunteers"
    assert (await registry.http.get(own_centrale_list, headers=volunteer_a)).status_code == 403


async def test_municipality_reader_and_ops_see_no_personal_records(
    registry: Registry, two_centrales: dict[str, object]
) -> None:
    a = _of(two_centrales, "a")
    volunteer = f"/v1/centrales/{a['centrale']}/volunteers/{a['volunteer_id']}"
    assert (await registry.http.get(volunteer, headers=a["reader"])).status_code == 403  # type: ignore[arg-type]
    assert (await registry.http.get(volunteer, headers=registry.ops)).status_code == 403
    organisation = f"/v1/centrales/{a['centrale']}/organisations/{a['organisation_id']}"
    assert (await registry.http.get(organisation, headers=a["reader"])).status_code == 403  # type: ignore[arg-type]


async def test_partner_sees_only_its_own_volunteer_days(registry: Registry, two_centrales: dict[str, object]) -> None:
    a = _of(two_centrales, "a")
    partners = []
    for name in ("Bank", "Verzekeraar"):
        created = await registry.http.post("/v1/business-partners", json={"name": name}, headers=registry.ops)
        assert created.status_code == 201, created.text
        partners.append(
            await registry.credential(f"/v1/business-partners/{created.json()['id']}/credentials", registry.ops)
        )
    first, second = partners
    day = await registry.http.post(
        "/v1/volunteer-days", json={"external_ref": "hr-1", "team_size": 8, "on_date": "2030-03-14"}, headers=first
    )
    assert day.status_code == 201, day.text
    day_id = UUID(day.json()["id"])
    assert (await registry.http.get(f"/v1/volunteer-days/{day_id}", headers=second)).status_code == 404
    assert (await registry.http.get("/v1/volunteer-days", headers=second)).json() == []
    assert (await registry.http.get(f"/v1/volunteer-days/{day_id}", headers=first)).status_code == 200
    volunteers = f"/v1/centrales/{a['centrale']}/volunteers"
    assert (await registry.http.get(volunteers, headers=first)).status_code == 403


async def test_staff_cannot_administer_the_region(registry: Registry, two_centrales: dict[str, object]) -> None:
    a = _of(two_centrales, "a")
    staff: Headers = a["staff"]  # type: ignore[assignment]
    body = {"id": "vc-rogue", "name": "Rogue", "municipality_code": "GM0001"}
    assert (await registry.http.post("/v1/centrales", json=body, headers=staff)).status_code == 403
    path = f"/v1/centrales/{a['centrale']}/credentials"
    assert (await registry.http.post(path, json={"label": "x"}, headers=staff)).status_code == 403


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer rp_not-a-token"}, {"Authorization": "Basic eA=="}])
async def test_every_route_needs_a_valid_token(
    registry: Registry, two_centrales: dict[str, object], headers: Headers
) -> None:
    a = _of(two_centrales, "a")
    for method, path in [
        ("GET", f"/v1/centrales/{a['centrale']}/volunteers"),
        ("GET", "/v1/me"),
        ("GET", "/v1/volunteer-days"),
        ("POST", "/v1/centrales"),
        ("GET", f"/v1/centrales/{a['centrale']}/organisations/{a['organisation_id']}/tasks"),
    ]:
        response = await registry.http.request(method, path, headers=headers)
        assert response.status_code == 401, (method, path, response.status_code)
