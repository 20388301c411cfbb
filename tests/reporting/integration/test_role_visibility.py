"""Who sees what: a municipality its own municipality, the region everything, a business partner its own teams."""

from __future__ import annotations

from uuid import uuid4

import pytest

from tests.reporting.integration.conftest import Headers, Scenario

pytestmark = pytest.mark.integration

Q1 = {"period": "2026-Q1"}


async def _status(scenario: Scenario, path: str, headers: Headers) -> int:
    response = await scenario.reporting.http.get(path, headers=headers, params=Q1)
    return response.status_code


async def test_a_municipality_reader_sees_its_own_municipality_and_its_centrales_only(scenario: Scenario) -> None:
    region = scenario.region
    reader = await scenario.reporting.credential("municipality_reader", centrale_id=region.a1)

    allowed = [
        "/v1/municipalities/GM0344/figures", "/v1/municipalities/GM0344/figures.csv",
        "/v1/municipalities/GM0344/charts/trends.svg", f"/v1/centrales/{region.a1}/figures",
        f"/v1/centrales/{region.a2}/figures", "/v1/municipalities/GM0344/reports/2026-Q1",
        "/v1/municipalities/GM0344/reports/2026-Q1/report.html",
    ]  # fmt: skip
    assert {path: await _status(scenario, path, reader) for path in allowed} == dict.fromkeys(allowed, 200)
    hidden = ["/v1/municipalities/GM0355/figures", f"/v1/centrales/{region.b1}/figures",
              "/v1/municipalities/GM0355/reports/2026-Q1"]  # fmt: skip
    assert {path: await _status(scenario, path, reader) for path in hidden} == dict.fromkeys(hidden, 404)
    forbidden = ["/v1/region/figures", f"/v1/partners/{region.partner_builder}/figures", "/v1/ops/centrales"]
    assert {path: await _status(scenario, path, reader) for path in forbidden} == dict.fromkeys(forbidden, 403)
    # Reading, not steering: agreements and closing periods are for centrale staff and ops.
    put = await scenario.reporting.http.put(
        "/v1/municipalities/GM0344/agreements/2026", headers=reader,
        json={"title": "x", "kpis": [{"kpi": "hours", "target": 1}]},
    )  # fmt: skip
    assert put.status_code == 403


async def test_a_reader_and_staff_learn_which_municipality_they_read_and_ops_or_partners_do_not(
    scenario: Scenario,
) -> None:
    region = scenario.region
    reader = await scenario.reporting.credential("municipality_reader", centrale_id=region.a1)
    staff = await scenario.reporting.credential("centrale_staff", centrale_id=region.b1)
    hr = await scenario.reporting.credential("business_partner", subject_id=region.partner_builder)

    assert await scenario.reporting.json("/v1/me/municipality", reader) == {"code": "GM0344", "name": "Utrecht"}
    assert (await scenario.reporting.json("/v1/me/municipality", staff))["code"] == "GM0355"
    assert await _status(scenario, "/v1/me/municipality", hr) == 403
    assert await _status(scenario, "/v1/me/municipality", scenario.reporting.ops) == 403


async def test_centrale_staff_see_their_centrale_and_municipality_not_the_neighbours(scenario: Scenario) -> None:
    region = scenario.region
    staff = await scenario.reporting.credential("centrale_staff", centrale_id=region.b1)

    assert await _status(scenario, "/v1/municipalities/GM0355/figures", staff) == 200
    assert await _status(scenario, f"/v1/centrales/{region.b1}/figures", staff) == 200
    assert await _status(scenario, "/v1/municipalities/GM0344/figures", staff) == 404
    assert await _status(scenario, f"/v1/centrales/{region.a1}/figures", staff) == 404
    assert await _status(scenario, "/v1/region/figures", staff) == 403


async def test_a_business_partner_sees_only_its_own_teams(scenario: Scenario) -> None:
    region = scenario.region
    hr = await scenario.reporting.credential("business_partner", subject_id=region.partner_builder)

    own = await scenario.reporting.json(f"/v1/partners/{region.partner_builder}/figures", hr, **Q1)
    assert own["scope"] == {"kind": "partner", "id": str(region.partner_builder), "name": "Bouwbedrijf De Vries"}
    assert {item["kpi"]: item["value"] for item in own["headline"]} == {
        "team_days": 1, "team_employees": 7, "team_hours": 42,
    }  # fmt: skip
    [march] = [row for row in own["tables"][0]["rows"] if row["key"] == "2026-03"]
    assert march["values"] == {"team_days": 1, "team_employees": 7, "team_hours": 42}
    assert [row["key"] for row in own["tables"][1]["rows"]] == ["GM0344"]
    assert "Rabobank" not in str(own)
    assert await _status(scenario, f"/v1/partners/{region.partner_bank}/figures", hr) == 404
    assert await _status(scenario, f"/v1/partners/{uuid4()}/figures", hr) == 404
    for path in ("/v1/region/figures", "/v1/municipalities/GM0344/figures", f"/v1/centrales/{region.a1}/figures"):
        assert await _status(scenario, path, hr) == 403


async def test_the_region_sees_everything_and_nobody_reads_without_a_token(scenario: Scenario) -> None:
    region, ops = scenario.region, scenario.reporting.ops
    everything = [
        "/v1/region/figures", "/v1/municipalities/GM0344/figures", "/v1/municipalities/GM0355/figures",
        f"/v1/centrales/{region.b1}/figures", f"/v1/partners/{region.partner_bank}/figures",
    ]  # fmt: skip
    assert {path: await _status(scenario, path, ops) for path in everything} == dict.fromkeys(everything, 200)
    assert await _status(scenario, "/v1/municipalities/GM0344/figures", {}) == 401
    organisation = await scenario.reporting.credential("organisation", centrale_id=region.a1, subject_id=uuid4())
    assert await _status(scenario, "/v1/municipalities/GM0344/figures", organisation) == 403
    # A municipality no centrale is linked to does not exist for reporting.
    assert await _status(scenario, "/v1/municipalities/GM0001/figures", ops) == 404
